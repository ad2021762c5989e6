// One classification of everything a Dropbox call can throw, so callers branch on a kind, never on strings.
// Route errors (HTTP 409) carry `error[".tag"]`; we keep the whole parsed error for nested tags.

export type DropboxFailureKind =
  | 'route' // 409: endpoint-specific error, see `tag` / `error`
  | 'rate_limited' // 429: wait `retryAfterSeconds`
  | 'server' // 5xx
  | 'network' // fetch failed or timed out
  | 'auth' // 401 other than an expired token (invalid/revoked token, missing scope...)
  | 'reauth_required' // refresh token rejected (invalid_grant): the person must sign in again
  | 'bad_request' // 400 (often plain text)
  | 'path_root' // 422: Dropbox-API-Path-Root refused (PathRootError: invalid_root carries the latest RootInfo, no_permission)
  | 'other';

export class DropboxCallError extends Error {
  constructor(
    readonly kind: DropboxFailureKind,
    readonly status: number,
    message: string,
    readonly tag?: string,
    readonly error?: unknown,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'DropboxCallError';
  }

  get retryable(): boolean {
    return this.kind === 'rate_limited' || this.kind === 'server' || this.kind === 'network';
  }
}

interface SdkResponseError {
  name: string;
  status: number;
  headers?: Headers | { get(name: string): string | null };
  error: unknown;
}

function isSdkResponseError(e: unknown): e is SdkResponseError {
  return typeof e === 'object' && e !== null && typeof (e as SdkResponseError).status === 'number' && 'error' in e;
}

/** The `.tag` of a route error body `{error_summary, error: {".tag": ...}}`. */
export function routeTag(body: unknown): string | undefined {
  const err = (body as { error?: unknown } | null)?.error;
  if (err && typeof err === 'object' && typeof (err as Record<string, unknown>)['.tag'] === 'string') {
    return (err as Record<string, string>)['.tag'];
  }
  return undefined;
}

/**
 * The chain of `.tag`s of a route error at the nesting Dropbox's spec gives, outermost first:
 * `{".tag":"access_error","access_error":{".tag":"invalid_id"}}` → "access_error/invalid_id". Match errors on this,
 * never on a tag found anywhere: `not_a_member` under access_error is the caller, under member_error the member.
 */
export function tagPath(value: unknown): string {
  const out: string[] = [];
  let cur = value;
  while (cur && typeof cur === 'object' && typeof (cur as Record<string, unknown>)['.tag'] === 'string') {
    const tag = (cur as Record<string, string>)['.tag'];
    out.push(tag);
    cur = (cur as Record<string, unknown>)[tag];
  }
  return out.join('/');
}

function retryAfter(e: SdkResponseError): number {
  const header = e.headers?.get?.('retry-after');
  const fromHeader = header ? Number(header) : NaN;
  if (Number.isFinite(fromHeader) && fromHeader >= 0) return fromHeader;
  const fromBody = (e.error as { error?: { retry_after?: unknown } } | null)?.error?.retry_after;
  if (typeof fromBody === 'number' && fromBody >= 0) return fromBody;
  return 5;
}

export function classifyDropboxError(e: unknown): DropboxCallError {
  if (e instanceof DropboxCallError) return e;
  if (isSdkResponseError(e)) {
    const s = e.status;
    const body = e.error;
    const summary =
      typeof body === 'string'
        ? body.slice(0, 200)
        : String((body as { error_summary?: unknown; error?: unknown } | null)?.error_summary ?? JSON.stringify(body)?.slice(0, 200));
    if (s === 409) return new DropboxCallError('route', s, summary, routeTag(body), (body as { error?: unknown })?.error);
    if (s === 422) return new DropboxCallError('path_root', s, summary, routeTag(body), (body as { error?: unknown })?.error);
    if (s === 429) return new DropboxCallError('rate_limited', s, `rate limited: ${summary}`, undefined, body, retryAfter(e));
    if (s >= 500) return new DropboxCallError('server', s, `Dropbox ${s}: ${summary}`);
    if (s === 401) return new DropboxCallError('auth', s, summary, routeTag(body), (body as { error?: unknown })?.error);
    if (s === 400) {
      const oauth = (body as { error?: unknown } | null)?.error;
      if (oauth === 'invalid_grant') return new DropboxCallError('reauth_required', s, 'refresh token rejected (invalid_grant)', 'invalid_grant');
      return new DropboxCallError('bad_request', s, summary, typeof oauth === 'string' ? oauth : undefined);
    }
    return new DropboxCallError('other', s, summary);
  }
  const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  // fetch() failures and timeouts are worth retrying; anything else is a bug or a rule, not Dropbox's weather.
  const name = e instanceof Error ? e.name : '';
  if (name === 'TypeError' || name === 'AbortError' || name === 'TimeoutError' || /network|fetch|timed? ?out|connection/i.test(msg)) {
    return new DropboxCallError('network', 0, msg);
  }
  return new DropboxCallError('other', 0, msg);
}
