import { SELF, env } from 'cloudflare:test';
import { expect, it } from 'vitest';

it('serves health and has a migrated D1', async () => {
  const res = await SELF.fetch('http://x/health');
  expect(await res.json()).toEqual({ ok: true });
  const row = await env.DB.prepare('SELECT count(*) AS n FROM _probe').first<{ n: number }>();
  expect(row?.n).toBe(0);
});
