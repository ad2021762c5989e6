import type { Account } from '@pd/shared';
import { toAccount, type AccountRow } from './accounts.ts';

const SESSION_DAYS = 30;

const hex = (buf: ArrayBuffer | Uint8Array): string =>
  [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');

const base64url = (bytes: Uint8Array): string =>
  btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/** SHA-256 of the token, hex. Only this is stored. */
export async function hashToken(token: string): Promise<string> {
  return hex(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token)));
}

/**
 * Starts a session: a random 32-byte token, given to the client once; only its SHA-256 is stored.
 * Called by the Dropbox sign-in (and by tests, which sign in the same way).
 */
export async function createSession(
  db: D1Database,
  accountId: string,
  options: { days?: number } = {},
): Promise<{ token: string; expiresAt: string }> {
  const token = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const now = new Date();
  const expiresAt = new Date(now.getTime() + (options.days ?? SESSION_DAYS) * 86_400_000).toISOString();
  await db
    .prepare('INSERT INTO sessions (token_hash, account_id, created_at, expires_at) VALUES (?, ?, ?, ?)')
    .bind(await hashToken(token), accountId, now.toISOString(), expiresAt)
    .run();
  return { token, expiresAt };
}

export type SessionResolution =
  | { status: 'ok'; account: Account; expiresAt: string }
  | { status: 'expired' }
  | { status: 'unknown' };

/** Looks a bearer token up (one indexed query). */
export async function resolveSession(db: D1Database, token: string): Promise<SessionResolution> {
  if (!token || token.length > 200) return { status: 'unknown' };
  const row = await db
    .prepare(
      `SELECT s.expires_at, a.* FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE s.token_hash = ?`,
    )
    .bind(await hashToken(token))
    .first<AccountRow & { expires_at: string }>();
  if (!row) return { status: 'unknown' };
  if (row.expires_at <= new Date().toISOString()) return { status: 'expired' };
  return { status: 'ok', account: toAccount(row), expiresAt: row.expires_at };
}

/** Signs out: the token stops working at once. */
export async function endSession(db: D1Database, token: string): Promise<void> {
  await db.prepare('DELETE FROM sessions WHERE token_hash = ?').bind(await hashToken(token)).run();
}
