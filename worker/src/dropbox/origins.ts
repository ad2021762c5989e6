// The only place that knows Dropbox's hosts. Every SDK instance gets `dropboxFetch(env)`, which rewrites
// the real Dropbox origins to the configured ones (identity by default), so the same code talks to real
// Dropbox or to the local emulator by configuration alone.

export const REAL_API_ORIGIN = 'https://api.dropboxapi.com';
export const REAL_CONTENT_ORIGIN = 'https://content.dropboxapi.com';
export const REAL_NOTIFY_ORIGIN = 'https://notify.dropboxapi.com';
export const REAL_WEB_ORIGIN = 'https://www.dropbox.com';

/** Per-request timeout: a hung Dropbox call becomes a retryable error instead of eating the invocation. */
export const DROPBOX_TIMEOUT_MS = 20_000;

type OriginEnv = Pick<Env, 'DROPBOX_API_ORIGIN' | 'DROPBOX_WEB_ORIGIN'> & { DROPBOX_TIMEOUT_MS?: string };

function origin(value: string | undefined, fallback: string): string {
  const v = (value ?? '').trim();
  return (v || fallback).replace(/\/+$/, '');
}

export function apiOrigin(env: OriginEnv): string {
  return origin(env.DROPBOX_API_ORIGIN, REAL_API_ORIGIN);
}

export function webOrigin(env: OriginEnv): string {
  return origin(env.DROPBOX_WEB_ORIGIN, REAL_WEB_ORIGIN);
}

/** Rewrites one URL from a real Dropbox origin to the configured one. Unknown URLs pass unchanged. */
export function rewriteDropboxUrl(env: OriginEnv, url: string): string {
  const api = apiOrigin(env);
  // The emulator serves every API host from one origin; real Dropbox keeps its own hosts.
  const custom = api !== REAL_API_ORIGIN;
  const map: [string, string][] = [
    [REAL_API_ORIGIN, api],
    [REAL_CONTENT_ORIGIN, custom ? api : REAL_CONTENT_ORIGIN],
    [REAL_NOTIFY_ORIGIN, custom ? api : REAL_NOTIFY_ORIGIN],
    [REAL_WEB_ORIGIN, webOrigin(env)],
  ];
  for (const [from, to] of map) {
    if (url === from || url.startsWith(from + '/') || url.startsWith(from + '?')) return to + url.slice(from.length);
  }
  return url;
}

export function dropboxFetch(env: OriginEnv): typeof fetch {
  return (input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const configured = Number(env.DROPBOX_TIMEOUT_MS);
    const signal = init?.signal ?? AbortSignal.timeout(configured > 0 ? configured : DROPBOX_TIMEOUT_MS);
    return fetch(rewriteDropboxUrl(env, url), { ...init, signal });
  };
}

/** True when the worker talks to real Dropbox (either configured origin is Dropbox's own). */
export function usesRealDropbox(env: OriginEnv): boolean {
  return apiOrigin(env) === REAL_API_ORIGIN || webOrigin(env) === REAL_WEB_ORIGIN;
}

/**
 * Values published in this repository (scripts/local.mjs, worker/vitest.config.ts, wrangler.toml): anyone can read
 * them, so with real Dropbox they would let anyone forge webhook signatures or decrypt every stored Dropbox token.
 */
export const PUBLISHED_LOCAL_DEFAULTS: Record<'DROPBOX_APP_KEY' | 'DROPBOX_APP_SECRET' | 'TOKEN_ENCRYPTION_KEY', readonly string[]> = {
  DROPBOX_APP_KEY: ['pd-local-app-key'],
  DROPBOX_APP_SECRET: ['pd-local-app-secret', 'test-app-secret'],
  TOKEN_ENCRYPTION_KEY: ['cGQtbG9jYWwtdG9rZW4tZW5jcnlwdGlvbi1rZXktMzI=', 'dGVzdC10b2tlbi1lbmNyeXB0aW9uLWtleS0zMi1ieXQ='],
};

/**
 * The settings that make this worker unsafe to run: a published local default (or a missing secret) while the
 * Dropbox origins are the real ones. Empty when the configuration is fine. Checked on every request, queue batch
 * and cron tick (src/index.ts).
 */
export function unsafeConfiguration(
  env: OriginEnv & { DROPBOX_APP_KEY?: string; DROPBOX_APP_SECRET?: string; TOKEN_ENCRYPTION_KEY?: string; TOKEN_ENCRYPTION_KEY_PREVIOUS?: string },
): string[] {
  if (!usesRealDropbox(env)) return [];
  const problems: string[] = [];
  for (const name of ['DROPBOX_APP_KEY', 'DROPBOX_APP_SECRET', 'TOKEN_ENCRYPTION_KEY'] as const) {
    const value = (env[name] ?? '').trim();
    if (!value) problems.push(`${name} is not set`);
    else if (PUBLISHED_LOCAL_DEFAULTS[name].includes(value)) problems.push(`${name} is the published local default`);
  }
  const previous = (env.TOKEN_ENCRYPTION_KEY_PREVIOUS ?? '').trim();
  if (previous && PUBLISHED_LOCAL_DEFAULTS.TOKEN_ENCRYPTION_KEY.includes(previous)) {
    problems.push('TOKEN_ENCRYPTION_KEY_PREVIOUS is the published local default');
  }
  return problems;
}
