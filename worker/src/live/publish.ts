// After an invocation that may have changed something (a mutating request, a webhook, a queue batch, a cron tick):
// drain the live outbox that D1 triggers fill on every commit (migration 0024) and poke the Durable Object of each
// affected account once. One place for every writer: nothing that commits can forget to publish.
//
// Budget: one D1 round trip (a batch of 2 statements: read the fan-out, delete what it covered) and at most
// `maxAccounts` Durable Object calls (subrequests) per invocation, whatever the input size. Accounts past that go
// back into the outbox (one more statement) for the next invocation or the cron (every minute); the extension's sync
// alarm remains the fallback.
import { chargeSubrequests } from '../budget.ts';
import { prepare, sql } from '../domain/sql.ts';

/** Outbox rows taken per invocation (a Revoke All of 10,000 tracks writes ~2 rows per track). */
export const LIVE_MAX_ROWS = 5000;
/** Durable Object calls per invocation at most (requests and cron ticks; a queue batch, which may have spent most
 *  of its subrequests on Dropbox, passes a smaller number). */
export const LIVE_MAX_ACCOUNTS = 100;
export const LIVE_MAX_ACCOUNTS_QUEUE = 40;
/** Outbox track id meaning "this account: re-read everything" (an overflow put back with too many tracks to list). */
const EVERYTHING = '*';
/** Above this many tracks for one account, the push says "re-read everything" (trackIds null). */
export const LIVE_MAX_TRACK_IDS = 50;
/** A collaborator whose row changed this recently still hears about the track (the one just removed included). */
export const LIVE_RECENT_MS = 10 * 60_000;

interface FanOutRow {
  account_id: string;
  track_ids: string | null;
  cursor: number;
}

export interface PublishResult {
  /** Outbox rows drained. */
  rows: number;
  /** Accounts poked. */
  accounts: number;
  /** Sockets that received a push. */
  delivered: number;
}

const taken = sql`SELECT id FROM live_outbox ORDER BY id LIMIT ${LIVE_MAX_ROWS}`;

/**
 * Who sees each changed track: rows for one account as written; rows for '' → the owner, active or invited
 * collaborators and those whose row changed in the last LIVE_RECENT_MS (by account, or by e-mail for an invitee who has
 * an account but has not joined). Grouped per account, with that account's sync cursor.
 */
const fanOut = (recentSince: string) => sql`
  WITH ev AS (SELECT DISTINCT track_id, account_id FROM live_outbox WHERE id IN (${taken})),
  who (account_id, track_id) AS (
    SELECT account_id, track_id FROM ev WHERE account_id <> ''
    UNION SELECT t.owner_id, t.id FROM ev JOIN tracks t ON t.id = ev.track_id WHERE ev.account_id = ''
    UNION SELECT c.account_id, c.track_id FROM ev JOIN collaborators c ON c.track_id = ev.track_id
          WHERE ev.account_id = '' AND c.account_id IS NOT NULL AND (c.status IN ('active', 'invited') OR c.updated_at >= ${recentSince})
    UNION SELECT a.id, c.track_id FROM ev JOIN collaborators c ON c.track_id = ev.track_id
          JOIN accounts a ON a.email_lower = c.email_lower
          WHERE ev.account_id = '' AND c.account_id IS NULL AND (c.status = 'invited' OR c.updated_at >= ${recentSince})
  )
  SELECT account_id,
         CASE WHEN count(*) > ${LIVE_MAX_TRACK_IDS} OR max(track_id = ${EVERYTHING}) THEN NULL
              ELSE json_group_array(track_id) END AS track_ids,
         (SELECT COALESCE(MAX(seq), 0) FROM library_changes lc WHERE lc.account_id = who.account_id) AS cursor
  FROM who GROUP BY account_id ORDER BY account_id`;

/** Drains the outbox and pokes each affected account's hub. Never throws (a lost push is caught by the next sync). */
export async function publishLive(
  env: Pick<Env, 'DB' | 'LIVE'>,
  { maxAccounts = LIVE_MAX_ACCOUNTS, now = Date.now() }: { maxAccounts?: number; now?: number } = {},
): Promise<PublishResult> {
  try {
    const [fan, del] = await env.DB.batch([
      prepare(env.DB, fanOut(new Date(now - LIVE_RECENT_MS).toISOString())),
      prepare(env.DB, sql`DELETE FROM live_outbox WHERE id IN (${taken})`),
    ]);
    const rows = fan.results as unknown as FanOutRow[];
    const deleted = del.meta.changes ?? 0;
    const targets = rows.slice(0, maxAccounts);
    const later = rows.slice(maxAccounts);
    if (later.length > 0) {
      // Past this invocation's share of subrequests: back into the outbox, for the next invocation or the cron.
      let pairs = later.flatMap((r) =>
        r.track_ids === null ? [[EVERYTHING, r.account_id]] : (JSON.parse(r.track_ids) as string[]).map((t) => [t, r.account_id]),
      );
      // A bound parameter stays small: past this many, each account is told "re-read everything".
      if (pairs.length > 2 * LIVE_MAX_ROWS) pairs = later.map((r) => [EVERYTHING, r.account_id]);
      await prepare(
        env.DB,
        sql`INSERT INTO live_outbox (track_id, account_id) SELECT value ->> 0, value ->> 1 FROM json_each(${JSON.stringify(pairs)})`,
      ).run();
    }
    if (targets.length === 0) return { rows: deleted, accounts: 0, delivered: 0 };
    chargeSubrequests(targets.length);
    const sent = await Promise.allSettled(
      targets.map((r) =>
        env.LIVE.get(env.LIVE.idFromName(r.account_id)).publish({
          trackIds: r.track_ids === null ? null : (JSON.parse(r.track_ids) as string[]),
          cursor: r.cursor,
        }),
      ),
    );
    for (const s of sent) if (s.status === 'rejected') console.error('live: a push failed (the next sync catches it)', s.reason);
    return {
      rows: deleted,
      accounts: targets.length,
      delivered: sent.reduce((n, s) => n + (s.status === 'fulfilled' ? s.value : 0), 0),
    };
  } catch (err) {
    console.error('live: publishing failed (the next sync catches it)', err);
    return { rows: 0, accounts: 0, delivered: 0 };
  }
}
