// Nothing gets stuck: the bookkeeping that lets the cron pick up what a lost or failed queue message left behind.
//  - A reconcile walk that failed (or a message that died) leaves notified_at > last_started_at and a walk_retry_at:
//    the cron queues the account again with backoff (1, 2, 4 … 64 minutes, capped at an hour) until a walk completes.
//  - Sign-in's first reconcile has the same backup: if its queue message is lost, the cron queues it after a grace.
//  - The dead-letter queue's consumer records every dead message in D1 (dead_jobs), surfaced by /health, and hands
//    a dead reconcile back to the cron's backoff. Dead changes and membership checks need nothing more: the cron
//    already re-sends due pending changes and rotates the checks by their enqueued_at.
import { sendJobs, type Job } from './messages.ts';

/** The cron waits this long after sign-in before queuing the first reconcile itself (the queued one comes first). */
export const SIGN_IN_GRACE_MS = 3 * 60_000;
/** Accounts re-queued per cron tick (2 D1 queries and one sendBatch per 100). */
export const RECONCILES_PER_TICK = 100;

/** Backoff for the cron's next try after `failures` failed walks, as SQL over the row's walk_failures. */
const BACKOFF_SQL = 'min(3600000, 60000 * (1 << min(walk_failures, 6)))';

/** Sign-in queued the first reconcile: make sure the cron does it if that message never arrives. */
export function signInBackupStatement(db: D1Database, accountId: string, now = Date.now()): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO dropbox_account_sync (account_id, notified_at, walk_retry_at, updated_at) VALUES (?1, ?2, ?3, ?2)
       ON CONFLICT (account_id) DO UPDATE SET notified_at = max(notified_at, ?2), walk_retry_at = max(walk_retry_at, ?3)`,
    )
    .bind(accountId, now, now + SIGN_IN_GRACE_MS);
}

/** A walk for this Dropbox account failed (or its message died): the cron retries it with backoff. */
export function walkFailedStatement(db: D1Database, dropboxAccountId: string, at: number, now = Date.now()): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE dropbox_account_sync SET notified_at = max(notified_at, ?2), walk_failures = walk_failures + 1,
         walk_retry_at = ?3 + ${BACKOFF_SQL.replace('walk_failures', 'walk_failures + 1')}
       WHERE account_id = (SELECT account_id FROM dropbox_tokens WHERE dropbox_account_id = ?1)`,
    )
    .bind(dropboxAccountId, at, now);
}

/** A walk completed: the failure count starts over. */
export async function noteWalkSucceeded(db: D1Database, dropboxAccountId: string): Promise<void> {
  await db
    .prepare(
      `UPDATE dropbox_account_sync SET walk_failures = 0, walk_retry_at = 0
       WHERE walk_failures > 0 AND account_id = (SELECT account_id FROM dropbox_tokens WHERE dropbox_account_id = ?)`,
    )
    .bind(dropboxAccountId)
    .run();
}

/**
 * Cron: accounts with a notification no completed walk has covered (a busy lease, a failed walk, a lost or dead
 * message, a sign-in whose first reconcile never ran), due by their backoff, go back on the queue. Claiming moves
 * walk_retry_at ahead by the backoff, so a queued retry is not queued again every minute.
 */
export async function enqueueMissedReconciles(env: Pick<Env, 'DB' | 'JOBS'>, now = Date.now()): Promise<number> {
  const { results } = await env.DB.prepare(
    `UPDATE dropbox_account_sync SET walk_retry_at = ?1 + ${BACKOFF_SQL}
     WHERE account_id IN (
       SELECT s.account_id FROM dropbox_account_sync s JOIN dropbox_tokens t ON t.account_id = s.account_id
       WHERE s.notified_at > s.last_started_at AND s.lease_until < ?1 AND s.walk_retry_at <= ?1 AND t.needs_reauth = 0
       ORDER BY s.walk_retry_at LIMIT ?2)
     RETURNING account_id, notified_at`,
  )
    .bind(now, RECONCILES_PER_TICK)
    .all<{ account_id: string; notified_at: number }>();
  if (!results.length) return 0;
  const at = new Map(results.map((r) => [r.account_id, r.notified_at]));
  const ids = await env.DB.prepare(`SELECT account_id, dropbox_account_id FROM dropbox_tokens WHERE account_id IN (SELECT value FROM json_each(?))`)
    .bind(JSON.stringify([...at.keys()]))
    .all<{ account_id: string; dropbox_account_id: string }>();
  await sendJobs(
    env.JOBS,
    ids.results.map((r): Job => ({ kind: 'reconcile-account', dropboxAccountId: r.dropbox_account_id, at: at.get(r.account_id)! })),
  );
  return ids.results.length;
}

function subjectOf(job: Partial<Job> | undefined): string | null {
  if (!job || typeof job !== 'object') return null;
  if (job.kind === 'reconcile-account') return job.dropboxAccountId ?? null;
  if (job.kind === 'execute-change') return job.changeId ?? null;
  if (job.kind === 'check-track-membership') return job.trackId ?? null;
  return null;
}

const RECOVERY: Record<string, string> = {
  'reconcile-account': 'the cron retries this account with backoff',
  'execute-change': 'the cron hands the change over again when it is due',
  'check-track-membership': 'the membership rotation checks the track again',
};

/**
 * Consumer of the dead-letter queue: one batch of D1 statements per batch of dead messages (an insert each, plus the
 * walk-failed note for a dead reconcile). A message seen twice (redelivery) is recorded once.
 */
export async function recordDeadLetters(batch: MessageBatch<unknown>, env: Pick<Env, 'DB'>, now = Date.now()): Promise<number> {
  const db = env.DB;
  const stmts: D1PreparedStatement[] = [];
  for (const m of batch.messages) {
    const job = m.body as Partial<Job> | undefined;
    const kind = typeof job?.kind === 'string' ? job.kind : 'malformed';
    let body: string;
    try {
      body = JSON.stringify(m.body) ?? 'null';
    } catch {
      body = String(m.body);
    }
    console.error(`dead letter: ${kind} ${subjectOf(job) ?? ''} after ${m.attempts} deliveries`);
    stmts.push(
      db
        .prepare(
          `INSERT INTO dead_jobs (message_id, kind, subject, body, attempts, dead_at, recovery) VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (message_id) DO NOTHING`,
        )
        .bind(m.id, kind, subjectOf(job), body.slice(0, 2000), m.attempts, now, RECOVERY[kind] ?? 'none: malformed message'),
    );
    if (job?.kind === 'reconcile-account' && typeof job.dropboxAccountId === 'string') {
      stmts.push(walkFailedStatement(db, job.dropboxAccountId, Number(job.at) || now, now));
    }
  }
  if (stmts.length) await db.batch(stmts);
  for (const m of batch.messages) m.ack();
  return batch.messages.length;
}

export interface DeadLetterSummary {
  total: number;
  lastDay: number;
  lastAt: string | null;
  byKind: Record<string, number>;
  /** Accounts whose last walk failed and that the cron is retrying. */
  accountsRetrying: number;
}

/** What /health shows: counts only (no ids or bodies on a public route). One query. */
export async function deadLetterSummary(db: D1Database, now = Date.now()): Promise<DeadLetterSummary> {
  const row = await db
    .prepare(
      `SELECT (SELECT count(*) FROM dead_jobs) AS total,
              (SELECT count(*) FROM dead_jobs WHERE dead_at > ?1) AS last_day,
              (SELECT max(dead_at) FROM dead_jobs) AS last_at,
              (SELECT json_group_object(kind, n) FROM (SELECT kind, count(*) AS n FROM dead_jobs GROUP BY kind)) AS by_kind,
              (SELECT count(*) FROM dropbox_account_sync WHERE walk_failures > 0) AS retrying`,
    )
    .bind(now - 86_400_000)
    .first<{ total: number; last_day: number; last_at: number | null; by_kind: string | null; retrying: number }>();
  return {
    total: row?.total ?? 0,
    lastDay: row?.last_day ?? 0,
    lastAt: row?.last_at ? new Date(row.last_at).toISOString() : null,
    byKind: row?.by_kind ? (JSON.parse(row.by_kind) as Record<string, number>) : {},
    accountsRetrying: row?.retrying ?? 0,
  };
}
