// Dropbox tokens per PD account, AES-GCM encrypted at rest (see crypto.ts). Table: dropbox_tokens (0010).
import { decryptToken, encryptToken } from './crypto.ts';

export interface StoredTokens {
  accountId: string;
  dropboxAccountId: string;
  refreshToken: string;
  accessToken: string | null;
  accessTokenExpiresAt: number | null; // ms since epoch
  needsReauth: boolean;
}

type TokenEnv = Pick<Env, 'DB' | 'TOKEN_ENCRYPTION_KEY'>;

const ctx = (accountId: string, field: 'refresh' | 'access') => `${accountId}:${field}`;

export async function saveTokens(
  env: TokenEnv,
  t: { accountId: string; dropboxAccountId: string; refreshToken: string; accessToken: string; accessTokenExpiresAt: number },
): Promise<D1PreparedStatement> {
  const now = Date.now();
  const refresh = await encryptToken(env.TOKEN_ENCRYPTION_KEY, t.refreshToken, ctx(t.accountId, 'refresh'));
  const access = await encryptToken(env.TOKEN_ENCRYPTION_KEY, t.accessToken, ctx(t.accountId, 'access'));
  return env.DB.prepare(
    `INSERT INTO dropbox_tokens (account_id, dropbox_account_id, refresh_token, access_token, access_token_expires_at, needs_reauth, reauth_reason, updated_at)
     VALUES (?1, ?2, ?3, ?4, ?5, 0, NULL, ?6)
     ON CONFLICT (account_id) DO UPDATE SET dropbox_account_id = ?2, refresh_token = ?3, access_token = ?4,
       access_token_expires_at = ?5, needs_reauth = 0, reauth_reason = NULL, updated_at = ?6`,
  ).bind(t.accountId, t.dropboxAccountId, refresh, access, t.accessTokenExpiresAt, now);
}

export async function loadTokens(env: TokenEnv, accountId: string): Promise<StoredTokens | null> {
  const row = await env.DB.prepare(
    `SELECT account_id, dropbox_account_id, refresh_token, access_token, access_token_expires_at, needs_reauth
     FROM dropbox_tokens WHERE account_id = ?`,
  )
    .bind(accountId)
    .first<{
      account_id: string;
      dropbox_account_id: string;
      refresh_token: string;
      access_token: string | null;
      access_token_expires_at: number | null;
      needs_reauth: number;
    }>();
  if (!row) return null;
  return {
    accountId: row.account_id,
    dropboxAccountId: row.dropbox_account_id,
    refreshToken: await decryptToken(env.TOKEN_ENCRYPTION_KEY, row.refresh_token, ctx(accountId, 'refresh')),
    accessToken: row.access_token ? await decryptToken(env.TOKEN_ENCRYPTION_KEY, row.access_token, ctx(accountId, 'access')) : null,
    accessTokenExpiresAt: row.access_token_expires_at,
    needsReauth: row.needs_reauth === 1,
  };
}

export async function persistAccessToken(env: TokenEnv, accountId: string, accessToken: string, expiresAt: number): Promise<void> {
  const sealed = await encryptToken(env.TOKEN_ENCRYPTION_KEY, accessToken, ctx(accountId, 'access'));
  await env.DB.prepare(`UPDATE dropbox_tokens SET access_token = ?, access_token_expires_at = ?, updated_at = ? WHERE account_id = ?`)
    .bind(sealed, expiresAt, Date.now(), accountId)
    .run();
}

/**
 * Dropbox rejects the stored sign-in (refresh token refused, or the app was unlinked): keep the row (so it is
 * visible as needsReauth) but stop using it until the person signs in again. The first time, the person is told with
 * a notification on the track the failing call was for (one batch: the notification is written only by the call
 * that turns needs_reauth on; D1 runs batches one at a time).
 */
export async function markNeedsReauth(env: TokenEnv, accountId: string, reason: string, opts: { trackId?: string | null } = {}): Promise<void> {
  const now = Date.now();
  const stmts: D1PreparedStatement[] = [];
  if (opts.trackId) {
    stmts.push(
      env.DB.prepare(
        `INSERT INTO notifications (recipient_id, kind, track_id, actor_id, actor_name, via, created_at)
         SELECT account_id, 'dropbox_reauth_required', ?, NULL, 'Dropbox', 'dropbox', ? FROM dropbox_tokens
         WHERE account_id = ? AND needs_reauth = 0 AND EXISTS (SELECT 1 FROM tracks WHERE id = ?)`,
      ).bind(opts.trackId, new Date(now).toISOString(), accountId, opts.trackId),
    );
  }
  stmts.push(
    env.DB.prepare(
      `UPDATE dropbox_tokens SET needs_reauth = 1, reauth_reason = ?, access_token = NULL, access_token_expires_at = NULL, updated_at = ? WHERE account_id = ?`,
    ).bind(reason.slice(0, 200), now, accountId),
  );
  await env.DB.batch(stmts);
}
