import { describe, expect, it } from 'vitest';
import { ANNOUNCED_KINDS, describeNotification } from '../background/notify';

describe('a Dropbox sign-in PD can no longer use (the app was unlinked in Dropbox)', () => {
  it('is announced at once and tells the person what to do', () => {
    const n = {
      kind: 'dropbox_reauth_required' as const,
      trackTitle: 'Midnight Drive',
      actor: { id: null, name: 'Dropbox' },
      via: 'dropbox' as const,
    };
    expect(describeNotification(n)).toBe(
      'Dropbox no longer accepts Producer Dashboard’s sign-in, so “Midnight Drive” can’t be updated in Dropbox. Sign in with Dropbox again.',
    );
    expect(ANNOUNCED_KINDS.has('dropbox_reauth_required')).toBe(true);
  });
});
