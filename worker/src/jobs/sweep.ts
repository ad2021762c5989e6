// The owner-side membership sweep (issue 10, part 4). Owners get no webhook when they remove, downgrade or add a
// member directly in Dropbox, so each shared track's members are re-read with the owner's token when its check is
// due. How soon depends on whether the track needs it (nextCheckStatement); what a webhook already covered is
// skipped (a walk that re-read a track's members schedules its next check as the sweep would). The cron hands every
// due check to the queue, earliest first, up to MAX_MEMBERSHIP_CHECKS_PER_TICK a tick.
import { sendJobs, type Job } from './messages.ts';

/** Checks per tick at most (one tick's budget: 800 sendBatch + 17 statements). */
export const MAX_MEMBERSHIP_CHECKS_PER_TICK = 80_000;
/**
 * A track that needs it is re-read at least once per this many minutes: one with a member or invitee no webhook
 * speaks for (not a PD user with Dropbox linked), recent activity, or not yet released. Each check uses the owner's
 * token, paced per owner (src/dropbox/pace.ts). Model and numbers: scripts/sweep-sim.mjs, bench/sweep.md.
 */
export const SWEEP_WINDOW_MINUTES = 12;
/**
 * Every other track (released, quiet, every member a PD user): a member's removal unmounts the folder from their
 * tree and their own webhook brings it to PD within seconds, so the sweep is only the safety net for what no
 * webhook shows (a downgrade, a member added in Dropbox) and for a webhook that never came.
 */
export const QUIET_TRACK_CHECK_MINUTES = 360;
/** "Recent activity": the track changed within this many days. */
export const RECENT_ACTIVITY_DAYS = 14;
/** A check handed to the queue is not handed over again for this long (unless it completed). */
const CHECK_ENQUEUE_LEASE_MS = 10 * 60_000;
/** Tracks claimed per statement (RETURNING rows of one statement stay small). */
const CLAIM_CHUNK = 5_000;

/**
 * The statement that schedules a track's next owner-side check after its members were re-read (by the sweep's check
 * or by a webhook walk that re-read them anyway — then the sweep skips it): due in SWEEP_WINDOW_MINUTES if the track
 * needs it, else QUIET_TRACK_CHECK_MINUTES; ±10% so checks made together do not come due together.
 */
export function nextCheckStatement(db: D1Database, trackId: string, error: string | null, now = Date.now()): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE dropbox_membership_checks SET checked_at = ?1, enqueued_at = 0, last_error = ?2,
         due_at = ?1 + (CASE WHEN EXISTS (
             SELECT 1 FROM tracks t WHERE t.id = ?3 AND (t.stage <> 'released' OR t.updated_at > ?4))
           OR EXISTS (
             SELECT 1 FROM collaborators c LEFT JOIN dropbox_tokens d ON d.account_id = c.account_id AND d.needs_reauth = 0
             WHERE c.track_id = ?3 AND c.status IN ('active', 'invited') AND d.account_id IS NULL)
           THEN ?5 ELSE ?6 END) * (0.9 + (abs(random()) % 1000) / 5000.0)
       WHERE track_id = ?3`,
    )
    .bind(
      now,
      error,
      trackId,
      new Date(now - RECENT_ACTIVITY_DAYS * 86_400_000).toISOString(),
      SWEEP_WINDOW_MINUTES * 60_000,
      QUIET_TRACK_CHECK_MINUTES * 60_000,
    );
}

export async function enqueueMembershipChecks(
  env: Pick<Env, 'DB' | 'JOBS'>,
  limit = MAX_MEMBERSHIP_CHECKS_PER_TICK,
  now = Date.now(),
): Promise<number> {
  // Every track whose check is due, earliest first (new and imported tracks are due at 0), up to the tick's cap.
  const claimed: string[] = [];
  while (claimed.length < limit) {
    const n = Math.min(CLAIM_CHUNK, limit - claimed.length);
    const { results } = await env.DB.prepare(
      `UPDATE dropbox_membership_checks SET enqueued_at = ?1
         WHERE track_id IN (SELECT track_id FROM dropbox_membership_checks WHERE due_at <= ?1 AND enqueued_at < ?2 ORDER BY due_at LIMIT ?3)
         RETURNING track_id`,
    )
      .bind(now, now - CHECK_ENQUEUE_LEASE_MS, n)
      .all<{ track_id: string }>();
    claimed.push(...results.map((r) => r.track_id));
    if (results.length < n) break;
  }
  await sendJobs(
    env.JOBS,
    claimed.map((trackId): Job => ({ kind: 'check-track-membership', trackId })),
  );
  return claimed.length;
}
