// Tracks: create, read (detail), edit metadata/tags/splits, archive, per-person placement.
import type { Collaborator, DropboxPlan, Splits, Stage, Track, TrackDetail } from '@pd/shared';
import { canEditSql, decideAccess, requireEditor, trackAccess, trackAccessQuery, type TrackAccessRow } from './access.ts';
import { DomainError } from './errors.ts';
import { applied, newId, nowIso, runPlan, toBp, fromBp, type Plan, type Via } from './db.ts';
import { insertHistory, trackStamped } from './history.ts';
import { commentRowsSql } from './comments.ts';
import {
  scheduleOf,
  splitTotals,
  toCollaborator,
  toComment,
  toDropboxChange,
  toTrack,
  type CollaboratorRow,
  type CommentRow,
  type DropboxChangeRow,
  type TrackRow,
} from './rows.ts';
import { join, prepare, raw, sql, type Sql } from './sql.ts';

const TRACK_SELECT = raw(`SELECT t.*, o.display_name AS owner_name FROM tracks t JOIN accounts o ON o.id = t.owner_id`);

/** Every person who has the track in their library gets an "updated" change (one set-based INSERT). */
export const fanOutUpdate = (trackId: string, reason: string, now: string, when: Sql): Sql =>
  sql`INSERT INTO library_changes (account_id, track_id, change, reason, created_at)
      SELECT account_id, track_id, 'updated', ${reason}, ${now} FROM library_entries
      WHERE track_id = ${trackId} AND in_library = 1 AND ${when}`;

// ---------------------------------------------------------------------------------------------------------------
// Create

export interface CreateTrackInput {
  ownerId: string;
  dropboxSharedFolderId: string;
  title: string;
  stage?: Stage;
  bpm?: number | null;
  key?: string | null;
  tags?: string[];
  /** The owner's project / bucket for it. */
  project?: string | null;
  via: Via;
}

export async function planCreateTrack(db: D1Database, input: CreateTrackInput): Promise<Plan & { trackId: string }> {
  const now = nowIso();
  const trackId = newId('trk');
  const eventId = newId('evt');
  const created = sql`EXISTS (SELECT 1 FROM tracks WHERE id = ${trackId} AND event_id = ${eventId})`;
  const statements = [
    sql`INSERT INTO tracks (id, owner_id, dropbox_shared_folder_id, title, stage, bpm, musical_key, tags, archived,
                            event_id, created_at, updated_at)
        VALUES (${trackId}, ${input.ownerId}, ${input.dropboxSharedFolderId.trim()}, ${input.title.trim()},
                ${input.stage ?? 'idea'}, ${input.bpm ?? null}, ${input.key ?? null}, ${JSON.stringify(input.tags ?? [])}, 0,
                ${eventId}, ${now}, ${now})
        ON CONFLICT (dropbox_shared_folder_id) DO NOTHING`,
    sql`INSERT INTO library_entries (account_id, track_id, project, hidden, in_library, added_at, updated_at)
        SELECT ${input.ownerId}, ${trackId}, ${input.project ?? null}, 0, 1, ${now}, ${now} WHERE ${created}`,
    sql`INSERT INTO library_changes (account_id, track_id, change, reason, created_at)
        SELECT ${input.ownerId}, ${trackId}, 'added', 'created', ${now} WHERE ${created}`,
    insertHistory({
      trackId,
      kind: 'track_created',
      actorId: input.ownerId,
      via: input.via,
      details: { dropboxSharedFolderId: input.dropboxSharedFolderId.trim(), title: input.title.trim() },
      now,
      when: created,
    }),
  ];
  return { trackId, eventId, statements: statements.map((q) => prepare(db, q)) };
}

/** Creates a PD track for a Dropbox shared folder. A folder already linked to a track → track_exists. */
export async function createTrack(db: D1Database, input: CreateTrackInput): Promise<Track> {
  const plan = await planCreateTrack(db, input);
  const results = await runPlan(db, plan);
  if (!applied(results)) {
    throw new DomainError('track_exists', 'A track already exists for this Dropbox shared folder.');
  }
  const track = await prepare(db, sql`${TRACK_SELECT} WHERE t.id = ${plan.trackId}`).first<TrackRow>();
  return toTrack(track!);
}

export async function findTrackByDropboxSharedFolderId(db: D1Database, sharedFolderId: string): Promise<Track | null> {
  const row = await prepare(db, sql`${TRACK_SELECT} WHERE t.dropbox_shared_folder_id = ${sharedFolderId}`).first<TrackRow>();
  return row ? toTrack(row) : null;
}

export async function getTrack(db: D1Database, trackId: string): Promise<Track | null> {
  const row = await prepare(db, sql`${TRACK_SELECT} WHERE t.id = ${trackId}`).first<TrackRow>();
  return row ? toTrack(row) : null;
}

/** Everyone ever on the track (any status), oldest first. */
export async function listCollaborators(db: D1Database, trackId: string): Promise<Collaborator[]> {
  const { results } = await prepare(db, sql`SELECT * FROM collaborators WHERE track_id = ${trackId} ORDER BY invited_at, id`).all<CollaboratorRow>();
  return results.map(toCollaborator);
}

export async function collaboratorRows(db: D1Database, trackId: string): Promise<CollaboratorRow[]> {
  const { results } = await prepare(db, sql`SELECT * FROM collaborators WHERE track_id = ${trackId} ORDER BY invited_at, id`).all<CollaboratorRow>();
  return results;
}

// ---------------------------------------------------------------------------------------------------------------
// Read: the detail modal

/** The track as the caller sees it, in one D1 round trip (a batch of reads; access is decided on the result). */
export async function getTrackDetail(db: D1Database, trackId: string, accountId: string): Promise<TrackDetail> {
  const queries = [
    trackAccessQuery(trackId, accountId),
    sql`SELECT * FROM collaborators WHERE track_id = ${trackId} ORDER BY invited_at, id`,
    commentRowsSql(trackId),
    sql`SELECT * FROM dropbox_changes WHERE track_id = ${trackId} AND status IN ('pending', 'running', 'failed') ORDER BY id`,
    sql`SELECT project, hidden FROM library_entries WHERE account_id = ${accountId} AND track_id = ${trackId}`,
    sql`SELECT o.dropbox_account_type FROM tracks t JOIN accounts o ON o.id = t.owner_id WHERE t.id = ${trackId}`,
  ];
  const [access, collaborators, comments, changes, placement, plan] = await db.batch(queries.map((q) => prepare(db, q)));
  const { track, role, collaboratorId } = decideAccess((access.results[0] as TrackAccessRow) ?? null, accountId);
  const collaboratorRows = collaborators.results as CollaboratorRow[];
  const place = placement.results[0] as { project: string | null; hidden: number } | undefined;
  return {
    track: toTrack(track),
    myRole: role,
    project: place?.project ?? null,
    hidden: place?.hidden === 1,
    // When someone's access ends (issue 12) is for the owner and for that person only.
    collaborators: collaboratorRows.map((r) =>
      role === 'owner' || r.id === collaboratorId ? toCollaborator(r) : { ...toCollaborator(r), accessExpiresAt: null, headsUp: null },
    ),
    splitTotals: splitTotals(track, collaboratorRows),
    comments: (comments.results as CommentRow[]).map(toComment),
    dropboxChanges: (changes.results as DropboxChangeRow[])
      .filter((c) => role === 'owner' || c.collaborator_id === collaboratorId)
      .map(toDropboxChange),
    myDropboxState: role !== 'owner' && role ? (collaboratorRows.find((c) => c.id === collaboratorId)?.dropbox_state ?? null) : null,
    ...(role !== 'owner'
      ? (() => {
          const mine = collaboratorRows.find((c) => c.id === collaboratorId);
          const schedule = mine ? scheduleOf(mine) : { accessExpiresAt: null, headsUp: null };
          return { myAccessEndsAt: schedule.accessExpiresAt, myHeadsUp: schedule.headsUp };
        })()
      : {}),
    ownerPlan:
      role === 'owner' ? ((plan.results[0] as { dropbox_account_type: DropboxPlan | null } | undefined)?.dropbox_account_type ?? null) : null,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Edit metadata and tags (owner or Editor)

export interface UpdateTrackInput {
  trackId: string;
  /** The person editing; null only for changes found in Dropbox without a known person. */
  actorId: string | null;
  via: Via;
  title?: string;
  stage?: Stage;
  bpm?: number | null;
  key?: string | null;
  tags?: string[];
}

type Change = { from: unknown; to: unknown };

export async function planUpdateTrack(db: D1Database, input: UpdateTrackInput): Promise<Plan & { changed: string[] }> {
  const { track, role } = await accessFor(db, input.trackId, input.actorId, input.via);
  if (role && input.via === 'app') requireEditor({ track, role, collaboratorId: null }, 'edit this track');
  const meta: Record<string, Change> = {};
  const sets: Sql[] = [];
  const field = (name: string, column: string, from: unknown, to: unknown) => {
    if (to === undefined || to === from) return;
    meta[name] = { from, to };
    sets.push(sql`${raw(column)} = ${to}`);
  };
  field('title', 'title', track.title, input.title?.trim());
  field('stage', 'stage', track.stage, input.stage);
  field('bpm', 'bpm', track.bpm, input.bpm);
  field('key', 'musical_key', track.musical_key, input.key === undefined || input.key === null ? input.key : input.key.trim());
  const oldTags = JSON.parse(track.tags) as string[];
  const newTags = input.tags?.map((t) => t.trim());
  const tagsChanged = newTags !== undefined && JSON.stringify(newTags) !== JSON.stringify(oldTags);
  if (tagsChanged) sets.push(sql`tags = ${JSON.stringify(newTags)}`);
  const eventId = newId('evt');
  const changed = [...Object.keys(meta), ...(tagsChanged ? ['tags'] : [])];
  if (changed.length === 0) return { eventId, statements: [], changed };

  const now = nowIso();
  const stamped = trackStamped(input.trackId, eventId);
  const guard = input.via === 'app' && input.actorId ? canEditSql(input.trackId, input.actorId) : raw('1');
  const qs: Sql[] = [sql`UPDATE tracks SET ${join(sets, ', ')}, event_id = ${eventId}, updated_at = ${now} WHERE id = ${input.trackId} AND ${guard}`];
  const base = { trackId: input.trackId, actorId: input.actorId, via: input.via, now, when: stamped };
  if (Object.keys(meta).length > 0) qs.push(insertHistory({ ...base, kind: 'metadata_changed', details: { changes: meta } }));
  if (tagsChanged) {
    const added = newTags.filter((t) => !oldTags.includes(t));
    const removed = oldTags.filter((t) => !newTags.includes(t));
    qs.push(insertHistory({ ...base, kind: 'tags_changed', details: { from: oldTags, to: newTags, added, removed } }));
  }
  qs.push(fanOutUpdate(input.trackId, 'metadata', now, stamped));
  return { eventId, changed, statements: qs.map((q) => prepare(db, q)) };
}

export async function updateTrack(db: D1Database, input: UpdateTrackInput): Promise<{ changed: string[] }> {
  const plan = await planUpdateTrack(db, input);
  const results = await runPlan(db, plan);
  return { changed: applied(results) ? plan.changed : [] };
}

/** Access for an actor: with via 'app' the actor must be a member; Dropbox-found changes are already authorized. */
async function accessFor(db: D1Database, trackId: string, actorId: string | null, via: Via) {
  if (via === 'app' || actorId) {
    if (!actorId) throw new DomainError('unauthenticated', 'Sign in first.');
    try {
      return await trackAccess(db, trackId, actorId);
    } catch (e) {
      if (via === 'app') throw e;
    }
  }
  const row = await prepare(db, sql`${TRACK_SELECT} WHERE t.id = ${trackId}`).first<TrackRow>();
  if (!row) throw new DomainError('track_not_found', 'No such track.');
  return { track: row, role: null, collaboratorId: null };
}

// ---------------------------------------------------------------------------------------------------------------
// Archive (owner or Editor)

export interface SetArchivedInput {
  trackId: string;
  actorId: string | null;
  archived: boolean;
  via: Via;
}

export async function planSetArchived(db: D1Database, input: SetArchivedInput): Promise<Plan> {
  const { track, role } = await accessFor(db, input.trackId, input.actorId, input.via);
  if (role && input.via === 'app') requireEditor({ track, role, collaboratorId: null }, 'archive this track');
  const eventId = newId('evt');
  const now = nowIso();
  const flag = input.archived ? 1 : 0;
  const guard = input.via === 'app' && input.actorId ? canEditSql(input.trackId, input.actorId) : raw('1');
  const stamped = trackStamped(input.trackId, eventId);
  const qs = [
    sql`UPDATE tracks SET archived = ${flag}, event_id = ${eventId}, updated_at = ${now}
        WHERE id = ${input.trackId} AND archived <> ${flag} AND ${guard}`,
    insertHistory({
      trackId: input.trackId,
      kind: input.archived ? 'archived' : 'unarchived',
      actorId: input.actorId,
      via: input.via,
      now,
      when: stamped,
    }),
    fanOutUpdate(input.trackId, 'archived', now, stamped),
  ];
  return { eventId, statements: qs.map((q) => prepare(db, q)) };
}

export async function setArchived(db: D1Database, input: SetArchivedInput): Promise<{ changed: boolean }> {
  return { changed: applied(await runPlan(db, await planSetArchived(db, input))) };
}

// ---------------------------------------------------------------------------------------------------------------
// Splits (owner or Editor). 0..100 per person and type; totals above 100% are saved and flagged.

export interface UpdateSplitsInput {
  trackId: string;
  actorId: string | null;
  via: Via;
  owner?: Splits;
  collaborators?: Array<Splits & { collaboratorId: string }>;
}

const checkSplits = (s: Splits) => {
  for (const type of ['master', 'publishing', 'writer'] as const) {
    const v = s[type];
    if (!(v >= 0)) throw new DomainError('validation_failed', `The ${type} split cannot be negative.`);
    if (v > 100) throw new DomainError('validation_failed', `The ${type} split cannot be above 100% for one person.`);
  }
};

export async function planUpdateSplits(db: D1Database, input: UpdateSplitsInput): Promise<Plan & { changed: boolean }> {
  const { track, role } = await accessFor(db, input.trackId, input.actorId, input.via);
  if (role && input.via === 'app') requireEditor({ track, role, collaboratorId: null }, 'change splits');
  const rows = await collaboratorRows(db, input.trackId);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const changes: Array<{ who: string; collaboratorId: string | null; from: Splits; to: Splits }> = [];
  const qsAfter: Sql[] = [];
  const eventId = newId('evt');
  const stamped = trackStamped(input.trackId, eventId);
  const seen = new Set<string>();
  for (const c of input.collaborators ?? []) {
    checkSplits(c);
    const row = byId.get(c.collaboratorId);
    if (!row) throw new DomainError('collaborator_not_found', `No collaborator ${c.collaboratorId} on this track.`);
    if (seen.has(c.collaboratorId)) throw new DomainError('validation_failed', 'A collaborator is listed twice.');
    seen.add(c.collaboratorId);
    const from = { master: fromBp(row.master_bp), publishing: fromBp(row.publishing_bp), writer: fromBp(row.writer_bp) };
    const to = { master: c.master, publishing: c.publishing, writer: c.writer };
    if (JSON.stringify(from) === JSON.stringify(to)) continue;
    changes.push({ who: row.display_name, collaboratorId: row.id, from, to });
    qsAfter.push(sql`UPDATE collaborators SET master_bp = ${toBp(c.master)}, publishing_bp = ${toBp(c.publishing)},
                       writer_bp = ${toBp(c.writer)} WHERE id = ${row.id} AND track_id = ${input.trackId} AND ${stamped}`);
  }
  const ownerSets: Sql[] = [];
  if (input.owner) {
    checkSplits(input.owner);
    const from = { master: fromBp(track.owner_master_bp), publishing: fromBp(track.owner_publishing_bp), writer: fromBp(track.owner_writer_bp) };
    if (JSON.stringify(from) !== JSON.stringify(input.owner)) {
      changes.push({ who: track.owner_name, collaboratorId: null, from, to: { ...input.owner } });
      ownerSets.push(sql`owner_master_bp = ${toBp(input.owner.master)}, owner_publishing_bp = ${toBp(input.owner.publishing)},
                         owner_writer_bp = ${toBp(input.owner.writer)}, `);
    }
  }
  if (changes.length === 0) return { eventId, statements: [], changed: false };
  const now = nowIso();
  const guard = input.via === 'app' && input.actorId ? canEditSql(input.trackId, input.actorId) : raw('1');
  const qs: Sql[] = [
    sql`UPDATE tracks SET ${join(ownerSets, '')} event_id = ${eventId}, updated_at = ${now} WHERE id = ${input.trackId} AND ${guard}`,
    ...qsAfter,
    insertHistory({
      trackId: input.trackId,
      kind: 'splits_changed',
      actorId: input.actorId,
      via: input.via,
      details: { changes },
      now,
      when: stamped,
    }),
  ];
  return { eventId, changed: true, statements: qs.map((q) => prepare(db, q)) };
}

export async function updateSplits(db: D1Database, input: UpdateSplitsInput): Promise<{ changed: boolean }> {
  return { changed: applied(await runPlan(db, await planUpdateSplits(db, input))) };
}

// ---------------------------------------------------------------------------------------------------------------
// Placement: project / bucket and hidden, per person (any member; changes only the caller's library)

export interface SetPlacementInput {
  trackId: string;
  accountId: string;
  project?: string | null;
  hidden?: boolean;
}

export async function planSetPlacement(db: D1Database, input: SetPlacementInput): Promise<Plan & { changed: boolean }> {
  await trackAccess(db, input.trackId, input.accountId);
  const current = await prepare(
    db,
    sql`SELECT project, hidden FROM library_entries WHERE account_id = ${input.accountId} AND track_id = ${input.trackId}`,
  ).first<{ project: string | null; hidden: number }>();
  const eventId = newId('evt');
  const project = input.project === undefined ? (current?.project ?? null) : input.project?.trim() || null;
  const hidden = input.hidden === undefined ? current?.hidden === 1 : input.hidden;
  if (current && current.project === project && (current.hidden === 1) === hidden) {
    return { eventId, statements: [], changed: false };
  }
  const now = nowIso();
  const qs = [
    // The entry exists for every member; the upsert also heals a missing one.
    sql`INSERT INTO library_entries (account_id, track_id, project, hidden, in_library, added_at, updated_at)
        VALUES (${input.accountId}, ${input.trackId}, ${project}, ${hidden}, 1, ${now}, ${now})
        ON CONFLICT (account_id, track_id) DO UPDATE SET project = excluded.project, hidden = excluded.hidden,
          updated_at = excluded.updated_at WHERE library_entries.in_library = 1`,
    sql`INSERT INTO library_changes (account_id, track_id, change, reason, created_at)
        SELECT account_id, track_id, 'updated', 'placement', ${now} FROM library_entries
        WHERE account_id = ${input.accountId} AND track_id = ${input.trackId} AND in_library = 1 AND updated_at = ${now}`,
  ];
  return { eventId, changed: true, statements: qs.map((q) => prepare(db, q)) };
}

export async function setPlacement(db: D1Database, input: SetPlacementInput): Promise<{ changed: boolean }> {
  return { changed: applied(await runPlan(db, await planSetPlacement(db, input))) };
}
