// Who may do what on a track. Every API route and every domain mutation goes through here.
import type { MyRole } from '@pd/shared';
import { DomainError } from './errors.ts';
import type { TrackRow } from './rows.ts';
import { sql, type Sql } from './sql.ts';

export interface TrackAccess {
  track: TrackRow;
  role: MyRole;
  /** The caller's collaborator record id (null for the owner). */
  collaboratorId: string | null;
}

/** One query: the track, its owner's name, and the caller's own collaborator record if any. */
export const trackAccessQuery = (trackId: string, accountId: string): Sql => sql`
  SELECT t.*, o.display_name AS owner_name,
         c.id AS my_collaborator_id, c.status AS my_status, c.access_level AS my_access_level, c.joined_at AS my_joined_at,
         c.ended_evidence AS my_ended_evidence
  FROM tracks t
  JOIN accounts o ON o.id = t.owner_id
  LEFT JOIN collaborators c ON c.track_id = t.id AND c.account_id = ${accountId}
  WHERE t.id = ${trackId}`;

export interface TrackAccessRow extends TrackRow {
  my_collaborator_id: string | null;
  my_status: string | null;
  my_access_level: 'editor' | 'viewer' | null;
  my_joined_at: string | null;
  my_ended_evidence?: string | null;
}

/**
 * Decides the caller's role from the access row, or throws:
 * - never part of the track (or only ever invited) → track_not_found (404): existence is not revealed;
 * - had access, then revoked / left / declined a new invitation, or re-invited and not yet accepted → access_ended (403).
 */
export function decideAccess(row: TrackAccessRow | null, accountId: string): TrackAccess {
  if (!row) throw new DomainError('track_not_found', 'No such track.');
  const { my_collaborator_id, my_status, my_access_level, my_joined_at, my_ended_evidence, ...track } = row;
  if (track.owner_id === accountId) return { track, role: 'owner', collaboratorId: null };
  if (my_status === 'active' && my_access_level) {
    return { track, role: my_access_level, collaboratorId: my_collaborator_id };
  }
  if (my_status && my_joined_at) throw new DomainError('access_ended', endedMessage(my_status, my_ended_evidence ?? null));
  throw new DomainError('track_not_found', 'No such track.');
}

/** One sentence saying how the caller's access ended, as PD knows it (never a guess about who ended it). */
function endedMessage(status: string, evidence: string | null): string {
  if (status === 'left') return 'You left this track. The owner can invite you again.';
  if (status === 'revoked' && evidence?.startsWith('dropbox_')) return 'Your access to this track ended in Dropbox.';
  if (status === 'revoked') return 'The owner revoked your access to this track.';
  if (status === 'invited') return 'Your access to this track has ended. You have a new invitation to accept first.';
  return 'Your access to this track has ended.';
}

export async function trackAccess(db: D1Database, trackId: string, accountId: string): Promise<TrackAccess> {
  const q = trackAccessQuery(trackId, accountId);
  const row = await db
    .prepare(q.text)
    .bind(...q.params)
    .first<TrackAccessRow>();
  return decideAccess(row, accountId);
}

export function requireOwner(access: TrackAccess, action: string): void {
  if (access.role !== 'owner') throw new DomainError('owner_only', `Only the track owner can ${action}.`);
}

export function requireEditor(access: TrackAccess, action: string): void {
  if (access.role === 'viewer') throw new DomainError('editor_required', `Only the owner or an Editor can ${action}.`);
}

// Guards re-checked inside the batch, so an action prepared just before the actor lost access does nothing.

export const isOwnerSql = (trackId: string, accountId: string): Sql =>
  sql`EXISTS (SELECT 1 FROM tracks WHERE id = ${trackId} AND owner_id = ${accountId})`;

export const canEditSql = (trackId: string, accountId: string): Sql => sql`(${isOwnerSql(trackId, accountId)}
  OR EXISTS (SELECT 1 FROM collaborators WHERE track_id = ${trackId} AND account_id = ${accountId}
             AND status = 'active' AND access_level = 'editor'))`;

export const isMemberSql = (trackId: string, accountId: string): Sql => sql`(${isOwnerSql(trackId, accountId)}
  OR EXISTS (SELECT 1 FROM collaborators WHERE track_id = ${trackId} AND account_id = ${accountId} AND status = 'active'))`;

/** Name of an actor for history/notifications; "Dropbox" when the change came from Dropbox with no known person. */
export const actorNameSql = (actorId: string | null): Sql => sql`COALESCE((SELECT display_name FROM accounts WHERE id = ${actorId}), 'Dropbox')`;
