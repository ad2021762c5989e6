import { createHash, randomBytes } from 'node:crypto';
import { Dropbox, DropboxAuth } from 'dropbox';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emulatorFetch, rewriteDropboxUrl, type RunningEmulator } from '../src/index.ts';
import { failure, LEO, MAYA, rpc, start } from './helpers.ts';

const REDIRECT = 'https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/';
let emu: RunningEmulator;
beforeEach(async () => {
  emu = await start();
});
afterEach(async () => {
  await emu.close();
});

function sdkAuth() {
  return new DropboxAuth({ clientId: emu.appKey, fetch: emulatorFetch(emu.url) });
}

/** What a user does in the browser: open the authorize page, pick the account, follow the redirect. */
async function pickAccountOnPage(authUrl: string, email: string): Promise<URL> {
  const pageUrl = rewriteDropboxUrl(authUrl, emu.url);
  expect(pageUrl.startsWith(emu.url + '/oauth2/authorize?')).toBe(true);
  const page = await fetch(pageUrl);
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain(email);
  const form = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) form.set(m[1], decodeEntities(m[2]));
  const button = new RegExp(`name="account" value="([^"]+)" data-email="${email.replace('.', '\\.')}"`).exec(html);
  expect(button).not.toBeNull();
  form.set('account', button![1]);
  const res = await fetch(`${emu.url}/oauth2/authorize`, { method: 'POST', body: form, redirect: 'manual' });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location')!);
}

const decodeEntities = (s: string) => s.replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n)));

async function token(params: Record<string, string>) {
  const res = await fetch(`${emu.url}/oauth2/token`, { method: 'POST', body: new URLSearchParams(params) });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

function pkce() {
  const verifier = randomBytes(64).toString('base64url').slice(0, 128);
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

describe('authorize page + token exchange (PKCE, the SDK flow)', () => {
  it('signs in with the SDK: pick an account, exchange the code with the verifier, call the API', async () => {
    const auth = sdkAuth();
    const url = await auth.getAuthenticationUrl(REDIRECT, 'st4te', 'code', 'offline', undefined, 'none', true);
    const back = await pickAccountOnPage(url, LEO);
    expect(back.origin + back.pathname).toBe(REDIRECT);
    expect(back.searchParams.get('state')).toBe('st4te');
    const { result } = await auth.getAccessTokenFromCode(REDIRECT, back.searchParams.get('code')!);
    const r = result as Record<string, any>;
    expect(r.access_token).toMatch(/^sl\./);
    expect(r.token_type).toBe('bearer');
    expect(r.expires_in).toBe(14400);
    expect(r.account_id).toBe(emu.seeded.accounts[LEO].account_id);
    expect(r.uid).toBe(String(emu.seeded.accounts[LEO].uid));
    expect(r.refresh_token).toBeTruthy();
    expect(r.scope).toContain('sharing.write');
    const dbx = new Dropbox({ accessToken: r.access_token, fetch: emulatorFetch(emu.url) });
    const me = await dbx.usersGetCurrentAccount();
    expect(me.result.email).toBe(LEO);
    expect(me.result.name.display_name).toBe('Leo Vance');
    expect(emu.control.state().accounts.find((a) => a.email === LEO)!.linked).toBe(true);
    const maya = await dbx.usersGetAccount({ account_id: emu.seeded.accounts[MAYA].account_id });
    expect(maya.result).toMatchObject({ email: MAYA, name: { display_name: 'Maya Reyes' } });
    const nobody = await failure(dbx.usersGetAccount({ account_id: 'dbid:' + 'x'.repeat(35) }));
    expect(nobody.error.error['.tag']).toBe('no_account');
  });

  it('a wrong code_verifier is invalid_grant, and the code is not spent by it', async () => {
    const { verifier, challenge } = pkce();
    const { code } = emu.control.authorize({
      account: MAYA,
      client_id: emu.appKey,
      redirect_uri: REDIRECT,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    const wrong = await token({
      grant_type: 'authorization_code',
      code,
      client_id: emu.appKey,
      redirect_uri: REDIRECT,
      code_verifier: pkce().verifier,
    });
    expect(wrong.status).toBe(400);
    expect(wrong.json.error).toBe('invalid_grant');
    expect(typeof wrong.json.error_description).toBe('string');
    const right = await token({ grant_type: 'authorization_code', code, client_id: emu.appKey, redirect_uri: REDIRECT, code_verifier: verifier });
    expect(right.status).toBe(200);
  });

  it('a code works once; reuse is invalid_grant', async () => {
    const { verifier, challenge } = pkce();
    const { code } = emu.control.authorize({
      account: MAYA,
      client_id: emu.appKey,
      redirect_uri: REDIRECT,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    const args = { grant_type: 'authorization_code', code, client_id: emu.appKey, redirect_uri: REDIRECT, code_verifier: verifier };
    expect((await token(args)).status).toBe(200);
    const again = await token(args);
    expect(again).toEqual({ status: 400, json: { error: 'invalid_grant', error_description: 'code has already been used' } });
  });

  it('the redirect_uri must match the one authorized', async () => {
    const { verifier, challenge } = pkce();
    const { code } = emu.control.authorize({
      account: MAYA,
      client_id: emu.appKey,
      redirect_uri: REDIRECT,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    const r = await token({
      grant_type: 'authorization_code',
      code,
      client_id: emu.appKey,
      redirect_uri: 'https://evil.example/',
      code_verifier: verifier,
    });
    expect(r.status).toBe(400);
    expect(r.json.error).toBe('invalid_grant');
  });

  it('online tokens come without a refresh token; a code without PKCE needs the client secret', async () => {
    const { verifier, challenge } = pkce();
    const online = emu.control.authorize({
      account: MAYA,
      client_id: emu.appKey,
      redirect_uri: REDIRECT,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      token_access_type: 'online',
    });
    const r = await token({
      grant_type: 'authorization_code',
      code: online.code,
      client_id: emu.appKey,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
    });
    expect(r.status).toBe(200);
    expect(r.json.refresh_token).toBeUndefined();
    const plain = emu.control.authorize({ account: MAYA, client_id: emu.appKey, redirect_uri: REDIRECT, token_access_type: 'offline' });
    const noSecret = await token({ grant_type: 'authorization_code', code: plain.code, client_id: emu.appKey, redirect_uri: REDIRECT });
    expect(noSecret.status).toBe(400);
    const withSecret = await token({
      grant_type: 'authorization_code',
      code: plain.code,
      client_id: emu.appKey,
      client_secret: emu.appSecret,
      redirect_uri: REDIRECT,
    });
    expect(withSecret.status).toBe(200);
    expect(withSecret.json.refresh_token).toBeTruthy();
    const badSecret = await token({
      grant_type: 'refresh_token',
      refresh_token: withSecret.json.refresh_token,
      client_id: emu.appKey,
      client_secret: 'nope',
    });
    expect(badSecret.json.error).toBe('invalid_client');
  });
});

describe('refresh tokens', () => {
  it('the SDK refreshes with a refresh token (parameters in the query string) and the new token works', async () => {
    const { refresh_token } = emu.control.issueTokens(SAM_EMAIL);
    const dbx = new Dropbox({ refreshToken: refresh_token, clientId: emu.appKey, fetch: emulatorFetch(emu.url) });
    const me = await dbx.usersGetCurrentAccount();
    expect(me.result.email).toBe(SAM_EMAIL);
    const calls = emu.control.calls({ route: 'oauth2/token' });
    expect(calls.map((c) => c.status)).toEqual([200]);
  });

  it('expired access tokens answer 401 expired_access_token; refreshing gives a working one', async () => {
    const { access_token, refresh_token } = emu.control.issueTokens(MAYA);
    const auth = new DropboxAuth({
      accessToken: access_token,
      refreshToken: refresh_token,
      clientId: emu.appKey,
      accessTokenExpiresAt: new Date(Date.now() + 3_600_000),
      fetch: emulatorFetch(emu.url),
    });
    const dbx = new Dropbox({ auth });
    expect(emu.control.expireTokens(MAYA)).toBeGreaterThan(0);
    const e = await failure(dbx.usersGetCurrentAccount());
    expect(e.status).toBe(401);
    expect(e.error).toEqual({ error_summary: 'expired_access_token/', error: { '.tag': 'expired_access_token' } });
    await auth.refreshAccessToken();
    expect(auth.getAccessToken()).not.toBe(access_token);
    expect((await dbx.usersGetCurrentAccount()).result.email).toBe(MAYA);
  });

  it('tokens expire by the clock after 4 hours', async () => {
    let now = Date.now();
    const clocked = await start({ now: () => now });
    try {
      const { access_token } = clocked.control.issueTokens(MAYA);
      expect((await rpc(clocked, 'users/get_current_account', access_token, 'null')).status).toBe(200);
      now += 14_400_000;
      const r = await rpc(clocked, 'users/get_current_account', access_token, 'null');
      expect(r.status).toBe(401);
      expect(r.json.error['.tag']).toBe('expired_access_token');
    } finally {
      await clocked.close();
    }
  });

  it('revoking a token (auth/token/revoke) makes it invalid and kills its refresh token', async () => {
    const { access_token, refresh_token } = emu.control.issueTokens(MAYA);
    expect((await rpc(emu, 'auth/token/revoke', access_token, '')).status).toBe(200);
    const r = await rpc(emu, 'users/get_current_account', access_token, '');
    expect(r.status).toBe(401);
    expect(r.json).toEqual({ error_summary: 'invalid_access_token/', error: { '.tag': 'invalid_access_token' } });
    const t = await token({ grant_type: 'refresh_token', refresh_token: refresh_token!, client_id: emu.appKey });
    expect(t).toEqual({ status: 400, json: { error: 'invalid_grant', error_description: 'refresh token has been revoked' } });
    const unknown = await token({ grant_type: 'refresh_token', refresh_token: 'nope', client_id: emu.appKey });
    expect(unknown.json.error).toBe('invalid_grant');
  });
});

describe('authorize page errors', () => {
  const base = () => ({
    client_id: emu.appKey,
    response_type: 'code',
    redirect_uri: REDIRECT,
    code_challenge: pkce().challenge,
    code_challenge_method: 'S256',
  });
  async function open(params: Record<string, string>) {
    const res = await fetch(`${emu.url}/oauth2/authorize?${new URLSearchParams(params)}`, { redirect: 'manual' });
    return { status: res.status, html: await res.text(), location: res.headers.get('location') };
  }

  it('shows a 400 error page for a wrong client_id, response_type, redirect_uri or challenge method', async () => {
    for (const [patch, message] of [
      [{ client_id: 'someone-else' }, 'Invalid client_id'],
      [{ response_type: 'token' }, 'Invalid response_type'],
      [{ redirect_uri: 'http://evil.example/cb' }, 'Invalid redirect_uri'],
      [{ code_challenge_method: 'plain' }, 'Invalid code_challenge_method'],
    ] as const) {
      const r = await open({ ...base(), ...patch });
      expect(r.status).toBe(400);
      expect(r.html).toContain('Error (400)');
      expect(r.html).toContain(message);
    }
  });

  it('Cancel redirects with error=access_denied and the state', async () => {
    const form = new URLSearchParams({ ...base(), state: 'abc', deny: '1' });
    const res = await fetch(`${emu.url}/oauth2/authorize`, { method: 'POST', body: form, redirect: 'manual' });
    expect(res.status).toBe(302);
    const back = new URL(res.headers.get('location')!);
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('state')).toBe('abc');
    expect(back.searchParams.get('code')).toBeNull();
  });

  it('login_hint of a seeded account approves at once', async () => {
    const r = await open({ ...base(), state: 'xyz', login_hint: LEO });
    expect(r.status).toBe(302);
    const back = new URL(r.location!);
    expect(back.searchParams.get('code')).toBeTruthy();
    expect(back.searchParams.get('state')).toBe('xyz');
  });

  it('the control authorize refuses the same bad requests', async () => {
    expect(() => emu.control.authorize({ account: LEO, client_id: 'x', redirect_uri: REDIRECT })).toThrow(/client_id/);
    const res = await fetch(`${emu.url}/_control/authorize`, {
      method: 'POST',
      body: JSON.stringify({ account: LEO, client_id: emu.appKey, redirect_uri: 'ftp://x' }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).error.code).toBe('invalid_authorize_request');
  });
});

const SAM_EMAIL = 'sam@pd.example';
