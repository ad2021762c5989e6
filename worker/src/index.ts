import { Hono } from 'hono';
import { api } from './app.ts';
import { dropboxApi } from './api-dropbox/index.ts';
import { webhook } from './webhook.ts';
import { unsafeConfiguration } from './dropbox/origins.ts';
import { runQueueInvocation } from './jobs/consumer.ts';
import { handleScheduled } from './jobs/cron.ts';
import { enqueueDueChanges } from './jobs/execute.ts';
import type { Job } from './jobs/messages.ts';
import { metered } from './budget.ts';
import { deadLetterSummary } from './jobs/recovery.ts';
import { openLiveSocket } from './live/route.ts';
import { publishLive } from './live/publish.ts';

// The Durable Object class behind the LIVE binding (wrangler.toml): one per account, holding its live sockets.
export { LiveHub } from './live/hub.ts';

// Entry point: fetch (API + webhook), queue and scheduled handlers are composed here.
const app = new Hono<{ Bindings: Env }>();

// Published local secrets with real Dropbox: refuse every request (503, logged) until the operator sets real ones.
app.use('*', async (c, next) => {
  const problems = unsafeConfiguration(c.env);
  if (problems.length === 0) return next();
  console.error(`refusing to serve: unsafe configuration: ${problems.join('; ')}`);
  return c.json(
    {
      error: {
        code: 'unsafe_configuration',
        message: `This server is misconfigured and refuses to run: ${problems.join('; ')}. Set real secrets (see worker/DROPBOX.md).`,
      },
    },
    503,
    { 'X-Content-Type-Options': 'nosniff' },
  );
});
// Live panels: after anything that may have committed a change (every successful method but GET/HEAD/OPTIONS, the
// webhook included), push it to the open panels and popups of everyone it concerns (src/live/publish.ts).
app.use('*', async (c, next) => {
  await next();
  // A refused request (4xx/5xx) committed nothing and writes nothing; what others left waits for the next one.
  if (!['GET', 'HEAD', 'OPTIONS'].includes(c.req.method) && c.res.status < 400) {
    c.executionCtx.waitUntil(publishLive(c.env));
  }
});
app.get('/health', (c) => c.json({ ok: true }));
// The extension's live socket (authenticated by the Sec-WebSocket-Protocol header; src/live/route.ts). Outside the
// /api/v1 app: its middlewares rewrite response headers, which a 101 answer from the Durable Object does not allow.
app.get('/api/v1/live', openLiveSocket);
// Detail for the operator: dead queue messages and accounts being retried (counts only, nothing identifying).
app.get('/health/detail', async (c) => c.json({ ok: true, deadLetters: await deadLetterSummary(c.env.DB) }));
app.route('/', webhook);

// After a mutating API call, hand any Dropbox change it recorded (revoke, leave, access change, invite…) to the
// queue at once. Claiming is atomic (next_attempt_at moves ahead), so concurrent requests never double-send,
// and the per-minute cron catches anything a failed send left behind.
app.use('/api/v1/*', async (c, next) => {
  await next();
  if (c.req.method !== 'GET' && c.req.method !== 'OPTIONS' && c.res.status < 400) {
    c.executionCtx.waitUntil(enqueueDueChanges(c.env).catch((e) => console.error('enqueue pending Dropbox changes', e)));
  }
});
// The Dropbox routes first: /tracks/by-dropbox-path must win over the core's /tracks/:trackId.
app.route('/api/v1', dropboxApi);
app.route('/api/v1', api);

/** A label per route shape for the budget meter: ids (numbers, `trk_…`, `dbid:…`, long tokens) become ":id". */
const routeLabel = (req: Request) =>
  `${req.method} ${new URL(req.url).pathname
    .split('/')
    .map((s) => (/^\d+$|[_:%]/.test(s) || s.length >= 20 ? ':id' : s))
    .join('/')}`;

// Each handler runs under the per-invocation budget meter when tests ask for it (src/budget.ts; a no-op in production).
export default {
  fetch(req, env, ctx) {
    return metered(routeLabel(req), env, (e) => app.fetch(req, e, ctx));
  },
  async queue(batch, env, ctx) {
    const problems = unsafeConfiguration(env);
    if (problems.length) {
      // Nothing is lost: the messages come back once the configuration is fixed (or go to the dead-letter queue).
      console.error(`refusing to process the queue: unsafe configuration: ${problems.join('; ')}`);
      batch.retryAll({ delaySeconds: 300 });
      return;
    }
    await runQueueInvocation(batch, env, ctx);
  },
  async scheduled(controller, env, ctx) {
    const problems = unsafeConfiguration(env);
    if (problems.length) {
      console.error(`refusing to run the cron: unsafe configuration: ${problems.join('; ')}`);
      return;
    }
    await metered('scheduled', env, async (e) => {
      await handleScheduled(controller, e, ctx);
      // Also the backstop for pushes of invocations that did not publish (a GET that wrote, a capped fan-out).
      await publishLive(e);
    });
  },
} satisfies ExportedHandler<Env, Job>;
