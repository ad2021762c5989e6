// "The database is unchanged": row count and a SHA-256 of the contents of every table (found in sqlite_master, so
// a table added by a later migration is covered without touching this file).
import { env } from 'cloudflare:test';

/**
 * Columns written by the background Dropbox-change executor (queue consumer) after an earlier, accepted request:
 * they can move while a later request runs, so they are left out of the checksum. Row counts and every other
 * column of these tables are still compared.
 */
const BACKGROUND_COLUMNS: Record<string, string[]> = {
  dropbox_changes: ['status', 'attempts', 'last_error', 'next_attempt_at', 'updated_at', 'params', 'claim_id', 'rate_limited'],
  dropbox_tokens: ['access_token', 'access_token_expires_at', 'needs_reauth', 'reauth_reason', 'updated_at'],
  dropbox_account_sync: [
    'cursor',
    'lease_until',
    'lease_holder',
    'notified_at',
    'last_started_at',
    'last_finished_at',
    'last_error',
    'updated_at',
    'walk_failures',
    'walk_retry_at',
  ],
  dropbox_membership_checks: ['checked_at', 'enqueued_at', 'last_error'],
};

/**
 * Tables that only count Dropbox calls (the per-account pacing bucket, 0017): any request that asks Dropbox
 * something — a rejected one included — takes a token there. Not product state; left out.
 */
const BOOKKEEPING_TABLES = new Set(['dropbox_pace']);

let tableNames: string[] | null = null;

export async function allTables(): Promise<string[]> {
  if (!tableNames) {
    const { results } = await env.DB.prepare(
      `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name != 'd1_migrations' ORDER BY name`,
    ).all<{ name: string }>();
    tableNames = results.map((r) => r.name).filter((n) => !BOOKKEEPING_TABLES.has(n));
  }
  return tableNames;
}

export type DbState = Record<string, { rows: number; sha256: string }>;

const hex = (buf: ArrayBuffer) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');

/** Count and content checksum of every table (rows sorted, so the order D1 returns them in does not matter). */
export async function dbState(): Promise<DbState> {
  const tables = await allTables();
  const results = await env.DB.batch(tables.map((t) => env.DB.prepare(`SELECT * FROM "${t}"`)));
  const state: DbState = {};
  for (let i = 0; i < tables.length; i++) {
    const skip = BACKGROUND_COLUMNS[tables[i]] ?? [];
    const rows = (results[i].results as Record<string, unknown>[]).map((r) => JSON.stringify(Object.entries(r).filter(([k]) => !skip.includes(k))));
    rows.sort();
    state[tables[i]] = {
      rows: rows.length,
      sha256: hex(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(rows.join('\n')))),
    };
  }
  return state;
}

/**
 * SQLite's count of rows written through the database connection so far (less the Dropbox pacing bookkeeping). Equal before and after a request means
 * that nothing at all was written (by the request or by anything in the background); the content snapshot above
 * is only needed to tell the two apart when it moved.
 */
export async function writesSoFar(): Promise<number> {
  // Less the pacing bucket's bookkeeping (BOOKKEEPING_TABLES): each token taken or 429 noted is one row written and
  // one added to calls / rate_limited, so subtracting their sum leaves exactly the other writes.
  const r = await env.DB.prepare('SELECT total_changes() - (SELECT coalesce(sum(calls) + sum(rate_limited), 0) FROM dropbox_pace) AS n').first<{
    n: number;
  }>();
  return r!.n;
}

/** Tables whose count or content differ, e.g. ["comments: 3 → 4 rows"]. Empty when nothing changed. */
export function diffState(before: DbState, after: DbState): string[] {
  const out: string[] = [];
  for (const t of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const a = before[t];
    const b = after[t];
    if (!a || !b) out.push(`${t}: table ${a ? 'dropped' : 'created'}`);
    else if (a.rows !== b.rows) out.push(`${t}: ${a.rows} → ${b.rows} rows`);
    else if (a.sha256 !== b.sha256) out.push(`${t}: contents changed`);
  }
  return out;
}

/** Every text value of every row of every table (for "no plaintext secret anywhere in the database"). */
export async function everyStoredValue(): Promise<{ table: string; column: string; value: string }[]> {
  const tables = await allTables();
  const results = await env.DB.batch(tables.map((t) => env.DB.prepare(`SELECT * FROM "${t}"`)));
  const out: { table: string; column: string; value: string }[] = [];
  tables.forEach((table, i) => {
    for (const row of results[i].results as Record<string, unknown>[]) {
      for (const [column, v] of Object.entries(row)) {
        if (v === null || v === undefined) continue;
        const value =
          v instanceof ArrayBuffer
            ? new TextDecoder().decode(v)
            : Array.isArray(v)
              ? new TextDecoder().decode(new Uint8Array(v as number[]))
              : String(v);
        out.push({ table, column, value });
      }
    }
  });
  return out;
}
