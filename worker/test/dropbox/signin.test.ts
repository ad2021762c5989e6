import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { decryptToken } from '../../src/dropbox/crypto.ts';
import { EMULATOR, Harness, REDIRECT_URI, control } from './harness.ts';

const h = new Harness();
const MAYA = 'maya.signin@pd.test';

beforeAll(async () => {
  await h.reset({
    accounts: [
      { email: MAYA, display_name: 'Maya Reyes' },
      { email: 'leo.signin@pd.test', display_name: 'Leo Vance' },
    ],
    folders: [
      { name: 'Midnight Drive', owner: MAYA, path: '/PD/Midnight Drive', members: [{ account: 'leo.signin@pd.test', access_level: 'editor' }] },
    ],
  });
});

async function tokenRow(accountId: string) {
  return env.DB.prepare('SELECT * FROM dropbox_tokens WHERE account_id = ?').bind(accountId).first<{
    refresh_token: string;
    access_token: string | null;
    access_token_expires_at: number | null;
    needs_reauth: number;
    reauth_reason: string | null;
  }>();
}

describe('sign in with Dropbox', () => {
  it('publishes what the extension needs to build the PKCE authorize URL, and no secret', async () => {
    const res = await h.fetch('/api/v1/auth/config');
    const body = await res.json();
    expect(body).toEqual({
      clientId: 'pd-local-app-key',
      authorizeUrl: `${EMULATOR}/oauth2/authorize`,
      tokenAccessType: 'offline',
      codeChallengeMethod: 'S256',
    });
    expect(JSON.stringify(body)).not.toContain(env.DROPBOX_APP_SECRET);
  });

  it('exchanges the code, creates the account and a session, stores the tokens encrypted and reads the Dropbox baseline', async () => {
    const { session, account } = await h.signIn(MAYA);
    expect(account).toMatchObject({ email: MAYA, displayName: 'Maya Reyes' });
    expect(account.dropboxAccountId).toMatch(/^dbid:/);
    expect(session.length).toBeGreaterThan(30);

    // The session works on the core API; only its hash is stored.
    expect((await h.fetch('/api/v1/me', { session })).status).toBe(200);
    const stored = await env.DB.prepare('SELECT count(*) AS n FROM sessions WHERE token_hash = ?').bind(session).first<{ n: number }>();
    expect(stored!.n).toBe(0);

    const row = (await tokenRow(account.id))!;
    const refresh = await decryptToken(env.TOKEN_ENCRYPTION_KEY, row.refresh_token, `${account.id}:refresh`);
    const access = await decryptToken(env.TOKEN_ENCRYPTION_KEY, row.access_token!, `${account.id}:access`);
    expect(refresh.length).toBeGreaterThan(10);
    expect(row.refresh_token).not.toContain(refresh);
    expect(row.access_token).not.toContain(access);
    expect(row.access_token_expires_at! - Date.now()).toBeGreaterThan(3 * 3600_000);

    // The first reconcile sets the list_folder baseline and learns where the shared folder is mounted.
    expect(h.queued.map((q) => q.job.kind)).toEqual(['reconcile-account']);
    await h.drain();
    const sync = await env.DB.prepare('SELECT cursor FROM dropbox_account_sync WHERE account_id = ?').bind(account.id).first<{ cursor: string }>();
    expect(sync?.cursor).toBeTruthy();
    const mounts = await env.DB.prepare('SELECT path_lower FROM dropbox_mounts WHERE account_id = ?').bind(account.id).all<{ path_lower: string }>();
    expect(mounts.results.map((m) => m.path_lower)).toEqual(['/pd/midnight drive']);

    // Signing in again refreshes the same account.
    const again = await h.signIn(MAYA);
    expect(again.account.id).toBe(account.id);
    expect(again.session).not.toBe(session);
  });

  it('signs out: the session stops working at once', async () => {
    const { session } = await h.signIn(MAYA);
    expect((await h.fetch('/api/v1/auth/signout', { method: 'POST', session })).status).toBe(200);
    const res = await h.fetch('/api/v1/me', { session });
    expect(res.status).toBe(401);
    expect((await h.fetch('/api/v1/auth/signout', { method: 'POST' })).status).toBe(401);
  });

  it('refuses a code Dropbox does not accept (reused, wrong verifier, wrong redirect) with 400 dropbox_auth_failed', async () => {
    const verifier = 'v'.repeat(64);
    const challenge = btoa(String.fromCharCode(...new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)))))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '');
    const authorize = () =>
      control<{ code: string }>('authorize', {
        account: MAYA,
        client_id: 'pd-local-app-key',
        redirect_uri: REDIRECT_URI,
        code_challenge: challenge,
        code_challenge_method: 'S256',
        token_access_type: 'offline',
      });

    const wrongVerifier = await h.fetch('/api/v1/auth/dropbox', {
      method: 'POST',
      json: { code: (await authorize()).code, codeVerifier: 'w'.repeat(64), redirectUri: REDIRECT_URI },
    });
    expect(wrongVerifier.status).toBe(400);
    expect(await wrongVerifier.json()).toMatchObject({ error: { code: 'dropbox_auth_failed' } });

    const wrongRedirect = await h.fetch('/api/v1/auth/dropbox', {
      method: 'POST',
      json: { code: (await authorize()).code, codeVerifier: verifier, redirectUri: 'https://elsewhere.example/' },
    });
    expect(wrongRedirect.status).toBe(400);

    const { code } = await authorize();
    expect(
      (await h.fetch('/api/v1/auth/dropbox', { method: 'POST', json: { code, codeVerifier: verifier, redirectUri: REDIRECT_URI } })).status,
    ).toBe(200);
    const reused = await h.fetch('/api/v1/auth/dropbox', { method: 'POST', json: { code, codeVerifier: verifier, redirectUri: REDIRECT_URI } });
    expect(reused.status).toBe(400);
    expect(await reused.json()).toMatchObject({ error: { code: 'dropbox_auth_failed' } });
  });

  it('validates the body: 400 with a stable code, never a 500', async () => {
    for (const json of [
      {},
      { code: 'x', codeVerifier: 'short', redirectUri: REDIRECT_URI },
      { code: 'x', codeVerifier: 'v'.repeat(64), redirectUri: 'not a url' },
    ]) {
      const res = await h.fetch('/api/v1/auth/dropbox', { method: 'POST', json });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: 'validation_failed' } });
    }
    const bad = await h.fetch('/api/v1/auth/dropbox', { method: 'POST', body: '{"code":', headers: { 'content-type': 'application/json' } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'invalid_json' } });
  });
});

describe('access tokens', () => {
  it('are refreshed before they expire, and the refreshed token is stored for the next call', async () => {
    const { session, account } = await h.signIn(MAYA);
    const before = (await tokenRow(account.id))!;
    await env.DB.prepare('UPDATE dropbox_tokens SET access_token_expires_at = ? WHERE account_id = ?')
      .bind(Date.now() + 60_000, account.id)
      .run();
    await h.clearCalls();
    const res = await h.fetch('/api/v1/dropbox/import', { method: 'POST', session, json: {} });
    expect(res.status).toBe(200);
    const calls = await h.calls();
    expect(calls[0].route).toBe('oauth2/token');
    expect(calls.slice(1).every((c) => c.status === 200)).toBe(true);
    const after = (await tokenRow(account.id))!;
    expect(after.access_token).not.toBe(before.access_token);
    expect(after.access_token_expires_at! - Date.now()).toBeGreaterThan(3 * 3600_000);

    // The next request uses the stored token: no second refresh.
    await h.clearCalls();
    await h.fetch('/api/v1/dropbox/import', { method: 'POST', session, json: {} });
    expect((await h.calls()).map((c) => c.route)).not.toContain('oauth2/token');
  });

  it('are refreshed when Dropbox answers 401 expired_access_token, and the call is retried', async () => {
    const { session, account } = await h.signIn(MAYA);
    const before = (await tokenRow(account.id))!;
    await control('tokens/expire', { account: MAYA });
    await h.clearCalls();
    const res = await h.fetch('/api/v1/dropbox/import', { method: 'POST', session, json: {} });
    expect(res.status).toBe(200);
    const routes = (await h.calls()).map((c) => `${c.route} ${c.status}`);
    expect(routes.slice(0, 3)).toEqual(['2/sharing/list_folders 401', 'oauth2/token 200', '2/sharing/list_folders 200']);
    expect((await tokenRow(account.id))!.access_token).not.toBe(before.access_token);
  });

  it('when Dropbox rejects the refresh token (invalid_grant) the account visibly needs to sign in again', async () => {
    const { session, account } = await h.signIn(MAYA);
    // Revoking the access token also disables the refresh token behind it (auth/token/revoke).
    const row = (await tokenRow(account.id))!;
    const access = await decryptToken(env.TOKEN_ENCRYPTION_KEY, row.access_token!, `${account.id}:access`);
    const revoked = await fetch(`${EMULATOR}/2/auth/token/revoke`, { method: 'POST', headers: { Authorization: `Bearer ${access}` } });
    expect(revoked.status).toBe(200);
    await env.DB.prepare('UPDATE dropbox_tokens SET access_token_expires_at = ? WHERE account_id = ?')
      .bind(Date.now() + 1000, account.id)
      .run();

    const res = await h.fetch('/api/v1/dropbox/import', { method: 'POST', session, json: {} });
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ error: { code: 'dropbox_reauth_required' } });
    // The account's PD sessions end with it (issue 8; test/security/sessions-reauth.dropbox.test.ts); the reason stays.
    expect((await h.fetch('/api/v1/dropbox/status', { session })).status).toBe(401);
    const row2 = await env.DB.prepare('SELECT needs_reauth, reauth_reason FROM dropbox_tokens WHERE account_id = ?')
      .bind(account.id)
      .first<{ needs_reauth: number; reauth_reason: string }>();
    expect(row2!.needs_reauth).toBe(1);
    expect(row2!.reauth_reason).toMatch(/invalid_grant/);

    // Signing in again clears it.
    const again = await h.signIn(MAYA);
    expect(await h.json('/api/v1/dropbox/status', { session: again.session })).toMatchObject({ needsReauth: false });
  });
});
