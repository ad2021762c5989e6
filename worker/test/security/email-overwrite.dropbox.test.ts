// Issue 8, item 2: the e-mail PD matches invitations against may only come from users/get_current_account with
// email_verified — never from a shared folder's member list, which says nothing about verification.
// The attack: Mal signed in to PD long ago with a verified address. In Dropbox, Mal changes the account's address to
// Vera's (unconfirmed). Mal is a member of one of Olivia's folders, so the member-list sync used to copy the new
// address onto Mal's PD account — and Mal then saw and accepted the invitation Olivia sent to Vera.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSession, upsertAccount } from '../../src/domain/index.ts';
import { Harness } from '../dropbox/harness.ts';

const h = new Harness();
const OLIVIA = 'olivia.owner@overwrite.test';
const VERA = 'vera.invited@overwrite.test'; // the address Olivia invites; Vera has no PD account yet
const MAL_OLD = 'mal.before@overwrite.test'; // the verified address Mal signed in to PD with

let mal: { id: string; token: string; dbid: string };

beforeAll(async () => {
  const seeded = await h.reset({
    accounts: [
      { email: OLIVIA, display_name: 'Olivia Owner' },
      // Mal's Dropbox account as it is now: Vera's address, not confirmed.
      { email: VERA, display_name: 'Mal', email_verified: false },
    ],
    folders: [
      { name: 'Shared Beats', owner: OLIVIA, path: '/PD/Shared Beats', members: [{ account: VERA, access_level: 'viewer' }] },
      { name: 'For Vera', owner: OLIVIA, path: '/PD/For Vera', members: [] },
    ],
  });
  const dbid = seeded.accounts[VERA].account_id;
  // Mal's PD account from the earlier sign-in, when the Dropbox address was MAL_OLD (verified).
  const account = await upsertAccount(env.DB, { dropboxAccountId: dbid, email: MAL_OLD, displayName: 'Mal' });
  mal = { id: account.id, token: (await createSession(env.DB, account.id)).token, dbid };
});

describe('an address changed in Dropbox (unverified) reaching PD through a member list', () => {
  it('does not change the PD account’s e-mail, so the invitation to that address is not Mal’s to see or accept', async () => {
    const olivia = await h.signIn(OLIVIA);
    await h.drain();
    // Import reads the folder's members: Mal is found there with Vera's address.
    const imported = await h.json<{ imported: { trackId: string; title: string }[] }>('/api/v1/dropbox/import', {
      method: 'POST',
      session: olivia.session,
      json: {},
    });
    await h.drain();
    const stored = await env.DB.prepare('SELECT email, email_lower FROM accounts WHERE id = ?')
      .bind(mal.id)
      .first<{ email: string; email_lower: string }>();
    expect(stored).toEqual({ email: MAL_OLD, email_lower: MAL_OLD });

    // Olivia invites Vera, by e-mail, to the track Mal is not on.
    const forVera = imported.imported.find((t) => t.title === 'For Vera')!.trackId;
    const toVera = await h.fetch(`/api/v1/tracks/${forVera}/invitations`, { method: 'POST', session: olivia.session, json: { email: VERA } });
    expect(toVera.status).toBe(201);
    const invitation = (await toVera.json()) as { invitation: { id: string } };
    h.queued.length = 0; // the invitation's Dropbox change: not what this test is about

    const mine = await h.json<{ invitations: { id: string }[] }>('/api/v1/invitations', { session: mal.token });
    expect(mine.invitations.map((i) => i.id)).not.toContain(invitation.invitation.id);
    const accept = await h.fetch(`/api/v1/invitations/${invitation.invitation.id}/accept`, { method: 'POST', session: mal.token });
    expect([accept.status, ((await accept.json()) as { error: { code: string } }).error.code]).toEqual([403, 'invitation_not_yours']);
    const row = await env.DB.prepare('SELECT status FROM invitations WHERE id = ?').bind(invitation.invitation.id).first<{ status: string }>();
    expect(row!.status).toBe('pending');
  });

  it('a later member-list sync still does not change it; the display name from Dropbox may refresh', async () => {
    await h.cron();
    await h.drain();
    const stored = await env.DB.prepare('SELECT email FROM accounts WHERE id = ?').bind(mal.id).first<{ email: string }>();
    expect(stored!.email).toBe(MAL_OLD);
  });
});
