// Sign-in sessions. Rules (documented in worker/API.md, "Sessions"):
// - a session ends after SESSION_IDLE_DAYS without use (sliding: each use moves the end forward), and never later
//   than SESSION_MAX_DAYS after sign-in, however much it is used (absolute cap);
// - the sliding end is written at most once per SESSION_TOUCH_MS, so reads do not become writes;
// - only SHA-256 hashes of the session token and of its uninstall token are stored;
// - the uninstall token can end its own session and nothing else (it is put in the browser's uninstall URL).
import type { Account } from '@pd/shared';
import { toAccount, type AccountRow } from './accounts.ts';

export const SESSION_IDLE_DAYS = 30;
export const SESSION_MAX_DAYS = 90;
export const SESSION_TOUCH_MS = 60 * 60_000;
const DAY_MS = 86_400_000;

const hex = (buf: ArrayBuffer | Uint8Array): string => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');

const base64url = (bytes: Uint8Array): string =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

const randomToken = () => base64url(crypto.getRandomValues(new Uint8Array(32)));

/** SHA-256 of the token, hex. Only this is stored. */
export async function hashToken(token: string): Promise<string> {
  return hex(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token)));
}

const earlier = (a: string, b: string) => (a < b ? a : b);

/**
 * Starts a session: a random 32-byte token and a random 32-byte uninstall token, given to the client once; only
 * their SHA-256 are stored. Called by the Dropbox sign-in (and by tests, which sign in the same way).
 */
export async function createSession(
  db: D1Database,
  accountId: string,
  options: { days?: number } = {},
): Promise<{ token: string; expiresAt: string; uninstallToken: string }> {
  const token = randomToken();
  const uninstallToken = randomToken();
  const now = new Date();
  const cap = new Date(now.getTime() + (options.days ?? SESSION_MAX_DAYS) * DAY_MS).toISOString();
  const expiresAt = earlier(new Date(now.getTime() + SESSION_IDLE_DAYS * DAY_MS).toISOString(), cap);
  await db
    .prepare(
      `INSERT INTO sessions (token_hash, account_id, created_at, expires_at, last_used_at, absolute_expires_at, uninstall_hash)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    )
    .bind(await hashToken(token), accountId, now.toISOString(), expiresAt, now.toISOString(), cap, await hashToken(uninstallToken))
    .run();
  return { token, expiresAt, uninstallToken };
}

export type SessionResolution =
  | { status: 'ok'; account: Account; expiresAt: string /** SHA-256 of the token (the session's key) */; tokenHash: string }
  | { status: 'expired' }
  | { status: 'unknown' };

/**
 * Looks a bearer token up (one indexed query). A session last touched more than an hour ago gets its idle end moved
 * forward (one more query, at most once an hour per session; never past the absolute cap).
 */
export async function resolveSession(db: D1Database, token: string, nowMs = Date.now()): Promise<SessionResolution> {
  if (!token || token.length > 200) return { status: 'unknown' };
  const hash = await hashToken(token);
  const row = await db
    .prepare(
      `SELECT s.expires_at, s.last_used_at, s.absolute_expires_at, a.* FROM sessions s JOIN accounts a ON a.id = s.account_id
       WHERE s.token_hash = ?`,
    )
    .bind(hash)
    .first<AccountRow & { expires_at: string; last_used_at: string | null; absolute_expires_at: string | null }>();
  if (!row) return { status: 'unknown' };
  const now = new Date(nowMs).toISOString();
  const cap = row.absolute_expires_at ?? row.expires_at;
  if (row.expires_at <= now || cap <= now) return { status: 'expired' };
  let expiresAt = row.expires_at;
  if (!row.last_used_at || Date.parse(row.last_used_at) <= nowMs - SESSION_TOUCH_MS) {
    expiresAt = earlier(new Date(nowMs + SESSION_IDLE_DAYS * DAY_MS).toISOString(), cap);
    await db
      .prepare(`UPDATE sessions SET last_used_at = ?, expires_at = ? WHERE token_hash = ? AND expires_at > ?`)
      .bind(now, expiresAt, hash, now)
      .run();
  }
  return { status: 'ok', account: toAccount(row), expiresAt, tokenHash: hash };
}

/** Signs out: the token stops working at once. */
export async function endSession(db: D1Database, token: string): Promise<void> {
  await db
    .prepare('DELETE FROM sessions WHERE token_hash = ?')
    .bind(await hashToken(token))
    .run();
}

/** Sign out everywhere: every session of the account ends. Returns how many there were. */
export async function endAllSessions(db: D1Database, accountId: string): Promise<number> {
  const r = await db.prepare('DELETE FROM sessions WHERE account_id = ?').bind(accountId).run();
  return r.meta.changes ?? 0;
}

/** The statement that ends every session of an account (for batches: Dropbox refused the account's sign-in). */
export const endAllSessionsStatement = (db: D1Database, accountId: string): D1PreparedStatement =>
  db.prepare('DELETE FROM sessions WHERE account_id = ?').bind(accountId);

/** The extension was uninstalled: ends the one session this uninstall token belongs to. Idempotent. */
export async function endSessionByUninstallToken(db: D1Database, uninstallToken: string): Promise<boolean> {
  if (!uninstallToken || uninstallToken.length > 200) return false;
  const r = await db
    .prepare('DELETE FROM sessions WHERE uninstall_hash = ?')
    .bind(await hashToken(uninstallToken))
    .run();
  return (r.meta.changes ?? 0) > 0;
}
