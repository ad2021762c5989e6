// Dropbox tokens per PD account, AES-GCM encrypted at rest (see crypto.ts). Table: dropbox_tokens (0010).
import { endAllSessionsStatement } from '../domain/sessions.ts';
import { decryptTokenWithKeys, encryptToken } from './crypto.ts';

export interface StoredTokens {
  accountId: string;
  dropboxAccountId: string;
  refreshToken: string;
  accessToken: string | null;
  accessTokenExpiresAt: number | null; // ms since epoch
  needsReauth: boolean;
}

type TokenEnv = Pick<Env, 'DB' | 'TOKEN_ENCRYPTION_KEY'> & { TOKEN_ENCRYPTION_KEY_PREVIOUS?: string };

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
  const keys = { current: env.TOKEN_ENCRYPTION_KEY, previous: env.TOKEN_ENCRYPTION_KEY_PREVIOUS };
  let refresh: Awaited<ReturnType<typeof decryptTokenWithKeys>>;
  let access: typeof refresh | null;
  try {
    refresh = await decryptTokenWithKeys(keys, row.refresh_token, ctx(accountId, 'refresh'));
    access = row.access_token ? await decryptTokenWithKeys(keys, row.access_token, ctx(accountId, 'access')) : null;
  } catch (e) {
    // Sealed with a key this worker no longer has (TOKEN_ENCRYPTION_KEY_PREVIOUS removed too early): unusable until
    // the person signs in again, which stores fresh tokens. Not a 500 on every call.
    console.error(`dropbox tokens of ${accountId} cannot be decrypted with the configured keys: ${e instanceof Error ? e.message : e}`);
    return {
      accountId,
      dropboxAccountId: row.dropbox_account_id,
      refreshToken: '',
      accessToken: null,
      accessTokenExpiresAt: null,
      needsReauth: true,
    };
  }
  if (refresh.stale || access?.stale) {
    // Sealed with the previous key (or before key versioning): re-seal with the current one, so a rotation finishes
    // by itself for every account in use (worker/DROPBOX.md, "Rotating the token key").
    await resealStatement(env, accountId, row.refresh_token, refresh.plaintext, row.access_token, access?.plaintext ?? null).then((s) => s.run());
  }
  return {
    accountId: row.account_id,
    dropboxAccountId: row.dropbox_account_id,
    refreshToken: refresh.plaintext,
    accessToken: access?.plaintext ?? null,
    accessTokenExpiresAt: row.access_token_expires_at,
    needsReauth: row.needs_reauth === 1,
  };
}

/** Re-seals one row with the current key; changes nothing if the row changed in between (compare-and-set). */
async function resealStatement(
  env: TokenEnv,
  accountId: string,
  oldRefresh: string,
  refresh: string,
  oldAccess: string | null,
  access: string | null,
): Promise<D1PreparedStatement> {
  const newRefresh = await encryptToken(env.TOKEN_ENCRYPTION_KEY, refresh, ctx(accountId, 'refresh'));
  const newAccess = access === null ? null : await encryptToken(env.TOKEN_ENCRYPTION_KEY, access, ctx(accountId, 'access'));
  return env.DB.prepare(
    `UPDATE dropbox_tokens SET refresh_token = ?1, access_token = ?2
     WHERE account_id = ?3 AND refresh_token = ?4 AND access_token IS ?5`,
  ).bind(newRefresh, newAccess, accountId, oldRefresh, oldAccess);
}

/**
 * Rotation sweep: re-seals up to `limit` rows not sealed with the current key (accounts not used since the rotation).
 * Returns how many it re-sealed; 0 means TOKEN_ENCRYPTION_KEY_PREVIOUS can be removed.
 */
export async function resealTokens(env: TokenEnv, limit = 50): Promise<number> {
  const prefix = (await encryptToken(env.TOKEN_ENCRYPTION_KEY, '', 'probe')).slice(0, 'v1:00000000:'.length);
  const { results } = await env.DB.prepare(
    `SELECT account_id FROM dropbox_tokens WHERE substr(refresh_token, 1, 12) <> ?1 OR substr(access_token, 1, 12) <> ?1 LIMIT ?2`,
  )
    .bind(prefix, limit)
    .all<{ account_id: string }>();
  let resealed = 0;
  for (const r of results) if ((await loadTokens(env, r.account_id))?.refreshToken) resealed++;
  return resealed;
}

export async function persistAccessToken(env: TokenEnv, accountId: string, accessToken: string, expiresAt: number): Promise<void> {
  const sealed = await encryptToken(env.TOKEN_ENCRYPTION_KEY, accessToken, ctx(accountId, 'access'));
  await env.DB.prepare(`UPDATE dropbox_tokens SET access_token = ?, access_token_expires_at = ?, updated_at = ? WHERE account_id = ?`)
    .bind(sealed, expiresAt, Date.now(), accountId)
    .run();
}

/**
/**
 * Dropbox rejects the stored sign-in (refresh token refused, or the app was disconnected in Dropbox — a 401
 * invalid_access_token even after a refresh, the password changed…): keep the row (so it is visible as needsReauth)
 * but stop using it until the person signs in again, and end every PD session of the account in the same batch —
 * whoever disconnected PD in Dropbox is signed out of PD everywhere too. The first time, the person is also told with
 * a notification on the track the failing call was for (written only by the batch that turns needs_reauth on; D1
 * runs batches one at a time), which they see when they sign in again.
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
    endAllSessionsStatement(env.DB, accountId),
  );
  await env.DB.batch(stmts);
}
