// The core API under /api/v1: one Hono app, one file per resource in ./api, one error shape.
// Mounted by src/index.ts with `app.route('/api/v1', api)`. The Dropbox routes (sign-in, lookup, import, retry)
// are mounted next to it and reuse the pieces of ./api/http.ts.
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { personSchedules, trackSchedules } from './api/access.ts';
import { collaborators } from './api/collaborators.ts';
import { comments } from './api/comments.ts';
import { apiError, d1, onError, requireSession, type AppEnv } from './api/http.ts';
import { invitations } from './api/invitations.ts';
import { library, syncRoute } from './api/library.ts';
import { me } from './api/me.ts';
import { notifications } from './api/notifications.ts';
import { sharing } from './api/sharing.ts';
import { tracks } from './api/tracks.ts';
import { usesRealDropbox } from './dropbox/origins.ts';

export const MAX_BODY_BYTES = 1024 * 1024;

const list = (v: string | undefined) =>
  (v ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);

/**
 * CORS: the exact `allowed` origins, plus extension origins — only the published ids (`extensionIds`: Chrome ids or
 * full origins) unless `devBuilds` (local Dropbox origins: development builds of any id, Firefox's per-install UUIDs).
 */
export function allowedOrigin(origin: string, allowed: string | undefined, ext: { extensionIds?: string; devBuilds?: boolean } = {}): string | null {
  const m = /^(chrome|moz)-extension:\/\/([a-z0-9-]+)$/i.exec(origin);
  if (m) {
    if (ext.devBuilds) return origin;
    const ids = list(ext.extensionIds).map((i) => i.toLowerCase());
    return ids.includes(m[2].toLowerCase()) || ids.includes(origin.toLowerCase()) ? origin : null;
  }
  return list(allowed).includes(origin) ? origin : null;
}

/** allowedOrigin with this worker's settings. */
export const corsOrigin = (origin: string, env: Env): string | null =>
  allowedOrigin(origin, env.ALLOWED_ORIGINS, { extensionIds: env.EXTENSION_IDS, devBuilds: !usesRealDropbox(env) });

const api = new Hono<AppEnv>();

api.use(
  '*',
  cors({
    origin: (origin, c) => corsOrigin(origin, c.env as Env),
    allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    allowHeaders: ['Authorization', 'Content-Type'],
    exposeHeaders: ['Server-Timing'],
    maxAge: 600,
  }),
);

// Unknown paths and wrong methods answer in our error shape. This runs around every /api/v1 request (the
// Dropbox routes' too) and only replaces Hono's plain-text 404, never a JSON answer of a route.
api.use('*', async (c, next) => {
  const base = c.req.routePath.replace(/\/\*$/, ''); // this middleware's own mount path, e.g. /api/v1
  await next();
  if (c.res.status !== 404 || c.res.headers.get('content-type')?.includes('application/json')) return;
  const path = c.req.path.startsWith(base) ? c.req.path.slice(base.length) || '/' : c.req.path;
  const methods = methodsFor(path);
  if (methods.length > 0) {
    c.res = apiError(c, 'method_not_allowed', `${c.req.method} is not allowed here; use ${methods.join(', ')}.`);
    c.res.headers.set('Allow', methods.join(', '));
  } else {
    c.res = apiError(c, 'not_found', `No route ${c.req.method} ${c.req.path}.`);
  }
});

api.use('*', d1);
api.use(
  '*',
  bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) => apiError(c, 'payload_too_large', 'The request body is larger than 1 MB.'),
  }),
);

// Every core route needs a session. (Not a blanket '*': the Dropbox sign-in routes under /api/v1 must stay open.)
for (const prefix of ['/me', '/library', '/sync', '/tracks', '/invitations', '/sharing', '/notifications']) {
  api.use(prefix, requireSession);
  api.use(`${prefix}/*`, requireSession);
}

api.route('/me', me);
api.route('/library', library);
api.route('/sync', syncRoute);
api.route('/tracks', tracks);
api.route('/tracks', collaborators);
api.route('/tracks', comments);
api.route('/invitations', invitations);
api.route('/sharing', sharing);
api.route('/tracks', trackSchedules);
api.route('/sharing', personSchedules);
api.route('/notifications', notifications);

api.onError(onError);

const routePatterns = api.routes
  .filter((r) => r.method !== 'ALL')
  .map((r) => ({
    method: r.method,
    regex: new RegExp(`^${r.path.replace(/\/$/, '').replace(/:[^/]+/g, '[^/]+')}/?$`),
  }));

function methodsFor(path: string): string[] {
  return [...new Set(routePatterns.filter((r) => r.regex.test(path)).map((r) => r.method))];
}

export { api };
export default api;
