// Nothing gets stuck (issue 10, part 2): a failed walk is retried by the cron with backoff, sign-in's first reconcile
// has a cron backup, a change's completion is fenced by its claim, and dead queue messages are recorded and shown.
import { createExecutionContext, env, getQueueResult, createMessageBatch } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { claimChange, finish, type ChangeParams, type ChangeRow } from '../../src/jobs/execute.ts';
import { runQueueInvocation } from '../../src/jobs/consumer.ts';
import { enqueueMissedReconciles, SIGN_IN_GRACE_MS } from '../../src/jobs/recovery.ts';
import type { Job } from '../../src/jobs/messages.ts';
import { Harness, changesOf, control } from '../dropbox/harness.ts';

const h = new Harness();
const MAYA = 'maya@stuck.test';
const LEO = 'leo@stuck.test';
const SAM = 'sam@stuck.test';
let maya: { session: string; account: { id: string; dropboxAccountId: string } };
let leo: { session: string; account: { id: string; dropboxAccountId: string } };
let sfid: string;

const reconcilesQueued = () =>
  h.queued.filter((q) => q.job.kind === 'reconcile-account').map((q) => (q.job as { dropboxAccountId: string }).dropboxAccountId);
const syncOf = (accountId: string) =>
  env.DB.prepare('SELECT cursor, walk_failures, walk_retry_at, notified_at, last_started_at FROM dropbox_account_sync WHERE account_id = ?')
    .bind(accountId)
    .first<{ cursor: string | null; walk_failures: number; walk_retry_at: number; notified_at: number; last_started_at: number }>();

beforeAll(async () => {
  const seeded = await h.reset({
    accounts: [
      { email: MAYA, display_name: 'Maya Reyes' },
      { email: LEO, display_name: 'Leo Vance' },
      { email: SAM, display_name: 'Sam Ortiz' },
    ],
    folders: [
      {
        name: 'Glass Hearts',
        owner: MAYA,
        members: [
          { account: LEO, access_level: 'editor' },
          { account: SAM, access_level: 'viewer' },
        ],
      },
    ],
  });
  sfid = seeded.folders[0].shared_folder_id;
  maya = await h.signIn(MAYA);
  await h.drain();
  await h.json('/api/v1/dropbox/import', { method: 'POST', session: maya.session, json: {} });
  h.queued.length = 0;
}, 120_000);

describe('the first reconcile queued at sign-in has a cron backup', () => {
  it('when the queued message is lost, the cron runs the first reconcile after a grace period, once', async () => {
    leo = await h.signIn(LEO);
    expect(reconcilesQueued()).toEqual([leo.account.dropboxAccountId]);
    h.queued.length = 0; // the message never arrives
    await h.cron();
    expect(reconcilesQueued()).toEqual([]); // within the grace: the queued message may still be on its way
    expect(await enqueueMissedReconciles(h.env, Date.now() + SIGN_IN_GRACE_MS + 1000)).toBe(1);
    expect(reconcilesQueued()).toEqual([leo.account.dropboxAccountId]);
    await h.drain();
    expect((await syncOf(leo.account.id))!.cursor).toBeTruthy(); // Leo's baseline is set: his notifications work now
    h.queued.length = 0;
    expect(await enqueueMissedReconciles(h.env, Date.now() + 100 * SIGN_IN_GRACE_MS)).toBe(0);
  });
});

describe('a walk that failed is retried by the cron with backoff, not forgotten', () => {
  it('Dropbox failing every try: the cron queues the account again after 2, then 4 minutes; a completed walk resets it', async () => {
    await control('faults', { route: '2/files/list_folder/continue', kind: '500', account: LEO });
    h.queued.push({ job: { kind: 'reconcile-account', dropboxAccountId: leo.account.dropboxAccountId, at: Date.now() }, attempts: 0 });
    const [d] = await h.drain({ maxRounds: 1 });
    expect(d.outcome).toBe('retry');
    h.queued.length = 0; // the queue gave up on the message (or it went to the dead-letter queue)
    const failed = (await syncOf(leo.account.id))!;
    expect(failed.walk_failures).toBe(1);
    expect(failed.notified_at).toBeGreaterThan(failed.last_started_at);

    const t0 = Date.now();
    expect(await enqueueMissedReconciles(h.env, t0 + 60_000)).toBe(0); // backoff: not yet
    expect(await enqueueMissedReconciles(h.env, t0 + 2 * 60_000 + 1000)).toBe(1);
    expect(reconcilesQueued()).toEqual([leo.account.dropboxAccountId]);
    expect(await enqueueMissedReconciles(h.env, t0 + 2 * 60_000 + 2000)).toBe(0); // queued once, not every minute

    // That try fails too: the next one waits longer.
    await h.drain({ maxRounds: 1 });
    h.queued.length = 0;
    expect((await syncOf(leo.account.id))!.walk_failures).toBe(2);
    expect(await enqueueMissedReconciles(h.env, Date.now() + 3 * 60_000)).toBe(0);
    expect(await enqueueMissedReconciles(h.env, Date.now() + 4 * 60_000 + 1000)).toBe(1);

    // Dropbox is back: the walk completes, the account leaves the retry list.
    await control('faults', undefined, 'DELETE');
    const done = await h.drain();
    expect(done.at(-1)!.outcome).toBe('ack');
    const ok = (await syncOf(leo.account.id))!;
    expect(ok.walk_failures).toBe(0);
    expect(ok.last_started_at).toBeGreaterThanOrEqual(ok.notified_at);
    expect(await enqueueMissedReconciles(h.env, Date.now() + 3_600_000)).toBe(0);
  });
});

describe('pending-change completion is fenced by its claim', () => {
  it('a slow executor whose run lease ran out cannot overwrite the outcome of the one that took over', async () => {
    const trackId = (await env.DB.prepare('SELECT id FROM tracks WHERE dropbox_shared_folder_id = ?').bind(sfid).first<{ id: string }>())!.id;
    const people = await h.json<{ people: { personKey: string; email: string }[] }>('/api/v1/sharing', { session: maya.session });
    const sam = people.people.find((p) => p.email === SAM)!;
    expect((await h.fetch(`/api/v1/sharing/${encodeURIComponent(sam.personKey)}/revoke-all`, { method: 'POST', session: maya.session })).status).toBe(
      200,
    );
    h.queued.length = 0;
    const [change] = await changesOf(trackId);
    const row = (await env.DB.prepare('SELECT * FROM dropbox_changes WHERE id = ?').bind(change.id).first<ChangeRow>())!;
    const params = JSON.parse(row.params) as ChangeParams;

    const slow = (await claimChange(env.DB, change.id))!;
    expect(slow).not.toBeNull();
    expect(await claimChange(env.DB, change.id)).toBeNull(); // its claim is live: nobody else may take it
    // The slow executor's run lease runs out; another executor claims the change and completes it.
    await env.DB.prepare('UPDATE dropbox_changes SET next_attempt_at = ? WHERE id = ?')
      .bind(new Date(Date.now() - 1000).toISOString(), change.id)
      .run();
    const takeover = (await claimChange(env.DB, change.id))!;
    expect(takeover.claimId).not.toBe(slow.claimId);
    expect(await finish(h.env, row, takeover.claimId, { result: 'done' }, params)).toBe(true);
    // The slow one finally answers (say, with an error): nothing changes.
    expect(await finish(h.env, row, slow.claimId, { result: 'failed', error: 'slow executor gave up' }, params)).toBe(false);
    expect(await finish(h.env, row, slow.claimId, { result: 'retry', delaySeconds: 5, error: 'slow executor retry' }, params)).toBe(false);
    expect(await changesOf(trackId)).toEqual([expect.objectContaining({ status: 'done', last_error: null })]);
  });
});

describe('the dead-letter queue', () => {
  it('records each dead message once, sends a dead reconcile back to the cron, and /health/detail shows the counts', async () => {
    const now = Date.now();
    const dead = (id: string, body: unknown) => ({ id, timestamp: new Date(), attempts: 11, body: body as Job });
    const batch = () =>
      createMessageBatch<Job>('pd-jobs-dlq', [
        dead('dead-1', { kind: 'reconcile-account', dropboxAccountId: maya.account.dropboxAccountId, at: now }),
        dead('dead-2', { kind: 'execute-change', changeId: '424242' }),
        dead('dead-3', 'not a job'),
      ]);
    for (let i = 0; i < 2; i++) {
      // Delivered twice (at-least-once): recorded once.
      const b = batch();
      const ctx = createExecutionContext();
      await runQueueInvocation(b, h.env, ctx);
      const r = await getQueueResult(b, ctx);
      expect(r.explicitAcks.sort()).toEqual(['dead-1', 'dead-2', 'dead-3']);
      expect(r.retryMessages).toEqual([]);
    }
    const rows = await env.DB.prepare('SELECT message_id, kind, subject, attempts, recovery FROM dead_jobs ORDER BY message_id').all();
    expect(rows.results).toEqual([
      {
        message_id: 'dead-1',
        kind: 'reconcile-account',
        subject: maya.account.dropboxAccountId,
        attempts: 11,
        recovery: 'the cron retries this account with backoff',
      },
      {
        message_id: 'dead-2',
        kind: 'execute-change',
        subject: '424242',
        attempts: 11,
        recovery: 'the cron hands the change over again when it is due',
      },
      { message_id: 'dead-3', kind: 'malformed', subject: null, attempts: 11, recovery: 'none: malformed message' },
    ]);
    // The dead reconcile is not forgotten: the cron queues Maya's account again.
    h.queued.length = 0;
    expect(await enqueueMissedReconciles(h.env, Date.now() + 3_600_000)).toBe(1);
    expect(reconcilesQueued()).toEqual([maya.account.dropboxAccountId]);

    const health = await h.json<{
      ok: boolean;
      deadLetters: { total: number; lastDay: number; byKind: Record<string, number>; accountsRetrying: number };
    }>('/health/detail');
    expect(health).toMatchObject({
      ok: true,
      deadLetters: { total: 3, lastDay: 3, byKind: { 'reconcile-account': 1, 'execute-change': 1, malformed: 1 }, accountsRetrying: 1 },
    });
    // Nothing identifying on that public route.
    expect(JSON.stringify(health)).not.toContain(maya.account.dropboxAccountId);
  });
});
