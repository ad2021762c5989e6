// HTTP plumbing shared by every /api/v1 route (the core routes here, and the Dropbox routes in src/dropbox):
// the app's Env type, the D1 round-trip counter, the session middleware, input validation and the one error shape.
import type { Account, ApiError, ErrorCode } from '@pd/shared';
import { zValidator } from '@hono/zod-validator';
import type { Context, ErrorHandler, MiddlewareHandler, ValidationTargets } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';
import { countRoundTrips, DomainError, resolveSession, type RoundTrips } from '../domain/index.ts';
import { DropboxApiError, dropboxErrorResponse } from '../api-dropbox/errors.ts';
import { mutationAllowed, rateLimited } from './limits.ts';

export type AppEnv = {
  Bindings: Env;
  Variables: {
    /** The signed-in account (set by `requireSession`). */
    account: Account;
    /** Its session's key (the token's SHA-256; set by `requireSession`). */
    sessionHash: string;
    /** The D1 binding wrapped to count round trips (set by `d1`). */
    db: D1Database;
    roundTrips: RoundTrips;
  };
};

/** HTTP status of each error code. */
export const STATUS: Record<ErrorCode, ContentfulStatusCode> = {
  invalid_json: 400,
  rate_limited: 429,
  validation_failed: 400,
  expiry_in_past: 400,
  expiry_too_far: 400,
  unauthenticated: 401,
  session_expired: 401,
  access_ended: 403,
  owner_only: 403,
  editor_required: 403,
  invitation_not_yours: 403,
  not_found: 404,
  track_not_found: 404,
  collaborator_not_found: 404,
  invitation_not_found: 404,
  comment_not_found: 404,
  person_not_found: 404,
  dropbox_change_not_found: 404,
  method_not_allowed: 405,
  track_exists: 409,
  already_collaborator: 409,
  already_invited: 409,
  invitation_not_pending: 409,
  collaborator_not_active: 409,
  owner_cannot_leave: 409,
  cannot_invite_owner: 409,
  no_schedule: 409,
  payload_too_large: 413,
  internal_error: 500,
  unsafe_configuration: 503,
};

export const errorBody = (code: ErrorCode, message: string): ApiError => ({ error: { code, message } });

export const apiError = (c: Context, code: ErrorCode, message: string, status: ContentfulStatusCode = STATUS[code]) =>
  c.json(errorBody(code, message), status);

/**
 * Wraps the D1 binding so each request counts its round trips, and reports them as
 * `Server-Timing: d1;desc="N round trips"` (the benchmark reads it). Use `db(c)` to get the binding.
 */
export const d1: MiddlewareHandler<AppEnv> = async (c, next) => {
  db(c);
  await next();
  c.res.headers.append('Server-Timing', `d1;desc="${c.var.roundTrips.count} round trips"`);
};

/** The counted D1 binding of this request (created on first use). */
export function db(c: Context<AppEnv>): D1Database {
  if (!c.var.db) {
    const counter: RoundTrips = { count: 0 };
    c.set('roundTrips', counter);
    c.set('db', countRoundTrips(c.env.DB, counter));
  }
  return c.var.db;
}

/** `Authorization: Bearer <token>` → c.var.account, or 401 unauthenticated / session_expired. */
export const requireSession: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.var.account) return next(); // already resolved by an outer registration
  const header = c.req.header('Authorization') ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) return apiError(c, 'unauthenticated', 'Sign in first: send Authorization: Bearer <session token>.');
  const session = await resolveSession(db(c), match[1]);
  if (session.status === 'expired') return apiError(c, 'session_expired', 'Your session has expired: sign in again.');
  if (session.status !== 'ok') return apiError(c, 'unauthenticated', 'Unknown session: sign in again.');
  // Per-account limit on mutating calls (429 rate_limited with Retry-After); reads are not limited.
  if (!(await mutationAllowed(c, session.account.id))) return rateLimited(c, 'changes from this account');
  c.set('account', session.account);
  c.set('sessionHash', session.tokenHash);
  await next();
};

/** Readable message for the first zod issue: "title: Too big: expected string to have <=200 characters". */
function issueMessage(error: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> }): string {
  const first = error.issues[0];
  if (!first) return 'Invalid input.';
  const where = first.path.map(String).join('.');
  return where ? `${where}: ${first.message}` : first.message;
}

/** zod validation of one input (json, query, param) whose failure answers 400 validation_failed in our shape. */
export const validate = <Target extends keyof ValidationTargets, Schema extends z.ZodType>(target: Target, schema: Schema) =>
  zValidator(target, schema, (result, c) => {
    if (!result.success) return c.json(errorBody('validation_failed', issueMessage(result.error)), 400);
    // JSON allows lone UTF-16 surrogates ("\ud800"), UTF-8 (and so D1) does not: they would be stored as U+FFFD.
    const where = illFormedText(result.data);
    if (where !== null) return c.json(errorBody('validation_failed', `${where || 'body'}: text must be well-formed Unicode.`), 400);
  });

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Path of the first string (key or value) holding a lone surrogate, or null. */
function illFormedText(value: unknown, path = ''): string | null {
  if (typeof value === 'string') return LONE_SURROGATE.test(value) ? path : null;
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const at = path ? `${path}.${k}` : k;
      if (LONE_SURROGATE.test(k)) return at;
      const found = illFormedText(v, at);
      if (found !== null) return found;
    }
  }
  return null;
}

/** Turns DomainError (and Hono's HTTP errors) into our error shape; anything else is a 500 with no details. */
export const onError: ErrorHandler<AppEnv> = (err, c) => {
  if (err instanceof DomainError) return apiError(c, err.code, err.message);
  if (err instanceof DropboxApiError) return dropboxErrorResponse(c, err);
  if (err instanceof HTTPException) {
    if (err.status === 400 && /JSON/i.test(err.message)) return apiError(c, 'invalid_json', 'The request body is not valid JSON.');
    if (err.status === 413) return apiError(c, 'payload_too_large', 'The request body is larger than 1 MB.');
    if (err.status === 401) return apiError(c, 'unauthenticated', err.message || 'Sign in first.');
    return apiError(c, 'validation_failed', err.message || 'Bad request.', err.status as ContentfulStatusCode);
  }
  console.error('unhandled error', c.req.method, c.req.path, err);
  return apiError(c, 'internal_error', 'Something went wrong on our side. Try again.');
};
