// GET /api/v1/live: the extension's socket for live panels (worker/API.md, "Live updates"). A browser cannot set
// Authorization on a WebSocket, and a token in the URL ends up in logs, so the session token travels in the
// Sec-WebSocket-Protocol header: `new WebSocket(url, ['pd-live.v1', 'pd-token.<session token>'])`. Non-browser
// clients may send `Authorization: Bearer <token>` instead. The worker checks the session, then hands the upgrade
// to the account's Durable Object, which answers with the subprotocol `pd-live.v1`.
import type { Context } from 'hono';
import { LIVE_PROTOCOL, LIVE_TOKEN_PREFIX as TOKEN_PREFIX, type ErrorCode } from '@pd/shared';
import { hashToken, resolveSession } from '../domain/index.ts';
import { errorBody } from '../api/http.ts';
import { RATE_LIMIT_PERIOD_SECONDS, underLimit } from '../api/limits.ts';

/** The session token from the subprotocol list or the Authorization header. */
export function liveToken(req: Request): string | null {
  const offered = (req.headers.get('Sec-WebSocket-Protocol') ?? '').split(',').map((p) => p.trim());
  const fromProtocol = offered.find((p) => p.startsWith(TOKEN_PREFIX));
  if (fromProtocol) return fromProtocol.slice(TOKEN_PREFIX.length) || null;
  return /^Bearer\s+(\S+)$/i.exec(req.headers.get('Authorization') ?? '')?.[1] ?? null;
}

/** A refusal before any upgrade, in the API's error shape (also used by the Durable Object's socket cap). */
export const refuse = (code: ErrorCode, message: string, status: 400 | 401 | 426 | 429) =>
  new Response(JSON.stringify(errorBody(code, message)), {
    status,
    headers: {
      'Content-Type': 'application/json',
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
      ...(status === 429 ? { 'Retry-After': String(RATE_LIMIT_PERIOD_SECONDS) } : {}),
    },
  });

export async function openLiveSocket(c: Context<{ Bindings: Env }>): Promise<Response> {
  const req = c.req.raw;
  if (req.headers.get('Upgrade')?.toLowerCase() !== 'websocket') {
    return refuse('validation_failed', 'Open /api/v1/live as a WebSocket (Upgrade: websocket).', 426);
  }
  const offered = (req.headers.get('Sec-WebSocket-Protocol') ?? '').split(',').map((p) => p.trim());
  if (offered.some((p) => p.startsWith(TOKEN_PREFIX)) && !offered.includes(LIVE_PROTOCOL)) {
    return refuse('validation_failed', `Offer the subprotocol ${LIVE_PROTOCOL} with the token.`, 400);
  }
  const token = liveToken(req);
  if (!token) return refuse('unauthenticated', `Sign in first: offer the subprotocols ${LIVE_PROTOCOL} and ${TOKEN_PREFIX}<session token>.`, 401);
  const session = await resolveSession(c.env.DB, token);
  if (session.status === 'expired') return refuse('session_expired', 'Your session has expired: sign in again.', 401);
  if (session.status !== 'ok') return refuse('unauthenticated', 'Unknown session: sign in again.', 401);
  // Per account, before the Durable Object is woken: a token cannot churn sockets (each open is a DO request).
  if (!(await underLimit(c.env.LIVE_LIMITER, `live:${session.account.id}`))) {
    return refuse('rate_limited', `Too many live connections opened: try again in ${RATE_LIMIT_PERIOD_SECONDS} seconds.`, 429);
  }
  const stub = c.env.LIVE.get(c.env.LIVE.idFromName(session.account.id));
  // Only what the object needs; never the token itself.
  return stub.fetch('https://live/socket', {
    headers: { Upgrade: 'websocket', 'X-PD-Account': session.account.id, 'X-PD-Session': await hashToken(token) },
  });
}

/** Closes the live sockets of one session (sign-out) or of every session of the account (sign-out everywhere). */
export async function closeLiveSockets(env: Env, accountId: string, token?: string): Promise<void> {
  const stub = env.LIVE.get(env.LIVE.idFromName(accountId));
  await stub.endSessions(token ? await hashToken(token) : undefined);
}
