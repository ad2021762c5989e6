// Sessions (issue 8, item 5): a session slides (30 days idle) but never outlives its absolute cap (90 days), using it
// does not write on every request, "sign out everywhere" ends every session of the account, and the uninstall
// token ends exactly its own session. (Ended when Dropbox refuses the refresh token: sessions-reauth.dropbox.test.ts.)
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createSession, hashToken } from '../../src/domain/index.ts';
import { SESSION_IDLE_DAYS, SESSION_MAX_DAYS } from '../../src/domain/sessions.ts';
import { writesSoFar } from '../fuzz/db-state.ts';
import { call, person } from '../core/helpers.ts';

const DAY = 86_400_000;
const row = async (token: string) =>
  env.DB.prepare('SELECT expires_at, last_used_at, absolute_expires_at FROM sessions WHERE token_hash = ?')
    .bind(await hashToken(token))
    .first<{ expires_at: string; last_used_at: string; absolute_expires_at: string }>();
const setRow = async (token: string, cols: Record<string, string>) => {
  const sets = Object.keys(cols)
    .map((k) => `${k} = ?`)
    .join(', ');
  await env.DB.prepare(`UPDATE sessions SET ${sets} WHERE token_hash = ?`)
    .bind(...Object.values(cols), await hashToken(token))
    .run();
};
const iso = (ms: number) => new Date(ms).toISOString();

describe('sliding expiry with an absolute cap', () => {
  it('a new session ends after 30 idle days, and can never last more than 90 days', async () => {
    const p = await person('Fresh Session');
    const r = (await row(p.token))!;
    expect(Date.parse(r.expires_at) - Date.now()).toBeGreaterThan((SESSION_IDLE_DAYS - 1) * DAY);
    expect(Date.parse(r.expires_at) - Date.now()).toBeLessThanOrEqual(SESSION_IDLE_DAYS * DAY);
    expect(Date.parse(r.absolute_expires_at) - Date.now()).toBeGreaterThan((SESSION_MAX_DAYS - 1) * DAY);
  });

  it('using a session last used over an hour ago moves its end 30 days ahead; within the hour a request writes nothing', async () => {
    const p = await person('Sliding');
    await setRow(p.token, { last_used_at: iso(Date.now() - 2 * 3_600_000), expires_at: iso(Date.now() + 2 * DAY) });
    expect((await p.get('/me')).status).toBe(200);
    const after = (await row(p.token))!;
    expect(Date.parse(after.expires_at) - Date.now()).toBeGreaterThan((SESSION_IDLE_DAYS - 1) * DAY);
    expect(Date.now() - Date.parse(after.last_used_at)).toBeLessThan(60_000);

    const before = await writesSoFar();
    for (let i = 0; i < 3; i++) expect((await p.get('/me')).status).toBe(200);
    expect(await writesSoFar()).toBe(before);
  });

  it('sliding never passes the absolute cap, and past the cap the session is expired however recently it was used', async () => {
    const p = await person('Capped');
    const cap = Date.now() + 3 * DAY;
    await setRow(p.token, { last_used_at: iso(Date.now() - 2 * 3_600_000), absolute_expires_at: iso(cap) });
    expect((await p.get('/me')).status).toBe(200);
    expect((await row(p.token))!.expires_at).toBe(iso(cap));

    await setRow(p.token, {
      last_used_at: iso(Date.now() - 60_000),
      expires_at: iso(Date.now() + 20 * DAY),
      absolute_expires_at: iso(Date.now() - 1000),
    });
    const res = await p.get('/me');
    expect([res.status, res.body.error.code]).toEqual([401, 'session_expired']);
  });

  it('a session idle for longer than its sliding end is expired', async () => {
    const p = await person('Idle');
    await setRow(p.token, { last_used_at: iso(Date.now() - 31 * DAY), expires_at: iso(Date.now() - DAY) });
    const res = await p.get('/me');
    expect([res.status, res.body.error.code]).toEqual([401, 'session_expired']);
  });
});

describe('sign out everywhere', () => {
  it('ends every session of the caller (the calling one included) and no one else’s', async () => {
    const p = await person('Everywhere');
    const other = await person('Bystander');
    const laptop = (await createSession(env.DB, p.account.id)).token;
    const res = await call(laptop, 'POST', '/auth/signout-everywhere');
    expect([res.status, res.body]).toEqual([200, { signedOut: true, sessionsEnded: 2 }]);
    for (const t of [laptop, p.token]) expect((await call(t, 'GET', '/me')).status).toBe(401);
    expect((await other.get('/me')).status).toBe(200);
  });

  it('needs a session', async () => {
    const res = await call(null, 'POST', '/auth/signout-everywhere');
    expect([res.status, res.body.error.code]).toEqual([401, 'unauthenticated']);
  });
});

describe('the uninstall URL', () => {
  const open = (token: string) => call(null, 'GET', `/auth/uninstalled?token=${encodeURIComponent(token)}`);

  it('ends exactly its own session and answers a small static page: text/html, nosniff, no script', async () => {
    const p = await person('Uninstaller');
    const s = await createSession(env.DB, p.account.id);
    const res = await open(s.uninstallToken);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.body).toContain('You are signed out of Producer Dashboard');
    expect(res.body).not.toMatch(/<script/i);
    expect((await call(s.token, 'GET', '/me')).status).toBe(401);
    expect((await p.get('/me')).status).toBe(200); // the same person's other browser stays signed in
  });

  it('is idempotent, and the same page for an unknown token (it reveals nothing)', async () => {
    const p = await person('Twice');
    const s = await createSession(env.DB, p.account.id);
    const first = await open(s.uninstallToken);
    const again = await open(s.uninstallToken);
    const unknown = await open('never-issued');
    expect([first.status, again.status, unknown.status]).toEqual([200, 200, 200]);
    expect(again.body).toBe(first.body);
    expect(unknown.body).toBe(first.body);
  });

  it('the session token is not an uninstall token, and an uninstall token is not a session', async () => {
    const p = await person('Separate');
    const s = await createSession(env.DB, p.account.id);
    await open(s.token);
    expect((await call(s.token, 'GET', '/me')).status).toBe(200);
    expect((await call(s.uninstallToken, 'GET', '/me')).status).toBe(401);
  });

  it('without a token: 400 validation_failed', async () => {
    const res = await call(null, 'GET', '/auth/uninstalled');
    expect([res.status, res.body.error.code]).toEqual([400, 'validation_failed']);
  });
});
