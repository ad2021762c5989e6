// Cron (every minute): the safety nets that do not depend on any webhook arriving.
// 1. Pending Dropbox changes that are due (or whose queue message was lost) go back on the queue.
// 2. Owner-side membership check: owners get no webhook when they change members in Dropbox, so the
//    membership of shared tracks is re-read on a rotation, oldest-checked first, MEMBERSHIP_CHECKS_PER_RUN
//    tracks per run. Each check is its own queue message (its own subrequest budget); this handler only
//    makes a few D1 queries and one sendBatch per 100 tracks.
// 3. Accounts whose notification found the lease taken and that were not reconciled since get a new run.
import { resealTokens } from '../dropbox/tokens.ts';
import { enqueueDueChanges } from './execute.ts';
import { sendJobs, type Job } from './messages.ts';

export const MEMBERSHIP_CHECKS_PER_RUN = 100;
/** A check handed to the queue is not handed over again for this long (unless it completed). */
const CHECK_ENQUEUE_LEASE_MS = 10 * 60_000;

export async function enqueueMembershipChecks(env: Pick<Env, 'DB' | 'JOBS'>, limit = MEMBERSHIP_CHECKS_PER_RUN, now = Date.now()): Promise<number> {
  // New tracks join the rotation with checked_at = 0 (trigger in migration 0010), so they come first.
  const { results } = await env.DB
    .prepare(
      `UPDATE dropbox_membership_checks SET enqueued_at = ?1
       WHERE track_id IN (SELECT track_id FROM dropbox_membership_checks WHERE enqueued_at < ?2 ORDER BY checked_at LIMIT ?3)
       RETURNING track_id`,
    )
    .bind(now, now - CHECK_ENQUEUE_LEASE_MS, limit)
    .all<{ track_id: string }>();
  await sendJobs(env.JOBS, results.map((r): Job => ({ kind: 'check-track-membership', trackId: r.track_id })));
  return results.length;
}

export async function enqueueMissedReconciles(env: Pick<Env, 'DB' | 'JOBS'>, now = Date.now()): Promise<number> {
  const { results } = await env.DB.prepare(
    `SELECT t.dropbox_account_id, s.notified_at FROM dropbox_account_sync s JOIN dropbox_tokens t ON t.account_id = s.account_id
     WHERE s.notified_at > s.last_started_at AND s.lease_until < ? AND t.needs_reauth = 0 LIMIT 100`,
  )
    .bind(now)
    .all<{ dropbox_account_id: string; notified_at: number }>();
  await sendJobs(env.JOBS, results.map((r): Job => ({ kind: 'reconcile-account', dropboxAccountId: r.dropbox_account_id, at: r.notified_at })));
  return results.length;
}

export interface CronSummary {
  changes: number;
  membershipChecks: number;
  reconciles: number;
}

export async function handleScheduled(_controller: ScheduledController | null, env: Env, _ctx?: ExecutionContext): Promise<CronSummary> {
  // Token key rotation (issue 8): re-seal a few rows still sealed with the previous key (worker/DROPBOX.md).
  await resealTokens(env).catch((e) => console.error('cron: re-sealing Dropbox tokens failed', e));
  const changes = await enqueueDueChanges(env);
  const membershipChecks = await enqueueMembershipChecks(env);
  const reconciles = await enqueueMissedReconciles(env);
  return { changes, membershipChecks, reconciles };
}
