// Retention that loses nothing a user still needs (issue 10, part 5 — the first piece): a notification that was read
// more than NOTIFICATION_RETENTION_DAYS ago is deleted. Unread ones stay whatever their age; history, comments and
// collaborator records are never pruned. Bounded per cron tick (one statement, at most PRUNE_PER_TICK rows).
export const NOTIFICATION_RETENTION_DAYS = 90;
export const PRUNE_PER_TICK = 5_000;

export async function expireReadNotifications(db: D1Database, now = Date.now()): Promise<number> {
  const cutoff = new Date(now - NOTIFICATION_RETENTION_DAYS * 86_400_000).toISOString();
  const r = await db
    .prepare(
      `DELETE FROM notifications WHERE rowid IN (
         SELECT rowid FROM notifications WHERE read_at IS NOT NULL AND read_at < ? ORDER BY read_at LIMIT ?)`,
    )
    .bind(cutoff, PRUNE_PER_TICK)
    .run();
  return r.meta.changes ?? 0;
}
