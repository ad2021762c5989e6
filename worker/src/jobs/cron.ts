// Cron (every minute): the safety nets that do not depend on any webhook arriving.
// 1. Pending Dropbox changes that are due (or whose queue message was lost) go back on the queue.
// 2. Owner-side membership check: owners get no webhook when they change members in Dropbox, so each shared track's
//    membership is re-read when its check is due — every SWEEP_WINDOW_MINUTES for tracks that need it, every
//    QUIET_TRACK_CHECK_MINUTES for the rest (their members' webhooks cover removals); a webhook walk that re-read a
//    track's members counts as its check. Each check is its own queue message (its own subrequest budget); this
//    handler only makes a few D1 queries and one sendBatch per 100 tracks.
// 3. Accounts with a notification no completed walk covered (lease busy, walk failed, message lost or dead, first
//    reconcile after sign-in never ran) get a new run, with backoff (jobs/recovery.ts).
// 4. Retention that loses nothing a user can see: old read notifications, library changes every session has synced
//    past, claim ids of old seen revisions, long-done Dropbox changes (jobs/retention.ts; bounded per tick).
// 5. Access schedules (issue 12, jobs/schedules.ts): ends of access whose time came, reminders, weekly digests.
import { resealTokens } from '../dropbox/tokens.ts';
import { enqueueDueChanges } from './execute.ts';
import { enqueueMissedReconciles } from './recovery.ts';
import { runRetention, type RetentionSummary } from './retention.ts';
import { runAccessSchedules, type ScheduleSummary } from './schedules.ts';
import { enqueueMembershipChecks } from './sweep.ts';

export { enqueueMissedReconciles };

export {
  MAX_MEMBERSHIP_CHECKS_PER_TICK,
  QUIET_TRACK_CHECK_MINUTES,
  SWEEP_WINDOW_MINUTES,
  enqueueMembershipChecks,
  nextCheckStatement,
} from './sweep.ts';

export interface CronSummary {
  changes: number;
  membershipChecks: number;
  reconciles: number;
  expiredNotifications: number;
  retention: RetentionSummary;
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
  // 4. Retention (jobs/retention.ts): one batch of four bounded statements.
  const retention = await runRetention(env.DB);
  return { changes, membershipChecks, reconciles, expiredNotifications: retention.notifications, retention, schedules };
}
