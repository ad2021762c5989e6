import type { HistoryEntry, HistoryKind } from '@pd/shared';
import { actorNameSql, trackAccess } from './access.ts';
import { newId, nowIso, runPlan, type Plan, type Via } from './db.ts';
import { prepare, raw, sql, type Sql } from './sql.ts';

/** INSERT of one history entry, made only `when` the guard holds (usually: this plan's stamp is present). */
export const insertHistory = (h: {
  trackId: string;
  kind: HistoryKind;
  actorId: string | null;
  via: Via;
  collaboratorId?: string | null;
  details?: Record<string, unknown>;
  now: string;
  when: Sql;
}): Sql => sql`INSERT INTO track_history (track_no, kind, actor_no, actor_name, via, collaborator_id, details, created_at)
  SELECT ${trackNo(h.trackId)}, ${kindCode(h.kind)}, ${accountNo(h.actorId)}, ${actorNameSql(h.actorId)}, ${h.via}, ${h.collaboratorId ?? null},
         ${JSON.stringify(h.details ?? {})}, ${historyTime(h.now)}
  WHERE ${h.when}`;

/**
 * How a history row stores its kind and time (migration 0029): the kind as its number in `history_kinds` (SQL
 * `kind` is the name, as text or an expression that gives one), the time as milliseconds since 1970 (from ISO).
 * A name with no number gives NULL, which the NOT NULL column refuses, so a new kind without its migration fails
 * loudly; test/core/migration-0029.test.ts checks every kind in HISTORY_KINDS has one.
 */
export const kindCode = (kind: string | Sql): Sql => sql`(SELECT code FROM history_kinds WHERE name = ${kind})`;
export const historyTime = (iso: string): number => Date.parse(iso);

/** Every kind PD writes to history: the API's kinds and the stored upload group. */
export const HISTORY_KINDS = {
  track_created: true,
  metadata_changed: true,
  tags_changed: true,
  splits_changed: true,
  archived: true,
  unarchived: true,
  file_uploaded: true,
  collaborator_invited: true,
  collaborator_joined: true,
  invitation_declined: true,
  invitation_cancelled: true,
  access_revoked: true,
  collaborator_left: true,
  access_level_changed: true,
  comment_pinned: true,
  comment_unpinned: true,
  access_expiry_set: true,
  access_expiry_removed: true,
  heads_up_sent: true,
  heads_up_cancelled: true,
  access_expired: true,
  dropbox_change_moot: true,
  access_ended_in_dropbox: true,
  role_changed: true,
  file_uploads: true,
} as const satisfies Record<HistoryKind | 'file_uploads', true>;

/**
 * The columns of a stored history row as the API names them (alias `h` for track_history), with the joins they
 * need: the kind's name, the actor's text id, the time as ISO.
 */
export const HISTORY_COLUMNS = `h.id, k.name AS kind, a.id AS actor_id, h.actor_name, h.via, h.collaborator_id, h.details,
  strftime('%Y-%m-%dT%H:%M:%fZ', h.created_at / 1000.0, 'unixepoch') AS created_at`;
export const HISTORY_JOINS = 'JOIN history_kinds k ON k.code = h.kind LEFT JOIN accounts a ON a.no = h.actor_no';

/** The integer key of a track / an account (migration 0027), for the tables that store it instead of the text id. */
export const trackNo = (trackId: string | Sql): Sql => sql`(SELECT no FROM tracks WHERE id = ${trackId})`;
export const accountNo = (accountId: string | null | Sql): Sql => sql`(SELECT no FROM accounts WHERE id = ${accountId})`;

export const trackStamped = (trackId: string, eventId: string): Sql =>
  sql`EXISTS (SELECT 1 FROM tracks WHERE id = ${trackId} AND event_id = ${eventId})`;

export interface RecordFileUploadInput {
  trackId: string;
  /** The PD account of the person who uploaded (null if Dropbox did not tell who). */
  actorId: string | null;
  path: string;
  via: Via;
  /** Extra facts to keep (e.g. rev, size). */
  details?: Record<string, unknown>;
}

/**
 * A file appeared in the track's folder: a history entry as that person's edit. The uploader's edit stays in
 * history after their access ends. Marks the track as updated.
 */
export async function planRecordFileUpload(db: D1Database, input: RecordFileUploadInput): Promise<Plan> {
  const now = nowIso();
  const eventId = newId('evt');
  return {
    eventId,
    statements: [
      prepare(db, sql`UPDATE tracks SET event_id = ${eventId}, updated_at = ${now} WHERE id = ${input.trackId}`),
      prepare(
        db,
        insertHistory({
          trackId: input.trackId,
          kind: 'file_uploaded',
          actorId: input.actorId,
          via: input.via,
          details: { path: input.path, ...input.details },
          now,
          when: trackStamped(input.trackId, eventId),
        }),
      ),
    ],
  };
}

export async function recordFileUpload(db: D1Database, input: RecordFileUploadInput): Promise<{ recorded: boolean }> {
  const results = await runPlan(db, await planRecordFileUpload(db, input));
  return { recorded: (results[1]?.meta.changes ?? 0) > 0 };
}

/**
 * Uploads found in Dropbox are stored compactly: one `track_history` row per (track, uploader) and reconcile batch,
 * of kind UPLOAD_GROUP_KIND, whose details are the files as lines (see uploadLine; null rev or size left empty).
 * The row's id is the LAST of a block of ids reserved for it, one per file (the block above every id taken before
 * it, so no other row ever takes one), and the history API hands each file out as its own `file_uploaded` entry:
 * file i of n gets id (row id − n + 1 + i), with the group's actor, via and time. So the entries, their ids and
 * paging are what one row per file gave, at a fraction of the bytes (bench/storage.md).
 */
export const UPLOAD_GROUP_KIND = 'file_uploads';
/** Files in one upload group at most (the reconcile batch is chunked so), which bounds how far a page looks up. */
export const MAX_UPLOAD_GROUP = 1000;
export type UploadedFile = [path: string, rev: string | null, size: number | null];

/**
 * One file of an upload group as stored (migration 0029 writes the same): `path TAB rev TAB size`, with a
 * backslash, tab or newline in the path written \\, \t, \n. The files of a group are joined by newlines, so the only
 * raw tabs and newlines are separators and the SQL `uploadCountSql` counts files by counting newlines.
 */
export const uploadLine = ([path, rev, size]: UploadedFile): string =>
  `${path.replace(/[\\\t\n]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : '\\n'))}\t${rev ?? ''}\t${size ?? ''}`;
export function parseUploads(details: string): UploadedFile[] {
  return details.split('\n').map((line) => {
    const [path, rev, size] = line.split('\t');
    return [path.replace(/\\([\\tn])/g, (_, c: string) => (c === 't' ? '\t' : c === 'n' ? '\n' : '\\')), rev || null, size ? Number(size) : null];
  });
}
/** SQL: the number of files in an upload group's details (column `details`). */
const uploadCountSql = `(length(details) - length(replace(details, char(10), '')) + 1)`;

export interface HistoryRow {
  id: number;
  kind: HistoryKind | typeof UPLOAD_GROUP_KIND;
  actor_id: string | null;
  actor_name: string;
  via: Via;
  collaborator_id: string | null;
  details: string;
  created_at: string;
}

/** Stored rows (newest first) as the history entries they stand for (newest first): upload groups expanded. */
export function expandHistoryRows(rows: HistoryRow[]): HistoryEntry[] {
  const out: HistoryEntry[] = [];
  for (const r of rows) {
    const base = { actor: { id: r.actor_id, name: r.actor_name }, via: r.via, collaboratorId: r.collaborator_id, createdAt: r.created_at };
    if (r.kind !== UPLOAD_GROUP_KIND) {
      out.push({ id: r.id, kind: r.kind, ...base, details: JSON.parse(r.details) as Record<string, unknown> });
      continue;
    }
    const files = parseUploads(r.details);
    for (let i = files.length - 1; i >= 0; i--) {
      const [path, rev, size] = files[i];
      out.push({
        id: r.id - files.length + 1 + i,
        kind: 'file_uploaded',
        ...base,
        details: { path, ...(rev !== null ? { rev } : {}), ...(size !== null ? { size } : {}) },
      });
    }
  }
  return out;
}

/** A track's history, newest first (owner and active collaborators). */
export async function listHistory(
  db: D1Database,
  input: { trackId: string; accountId: string; before?: number; limit: number; collaboratorId?: string | undefined },
): Promise<{ entries: HistoryEntry[]; nextBefore: number | null }> {
  await trackAccess(db, input.trackId, input.accountId);
  const before = input.before ?? Number.MAX_SAFE_INTEGER;
  // Rows with an entry below `before`: any row below it, or an upload group whose block starts below it (such a
  // row's id is less than MAX_UPLOAD_GROUP above, which keeps the look-up on the (track_id, id) index). Each row
  // has at least one such entry, so limit + 1 rows give more than a page whenever there is more; of those, only the
  // rows that start before the page's (limit + 1)th entry are returned (`below` counts each row's entries under
  // `before`), so a page of big upload groups does not bring back up to limit + 1 of them.
  const { results } = await prepare(
    db,
    sql`SELECT ${raw(HISTORY_COLUMNS)} FROM (
          SELECT *, sum(below) OVER (ORDER BY id DESC ROWS UNBOUNDED PRECEDING) - below AS earlier FROM (
            SELECT *, CASE WHEN kind = ${kindCode(UPLOAD_GROUP_KIND)} THEN min(id, ${before} - 1) - (id - ${raw(uploadCountSql)}) ELSE 1 END AS below
            FROM track_history WHERE track_no = ${trackNo(input.trackId)} AND id < ${Math.min(before + MAX_UPLOAD_GROUP, Number.MAX_SAFE_INTEGER)}
              AND (id < ${before} OR (kind = ${kindCode(UPLOAD_GROUP_KIND)} AND id - ${raw(uploadCountSql)} + 1 < ${before}))
              ${input.collaboratorId ? sql`AND collaborator_id = ${input.collaboratorId}` : raw('')}
            ORDER BY id DESC LIMIT ${input.limit + 1})) h
        ${raw(HISTORY_JOINS)}
        WHERE h.earlier < ${input.limit + 1} ORDER BY h.id DESC`,
  ).all<HistoryRow>();
  const entries = expandHistoryRows(results).filter((e) => e.id < before);
  const page = entries.slice(0, input.limit);
  return { entries: page, nextBefore: entries.length > input.limit ? page[page.length - 1].id : null };
}
