import { Hono } from 'hono';
import { api } from './app.ts';
import { dropboxApi } from './api-dropbox/index.ts';
import { webhook } from './webhook.ts';
import { unsafeConfiguration } from './dropbox/origins.ts';
import { handleQueue } from './jobs/consumer.ts';
import { handleScheduled } from './jobs/cron.ts';
import { enqueueDueChanges } from './jobs/execute.ts';
import type { Job } from './jobs/messages.ts';

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
app.get('/health', (c) => c.json({ ok: true }));
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

export default {
  fetch: app.fetch,
  async queue(batch, env, ctx) {
    const problems = unsafeConfiguration(env);
    if (problems.length) {
      // Nothing is lost: the messages come back once the configuration is fixed (or go to the dead-letter queue).
      console.error(`refusing to process the queue: unsafe configuration: ${problems.join('; ')}`);
      batch.retryAll({ delaySeconds: 300 });
      return;
    }
    await handleQueue(batch, env, ctx);
  },
  async scheduled(controller, env, ctx) {
    const problems = unsafeConfiguration(env);
    if (problems.length) {
      console.error(`refusing to run the cron: unsafe configuration: ${problems.join('; ')}`);
      return;
    }
    await handleScheduled(controller, env, ctx);
  },
} satisfies ExportedHandler<Env, Job>;
