// The per-invocation budget meter itself: it sees every invocation that goes through the worker's entry, counts
// each statement of a batch, and a test whose invocation goes past 1,000 D1 queries or subrequests fails.
import { SELF, env, createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../src/index.ts';
import { budgetLog, metered, BudgetExceededError } from '../../src/budget.ts';
import { person, trackOf } from '../core/helpers.ts';

describe('per-invocation budget meter', () => {
  it('meters each request through the worker entry, counting batch statements one by one', async () => {
    const before = budgetLog().recent.length;
    const res = await SELF.fetch('http://pd.test/health');
    expect(res.status).toBe(200);
    const owner = await person('Olivia');
    const trackId = await trackOf(owner, 'Meter');
    const created = await owner.post(`/tracks/${trackId}/invitations`, { email: 'ben.meter@example.test', accessLevel: 'viewer' });
    expect(created.status).toBe(201);
    const seen = budgetLog().recent.slice(before);
    expect(seen.map((u) => u.label)).toContain('GET /health');
    const create = seen.find((u) => u.label === 'POST /api/v1/tracks/:id/invitations');
    expect(create).toBeDefined();
    // The route reports its round trips (a batch = 1); the meter counts statements, so it sees at least as many.
    const roundTrips = Number(/d1;desc="(\d+) round trips"/.exec(created.headers.get('Server-Timing') ?? '')?.[1]);
    expect(create!.d1).toBeGreaterThan(roundTrips);
  });

  it('fails the 1,001st D1 query of one invocation the way production does, and logs it for the test setup', async () => {
    const ctx = createExecutionContext();
    const run = metered('test: 1001 queries', { ...env, PD_ENFORCE_BUDGET: '1' }, async (e) => {
      for (let i = 0; i < 999; i++) await e.DB.prepare('SELECT 1').first();
      // 999 + a batch of 2 = 1,001: the batch itself is refused.
      await e.DB.batch([e.DB.prepare('SELECT 1'), e.DB.prepare('SELECT 2')]);
    });
    await expect(run).rejects.toBeInstanceOf(BudgetExceededError);
    await waitOnExecutionContext(ctx);
    const over = budgetLog().violations.splice(0);
    expect(over).toEqual([{ label: 'test: 1001 queries', d1: 1001, subrequests: 0 }]);
  }, 60_000);

  it('counts outbound fetch and queue sends as subrequests of the invocation that made them', async () => {
    // A queue that goes nowhere (the sends are only counted), so no 1,000 messages reach the consumer.
    const JOBS = { send: async () => undefined, sendBatch: async () => undefined } as unknown as Queue;
    const run = metered('test: subrequests', { ...env, JOBS, PD_ENFORCE_BUDGET: '1' }, async (e) => {
      for (let i = 0; i < 1000; i++) await e.JOBS.send({ kind: 'execute-change', changeId: 'x' });
      await fetch('http://127.0.0.1:9/never-reached');
    });
    await expect(run).rejects.toBeInstanceOf(BudgetExceededError);
    expect(budgetLog().violations.splice(0)).toEqual([{ label: 'test: subrequests', d1: 0, subrequests: 1001 }]);
  }, 60_000);

  it('leaves production alone: without the binding nothing is metered', async () => {
    const before = budgetLog().recent.length;
    const { PD_ENFORCE_BUDGET: _, ...prod } = env as unknown as Record<string, unknown>;
    const ctx = createExecutionContext();
    const res = await worker.fetch(new Request('http://pd.test/health'), prod as unknown as Env, ctx);
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(200);
    expect(budgetLog().recent.length).toBe(before);
  });
});
