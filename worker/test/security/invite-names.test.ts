// Issue 8, item 8: inviting an address must not reveal who uses it. Before, an invitation without a display name
// took the name of the PD account with that e-mail — an owner could learn anyone's real name by inviting addresses.
import { describe, expect, it } from 'vitest';
import { person, trackOf } from '../core/helpers.ts';

describe('invitation names', () => {
  it('an invitation without a name shows the address’s local part, never the existing account’s name', async () => {
    const owner = await person('Curious Owner');
    const secret = await person('Private Real Name', 'private.person@example.test');
    const trackId = await trackOf(owner, 'Probe');
    const res = await owner.post(`/tracks/${trackId}/invitations`, { email: secret.email, accessLevel: 'viewer' });
    expect(res.status).toBe(201);
    expect(res.body.collaborator.displayName).toBe('private.person');
    const detail = await owner.get(`/tracks/${trackId}`);
    expect(JSON.stringify(detail.body)).not.toContain('Private Real Name');
  });

  it('the name the owner typed is kept', async () => {
    const owner = await person('Typing Owner');
    const other = await person('Someone Else');
    const trackId = await trackOf(owner, 'Named');
    const res = await owner.post(`/tracks/${trackId}/invitations`, { email: other.email, displayName: 'Sam (vocals)', accessLevel: 'viewer' });
    expect([res.status, res.body.collaborator.displayName]).toEqual([201, 'Sam (vocals)']);
  });
});
