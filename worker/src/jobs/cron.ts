// Cron (every minute): the safety nets that do not depend on any webhook arriving.
// 1. Pending Dropbox changes that are due (or whose queue message was lost) go back on the queue.
// 2. Owner-side membership check: owners get no webhook when they change members in Dropbox, so the
//    membership of shared tracks is re-read on a rotation, oldest-checked first, tracks / SWEEP_WINDOW_MINUTES
//    per run (at least 100). Each check is its own queue message (its own subrequest budget); this handler only
//    makes a few D1 queries and one sendBatch per 100 tracks.
// 3. Accounts with a notification no completed walk covered (lease busy, walk failed, message lost or dead, first
//    reconcile after sign-in never ran) get a new run, with backoff (jobs/recovery.ts).
// 4. Retention: read notifications expire after 90 days (jobs/retention.ts).
// 5. Access schedules (issue 12, jobs/schedules.ts): ends of access whose time came, reminders, weekly digests.
import { resealTokens } from '../dropbox/tokens.ts';
import { enqueueDueChanges } from './execute.ts';
import { enqueueMissedReconciles } from './recovery.ts';
import { expireReadNotifications } from './retention.ts';
import { runAccessSchedules, type ScheduleSummary } from './schedules.ts';
import { sendJobs, type Job } from './messages.ts';

export { enqueueMissedReconciles };

/** Checks per tick at least (small installations), and at most (one tick's budget: 800 sendBatch + 17 statements). */
export const MEMBERSHIP_CHECKS_PER_RUN = 100;
export const MAX_MEMBERSHIP_CHECKS_PER_TICK = 80_000;
/**
 * Every track's membership is re-read at least once per this many minutes: the rate follows the number of tracks
 * (tracks / window per tick), so an owner-side change made directly in Dropbox is found within the window plus the
 * queue's latency, whatever the size (docs/SCALING.md, scripts/sweep-sim.mjs). Each check uses the owner's token,
 * paced per owner (src/dropbox/pace.ts), so a big owner's checks spread out on their own bucket.
 */
export const SWEEP_WINDOW_MINUTES = 12;
/** A check handed to the queue is not handed over again for this long (unless it completed). */
const CHECK_ENQUEUE_LEASE_MS = 10 * 60_000;
/** Tracks claimed per statement (RETURNING rows of one statement stay small). */
const CLAIM_CHUNK = 5_000;

export async function enqueueMembershipChecks(env: Pick<Env, 'DB' | 'JOBS'>, limit?: number, now = Date.now()): Promise<number> {
  let want = limit;
  if (want === undefined) {
    const row = await env.DB.prepare('SELECT count(*) AS n FROM dropbox_membership_checks').first<{ n: number }>();
    want = Math.min(MAX_MEMBERSHIP_CHECKS_PER_TICK, Math.max(MEMBERSHIP_CHECKS_PER_RUN, Math.ceil((row?.n ?? 0) / SWEEP_WINDOW_MINUTES)));
  }
  // New tracks join the rotation with checked_at = 0 (trigger in migration 0010), so they come first.
  const claimed: string[] = [];
  while (claimed.length < want) {
    const n = Math.min(CLAIM_CHUNK, want - claimed.length);
    const { results } = await env.DB
      .prepare(
        `UPDATE dropbox_membership_checks SET enqueued_at = ?1
         WHERE track_id IN (SELECT track_id FROM dropbox_membership_checks WHERE enqueued_at < ?2 ORDER BY checked_at LIMIT ?3)
         RETURNING track_id`,
      )
      .bind(now, now - CHECK_ENQUEUE_LEASE_MS, n)
      .all<{ track_id: string }>();
    claimed.push(...results.map((r) => r.track_id));
    if (results.length < n) break;
  }
  await sendJobs(env.JOBS, claimed.map((trackId): Job => ({ kind: 'check-track-membership', trackId })));
  return claimed.length;
}

export interface CronSummary {
  changes: number;
  membershipChecks: number;
  reconciles: number;
  expiredNotifications: number;
  schedules: ScheduleSummary;
}

export async function handleScheduled(_controller: ScheduledController | null, env: Env, _ctx?: ExecutionContext): Promise<CronSummary> {
  // Token key rotation (issue 8): re-seal a few rows still sealed with the previous key (worker/DROPBOX.md).
  await resealTokens(env).catch((e) => console.error('cron: re-sealing Dropbox tokens failed', e));
  // 5. First, so the Dropbox removals of accesses that expired this minute are queued by the step below.
  const schedules = await runAccessSchedules(env.DB);
  const changes = await enqueueDueChanges(env);
  const membershipChecks = await enqueueMembershipChecks(env);
  const reconciles = await enqueueMissedReconciles(env);
  // 4. Retention: read notifications older than 90 days (jobs/retention.ts).
  const expiredNotifications = await expireReadNotifications(env.DB);
  return { changes, membershipChecks, reconciles, expiredNotifications, schedules };
}
