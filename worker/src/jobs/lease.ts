// Per-account lease in D1: at most one consumer walks an account's list_folder cursor at a time
// (Dropbox answers concurrent list_folder/continue calls for one user with rate-limit errors, and two
// walkers would process the same entries twice). Acquire = one conditional UPDATE; it fails while
// another holder's lease is still in the future. A crashed holder's lease simply runs out.

export const LEASE_MS = 120_000;

export async function acquireAccountLease(db: D1Database, accountId: string, holder: string, now = Date.now()): Promise<boolean> {
  const [, upd] = await db.batch([
    db.prepare('INSERT OR IGNORE INTO dropbox_account_sync (account_id, updated_at) VALUES (?, ?)').bind(accountId, now),
    db
      .prepare('UPDATE dropbox_account_sync SET lease_until = ?, lease_holder = ?, updated_at = ? WHERE account_id = ? AND lease_until < ?')
      .bind(now + LEASE_MS, holder, now, accountId, now),
  ]);
  return (upd.meta.changes ?? 0) === 1;
}

/** Statement that extends the lease; put it in the same batch as each page's changes. */
export function extendLease(db: D1Database, accountId: string, holder: string, now = Date.now()): D1PreparedStatement {
  return db
    .prepare('UPDATE dropbox_account_sync SET lease_until = ?, updated_at = ? WHERE account_id = ? AND lease_holder = ?')
    .bind(now + LEASE_MS, now, accountId, holder);
}

/**
 * Fencing (migration 0015): the first statement of every batch a walk writes. A trigger aborts the whole batch
 * unless `holder` still holds the lease, so a walk slower than its lease writes nothing after another took over
 * (it cannot move that walk's cursor backwards, nor apply what it read under an older cursor).
 */
export function fenceStatement(db: D1Database, accountId: string, holder: string): D1PreparedStatement {
  return db.prepare('UPDATE dropbox_account_sync SET fence = ? WHERE account_id = ?').bind(holder, accountId);
}

export async function releaseAccountLease(
  db: D1Database,
  accountId: string,
  holder: string,
  fields: { startedAt?: number; error?: string | null } = {},
): Promise<void> {
  const now = Date.now();
  if (fields.startedAt !== undefined) {
    await db
      .prepare(
        `UPDATE dropbox_account_sync SET lease_until = 0, lease_holder = NULL, last_started_at = max(last_started_at, ?),
           last_finished_at = ?, last_error = NULL, updated_at = ? WHERE account_id = ? AND lease_holder = ?`,
      )
      .bind(fields.startedAt, now, now, accountId, holder)
      .run();
  } else {
    await db
      .prepare(
        'UPDATE dropbox_account_sync SET lease_until = 0, lease_holder = NULL, last_error = ?, updated_at = ? WHERE account_id = ? AND lease_holder = ?',
      )
      .bind(fields.error ?? null, now, accountId, holder)
      .run();
  }
}

/** A notification arrived while someone else held the lease: remember it so the cron can catch a lost rerun. */
export async function noteNotified(db: D1Database, accountId: string, at: number): Promise<void> {
  await db.prepare('UPDATE dropbox_account_sync SET notified_at = max(notified_at, ?) WHERE account_id = ?').bind(at, accountId).run();
}
