/**
 * Fault injection per route: 429 with Retry-After, 500, 503, slow answers, expired tokens, timeouts, failed jobs,
 * and any error the spec lists for the route ('error': a tag path such as access_error/invalid_id with its HTTP
 * status — 409 route errors, 401 auth errors, 400 plain text), and a per-user rate limit ('rate_limit': more than
 * `perSecond` calls by one account within a second get a 429).
 */
import type { Tagged } from './errors.ts';
import { Prng } from './util.ts';

export type FaultKind = '429' | '500' | '503' | 'slow' | 'expired_token' | 'timeout' | 'job_failed' | 'error' | 'rate_limit';
export const FAULT_KINDS: FaultKind[] = ['429', '500', '503', 'slow', 'expired_token', 'timeout', 'job_failed', 'error', 'rate_limit'];

export interface FaultSpec {
  /** '2/sharing/remove_folder_member', 'oauth2/token', or '*' (every /2/ and /oauth2/token call) */
  route: string;
  kind: FaultKind;
  /** probability per matching call (deterministic PRNG; see seed) — default 1 */
  rate?: number;
  /** stop after injecting this many times — default unlimited */
  count?: number;
  /** seconds, for 429 (default 1) and 503 (sent when given) */
  retryAfter?: number;
  /** for 'slow' (default 1500 ms: answers normally after the delay) and 'timeout' (default 30000 ms, then 504) */
  delayMs?: number;
  /** 429 body: 'json' (default, Dropbox's JSON), 'text' (plain text), or 'mixed' (alternates) */
  format?: 'json' | 'text' | 'mixed';
  /** 429 reason: too_many_requests (default) or too_many_write_operations */
  reason?: 'too_many_requests' | 'too_many_write_operations';
  /** for 'job_failed': the error the job fails with, a tag path of the route's union (e.g. 'no_permission',
   *  'member_error/no_explicit_access') */
  errorTag?: string;
  /** for 'error': the error to answer with — a tag path ('access_error/invalid_id', 'no_explicit_access/rate_limit')
   *  or a whole tagged object; it must exist in the route's union in the spec (401: in auth.AuthError) */
  error?: string | Tagged;
  /** for 'error': HTTP status (default 409; 401 for auth errors such as invalid_access_token; 400 = plain text) */
  status?: number;
  /** for 'error'/'job_failed': the value of the innermost tag — an object's fields are merged into it (a struct value,
   *  e.g. {access_level: {'.tag': 'editor'}}), anything else becomes `tag: value` (e.g. too_many_members: 25) */
  value?: unknown;
  /** only calls made with this account's token (email or account_id; resolved when the fault is added) */
  account?: string;
  /** apply the call's effect first, then answer with the fault (the client sees an error but Dropbox did it) */
  afterEffect?: boolean;
  /** for 'rate_limit': calls allowed per account in any one-second window (default 10); Dropbox's limits are per user */
  perSecond?: number;
}

export interface Fault extends FaultSpec {
  id: number;
  injected: number;
}

/** Calls per account in the last second, for 'rate_limit' faults (kept outside the fault so listing stays JSON). */
const windows = new WeakMap<Fault, Map<string, number[]>>();

export class Faults {
  list: Fault[] = [];
  prng = new Prng(42);
  private nextId = 1;
  private mixedToggle = false;

  add(spec: FaultSpec): Fault {
    const f: Fault = { ...spec, route: normalizeRoute(spec.route), id: this.nextId++, injected: 0 };
    this.list.push(f);
    return f;
  }

  clear() {
    this.list = [];
  }

  seed(n: number) {
    this.prng.reseed(n);
  }

  /** The fault to inject for this call, if any (consumes count). */
  pick(route: string, kinds?: FaultKind[], accountId?: string | null, now = Date.now()): Fault | undefined {
    for (const f of this.list) {
      if (f.route !== '*' && f.route !== route) continue;
      if (f.account && f.account !== accountId) continue;
      if (kinds && !kinds.includes(f.kind)) continue;
      if (!kinds && f.kind === 'job_failed') continue;
      if (f.count !== undefined && f.injected >= f.count) continue;
      if (f.kind === 'rate_limit') {
        if (!accountId || !this.overLimit(f, accountId, now)) continue;
        f.injected++;
        return f;
      }
      const rate = f.rate ?? 1;
      if (rate < 1 && this.prng.next() >= rate) continue;
      f.injected++;
      return f;
    }
    return undefined;
  }

  /** Sliding one-second window per account: records the call when it is allowed, true when it is over the limit. */
  private overLimit(f: Fault, accountId: string, now: number): boolean {
    let perAccount = windows.get(f);
    if (!perAccount) {
      perAccount = new Map();
      windows.set(f, perAccount);
    }
    const recent = (perAccount.get(accountId) ?? []).filter((t) => t > now - 1000);
    perAccount.set(accountId, recent);
    if (recent.length >= (f.perSecond ?? 10)) return true;
    recent.push(now);
    return false;
  }

  plainText429(f: Fault): boolean {
    if (f.format === 'text') return true;
    if (f.format === 'mixed') {
      this.mixedToggle = !this.mixedToggle;
      return this.mixedToggle;
    }
    return false;
  }
}

export function normalizeRoute(r: string): string {
  return r === '*' ? '*' : r.replace(/^\/+/, '');
}
