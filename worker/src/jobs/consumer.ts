// The JOBS queue consumer: dispatches each message by kind. Anything that should happen again is retried
// with a delay (message.retry); nothing is dropped on an unexpected error.
import { executeChange, backoffSeconds } from './execute.ts';
import { reconcileAccount, checkTrackMembership } from './reconcile.ts';
import { sendJobs, type Job } from './messages.ts';
import { noteWalkSucceeded, recordDeadLetters, walkFailedStatement } from './recovery.ts';
import { metered } from '../budget.ts';
import { LIVE_MAX_ACCOUNTS_QUEUE, publishLive } from '../live/publish.ts';
import { trackOwnerBusy } from '../dropbox/pace.ts';

/** A sweep check whose owner's Dropbox calls are busy comes back after this long. */
const BUSY_OWNER_DEFER_MS = 5 * 60_000;
/** Longest a single job may take before the consumer stops waiting for it (well under the 15-minute wall limit). */
const JOB_TIMEOUT_MS = 120_000;

export interface JobResult {
  kind: Job['kind'];
  outcome: string;
  retryDelaySeconds?: number;
}

async function runJob(job: Job, env: Env): Promise<{ outcome: string; retry?: number }> {
  switch (job.kind) {
    case 'execute-change': {
      const id = Number(job.changeId);
      if (!Number.isSafeInteger(id)) return { outcome: 'skipped: bad change id' };
      const r = await executeChange(env, id);
      if (r.result === 'retry') return { outcome: `retry: ${r.error}`, retry: r.delaySeconds };
      return { outcome: r.result === 'skipped' ? `skipped: ${r.reason}` : r.result };
    }
    case 'reconcile-account': {
      let r: Awaited<ReturnType<typeof reconcileAccount>>;
      try {
        r = await reconcileAccount(env, job.dropboxAccountId, job.at, { continued: job.continued });
      } catch (e) {
        // Never forgotten: besides the queue's own retry, the cron retries this account with backoff.
        await walkFailedStatement(env.DB, job.dropboxAccountId, job.at).run();
        throw e;
      }
      if (r.result === 'busy') return { outcome: 'busy', retry: 3 };
      if (r.result === 'retry') {
        await walkFailedStatement(env.DB, job.dropboxAccountId, job.at).run();
        return { outcome: `retry: ${r.error}`, retry: r.delaySeconds };
      }
      if (r.result === 'done' || r.result === 'baselined') await noteWalkSucceeded(env.DB, job.dropboxAccountId);
      return { outcome: r.result };
    }
    case 'check-track-membership': {
      // A check queued by a walk (who lost the mount) is not deferred: the cron's re-check would not know who left;
      // nor one a change sent because it found Dropbox changed (PD shows that track wrongly until it runs).
      if (!job.leftAccountId && !job.found && (await trackOwnerBusy(env, job.trackId))) {
        // The owner's Dropbox calls are busy (e.g. a Revoke All draining): the check steps aside for a few minutes
        // (it keeps its checked_at). Made claimable at once instead, every deferred check of a busy owner came back
        // every tick: 10,000 messages a minute behind a 10,000-track Revoke All, a backlog its last changes waited in.
        await env.DB.prepare('UPDATE dropbox_membership_checks SET enqueued_at = 0, due_at = ? WHERE track_id = ?')
          .bind(Date.now() + BUSY_OWNER_DEFER_MS, job.trackId)
          .run();
        return { outcome: "deferred: the owner's Dropbox calls are busy" };
      }
      const r = await checkTrackMembership(env, job.trackId, { leftAccountId: job.leftAccountId, memberAccountId: job.memberAccountId });
      if (r.result === 'retry') return { outcome: `retry: ${r.error}`, retry: r.delaySeconds };
      return { outcome: r.result };
    }
    default:
      return { outcome: 'skipped: unknown job kind' };
  }
}

/**
 * One queue invocation as the worker's entry runs it: under the per-invocation budget meter when the env asks for
 * it (tests; src/budget.ts). The test harness delivers its batches through this too.
 */
export function runQueueInvocation(batch: MessageBatch<Job>, env: Env, ctx?: ExecutionContext): Promise<JobResult[]> {
  const kinds = [...new Set(batch.messages.map((m) => (m.body as Job | undefined)?.kind ?? 'malformed'))].sort().join(',');
  return metered(`queue ${batch.queue} ${kinds}`, env, async (e) => {
    try {
      return await handleQueue(batch, e, ctx);
    } finally {
      // What this batch committed (a Dropbox change finishing or failing, a reconciliation) reaches open panels now.
      await publishLive(e, { maxAccounts: LIVE_MAX_ACCOUNTS_QUEUE });
    }
  });
}

/** The dead-letter queue of JOBS (wrangler.toml): its messages are recorded, never run again from here. */
export const DEAD_LETTER_QUEUE = 'pd-jobs-dlq';

export async function handleQueue(batch: MessageBatch<Job>, env: Env, _ctx?: ExecutionContext): Promise<JobResult[]> {
  if (batch.queue === DEAD_LETTER_QUEUE) {
    await recordDeadLetters(batch, env);
    return batch.messages.map((m) => ({ kind: (m.body as Job | undefined)?.kind ?? 'execute-change', outcome: 'dead letter recorded' }));
  }
  // Several notifications for one account in one batch: the newest covers the others.
  const newest = new Map<string, number>();
  for (const m of batch.messages) {
    if (m.body?.kind === 'reconcile-account') {
      newest.set(m.body.dropboxAccountId, Math.max(newest.get(m.body.dropboxAccountId) ?? 0, m.body.at));
    }
  }
  const taken = new Set<string>();
  return Promise.all(
    batch.messages.map(async (m): Promise<JobResult> => {
      const job = m.body;
      if (!job || typeof job !== 'object' || !('kind' in job)) {
        m.ack();
        return { kind: 'execute-change', outcome: 'skipped: malformed message' };
      }
      if (job.kind === 'reconcile-account') {
        if (taken.has(job.dropboxAccountId) || job.at < (newest.get(job.dropboxAccountId) ?? 0)) {
          m.ack();
          return { kind: job.kind, outcome: 'covered by another message of this batch' };
        }
        taken.add(job.dropboxAccountId);
        job.at = newest.get(job.dropboxAccountId) ?? job.at;
      }
      try {
        // A job that hangs (a stuck subrequest) must not hold the whole batch: give up on it and retry later. Its
        // D1 claim (running change / account lease) expires on its own, and nothing was committed half-way.
        const r = await Promise.race([
          runJob(job, env),
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`job timed out after ${JOB_TIMEOUT_MS} ms`)), JOB_TIMEOUT_MS)),
        ]);
        if (r.retry !== undefined) {
          const delaySeconds = Math.max(1, Math.min(43_200, Math.ceil(r.retry)));
          if (job.kind === 'execute-change') {
            // The change row counts its own attempts (and does not count 429s): send it afresh instead of using up
            // the message's delivery count, which is left for crashes (after 10 the message goes to the DLQ).
            try {
              await sendJobs(env.JOBS, [job], delaySeconds);
              m.ack();
            } catch {
              m.retry({ delaySeconds });
            }
          } else {
            m.retry({ delaySeconds });
          }
        } else m.ack();
        return { kind: job.kind, outcome: r.outcome, retryDelaySeconds: r.retry };
      } catch (e) {
        console.error(`job ${job.kind} failed`, e);
        const delay = backoffSeconds(m.attempts);
        m.retry({ delaySeconds: delay });
        return { kind: job.kind, outcome: `error: ${(e as Error)?.message ?? String(e)}`, retryDelaySeconds: delay };
      }
    }),
  );
}
