// Retention that loses nothing a user can see (issue 10, part 5). Each rule is one bounded statement per cron tick
// (at most PRUNE_PER_TICK rows), so a backlog drains over ticks and no tick goes past its budget:
//  - notifications read more than NOTIFICATION_RETENTION_DAYS ago are deleted (unread ones stay whatever their age);
//  - library changes every live session of their person has passed (GET /sync recorded a cursor at or past them)
//    are deleted: no browser will ask for them again. A person with a live session that never synced keeps them all;
//  - seen file revisions older than SEEN_FILE_COMPACT_AFTER_DAYS lose their claim id and time (only the batch that
//    claimed a revision reads the id, and only this rule the time; the row itself stays, so a revision is still
//    recorded once);
//  - Dropbox changes done more than DONE_CHANGE_RETENTION_DAYS ago are deleted (PD shows pending, running and failed
//    ones; the track's history keeps what happened).
// History, comments, collaborators, invitations and library entries are never pruned. Bytes per track before and
// after: bench/storage.md (worker/bench/storage.mjs).
export const NOTIFICATION_RETENTION_DAYS = 90;
export const SEEN_FILE_COMPACT_AFTER_DAYS = 7;
export const DONE_CHANGE_RETENTION_DAYS = 30;
export const PRUNE_PER_TICK = 5_000;

const DAY_MS = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

export async function expireReadNotifications(db: D1Database, now = Date.now()): Promise<number> {
  const r = await expireReadNotificationsStatement(db, now).run();
  return r.meta.changes ?? 0;
}

const expireReadNotificationsStatement = (db: D1Database, now: number) =>
  db
    .prepare(
      `DELETE FROM notifications WHERE rowid IN (
         SELECT rowid FROM notifications WHERE read_at IS NOT NULL AND read_at < ? ORDER BY read_at LIMIT ?)`,
    )
    .bind(iso(now - NOTIFICATION_RETENTION_DAYS * DAY_MS), PRUNE_PER_TICK);

/** Library changes at or below the lowest sync cursor of their person's live sessions, when every one has synced. */
const pruneLibraryChangesStatement = (db: D1Database, now: number) =>
  db
    .prepare(
      `DELETE FROM library_changes WHERE seq IN (
         SELECT lc.seq FROM (
           SELECT account_id, min(sync_cursor) AS passed FROM sessions
           WHERE expires_at > ?1 AND coalesce(absolute_expires_at, expires_at) > ?1
           GROUP BY account_id HAVING count(*) = count(sync_cursor)) s
         JOIN library_changes lc ON lc.account_id = s.account_id AND lc.seq <= s.passed
         LIMIT ?2)`,
    )
    .bind(iso(now), PRUNE_PER_TICK);

const compactSeenFilesStatement = (db: D1Database, now: number) =>
  db
    .prepare(
      `UPDATE dropbox_seen_files SET claimed_by = '', seen_at = 0 WHERE (track_no, file_key) IN (
         SELECT track_no, file_key FROM dropbox_seen_files WHERE claimed_by <> '' AND seen_at < ? LIMIT ?)`,
    )
    .bind(now - SEEN_FILE_COMPACT_AFTER_DAYS * DAY_MS, PRUNE_PER_TICK);

const pruneDoneChangesStatement = (db: D1Database, now: number) =>
  db
    .prepare(
      `DELETE FROM dropbox_changes WHERE id IN (
         SELECT id FROM dropbox_changes WHERE status = 'done' AND updated_at < ? LIMIT ?)`,
    )
    .bind(iso(now - DONE_CHANGE_RETENTION_DAYS * DAY_MS), PRUNE_PER_TICK);

export interface RetentionSummary {
  notifications: number;
  libraryChanges: number;
  seenFilesCompacted: number;
  doneChanges: number;
}

/** One cron tick of retention: four bounded statements in one batch (4 D1 statements, ≤ PRUNE_PER_TICK rows each). */
export async function runRetention(db: D1Database, now = Date.now()): Promise<RetentionSummary> {
  const [n, l, s, d] = await db.batch([
    expireReadNotificationsStatement(db, now),
    pruneLibraryChangesStatement(db, now),
    compactSeenFilesStatement(db, now),
    pruneDoneChangesStatement(db, now),
  ]);
  const changes = (r: D1Result) => r.meta.changes ?? 0;
  return { notifications: changes(n), libraryChanges: changes(l), seenFilesCompacted: changes(s), doneChanges: changes(d) };
}
