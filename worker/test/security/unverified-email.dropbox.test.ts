// Invitations are matched to people by email, so the email PD trusts must be one Dropbox has verified. Dropbox
// lets an account sign in before its address is confirmed: anyone could open a Dropbox account under someone
// else's address and, without this check, accept the invitations sent to that person.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { Harness, REDIRECT_URI, control } from '../dropbox/harness.ts';

const h = new Harness();
const OWNER = 'olivia.owner@verify.test';
const VICTIM = 'vera.invited@verify.test'; // invited by email; the Dropbox account below is not hers

const b64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

beforeAll(async () => {
  await h.reset({
    accounts: [
      { email: OWNER, display_name: 'Olivia Owner' },
      { email: VICTIM, display_name: 'Not Vera', email_verified: false },
    ],
    folders: [{ name: 'Invite Only', owner: OWNER, path: '/PD/Invite Only', members: [] }],
  });
});

describe('sign-in with an unverified Dropbox email', () => {
  it('is refused (400 dropbox_auth_failed, saying why): no account, no session, no tokens, and the invitation stays pending', async () => {
    const owner = await h.signIn(OWNER);
    await h.drain();
    const imported = await h.json<{ imported: { trackId: string }[] }>('/api/v1/dropbox/import', {
      method: 'POST',
      session: owner.session,
      json: {},
    });
    const trackId = imported.imported[0].trackId;
    const inv = await h.json<{ invitation: { id: string } }>(`/api/v1/tracks/${trackId}/invitations`, {
      method: 'POST',
      session: owner.session,
      json: { email: VICTIM },
    });

    h.queued.length = 0; // the invitation's Dropbox change, queued by the owner's call
    const verifier = b64url(crypto.getRandomValues(new Uint8Array(48)));
    const challenge = b64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
    const { code } = await control<{ code: string }>('authorize', {
      account: VICTIM,
      client_id: 'pd-local-app-key',
      redirect_uri: REDIRECT_URI,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      token_access_type: 'offline',
    });
    const res = await h.fetch('/api/v1/auth/dropbox', { method: 'POST', json: { code, codeVerifier: verifier, redirectUri: REDIRECT_URI } });
    const body = (await res.json()) as { error?: { code: string; message: string }; session?: string };
    expect([res.status, body.error?.code]).toEqual([400, 'dropbox_auth_failed']);
    expect(body.error?.message).toMatch(/verif/i);
    expect(body.session).toBeUndefined();

    const accounts = await env.DB.prepare('SELECT count(*) AS n FROM accounts WHERE email_lower = ?').bind(VICTIM).first<{ n: number }>();
    expect(accounts!.n).toBe(0);
    const tokens = await env.DB.prepare('SELECT count(*) AS n FROM dropbox_tokens t JOIN accounts a ON a.id = t.account_id WHERE a.email_lower = ?')
      .bind(VICTIM)
      .first<{ n: number }>();
    expect(tokens!.n).toBe(0);
    const invitation = await env.DB.prepare('SELECT status FROM invitations WHERE id = ?').bind(inv.invitation.id).first<{ status: string }>();
    expect(invitation!.status).toBe('pending');
    expect(h.queued).toEqual([]);
  });
});
