import { Hono } from 'hono';
import { webhook } from './webhook.ts';
import { api } from './app.ts';
import { handleQueue } from './jobs/consumer.ts';
import { handleScheduled } from './jobs/cron.ts';
import type { Job } from './jobs/messages.ts';

// Entry point: fetch (API + webhook), queue and scheduled handlers are composed here.
const app = new Hono<{ Bindings: Env }>();
app.get('/health', (c) => c.json({ ok: true }));
app.route('/', webhook);
app.route('/api/v1', api);

export default {
  fetch: app.fetch,
  async queue(batch, env, ctx) {
    await handleQueue(batch, env, ctx);
  },
  async scheduled(controller, env, ctx) {
    await handleScheduled(controller, env, ctx);
  },
} satisfies ExportedHandler<Env, Job>;
