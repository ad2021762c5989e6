// The library (per person) and sync: "what changed in my library since cursor N".
import type { LibraryChange, LibraryChangeKind, LibraryChangeReason, LibraryItem, MyRole, Stage } from '@pd/shared';
import { toTrackSummary, type TrackRow } from './rows.ts';
import { prepare, raw, sql, type Sql } from './sql.ts';

interface LibraryRow extends TrackRow {
  le_project: string | null;
  le_hidden: number;
  my_access_level: 'editor' | 'viewer' | null;
  my_access_expires_at: string | null;
  collaborator_count: number | null;
}

/** Columns of a library item: the track, its owner's name, the caller's placement and role. */
const ITEM_COLUMNS = raw(`t.*, o.display_name AS owner_name, le.project AS le_project, le.hidden AS le_hidden,
  (SELECT c.access_level FROM collaborators c WHERE c.track_id = t.id AND c.account_id = le.account_id AND c.status = 'active') AS my_access_level,
  (SELECT c.access_expires_at FROM collaborators c WHERE c.track_id = t.id AND c.account_id = le.account_id AND c.status = 'active') AS my_access_expires_at,
  (SELECT count(*) FROM collaborators c WHERE c.track_id = t.id AND c.status IN ('active', 'invited')) AS collaborator_count`);

const toItem = (r: LibraryRow, accountId: string): LibraryItem => ({
  track: toTrackSummary(r),
  myRole: (r.owner_id === accountId ? 'owner' : (r.my_access_level ?? 'viewer')) as MyRole,
  project: r.le_project,
  hidden: r.le_hidden === 1,
  collaboratorCount: r.collaborator_count ?? 0,
  accessEndsAt: r.owner_id === accountId ? null : (r.my_access_expires_at ?? null),
});

export interface LibraryFilter {
  accountId: string;
  project?: string;
  stage?: Stage;
  archived: 'true' | 'false' | 'any';
  hidden: 'true' | 'false' | 'any';
  limit: number;
  before?: string;
}

const boolFilter = (column: string, v: 'true' | 'false' | 'any'): Sql => (v === 'any' ? raw('') : raw(`AND ${column} = ${v === 'true' ? 1 : 0}`));

/**
 * The library page: walks the person's entries in index order (account_id, in_library, track_id) newest first;
 * filters are checked per entry, so there is no full scan and no sort.
 */
export const libraryQuery = (f: LibraryFilter): Sql => sql`
  SELECT ${ITEM_COLUMNS}
  FROM library_entries le
  JOIN tracks t ON t.id = le.track_id
  JOIN accounts o ON o.id = t.owner_id
  WHERE le.account_id = ${f.accountId} AND le.in_library = 1
    ${f.before ? sql`AND le.track_id < ${f.before}` : raw('')}
    ${f.project !== undefined ? sql`AND le.project = ${f.project}` : raw('')}
    ${f.stage !== undefined ? sql`AND t.stage = ${f.stage}` : raw('')}
    ${boolFilter('t.archived', f.archived)}
    ${boolFilter('le.hidden', f.hidden)}
  ORDER BY le.track_id DESC
  LIMIT ${f.limit + 1}`;

export const cursorQuery = (accountId: string): Sql =>
  sql`SELECT COALESCE(MAX(seq), 0) AS cursor FROM library_changes WHERE account_id = ${accountId}`;

export async function listLibrary(db: D1Database, f: LibraryFilter): Promise<{ items: LibraryItem[]; nextBefore: string | null; cursor: number }> {
  // Cursor first, in the same batch: a change landing after this read is seen by the next sync.
  const [cursorRes, pageRes] = await db.batch([prepare(db, cursorQuery(f.accountId)), prepare(db, libraryQuery(f))]);
  const rows = pageRes.results as LibraryRow[];
  const page = rows.slice(0, f.limit);
  return {
    items: page.map((r) => toItem(r, f.accountId)),
    nextBefore: rows.length > f.limit ? page[page.length - 1].id : null,
    cursor: (cursorRes.results[0] as { cursor: number }).cursor,
  };
}

interface ChangeRow extends LibraryRow {
  seq: number;
  change_track_id: string;
  change: LibraryChangeKind;
  reason: LibraryChangeReason;
  change_at: string;
  le_in_library: number | null;
}

/**
 * Changes with seq > cursor for one person, each with the track's current state if it is still in their library.
 * One indexed query (account_id, seq); nothing new costs one index probe.
 */
export const syncQuery = (accountId: string, cursor: number, limit: number): Sql => sql`
  SELECT lc.seq, lc.track_id AS change_track_id, lc.change, lc.reason, lc.created_at AS change_at,
         le.in_library AS le_in_library, ${ITEM_COLUMNS}
  FROM library_changes lc
  LEFT JOIN library_entries le ON le.account_id = lc.account_id AND le.track_id = lc.track_id AND le.in_library = 1
  LEFT JOIN tracks t ON t.id = le.track_id
  LEFT JOIN accounts o ON o.id = t.owner_id
  WHERE lc.account_id = ${accountId} AND lc.seq > ${cursor}
  ORDER BY lc.seq
  LIMIT ${limit + 1}`;

export async function sync(
  db: D1Database,
  input: { accountId: string; cursor: number; limit: number; sessionHash?: string },
): Promise<{ changes: LibraryChange[]; cursor: number; hasMore: boolean }> {
  // The cursor asked from says this session has every change up to it: recorded (only forward), in the same round
  // trip, so retention can prune the changes every live session has passed (jobs/retention.ts).
  const passed =
    input.sessionHash && input.cursor > 0
      ? [
          db
            .prepare('UPDATE sessions SET sync_cursor = ?1 WHERE token_hash = ?2 AND coalesce(sync_cursor, -1) < ?1')
            .bind(input.cursor, input.sessionHash),
        ]
      : [];
  const [res] = await db.batch([prepare(db, syncQuery(input.accountId, input.cursor, input.limit)), ...passed]);
  const results = res.results as ChangeRow[];
  const page = results.slice(0, input.limit);
  return {
    changes: page.map((r) => ({
      seq: r.seq,
      trackId: r.change_track_id,
      change: r.change,
      reason: r.reason,
      item: r.le_in_library === 1 && r.id ? toItem(r, input.accountId) : null,
      at: r.change_at,
    })),
    cursor: page.length > 0 ? page[page.length - 1].seq : input.cursor,
    hasMore: results.length > input.limit,
  };
}
