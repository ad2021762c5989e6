// Paths that grow with the input, at the sizes of issue 10's table, through the worker's entry under the budget
// meter (src/budget.ts): each invocation stays within 1,000 D1 statements and 1,000 subrequests whatever the size.
import { createExecutionContext, createMessageBatch, createScheduledController, env, getQueueResult, waitOnExecutionContext } from 'cloudflare:test';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import worker from '../../src/index.ts';
import { budgetLog, type InvocationUsage } from '../../src/budget.ts';
import { runQueueInvocation } from '../../src/jobs/consumer.ts';
import { ENQUEUE_LEASE_MS } from '../../src/jobs/execute.ts';
import { rateOf } from '../../src/dropbox/pace.ts';
import { MAX_MEMBERSHIP_CHECKS_PER_TICK } from '../../src/jobs/cron.ts';
import type { Job } from '../../src/jobs/messages.ts';
import { person, type Person } from '../core/helpers.ts';

const TRACKS = 10_000;

/** A queue that only records what was sent (so 10,000 messages do not flood this file's consumer). */
function recordingQueue() {
  const sent: { body: Job; delaySeconds?: number }[] = [];
  const q = {
    async send(body: Job, o?: { delaySeconds?: number }) {
      sent.push({ body, delaySeconds: o?.delaySeconds });
    },
    async sendBatch(msgs: Iterable<MessageSendRequest<Job>>) {
      for (const m of msgs) sent.push({ body: m.body, delaySeconds: m.delaySeconds });
    },
  } as unknown as Queue;
  return { q, sent };
}

/** The usage of the newest metered invocation whose label matches. */
function lastUsage(match: RegExp): InvocationUsage {
  const u = budgetLog()
    .recent.filter((r) => match.test(r.label))
    .at(-1);
  if (!u) throw new Error(`no metered invocation matching ${match}`);
  return { label: u.label, d1: u.d1, subrequests: u.subrequests };
}

let olivia: Person;
let ben: Person;

beforeAll(async () => {
  olivia = await person('Olivia Owner');
  ben = await person('Ben Beats');
  const now = new Date().toISOString();
  // 10,000 tracks of Olivia, each shared with Ben (seeded set-based: this is the fixture, not the path under test).
  await env.DB.batch([
    env.DB.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
       INSERT INTO tracks (id, owner_id, dropbox_shared_folder_id, title, created_at, updated_at)
       SELECT 'trk_big_' || i, ?2, 'sf:big:' || i, 'Track ' || i, ?3, ?3 FROM n`,
    ).bind(TRACKS, olivia.account.id, now),
    env.DB.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1)
       INSERT INTO collaborators (id, track_id, account_id, email, email_lower, display_name, access_level, status, invited_at, invited_by, joined_at, updated_at)
       SELECT 'col_big_' || i, 'trk_big_' || i, ?2, ?3, lower(?3), 'Ben Beats', 'editor', 'active', ?4, ?5, ?4, ?4 FROM n`,
    ).bind(TRACKS, ben.account.id, ben.email, now, olivia.account.id),
  ]);
}, 120_000);

describe('per-invocation budget at the sizes of issue 10', () => {
  it('Revoke All of 10,000 tracks: one request revokes them all and hands all 10,000 Dropbox changes to the queue', async () => {
    const { q, sent } = recordingQueue();
    const ctx = createExecutionContext();
    const res = await worker.fetch(
      new Request(`http://pd.test/api/v1/sharing/${encodeURIComponent(ben.email.toLowerCase())}/revoke-all`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${olivia.token}` },
      }),
      { ...env, JOBS: q },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { revokedCount: number }).revokedCount).toBe(TRACKS);
    expect(sent.filter((m) => m.body.kind === 'execute-change')).toHaveLength(TRACKS);
    const u = lastUsage(/revoke-all/);
    console.log(`[budget] Revoke All of ${TRACKS}: ${u.d1} D1 statements, ${u.subrequests} subrequests`);
    expect(u.d1).toBeLessThanOrEqual(1000);
    expect(u.subrequests).toBeLessThanOrEqual(1000);
    const pending = await env.DB.prepare(`SELECT count(*) AS n FROM dropbox_changes WHERE status = 'pending'`).first<{ n: number }>();
    expect(pending!.n).toBe(TRACKS);
  }, 60_000);

  it('a queue batch of those changes and a cron tick over 10,000 tracks stay within budget', async () => {
    const ids = await env.DB.prepare(`SELECT id FROM dropbox_changes ORDER BY id LIMIT 10`).all<{ id: number }>();
    const batch = createMessageBatch<Job>(
      'pd-jobs',
      ids.results.map((r, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 1, body: { kind: 'execute-change', changeId: String(r.id) } })),
    );
    const { q } = recordingQueue();
    const ctx = createExecutionContext();
    await runQueueInvocation(batch, { ...env, JOBS: q }, ctx);
    await getQueueResult(batch, ctx);
    const consumer = lastUsage(/^queue pd-jobs execute-change$/);
    expect(consumer.d1).toBeLessThanOrEqual(1000);

    // Cron: due changes (the claims above moved them ahead, so it finds none yet), the membership rotation (100
    // tracks of the 10,000), missed reconciles.
    const { q: cronQ, sent } = recordingQueue();
    const cctx = createExecutionContext();
    await worker.scheduled!(createScheduledController({ cron: '* * * * *', scheduledTime: Date.now() }), { ...env, JOBS: cronQ }, cctx);
    await waitOnExecutionContext(cctx);
    // The owner-side sweep: all 10,000 new tracks are due at once (a new track is checked first), in one tick.
    expect(sent.filter((m) => m.body.kind === 'check-track-membership')).toHaveLength(TRACKS);
    const cron = lastUsage(/^scheduled$/);
    console.log(`[budget] consumer batch: ${consumer.d1} D1; cron tick over ${TRACKS} tracks: ${cron.d1} D1, ${cron.subrequests} subrequests`);
    expect(cron.d1).toBeLessThanOrEqual(1000);
    expect(cron.subrequests).toBeLessThanOrEqual(1000);
  });

  it("changes still waiting their turn in the queue are not handed over again: leases follow the owner's pace", async () => {
    // The 10,000 messages of the Revoke All go through Olivia's Dropbox pace (3 calls a change): at 10 calls a second
    // the last one's turn is ~50 minutes away. Two minutes later, the cron re-sends only the ~200 whose turn has
    // passed (had their message been lost) — not all 9,990 still pending, as it did every minute with one flat lease.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 120_000 });
    try {
      const { q, sent } = recordingQueue();
      const ctx = createExecutionContext();
      await worker.scheduled!(createScheduledController({ cron: '* * * * *', scheduledTime: Date.now() }), { ...env, JOBS: q }, ctx);
      await waitOnExecutionContext(ctx);
      const resent = sent.filter((m) => m.body.kind === 'execute-change').length;
      console.log(`[budget] cron two minutes after the Revoke All of ${TRACKS}: ${resent} changes handed over again`);
      const turnsPassed = (120_000 - ENQUEUE_LEASE_MS) / (3_000 / rateOf(env));
      expect(resent).toBeGreaterThan(turnsPassed * 0.9);
      expect(resent).toBeLessThan(turnsPassed * 1.1 + 10);
    } finally {
      vi.useRealTimers();
    }
  }, 60_000);

  it('a cron tick with 10,000 due changes (their queue messages lost) re-sends them within budget', async () => {
    await env.DB.prepare(`UPDATE dropbox_changes SET status = 'pending', next_attempt_at = ?`)
      .bind(new Date(Date.now() - 1000).toISOString())
      .run();
    const { q, sent } = recordingQueue();
    const ctx = createExecutionContext();
    await worker.scheduled!(createScheduledController({ cron: '* * * * *', scheduledTime: Date.now() }), { ...env, JOBS: q }, ctx);
    await waitOnExecutionContext(ctx);
    expect(sent.filter((m) => m.body.kind === 'execute-change')).toHaveLength(TRACKS);
    const cron = lastUsage(/^scheduled$/);
    console.log(`[budget] cron tick re-sending ${TRACKS} changes: ${cron.d1} D1, ${cron.subrequests} subrequests`);
    expect(cron.d1).toBeLessThanOrEqual(1000);
    expect(cron.subrequests).toBeLessThanOrEqual(1000);
  }, 60_000);

  it('the owner-side sweep at 1,000,000 tracks: one cron tick hands over its share within budget', async () => {
    // The rotation's rows only (the sweep reads nothing else): 1,000,000 tracks, all due.
    await env.DB.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000)
       INSERT OR IGNORE INTO dropbox_membership_checks (track_id, checked_at, enqueued_at) SELECT 'trk_sweep_' || i, i, 0 FROM n`,
    ).run();
    await env.DB.prepare(`UPDATE dropbox_changes SET status = 'done'`).run(); // no due changes in this tick
    const { q, sent } = recordingQueue();
    const ctx = createExecutionContext();
    await worker.scheduled!(createScheduledController({ cron: '* * * * *', scheduledTime: Date.now() }), { ...env, JOBS: q }, ctx);
    await waitOnExecutionContext(ctx);
    const checks = sent.filter((m) => m.body.kind === 'check-track-membership').length;
    expect(checks).toBe(MAX_MEMBERSHIP_CHECKS_PER_TICK); // 1,000,000 due: the tick's cap; the rest follow next ticks
    const cron = lastUsage(/^scheduled$/);
    console.log(`[budget] sweep tick at 1,010,000 tracks: ${checks} checks handed over, ${cron.d1} D1, ${cron.subrequests} subrequests`);
    expect(cron.d1).toBeLessThanOrEqual(1000);
    expect(cron.subrequests).toBeLessThanOrEqual(1000);
  }, 120_000);
});
