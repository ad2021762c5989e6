// Dropbox client for one PD account: the SDK with our fetch (origins), tokens from D1, refresh before
// expiry and on 401 expired_access_token (the refreshed token is persisted, the SDK alone would keep it
// in memory only), short in-line retries for 5xx/timeouts and short 429s, and one error type for the rest.
import { Dropbox, DropboxAuth } from 'dropbox';
import type { DropboxResponse } from 'dropbox';
import { dropboxFetch } from './origins.ts';
import { DropboxCallError, classifyDropboxError } from './errors.ts';
import { loadTokens, markNeedsReauth, persistAccessToken } from './tokens.ts';
import { noteRateLimited, takeToken } from './pace.ts';

/** Refresh when the access token has less than this left (the SDK itself would refresh at 300 s). */
const REFRESH_MARGIN_MS = 10 * 60 * 1000;
/** A 429 asking for at most this long is waited out in-line; longer ones go back to the queue. */
const MAX_INLINE_RETRY_AFTER_S = 5;
const MAX_INLINE_ATTEMPTS = 4;

export type ClientEnv = Pick<Env, 'DB' | 'TOKEN_ENCRYPTION_KEY' | 'DROPBOX_APP_KEY' | 'DROPBOX_API_ORIGIN' | 'DROPBOX_WEB_ORIGIN'>;

export interface CallOptions {
  /** Retry 429/5xx/timeouts in-line (default true). Non-idempotent calls may turn this off. */
  retry?: boolean;
  /** Dropbox-API-Path-Root for this call (the SDK's `pathRoot`), e.g. '{".tag":"root","root":"7000000007"}'.
   *  Default: none, so paths are relative to the account's home namespace (see src/dropbox/root.ts). */
  pathRoot?: string;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class DropboxClient {
  /** Number of HTTP calls made to Dropbox (API + token endpoint), for job statistics. */
  calls = 0;
  /** The track this client acts for, if any: a sign-in Dropbox stops accepting is announced on it. */
  trackId: string | null = null;
  private readonly auth: DropboxAuth;
  private readonly dbx: Dropbox;
  private readonly fetchFn: typeof fetch;
  /** SDK instances per Dropbox-API-Path-Root value, sharing this client's auth (and so its refreshed token). */
  private readonly rooted = new Map<string, Dropbox>();

  constructor(
    private readonly env: ClientEnv,
    readonly accountId: string | null,
    readonly dropboxAccountId: string | null,
    tokens: { accessToken: string | null; accessTokenExpiresAt: number | null; refreshToken: string | null },
  ) {
    const baseFetch = dropboxFetch(env);
    // Calls made with an account's token are paced per account (pace.ts); a 429 closes that account's bucket.
    const counted: typeof fetch = async (input, init) => {
      if (accountId) await takeToken(env, accountId);
      this.calls++;
      const res = await baseFetch(input, init);
      if (res.status === 429 && accountId) {
        const ra = Number(res.headers.get('Retry-After'));
        await noteRateLimited(env, accountId, Number.isFinite(ra) && ra > 0 ? ra : 1).catch((e) => console.error('pace: could not record a 429', e));
      }
      return res;
    };
    this.auth = new DropboxAuth({
      fetch: counted,
      clientId: env.DROPBOX_APP_KEY,
      accessToken: tokens.accessToken ?? undefined,
      refreshToken: tokens.refreshToken ?? undefined,
      accessTokenExpiresAt: tokens.accessTokenExpiresAt ? new Date(tokens.accessTokenExpiresAt) : undefined,
    });
    this.dbx = new Dropbox({ auth: this.auth, fetch: counted });
    this.fetchFn = counted;
  }

  private sdkFor(pathRoot: string | undefined): Dropbox {
    if (!pathRoot) return this.dbx;
    let d = this.rooted.get(pathRoot);
    if (!d) {
      d = new Dropbox({ auth: this.auth, fetch: this.fetchFn, pathRoot });
      this.rooted.set(pathRoot, d);
    }
    return d;
  }

  get accessToken(): string | undefined {
    return this.auth.getAccessToken();
  }

  private expiresAt(): number | null {
    const d = this.auth.getAccessTokenExpiresAt();
    return d ? new Date(d).getTime() : null;
  }

  /** Gets a new access token with the refresh token and stores it (encrypted) for the next invocation. */
  async refresh(): Promise<void> {
    if (!this.auth.getRefreshToken()) throw new DropboxCallError('auth', 401, 'access token expired and no refresh token');
    try {
      await this.auth.refreshAccessToken();
    } catch (e) {
      const err = classifyDropboxError(e);
      if (err.kind === 'reauth_required' && this.accountId) await markNeedsReauth(this.env, this.accountId, err.message, { trackId: this.trackId });
      throw err;
    }
    const token = this.auth.getAccessToken();
    const exp = this.expiresAt();
    if (this.accountId && token && exp) await persistAccessToken(this.env, this.accountId, token, exp);
  }

  /**
   * Runs one SDK call: `client.call((d) => d.sharingListFolderMembers({...}))`.
   * Throws DropboxCallError; `retryable` errors left after the in-line attempts carry `retryAfterSeconds` for 429s.
   */
  async call<T>(fn: (dbx: Dropbox) => Promise<DropboxResponse<T>>, opts: CallOptions = {}): Promise<T> {
    const retry = opts.retry ?? true;
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      const exp = this.expiresAt();
      if (this.auth.getRefreshToken() && (!this.auth.getAccessToken() || (exp !== null && exp - Date.now() < REFRESH_MARGIN_MS))) {
        await this.refresh();
        refreshed = true;
      }
      const before = this.auth.getAccessToken();
      try {
        const res = await fn(this.sdkFor(opts.pathRoot));
        await this.persistIfSdkRefreshed(before);
        return res.result;
      } catch (e) {
        await this.persistIfSdkRefreshed(before);
        const err = classifyDropboxError(e);
        if (
          err.kind === 'auth' &&
          (err.tag === 'expired_access_token' || err.tag === 'invalid_access_token') &&
          !refreshed &&
          this.auth.getRefreshToken()
        ) {
          await this.refresh();
          refreshed = true;
          continue;
        }
        if (err.kind === 'auth' && err.tag === 'invalid_access_token') {
          // Still refused with a fresh token: the person unlinked PD from their Dropbox. Only signing in again helps,
          // so stop using the tokens at once and tell them (not a Dropbox refusal of the change itself).
          const unlinked = new DropboxCallError(
            'reauth_required',
            401,
            'Dropbox no longer accepts PD’s access (the app was disconnected from this Dropbox account): sign in with Dropbox again.',
            'invalid_access_token',
          );
          if (this.accountId) await markNeedsReauth(this.env, this.accountId, unlinked.message, { trackId: this.trackId });
          throw unlinked;
        }
        if (!retry || !err.retryable || attempt >= MAX_INLINE_ATTEMPTS) throw err;
        if (err.kind === 'rate_limited') {
          if ((err.retryAfterSeconds ?? 0) > MAX_INLINE_RETRY_AFTER_S) throw err;
          await sleep((err.retryAfterSeconds ?? 1) * 1000);
        } else {
          await sleep(200 * 2 ** (attempt - 1) + Math.floor(Math.random() * 100));
        }
      }
    }
  }

  /** The SDK refreshes on its own when it thinks the token is near expiry; keep what it got. */
  private async persistIfSdkRefreshed(before: string | undefined): Promise<void> {
    const after = this.auth.getAccessToken();
    const exp = this.expiresAt();
    if (after && after !== before && this.accountId && exp) await persistAccessToken(this.env, this.accountId, after, exp);
  }
}

export class NotLinkedError extends Error {
  constructor(
    readonly accountId: string,
    readonly reason: 'no_tokens' | 'needs_reauth',
  ) {
    super(reason === 'no_tokens' ? `account ${accountId} has not linked Dropbox` : `account ${accountId} must sign in to Dropbox again`);
    this.name = 'NotLinkedError';
  }
}

/**
 * A client acting as this PD account, with its stored tokens. Throws NotLinkedError if it cannot act.
 * `trackId`: the track the calls are for — if Dropbox stops accepting the sign-in, the person is notified on it.
 */
export async function clientForAccount(env: ClientEnv, accountId: string, opts: { trackId?: string | null } = {}): Promise<DropboxClient> {
  const t = await loadTokens(env, accountId);
  if (!t) throw new NotLinkedError(accountId, 'no_tokens');
  if (t.needsReauth) throw new NotLinkedError(accountId, 'needs_reauth');
  const client = new DropboxClient(env, accountId, t.dropboxAccountId, t);
  client.trackId = opts.trackId ?? null;
  return client;
}

/** A client for a bare access token (sign-in, before the account exists). Never refreshes. */
export function clientForAccessToken(env: ClientEnv, accessToken: string): DropboxClient {
  return new DropboxClient(env, null, null, { accessToken, accessTokenExpiresAt: null, refreshToken: null });
}

/** An SDK auth object for the token endpoint (code exchange), with our fetch. */
export function oauthClient(env: ClientEnv): DropboxAuth {
  return new DropboxAuth({ fetch: dropboxFetch(env), clientId: env.DROPBOX_APP_KEY });
}
