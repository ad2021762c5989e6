// Issue 8, item 5: disconnecting PD in Dropbox (or anything that makes Dropbox refuse the refresh token) used to
// leave every PD session working. Now the moment Dropbox refuses it, all of that account's PD sessions end.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { decryptToken } from '../../src/dropbox/crypto.ts';
import { EMULATOR, Harness } from '../dropbox/harness.ts';

const h = new Harness();
const MAYA = 'maya.reauth@sessions.test';
const OTHER = 'omar.other@sessions.test';

beforeAll(async () => {
  await h.reset({
    accounts: [
      { email: MAYA, display_name: 'Maya' },
      { email: OTHER, display_name: 'Omar' },
    ],
    folders: [{ name: 'Reauth', owner: MAYA, path: '/PD/Reauth', members: [] }],
  });
});

describe('Dropbox refuses the refresh token', () => {
  it('every PD session of that account ends (both browsers); the tokens stay marked needs_reauth; other accounts are untouched', async () => {
    const laptop = await h.signIn(MAYA);
    const phone = await h.signIn(MAYA);
    const omar = await h.signIn(OTHER);
    await h.drain();
    const row = (await env.DB.prepare('SELECT access_token FROM dropbox_tokens WHERE account_id = ?')
      .bind(laptop.account.id)
      .first<{ access_token: string }>())!;
    const access = await decryptToken(env.TOKEN_ENCRYPTION_KEY, row.access_token, `${laptop.account.id}:access`);
    // The user disconnects PD in Dropbox: revoking the token disables the refresh token behind it.
    expect((await fetch(`${EMULATOR}/2/auth/token/revoke`, { method: 'POST', headers: { Authorization: `Bearer ${access}` } })).status).toBe(200);
    await env.DB.prepare('UPDATE dropbox_tokens SET access_token_expires_at = ? WHERE account_id = ?')
      .bind(Date.now() + 1000, laptop.account.id)
      .run();

    const res = await h.fetch('/api/v1/dropbox/import', { method: 'POST', session: laptop.session, json: {} });
    expect([res.status, ((await res.json()) as { error: { code: string } }).error.code]).toEqual([409, 'dropbox_reauth_required']);

    for (const s of [laptop.session, phone.session]) {
      const me = await h.fetch('/api/v1/me', { session: s });
      expect(me.status).toBe(401);
    }
    const sessions = await env.DB.prepare('SELECT count(*) AS n FROM sessions WHERE account_id = ?').bind(laptop.account.id).first<{ n: number }>();
    expect(sessions!.n).toBe(0);
    const tokens = await env.DB.prepare('SELECT needs_reauth FROM dropbox_tokens WHERE account_id = ?')
      .bind(laptop.account.id)
      .first<{ needs_reauth: number }>();
    expect(tokens!.needs_reauth).toBe(1);
    expect((await h.fetch('/api/v1/me', { session: omar.session })).status).toBe(200);

    // Signing in again works and clears it.
    const again = await h.signIn(MAYA);
    expect(await h.json('/api/v1/dropbox/status', { session: again.session })).toMatchObject({ needsReauth: false });
  });
});
