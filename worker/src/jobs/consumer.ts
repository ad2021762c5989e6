// The JOBS queue consumer: dispatches each message by kind. Anything that should happen again is retried
// with a delay (message.retry); nothing is dropped on an unexpected error.
import { executeChange, backoffSeconds } from './execute.ts';
import { reconcileAccount, checkTrackMembership } from './reconcile.ts';
import type { Job } from './messages.ts';

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
      const r = await reconcileAccount(env, job.dropboxAccountId, job.at, { continued: job.continued });
      if (r.result === 'busy') return { outcome: 'busy', retry: 3 };
      if (r.result === 'retry') return { outcome: `retry: ${r.error}`, retry: r.delaySeconds };
      return { outcome: r.result };
    }
    case 'check-track-membership': {
      const r = await checkTrackMembership(env, job.trackId, { leftAccountId: job.leftAccountId, memberAccountId: job.memberAccountId });
      if (r.result === 'retry') return { outcome: `retry: ${r.error}`, retry: r.delaySeconds };
      return { outcome: r.result };
    }
    default:
      return { outcome: 'skipped: unknown job kind' };
  }
}

export async function handleQueue(batch: MessageBatch<Job>, env: Env, _ctx?: ExecutionContext): Promise<JobResult[]> {
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
        if (r.retry !== undefined) m.retry({ delaySeconds: Math.max(1, Math.min(43_200, Math.ceil(r.retry))) });
        else m.ack();
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
