import { Hono } from 'hono';

// Entry point: fetch (API + webhook), queue and scheduled handlers are composed here.
const app = new Hono<{ Bindings: Env }>();
app.get('/health', (c) => c.json({ ok: true }));

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
