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
}): Sql => sql`INSERT INTO track_history (track_id, kind, actor_id, actor_name, via, collaborator_id, details, created_at)
  SELECT ${h.trackId}, ${h.kind}, ${h.actorId}, ${actorNameSql(h.actorId)}, ${h.via}, ${h.collaboratorId ?? null},
         ${JSON.stringify(h.details ?? {})}, ${h.now}
  WHERE ${h.when}`;

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

interface HistoryRow {
  id: number;
  kind: HistoryKind;
  actor_id: string | null;
  actor_name: string;
  via: Via;
  collaborator_id: string | null;
  details: string;
  created_at: string;
}

/** A track's history, newest first (owner and active collaborators). */
export async function listHistory(
  db: D1Database,
  input: { trackId: string; accountId: string; before?: number; limit: number; collaboratorId?: string | undefined },
): Promise<{ entries: HistoryEntry[]; nextBefore: number | null }> {
  await trackAccess(db, input.trackId, input.accountId);
  const { results } = await prepare(
    db,
    sql`SELECT * FROM track_history WHERE track_id = ${input.trackId} AND id < ${input.before ?? Number.MAX_SAFE_INTEGER}
        ${input.collaboratorId ? sql`AND collaborator_id = ${input.collaboratorId}` : raw('')}
        ORDER BY id DESC LIMIT ${input.limit + 1}`,
  ).all<HistoryRow>();
  const page = results.slice(0, input.limit);
  return {
    entries: page.map((r) => ({
      id: r.id,
      kind: r.kind,
      actor: { id: r.actor_id, name: r.actor_name },
      via: r.via,
      collaboratorId: r.collaborator_id,
      details: JSON.parse(r.details) as Record<string, unknown>,
      createdAt: r.created_at,
    })),
    nextBefore: results.length > input.limit ? page[page.length - 1].id : null,
  };
}
