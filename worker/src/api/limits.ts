// Rate limits (issue 8), with Cloudflare's rate limiting binding ([[ratelimits]] in wrangler.toml): it counts per key
// in the Cloudflare location that serves the request, costs no D1 query and no subrequest, and runs under
// `wrangler dev` and in the tests (Miniflare) with the same numbers. Documented in worker/API.md, "Rate limits".
// - sign-in (POST /auth/dropbox): per client IP (CF-Connecting-IP), before anything else, so a refused attempt
//   never reaches Dropbox's token endpoint;
// - every other mutating call: per signed-in account (checked by requireSession once the account is known);
// - opening the live socket: per signed-in account (LIVE_LIMITER, worker/src/live/route.ts).
import type { Context } from 'hono';
import type { MiddlewareHandler } from 'hono';
import { apiError, type AppEnv } from './http.ts';

/** The period of both limits in wrangler.toml (seconds): a refused client may try again after at most this long. */
export const RATE_LIMIT_PERIOD_SECONDS = 60;

type Limiter = { limit(options: { key: string }): Promise<{ success: boolean }> };

let warned = false;

/** true: under the limit (or no binding configured: logged once, the request goes on). */
export async function underLimit(limiter: Limiter | undefined, key: string): Promise<boolean> {
  if (!limiter) {
    if (!warned) console.warn('rate limiting binding missing: requests are not rate limited (see wrangler.toml [[ratelimits]])');
    warned = true;
    return true;
  }
  return (await limiter.limit({ key })).success;
}

export function rateLimited(c: Context, what: string) {
  const res = apiError(c, 'rate_limited', `Too many ${what}: try again in ${RATE_LIMIT_PERIOD_SECONDS} seconds.`);
  res.headers.set('Retry-After', String(RATE_LIMIT_PERIOD_SECONDS));
  return res;
}

/** The client's address as Cloudflare saw it (set by the edge, not by the client). */
export const clientIp = (c: Context) => c.req.header('CF-Connecting-IP') ?? 'unknown-client';

/** POST /auth/dropbox: per client IP, before the body is read. */
export const limitSignIn: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!(await underLimit(c.env.SIGNIN_LIMITER, `signin:${clientIp(c)}`))) return rateLimited(c, 'sign-in attempts from this address');
  await next();
};

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Mutating calls of a signed-in account (called by requireSession). */
export async function mutationAllowed(c: Context<AppEnv>, accountId: string): Promise<boolean> {
  if (READ_METHODS.has(c.req.method)) return true;
  return underLimit(c.env.MUTATION_LIMITER, `mutation:${accountId}`);
}
