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
