// Sharing: invite, accept, decline, revoke, Revoke All, leave, access level, and members found in Dropbox.
//
// Every mutation is a plan: reads first (to authorize and to give clear errors), then statements that stay
// correct if the state changed in between. The first statement is a conditional UPDATE/INSERT that stamps a
// fresh event id on the rows it changes; every other statement acts only on rows carrying that stamp. So a
// repeated revoke changes nothing and notifies nobody, and a revoke racing a leave ends in exactly one of them.
import { cleanName, type AccessLevel, type EndedEvidence, type Collaborator, type Invitation, type SharingPerson, type Splits } from '@pd/shared';
import { requireOwner, trackAccess } from './access.ts';
import { MEMBER_ACCOUNT_SQL } from './accounts.ts';
import { applied, lower, newId, nowIso, runPlan, toBp, type Plan, type Via } from './db.ts';
import { DomainError } from './errors.ts';
import { accountNo, historyTime, insertHistory, kindCode, trackNo } from './history.ts';
import { toCollaborator, toInvitation, type CollaboratorRow, type InvitationRow, type TrackRow } from './rows.ts';
import { prepare, raw, sql, type Sql } from './sql.ts';

const collaboratorStamped = (collaboratorId: string, eventId: string): Sql =>
  sql`EXISTS (SELECT 1 FROM collaborators WHERE id = ${collaboratorId} AND event_id = ${eventId})`;

/**
 * The collaborator record as a reconciliation read it, when it compared PD with Dropbox's member list. A change
 * found in Dropbox is a decision about THAT state: it applies only if the record is still as read (every change of
 * status or access level stamps a new event id), else the owner or the person changed it meanwhile and the
 * decision is stale — the next membership check decides again from fresh reads. (Chaos seed 5 at 50%: a leave read
 * while someone was active was written after the owner had revoked and re-invited them, cancelling the new
 * invitation that PD was sending to Dropbox.) `collaboratorId` null: there was no record for this person.
 */
export interface AsRead {
  collaboratorId: string | null;
  eventId: string | null;
}

/** `AND event_id IS <as read>` for the conditional UPDATE that opens a plan (nothing when not from a read). */
const stillAsRead = (asRead: AsRead | undefined): Sql => (asRead ? sql` AND event_id IS ${asRead.eventId}` : raw(''));

/** The record read at plan time no longer matches the one the decision was made on. */
const changedSinceRead = (asRead: AsRead | undefined, row: { id: string; event_id: string | null } | undefined): boolean =>
  !!asRead && ((row?.id ?? null) !== asRead.collaboratorId || (row ? row.event_id !== asRead.eventId : false));

const emptyPlan = (): Plan => ({ eventId: newId('evt'), statements: [] });

async function collaboratorOnTrack(db: D1Database, trackId: string, collaboratorId: string): Promise<CollaboratorRow> {
  const row = await prepare(db, sql`SELECT * FROM collaborators WHERE id = ${collaboratorId} AND track_id = ${trackId}`).first<CollaboratorRow>();
  if (!row) throw new DomainError('collaborator_not_found', 'No such collaborator on this track.');
  return row;
}

async function trackRow(db: D1Database, trackId: string): Promise<TrackRow> {
  const row = await prepare(
    db,
    sql`SELECT t.*, o.display_name AS owner_name FROM tracks t JOIN accounts o ON o.id = t.owner_id WHERE t.id = ${trackId}`,
  ).first<TrackRow>();
  if (!row) throw new DomainError('track_not_found', 'No such track.');
  return row;
}

/** With via 'app' the actor must be the owner; Dropbox-found changes were already allowed by Dropbox. */
async function ownerAction(db: D1Database, trackId: string, actorId: string | null, via: Via, action: string) {
  if (via === 'app') {
    if (!actorId) throw new DomainError('unauthenticated', 'Sign in first.');
    const access = await trackAccess(db, trackId, actorId);
    requireOwner(access, action);
    return access.track;
  }
  return trackRow(db, trackId);
}

export const notificationInsert = (n: {
  recipient: Sql;
  kind: string;
  trackId: Sql;
  actorId: Sql;
  via: Via;
  now: string;
  from: Sql;
  /** Issue 12: what the notification says beyond its kind (a JSON expression), e.g. when access ends. */
  notice?: Sql;
}): Sql => sql`INSERT INTO notifications (recipient_id, kind, track_id, actor_id, actor_name, via, created_at, notice)
  SELECT ${n.recipient}, ${n.kind}, ${n.trackId}, ${n.actorId},
         COALESCE((SELECT display_name FROM accounts WHERE id = ${n.actorId}), 'Dropbox'), ${n.via}, ${n.now}, ${n.notice ?? null}
  ${n.from}`;

// ---------------------------------------------------------------------------------------------------------------
// Ending access: revoke, Revoke All, leave — the same statements, set-based over the rows the first UPDATE stamped.

interface EndSpec {
  /**
   * 'revoked' (the owner, in PD), 'left' (the person themselves, in PD), or 'ended_in_dropbox': gone in Dropbox and
   * Dropbox does not say who ended it (stored as status 'revoked' with evidence `dropbox_*`; PD never guesses).
   */
  status: 'revoked' | 'left' | 'ended_in_dropbox';
  /** WHERE of the conditional UPDATE (which collaborator records end). */
  which: Sql;
  /** The person ending it: the owner for a revoke, the collaborator for a leave. Null: unknown (found in Dropbox). */
  actorId: string | null;
  via: Via;
  /**
   * Issue 12: the access ends because its scheduled end came (an expiry or a heads-up; src/domain/expiry.ts). The same
   * revoke, except that each track's owner is the actor, and history and both notices say it expired.
   */
  scheduled?: boolean;
  /** What PD knows about how it ended (collaborators.ended_evidence). A scheduled end is PD's own revoke. */
  evidence: EndedEvidence;
}

export function endStatements(spec: EndSpec, eventId: string, now: string): Sql[] {
  const revoke = spec.status === 'revoked';
  const scheduled = revoke && spec.scheduled === true;
  const inDropbox = spec.status === 'ended_in_dropbox';
  // For a leave the actor is the collaborator themselves, whoever calls; for a scheduled end, each track's owner; in
  // Dropbox nobody is known.
  const actor = scheduled
    ? raw('(SELECT owner_id FROM tracks WHERE id = c.track_id)')
    : revoke
      ? sql`${spec.actorId}`
      : inDropbox
        ? sql`${null}`
        : raw('c.account_id');
  const stamped = sql`c.event_id = ${eventId}`;
  const qs: Sql[] = [
    sql`UPDATE collaborators SET previous_status = status, status = ${spec.status === 'left' ? 'left' : 'revoked'}, ended_at = ${now},
          ended_by = ${scheduled ? raw('(SELECT owner_id FROM tracks WHERE tracks.id = collaborators.track_id)') : revoke ? spec.actorId : inDropbox ? null : raw('account_id')},
          ended_via = ${spec.via}, ended_evidence = ${spec.evidence}, event_id = ${eventId}, updated_at = ${now},
          ended_by_schedule = ${scheduled ? raw("CASE WHEN expiry_heads_up = 1 THEN 'heads_up' ELSE 'expiry' END") : null}
        WHERE ${spec.which} AND status IN ('active', 'invited') RETURNING id`,
    // Revoking a pending invitation cancels it.
    sql`UPDATE invitations SET status = 'cancelled', responded_at = ${now}
        WHERE status = 'pending' AND collaborator_id IN (SELECT id FROM collaborators c WHERE ${stamped})`,
    // The track leaves their library (the entry stays with in_library = 0, keeping their project/hidden).
    sql`UPDATE library_entries SET in_library = 0, updated_at = ${now}
        WHERE in_library = 1 AND (account_id, track_id) IN
          (SELECT c.account_id, c.track_id FROM collaborators c WHERE ${stamped} AND c.account_id IS NOT NULL)`,
    sql`INSERT INTO library_changes (account_id, track_id, change, reason, created_at)
        SELECT c.account_id, c.track_id, 'removed', ${spec.status}, ${now} FROM collaborators c
        WHERE ${stamped} AND c.previous_status = 'active' AND c.account_id IS NOT NULL`,
    sql`INSERT INTO track_history (track_no, kind, actor_no, actor_name, via, collaborator_id, details, created_at)
        SELECT ${trackNo(raw('c.track_id'))},
               ${kindCode(sql`CASE WHEN c.previous_status = 'active'
                    THEN ${scheduled ? 'access_expired' : revoke ? 'access_revoked' : inDropbox ? 'access_ended_in_dropbox' : 'collaborator_left'}
                    ELSE 'invitation_cancelled' END`)},
               ${accountNo(actor)}, COALESCE((SELECT display_name FROM accounts WHERE id = ${actor}), 'Dropbox'), ${spec.via}, c.id,
               ${
                 scheduled
                   ? raw(`json_object('collaborator', c.display_name, 'email', c.email, 'previousStatus', c.previous_status,
                        'expiresAt', c.access_expires_at, 'endedBy', c.ended_by_schedule, 'evidence', 'pd_revoke',
                        'headsUp', CASE WHEN c.expiry_heads_up = 1 THEN json_object('note', c.expiry_note, 'sentAt', c.expiry_set_at) END)`)
                   : sql`json_object('collaborator', c.display_name, 'email', c.email, 'previousStatus', c.previous_status,
                           'evidence', ${spec.evidence})`
               },
               ${historyTime(now)}
        FROM collaborators c WHERE ${stamped}`,
  ];
  const notifyTo = (to: 'collaborator' | 'owner', kind: string, actorSql: Sql, actorName: Sql): Sql =>
    sql`INSERT INTO notifications (recipient_id, kind, track_id, actor_id, actor_name, via, created_at)
        SELECT ${to === 'collaborator' ? raw('c.account_id') : raw('t.owner_id')}, ${kind}, c.track_id, ${actorSql}, ${actorName}, ${spec.via}, ${now}
        FROM collaborators c JOIN tracks t ON t.id = c.track_id
        WHERE ${stamped} AND c.previous_status = 'active' AND c.account_id IS NOT NULL`;
  if (inDropbox) {
    // Both sides hear it, and neither is told a guess: "Your access to X ended in Dropbox" / "Leo Vance no longer
    // has access to X — changed in Dropbox" (the owner's notification names the collaborator as its subject).
    qs.push(
      notifyTo('collaborator', 'access_ended_in_dropbox', sql`${null}`, sql`'Dropbox'`),
      notifyTo(
        'owner',
        'collaborator_access_ended_in_dropbox',
        raw('c.account_id'),
        raw('COALESCE((SELECT display_name FROM accounts WHERE id = c.account_id), c.display_name)'),
      ),
    );
  } else {
    qs.push(
      notificationInsert({
        recipient: revoke ? raw('c.account_id') : raw('t.owner_id'),
        kind: scheduled ? 'access_expired' : revoke ? 'access_revoked' : 'collaborator_left',
        trackId: raw('c.track_id'),
        actorId: actor,
        via: spec.via,
        now,
        from: sql`FROM collaborators c JOIN tracks t ON t.id = c.track_id
                  WHERE ${stamped} AND c.previous_status = 'active' AND c.account_id IS NOT NULL`,
        notice: scheduled
          ? raw(`json_object('accessEndsAt', c.access_expires_at, 'endedBy', c.ended_by_schedule,
                   'headsUp', CASE WHEN c.expiry_heads_up = 1 THEN json_object('note', c.expiry_note, 'accessEndsAt', c.access_expires_at, 'sentAt', c.expiry_set_at) END)`)
          : undefined,
      }),
    );
  }
  if (scheduled) {
    // Both are told: the owner learns that the access (or the invitation) ended on its date, by itself.
    qs.push(sql`INSERT INTO notifications (recipient_id, kind, track_id, actor_id, actor_name, via, created_at, notice)
      SELECT t.owner_id, 'access_expired', c.track_id, c.account_id, c.display_name, ${spec.via}, ${now},
             json_object('accessEndsAt', c.access_expires_at, 'endedBy', c.ended_by_schedule, 'collaborator', c.display_name)
      FROM collaborators c JOIN tracks t ON t.id = c.track_id WHERE ${stamped}`);
  }
  if (spec.via === 'app') {
    // Pending Dropbox change: remove the member (owner's token) / leave the folder (the leaver's token); no copy kept.
    qs.push(sql`INSERT INTO dropbox_changes (track_id, collaborator_id, kind, params, status, attempts, next_attempt_at, created_at, updated_at)
      SELECT c.track_id, c.id, ${revoke ? 'remove_member' : 'relinquish'},
             json_object('shared_folder_id', t.dropbox_shared_folder_id, 'email', c.email,
                         'dropbox_account_id', a.dropbox_account_id, 'leave_a_copy', json('false'),
                         'actor_account_id', ${revoke ? raw('t.owner_id') : raw('c.account_id')}),
             'pending', 0, ${now}, ${now}, ${now}
      FROM collaborators c JOIN tracks t ON t.id = c.track_id LEFT JOIN accounts a ON a.id = c.account_id
      WHERE ${stamped} ${revoke ? raw('') : raw("AND c.previous_status = 'active'")}`);
  }
  return qs;
}

// --- Access ended in Dropbox (found by reconciliation)

export interface EndedInDropboxInput {
  trackId: string;
  collaboratorId: string;
  /** Which Dropbox fact showed it (never who did it: Dropbox does not say). */
  evidence: Extract<EndedEvidence, `dropbox_${string}`>;
  /** Found in Dropbox: only if the record is still as read (see AsRead). */
  asRead?: AsRead;
}

/**
 * Someone's access ended in Dropbox (gone from the member list, the folder left their Dropbox, or it was unshared)
 * and neither PD's own action nor their own Leave through PD explains it: recorded as "access ended in Dropbox",
 * with the evidence, and both sides are told so. Same effects as a revoke otherwise (library, credits, history).
 */
export async function planAccessEndedInDropbox(db: D1Database, input: EndedInDropboxInput): Promise<Plan> {
  const row = await collaboratorOnTrack(db, input.trackId, input.collaboratorId);
  if (changedSinceRead(input.asRead, row)) return emptyPlan();
  const eventId = newId('evt');
  const qs = endStatements(
    {
      status: 'ended_in_dropbox',
      which: sql`id = ${input.collaboratorId} AND track_id = ${input.trackId}${stillAsRead(input.asRead)}`,
      actorId: null,
      via: 'dropbox',
      evidence: input.evidence,
    },
    eventId,
    nowIso(),
  );
  return { eventId, statements: qs.map((q) => prepare(db, q)) };
}

// --- Revoke

export interface RevokeInput {
  trackId: string;
  collaboratorId: string;
  /** The owner (via 'app'); for via 'dropbox' whoever removed the member, or null if unknown. */
  actorId: string | null;
  via: Via;
  /** Found in Dropbox: only if the record is still as read (see AsRead). */
  asRead?: AsRead;
}

export async function planRevokeCollaborator(db: D1Database, input: RevokeInput): Promise<Plan> {
  await ownerAction(db, input.trackId, input.actorId, input.via, 'revoke access');
  const row = await collaboratorOnTrack(db, input.trackId, input.collaboratorId);
  if (changedSinceRead(input.asRead, row)) return emptyPlan();
  const eventId = newId('evt');
  const qs = endStatements(
    {
      status: 'revoked',
      which: sql`id = ${input.collaboratorId} AND track_id = ${input.trackId}${stillAsRead(input.asRead)}`,
      actorId: input.actorId,
      via: input.via,
      evidence: input.via === 'app' ? 'pd_revoke' : 'dropbox_members',
    },
    eventId,
    nowIso(),
  );
  return { eventId, statements: qs.map((q) => prepare(db, q)) };
}

/**
 * Revoke (owner only): status revoked at once, track leaves their library, record/comments/edits stay,
 * they are notified, history written, Dropbox "remove member, no copy" queued. A pending invitation is cancelled.
 * Repeating it changes nothing (changed = false).
 */
export async function revokeCollaborator(db: D1Database, input: RevokeInput): Promise<{ changed: boolean; collaborator: Collaborator }> {
  const results = await runPlan(db, await planRevokeCollaborator(db, input));
  const row = await collaboratorOnTrack(db, input.trackId, input.collaboratorId);
  return { changed: applied(results), collaborator: toCollaborator(row) };
}

// --- Revoke All

export interface RevokeAllInput {
  ownerId: string;
  /** The person: their lower-cased e-mail (the sharing panel's personKey). */
  personKey: string;
  via: Via;
}

/**
 * Every track of this owner shared with that person (invited or active), revoked in one batch with a constant
 * number of set-based statements. The last statement reads back the tracks it changed.
 */
export async function planRevokeAll(db: D1Database, input: RevokeAllInput): Promise<Plan> {
  const eventId = newId('evt');
  const qs = endStatements(
    {
      status: 'revoked',
      which: sql`email_lower = ${lower(input.personKey)} AND track_id IN (SELECT id FROM tracks WHERE owner_id = ${input.ownerId})`,
      actorId: input.ownerId,
      via: input.via,
      evidence: 'pd_revoke',
    },
    eventId,
    nowIso(),
  );
  qs.push(sql`SELECT track_id FROM collaborators WHERE event_id = ${eventId}`);
  return { eventId, statements: qs.map((q) => prepare(db, q)) };
}

export async function revokeAll(db: D1Database, input: RevokeAllInput): Promise<{ revokedCount: number; trackIds: string[] }> {
  const plan = await planRevokeAll(db, input);
  const results = await runPlan(db, plan);
  const last = results[results.length - 1];
  const trackIds = (last.results as Array<{ track_id: string }>).map((r) => r.track_id).sort();
  if (trackIds.length === 0) {
    // Nothing changed: either already revoked everywhere (fine, safe to repeat) or no such person.
    const known = await prepare(
      db,
      sql`SELECT 1 FROM collaborators WHERE email_lower = ${lower(input.personKey)}
          AND track_id IN (SELECT id FROM tracks WHERE owner_id = ${input.ownerId}) LIMIT 1`,
    ).first();
    if (!known) throw new DomainError('person_not_found', 'You do not share any track with this person.');
  }
  return { revokedCount: trackIds.length, trackIds };
}

// --- Leave

export interface LeaveInput {
  trackId: string;
  /** The collaborator leaving. */
  accountId: string;
  via: Via;
  /** Found in Dropbox: only if the record is still as read (see AsRead). */
  asRead?: AsRead;
}

export async function planLeaveTrack(db: D1Database, input: LeaveInput): Promise<Plan & { collaboratorId: string }> {
  let collaboratorId: string;
  if (input.via === 'app') {
    const access = await trackAccess(db, input.trackId, input.accountId);
    if (access.role === 'owner') {
      throw new DomainError('owner_cannot_leave', 'You own this track: an owner cannot leave it. Archive it or revoke collaborators instead.');
    }
    collaboratorId = access.collaboratorId!;
  } else {
    const track = await trackRow(db, input.trackId);
    if (track.owner_id === input.accountId) {
      throw new DomainError('owner_cannot_leave', 'An owner cannot leave their own track.');
    }
    const row = await prepare(
      db,
      sql`SELECT id, event_id FROM collaborators WHERE track_id = ${input.trackId} AND account_id = ${input.accountId}`,
    ).first<{ id: string; event_id: string | null }>();
    if (!row) throw new DomainError('collaborator_not_found', 'This person is not a collaborator on this track.');
    collaboratorId = row.id;
    if (changedSinceRead(input.asRead, row)) return { ...emptyPlan(), collaboratorId };
  }
  const eventId = newId('evt');
  const qs = endStatements(
    {
      status: 'left',
      which: sql`id = ${collaboratorId}${stillAsRead(input.asRead)}`,
      actorId: input.accountId,
      via: input.via,
      evidence: input.via === 'app' ? 'pd_leave' : 'dropbox_own_folder',
    },
    eventId,
    nowIso(),
  );
  return { eventId, collaboratorId, statements: qs.map((q) => prepare(db, q)) };
}

/**
 * Leave Track (the collaborator themselves): status left, track leaves their library, owner notified,
 * comments and edits stay, Dropbox "leave folder, no copy" queued. The owner can invite them again later.
 */
export async function leaveTrack(
  db: D1Database,
  input: LeaveInput,
): Promise<{ changed: boolean; status: Collaborator['status']; collaboratorId: string }> {
  const plan = await planLeaveTrack(db, input);
  const results = await runPlan(db, plan);
  const row = await prepare(db, sql`SELECT status FROM collaborators WHERE id = ${plan.collaboratorId}`).first<{
    status: Collaborator['status'];
  }>();
  return { changed: applied(results), status: row!.status, collaboratorId: plan.collaboratorId };
}

// ---------------------------------------------------------------------------------------------------------------
// Access level (owner): Editor <-> Viewer

export interface SetAccessLevelInput {
  trackId: string;
  collaboratorId: string;
  accessLevel: AccessLevel;
  actorId: string | null;
  via: Via;
  /** Found in Dropbox: only if the record is still as read (see AsRead). */
  asRead?: AsRead;
}

export async function planSetAccessLevel(db: D1Database, input: SetAccessLevelInput): Promise<Plan> {
  await ownerAction(db, input.trackId, input.actorId, input.via, 'change access levels');
  const c = await collaboratorOnTrack(db, input.trackId, input.collaboratorId);
  if (changedSinceRead(input.asRead, c)) return emptyPlan();
  if (c.status !== 'active' && c.status !== 'invited') {
    throw new DomainError('collaborator_not_active', `${c.display_name}'s access has ended: invite them again instead.`);
  }
  const eventId = newId('evt');
  const now = nowIso();
  const stamped = collaboratorStamped(c.id, eventId);
  const qs: Sql[] = [
    // A new intent: what Dropbox refused before (dropbox_access_level) is asked again; the executor records a refusal anew.
    sql`UPDATE collaborators SET access_level = ${input.accessLevel}, dropbox_access_level = NULL, event_id = ${eventId}, updated_at = ${now}
        WHERE id = ${c.id} AND status IN ('active', 'invited') AND access_level <> ${input.accessLevel}${stillAsRead(input.asRead)}`,
    sql`UPDATE invitations SET access_level = ${input.accessLevel} WHERE collaborator_id = ${c.id} AND status = 'pending' AND ${stamped}`,
    insertHistory({
      trackId: input.trackId,
      kind: 'access_level_changed',
      actorId: input.actorId,
      via: input.via,
      collaboratorId: c.id,
      details: { collaborator: c.display_name, from: c.access_level, to: input.accessLevel },
      now,
      when: stamped,
    }),
    ...accessLevelEffects(eventId, now, input.actorId, input.via),
  ];
  return { eventId, statements: qs.map((q) => prepare(db, q)) };
}

/**
 * What follows a new access level on the collaborator records stamped with `eventId` (one record, or the review's
 * selection — set-based either way): the active person is told and their library updated; a change made in PD goes
 * to Dropbox.
 */
export function accessLevelEffects(eventId: string, now: string, actorId: string | null, via: Via): Sql[] {
  const stamped = sql`c.event_id = ${eventId}`;
  const qs: Sql[] = [
    notificationInsert({
      recipient: raw('c.account_id'),
      kind: 'access_level_changed',
      trackId: raw('c.track_id'),
      actorId: sql`${actorId}`,
      via,
      now,
      from: sql`FROM collaborators c WHERE ${stamped} AND c.status = 'active' AND c.account_id IS NOT NULL`,
    }),
    sql`INSERT INTO library_changes (account_id, track_id, change, reason, created_at)
        SELECT c.account_id, c.track_id, 'updated', 'access_changed', ${now} FROM collaborators c
        WHERE ${stamped} AND c.status = 'active' AND c.account_id IS NOT NULL`,
  ];
  if (via === 'app') {
    // Dropbox refused to add them at all (view-only on Dropbox Basic): the new level is a new add, not an update.
    qs.push(sql`INSERT INTO dropbox_changes (track_id, collaborator_id, kind, params, status, attempts, next_attempt_at, created_at, updated_at)
      SELECT c.track_id, c.id, CASE WHEN c.dropbox_state = 'refused' THEN 'add_member' ELSE 'update_access' END,
             json_object('shared_folder_id', t.dropbox_shared_folder_id, 'email', c.email,
                         'dropbox_account_id', a.dropbox_account_id, 'access_level', c.access_level,
                         'actor_account_id', t.owner_id),
             'pending', 0, ${now}, ${now}, ${now}
      FROM collaborators c JOIN tracks t ON t.id = c.track_id LEFT JOIN accounts a ON a.id = c.account_id
      WHERE ${stamped}`);
  }
  return qs;
}

export async function setAccessLevel(db: D1Database, input: SetAccessLevelInput): Promise<{ changed: boolean; collaborator: Collaborator }> {
  const results = await runPlan(db, await planSetAccessLevel(db, input));
  const row = await collaboratorOnTrack(db, input.trackId, input.collaboratorId);
  return { changed: applied(results), collaborator: toCollaborator(row) };
}

// ---------------------------------------------------------------------------------------------------------------
// Creative role (owner): what the person does on the track, kept for credits. People found in Dropbox (imported)
// arrive without one ("Role not set") until the owner sets it.

export interface SetRoleInput {
  trackId: string;
  collaboratorId: string;
  /** null clears it. */
  role: string | null;
  actorId: string;
}

export async function planSetRole(db: D1Database, input: SetRoleInput): Promise<Plan> {
  await ownerAction(db, input.trackId, input.actorId, 'app', 'set roles');
  const c = await collaboratorOnTrack(db, input.trackId, input.collaboratorId);
  const role = input.role?.trim() || null;
  const eventId = newId('evt');
  const now = nowIso();
  const qs: Sql[] = [
    sql`UPDATE collaborators SET role = ${role}, event_id = ${eventId}, updated_at = ${now}
        WHERE id = ${c.id} AND role IS NOT ${role}`,
    insertHistory({
      trackId: input.trackId,
      kind: 'role_changed',
      actorId: input.actorId,
      via: 'app',
      collaboratorId: c.id,
      details: { collaborator: c.display_name, from: c.role, to: role },
      now,
      when: collaboratorStamped(c.id, eventId),
    }),
  ];
  return { eventId, statements: qs.map((q) => prepare(db, q)) };
}

export async function setRole(db: D1Database, input: SetRoleInput): Promise<{ changed: boolean; collaborator: Collaborator }> {
  const results = await runPlan(db, await planSetRole(db, input));
  const row = await collaboratorOnTrack(db, input.trackId, input.collaboratorId);
  return { changed: applied(results), collaborator: toCollaborator(row) };
}

// ---------------------------------------------------------------------------------------------------------------
// Invitations

export interface InviteInput {
  trackId: string;
  /** The owner. For via 'dropbox' (an invitation found in Dropbox) null means the owner. */
  actorId: string | null;
  email: string;
  displayName?: string;
  role?: string | null;
  accessLevel: AccessLevel;
  splits?: Splits;
  via: Via;
}

export async function planInvite(
  db: D1Database,
  input: InviteInput,
): Promise<Plan & { invitationId: string; collaboratorId: string; again: boolean }> {
  const track = await ownerAction(db, input.trackId, input.actorId, input.via, 'share this track');
  const actorId = input.actorId ?? track.owner_id;
  const emailLower = lower(input.email);
  const [existingRes, ownerRes] = await db.batch([
    prepare(db, sql`SELECT * FROM collaborators WHERE track_id = ${input.trackId} AND email_lower = ${emailLower}`),
    prepare(db, sql`SELECT email_lower FROM accounts WHERE id = ${track.owner_id}`),
  ]);
  const existing = existingRes.results[0] as CollaboratorRow | undefined;
  const ownerEmail = (ownerRes.results[0] as { email_lower: string } | undefined)?.email_lower;
  if (ownerEmail === emailLower) throw new DomainError('cannot_invite_owner', 'You own this track already.');
  if (existing?.status === 'active') {
    throw new DomainError('already_collaborator', `${existing.display_name} is already a collaborator on this track.`);
  }
  if (existing?.status === 'invited') {
    throw new DomainError('already_invited', `${existing.display_name} already has a pending invitation.`);
  }
  // Never the name of a PD account with this e-mail: inviting an address must not reveal who uses it (issue 8). The
  // owner's own name for them, the name already on this track's record, or the address's local part.
  const displayName = input.displayName?.trim() || existing?.display_name || input.email.split('@')[0];
  const now = nowIso();
  const eventId = newId('evt');
  const invitationId = newId('inv');
  const collaboratorId = existing?.id ?? newId('col');
  const s = input.splits;
  const qs: Sql[] = [];
  if (existing) {
    // Sharing again after revoke/leave/decline: the same record, credits intact, becomes invited.
    qs.push(sql`UPDATE collaborators SET previous_status = status, status = 'invited', access_level = ${input.accessLevel},
        role = ${input.role === undefined ? raw('role') : sql`${input.role}`}, display_name = ${displayName},
        ${s ? sql`master_bp = ${toBp(s.master)}, publishing_bp = ${toBp(s.publishing)}, writer_bp = ${toBp(s.writer)},` : raw('')}
        invited_at = ${now}, invited_by = ${actorId}, event_id = ${eventId}, updated_at = ${now},
        dropbox_state = NULL, dropbox_access_level = NULL
      WHERE id = ${existing.id} AND status IN ('revoked', 'left', 'declined')`);
  } else {
    qs.push(sql`INSERT INTO collaborators (id, track_id, account_id, email, email_lower, display_name, role, access_level,
        master_bp, publishing_bp, writer_bp, status, invited_at, invited_by, event_id, updated_at)
      VALUES (${collaboratorId}, ${input.trackId}, NULL, ${input.email.trim()}, ${emailLower}, ${displayName},
        ${input.role ?? null}, ${input.accessLevel}, ${toBp(s?.master ?? 0)}, ${toBp(s?.publishing ?? 0)},
        ${toBp(s?.writer ?? 0)}, 'invited', ${now}, ${actorId}, ${eventId}, ${now})
      ON CONFLICT DO NOTHING`);
  }
  const stamped = collaboratorStamped(collaboratorId, eventId);
  qs.push(
    sql`INSERT INTO invitations (id, track_id, collaborator_id, email, email_lower, access_level, status, invited_by, created_at)
        SELECT ${invitationId}, ${input.trackId}, ${collaboratorId}, ${input.email.trim()}, ${emailLower},
               ${input.accessLevel}, 'pending', ${actorId}, ${now}
        WHERE ${stamped}`,
    insertHistory({
      trackId: input.trackId,
      kind: 'collaborator_invited',
      actorId,
      via: input.via,
      collaboratorId,
      details: { collaborator: displayName, email: input.email.trim(), accessLevel: input.accessLevel, again: !!existing },
      now,
      when: stamped,
    }),
    notificationInsert({
      recipient: raw('a.id'),
      kind: 'invitation_received',
      trackId: sql`${input.trackId}`,
      actorId: sql`${actorId}`,
      via: input.via,
      now,
      from: sql`FROM accounts a WHERE a.email_lower = ${emailLower} AND ${stamped}`,
    }),
  );
  if (input.via === 'app') {
    qs.push(sql`INSERT INTO dropbox_changes (track_id, collaborator_id, kind, params, status, attempts, next_attempt_at, created_at, updated_at)
      SELECT c.track_id, c.id, 'add_member',
             json_object('shared_folder_id', t.dropbox_shared_folder_id, 'email', c.email,
                         'dropbox_account_id', a.dropbox_account_id, 'access_level', c.access_level,
                         'actor_account_id', t.owner_id),
             'pending', 0, ${now}, ${now}, ${now}
      FROM collaborators c JOIN tracks t ON t.id = c.track_id LEFT JOIN accounts a ON a.id = c.account_id
      WHERE c.id = ${collaboratorId} AND c.event_id = ${eventId}`);
  }
  return {
    eventId,
    invitationId,
    collaboratorId,
    again: !!existing,
    statements: qs.map((q) => prepare(db, q)),
  };
}

/** Invite (owner): a new invitation; also the only way back after revoke/leave (no undo). */
export async function invite(db: D1Database, input: InviteInput): Promise<{ invitation: Invitation; collaborator: Collaborator }> {
  const plan = await planInvite(db, input);
  const results = await runPlan(db, plan);
  if (!applied(results)) throw new DomainError('already_invited', 'This person was just invited or added.');
  return {
    invitation: (await getInvitation(db, plan.invitationId))!,
    collaborator: toCollaborator(await collaboratorOnTrack(db, input.trackId, plan.collaboratorId)),
  };
}

const INVITATION_SELECT = raw(`SELECT i.*, t.title AS track_title, a.display_name AS invited_by_name
  FROM invitations i JOIN tracks t ON t.id = i.track_id JOIN accounts a ON a.id = i.invited_by`);

export async function getInvitation(db: D1Database, invitationId: string): Promise<Invitation | null> {
  const row = await prepare(db, sql`${INVITATION_SELECT} WHERE i.id = ${invitationId}`).first<InvitationRow>();
  return row ? toInvitation(row) : null;
}

/** Pending invitations sent to this account's e-mail. */
export async function listInvitations(db: D1Database, accountId: string): Promise<Invitation[]> {
  const { results } = await prepare(
    db,
    sql`${INVITATION_SELECT}
        WHERE i.email_lower = (SELECT email_lower FROM accounts WHERE id = ${accountId}) AND i.status = 'pending'
        ORDER BY i.created_at DESC`,
  ).all<InvitationRow>();
  return results.map(toInvitation);
}

async function invitationFor(db: D1Database, invitationId: string, accountId: string): Promise<InvitationRow> {
  const [invRes, accRes] = await db.batch([
    prepare(db, sql`${INVITATION_SELECT} WHERE i.id = ${invitationId}`),
    prepare(db, sql`SELECT email_lower FROM accounts WHERE id = ${accountId}`),
  ]);
  const inv = invRes.results[0] as InvitationRow | undefined;
  const me = accRes.results[0] as { email_lower: string } | undefined;
  if (!inv) throw new DomainError('invitation_not_found', 'No such invitation.');
  if (!me || me.email_lower !== inv.email_lower) {
    throw new DomainError('invitation_not_yours', 'This invitation was sent to another e-mail address.');
  }
  if (inv.status !== 'pending') throw new DomainError('invitation_not_pending', `This invitation was already ${inv.status}.`);
  return inv;
}

export interface RespondInput {
  invitationId: string;
  accountId: string;
  via: Via;
  /** A decline found in Dropbox: only if the collaborator record is still as read (see AsRead). */
  asRead?: AsRead;
}

export async function planAcceptInvitation(db: D1Database, input: RespondInput): Promise<Plan & { trackId: string }> {
  const inv = await invitationFor(db, input.invitationId, input.accountId);
  const now = nowIso();
  const eventId = newId('evt');
  const joined = collaboratorStamped(inv.collaborator_id, eventId);
  const qs: Sql[] = [
    sql`UPDATE invitations SET status = 'accepted', responded_at = ${now}, event_id = ${eventId}
        WHERE id = ${inv.id} AND status = 'pending'`,
    // The same record becomes active again: credits intact, history shows both periods.
    sql`UPDATE collaborators SET previous_status = status, status = 'active', account_id = ${input.accountId},
          access_level = (SELECT access_level FROM invitations WHERE id = ${inv.id}),
          display_name = (SELECT display_name FROM accounts WHERE id = ${input.accountId}),
          joined_at = ${now}, ended_at = NULL, ended_by = NULL, ended_via = NULL, ended_evidence = NULL, event_id = ${eventId}, updated_at = ${now}
        WHERE id = ${inv.collaborator_id} AND status = 'invited'
          AND EXISTS (SELECT 1 FROM invitations WHERE id = ${inv.id} AND event_id = ${eventId})`,
    ...joinStatements({
      collaboratorId: inv.collaborator_id,
      trackId: inv.track_id,
      accountId: input.accountId,
      eventId,
      now,
      via: input.via,
      reason: 'accepted',
    }),
    notificationInsert({
      recipient: raw('t.owner_id'),
      kind: 'invitation_accepted',
      trackId: raw('t.id'),
      actorId: sql`${input.accountId}`,
      via: input.via,
      now,
      from: sql`FROM tracks t WHERE t.id = ${inv.track_id} AND ${joined}`,
    }),
  ];
  if (input.via === 'app') {
    // Dropbox's add_folder_member only sent an invitation: the folder joins their Dropbox when it is mounted with
    // THEIR token (sharing/mount_folder). Without a linked Dropbox they accept there too; reconciliation sees it.
    qs.push(sql`INSERT INTO dropbox_changes (track_id, collaborator_id, kind, params, status, attempts, next_attempt_at, created_at, updated_at)
      SELECT c.track_id, c.id, 'mount_folder',
             json_object('shared_folder_id', t.dropbox_shared_folder_id, 'email', c.email,
                         'dropbox_account_id', a.dropbox_account_id, 'actor_account_id', c.account_id),
             'pending', 0, ${now}, ${now}, ${now}
      FROM collaborators c JOIN tracks t ON t.id = c.track_id LEFT JOIN accounts a ON a.id = c.account_id
      WHERE c.id = ${inv.collaborator_id} AND c.event_id = ${eventId} AND (c.dropbox_state IS NULL OR c.dropbox_state <> 'member')`);
  }
  return { eventId, trackId: inv.track_id, statements: qs.map((q) => prepare(db, q)) };
}

/** Library entry, library change and history for someone who (re)joins. */
function joinStatements(j: {
  collaboratorId: string;
  trackId: string;
  accountId: Sql | string;
  eventId: string;
  now: string;
  via: Via;
  reason: 'accepted' | 'added_in_dropbox';
}): Sql[] {
  const joined = collaboratorStamped(j.collaboratorId, j.eventId);
  const account = typeof j.accountId === 'string' ? sql`${j.accountId}` : j.accountId;
  return [
    sql`INSERT INTO library_entries (account_id, track_id, project, hidden, in_library, added_at, updated_at)
        SELECT ${account}, ${j.trackId}, NULL, 0, 1, ${j.now}, ${j.now} WHERE ${joined}
        ON CONFLICT (account_id, track_id) DO UPDATE SET in_library = 1, added_at = excluded.added_at, updated_at = excluded.updated_at`,
    sql`INSERT INTO library_changes (account_id, track_id, change, reason, created_at)
        SELECT ${account}, ${j.trackId}, 'added', ${j.reason}, ${j.now} WHERE ${joined}`,
    sql`INSERT INTO track_history (track_no, kind, actor_no, actor_name, via, collaborator_id, details, created_at)
        SELECT ${trackNo(raw('c.track_id'))}, ${kindCode('collaborator_joined')}, ${accountNo(raw('c.account_id'))}, COALESCE((SELECT display_name FROM accounts WHERE id = c.account_id), c.display_name),
               ${j.via}, c.id, json_object('collaborator', c.display_name, 'accessLevel', c.access_level, 'previousStatus', c.previous_status),
               ${historyTime(j.now)}
        FROM collaborators c WHERE c.id = ${j.collaboratorId} AND c.event_id = ${j.eventId}`,
  ];
}

export async function acceptInvitation(db: D1Database, input: RespondInput): Promise<{ invitation: Invitation; trackId: string; changed: boolean }> {
  const plan = await planAcceptInvitation(db, input);
  const results = await runPlan(db, plan);
  if (!applied(results)) throw new DomainError('invitation_not_pending', 'This invitation is no longer pending.');
  return { invitation: (await getInvitation(db, input.invitationId))!, trackId: plan.trackId, changed: true };
}

export async function planDeclineInvitation(db: D1Database, input: RespondInput): Promise<Plan> {
  const inv = await invitationFor(db, input.invitationId, input.accountId);
  const now = nowIso();
  const eventId = newId('evt');
  const stamped = collaboratorStamped(inv.collaborator_id, eventId);
  const qs: Sql[] = [
    sql`UPDATE invitations SET status = 'declined', responded_at = ${now}, event_id = ${eventId}
        WHERE id = ${inv.id} AND status = 'pending'
          ${input.asRead ? sql`AND EXISTS (SELECT 1 FROM collaborators WHERE id = ${inv.collaborator_id}${stillAsRead(input.asRead)})` : raw('')}`,
    sql`UPDATE collaborators SET previous_status = status, status = 'declined', ended_at = ${now}, ended_by = ${input.accountId},
          ended_via = ${input.via}, event_id = ${eventId}, updated_at = ${now}
        WHERE id = ${inv.collaborator_id} AND status = 'invited'
          AND EXISTS (SELECT 1 FROM invitations WHERE id = ${inv.id} AND event_id = ${eventId})`,
    insertHistory({
      trackId: inv.track_id,
      kind: 'invitation_declined',
      actorId: input.accountId,
      via: input.via,
      collaboratorId: inv.collaborator_id,
      details: { email: inv.email },
      now,
      when: stamped,
    }),
    notificationInsert({
      recipient: raw('t.owner_id'),
      kind: 'invitation_declined',
      trackId: raw('t.id'),
      actorId: sql`${input.accountId}`,
      via: input.via,
      now,
      from: sql`FROM tracks t WHERE t.id = ${inv.track_id} AND ${stamped}`,
    }),
  ];
  if (input.via === 'app') {
    // The Dropbox folder invitation made by add_member is withdrawn too.
    qs.push(sql`INSERT INTO dropbox_changes (track_id, collaborator_id, kind, params, status, attempts, next_attempt_at, created_at, updated_at)
      SELECT c.track_id, c.id, 'remove_member',
             json_object('shared_folder_id', t.dropbox_shared_folder_id, 'email', c.email,
                         'dropbox_account_id', a.dropbox_account_id, 'leave_a_copy', json('false'),
                         'actor_account_id', t.owner_id),
             'pending', 0, ${now}, ${now}, ${now}
      FROM collaborators c JOIN tracks t ON t.id = c.track_id LEFT JOIN accounts a ON a.id = ${input.accountId}
      WHERE c.id = ${inv.collaborator_id} AND c.event_id = ${eventId}`);
  }
  return { eventId, statements: qs.map((q) => prepare(db, q)) };
}

/**
 * The Dropbox membership (or Dropbox invitation) that PD's invitation created is gone while the PD invitation is
 * still pending: the person left the folder in Dropbox before accepting in PD. That is their answer: the PD
 * invitation is declined by them (via 'dropbox', nothing sent back to Dropbox; the owner is notified as for a
 * decline in PD), so it can no longer be accepted into access that Dropbox does not give. The owner can invite
 * them again. Empty plan when there is no pending invitation or no PD account for that e-mail.
 */
export async function planInvitationDeclinedInDropbox(
  db: D1Database,
  input: { trackId: string; collaboratorId: string; asRead?: AsRead },
): Promise<Plan> {
  const row = await prepare(
    db,
    sql`SELECT i.id, a.id AS account_id FROM invitations i
        JOIN accounts a ON a.email_lower = i.email_lower
        JOIN collaborators c ON c.id = i.collaborator_id
        WHERE i.track_id = ${input.trackId} AND i.collaborator_id = ${input.collaboratorId} AND i.status = 'pending'
          ${input.asRead ? sql`AND c.event_id IS ${input.asRead.eventId}` : raw('')}
        ORDER BY i.created_at DESC LIMIT 1`,
  ).first<{ id: string; account_id: string }>();
  if (!row) return emptyPlan();
  return planDeclineInvitation(db, { invitationId: row.id, accountId: row.account_id, via: 'dropbox', asRead: input.asRead });
}

export async function declineInvitation(db: D1Database, input: RespondInput): Promise<{ invitation: Invitation }> {
  const results = await runPlan(db, await planDeclineInvitation(db, input));
  if (!applied(results)) throw new DomainError('invitation_not_pending', 'This invitation is no longer pending.');
  return { invitation: (await getInvitation(db, input.invitationId))! };
}

// ---------------------------------------------------------------------------------------------------------------
// A member found in the Dropbox shared folder (added there directly, or accepted there)

export interface MemberAddedInput {
  trackId: string;
  dropboxAccountId: string;
  email: string;
  displayName: string;
  accessLevel: AccessLevel;
  /** Found by a reconciliation: only if the record (or its absence) is still as read (see AsRead). */
  asRead?: AsRead;
}

/**
 * Makes the Dropbox member an active collaborator (creating their PD account record if they never signed in):
 * an invited record is accepted, an ended one becomes active again, otherwise a record is created.
 * No Dropbox change is queued (Dropbox already did it). No-op if they are the owner or already active.
 */
export async function planMemberAddedInDropbox(db: D1Database, input: MemberAddedInput): Promise<Plan & { collaboratorId: string | null }> {
  const track = await trackRow(db, input.trackId);
  const emailLower = lower(input.email);
  const [accRes, colRes] = await db.batch([
    prepare(db, sql`SELECT id FROM accounts WHERE dropbox_account_id = ${input.dropboxAccountId}`),
    prepare(
      db,
      sql`SELECT c.* FROM collaborators c WHERE c.track_id = ${input.trackId}
          AND (c.email_lower = ${emailLower}
               OR c.account_id = (SELECT id FROM accounts WHERE dropbox_account_id = ${input.dropboxAccountId}))
          ORDER BY (c.id IS ${input.asRead?.collaboratorId ?? null}) DESC, (c.account_id IS NULL), c.invited_at LIMIT 1`,
    ),
  ]);
  const accountId = (accRes.results[0] as { id: string } | undefined)?.id;
  const existing = colRes.results[0] as CollaboratorRow | undefined;
  const eventId = newId('evt');
  if (accountId === track.owner_id || existing?.status === 'active' || changedSinceRead(input.asRead, existing)) {
    return { eventId, collaboratorId: existing?.id ?? null, statements: [] };
  }
  const now = nowIso();
  const account = sql`(SELECT id FROM accounts WHERE dropbox_account_id = ${input.dropboxAccountId})`;
  const collaboratorId = existing?.id ?? newId('col');
  const qs: Sql[] = [
    // Their PD account record (created if they never signed in; refreshed name otherwise: never the e-mail, see
    // MEMBER_ACCOUNT_SQL).
    {
      text: MEMBER_ACCOUNT_SQL,
      params: [newId('acc'), input.dropboxAccountId, input.email.trim(), emailLower, cleanName(input.displayName) || input.email.trim(), now, now],
    },
  ];
  if (existing) {
    qs.push(sql`UPDATE collaborators SET previous_status = status, status = 'active', account_id = ${account},
          access_level = ${input.accessLevel}, joined_at = ${now}, ended_at = NULL, ended_by = NULL, ended_via = NULL, ended_evidence = NULL,
          dropbox_state = 'member', dropbox_access_level = NULL, event_id = ${eventId}, updated_at = ${now}
        WHERE id = ${existing.id} AND status <> 'active'${stillAsRead(input.asRead)}`);
    qs.push(sql`UPDATE invitations SET status = 'accepted', responded_at = ${now}
        WHERE collaborator_id = ${existing.id} AND status = 'pending' AND ${collaboratorStamped(existing.id, eventId)}`);
  } else {
    qs.push(sql`INSERT INTO collaborators (id, track_id, account_id, email, email_lower, display_name, role, access_level,
        status, invited_at, invited_by, joined_at, event_id, updated_at, dropbox_state)
      VALUES (${collaboratorId}, ${input.trackId}, ${account}, ${input.email.trim()}, ${emailLower}, ${cleanName(input.displayName) || input.email.trim()},
        NULL, ${input.accessLevel}, 'active', ${now}, ${track.owner_id}, ${now}, ${eventId}, ${now}, 'member')
      ON CONFLICT DO NOTHING`);
  }
  qs.push(
    ...joinStatements({ collaboratorId, trackId: input.trackId, accountId: account, eventId, now, via: 'dropbox', reason: 'added_in_dropbox' }),
  );
  if (existing?.status === 'invited') {
    qs.push(
      notificationInsert({
        recipient: raw('t.owner_id'),
        kind: 'invitation_accepted',
        trackId: raw('t.id'),
        actorId: account,
        via: 'dropbox',
        now,
        from: sql`FROM tracks t WHERE t.id = ${input.trackId} AND ${collaboratorStamped(collaboratorId, eventId)}`,
      }),
    );
  }
  return { eventId, collaboratorId, statements: qs.map((q) => prepare(db, q)) };
}

export async function memberAddedInDropbox(
  db: D1Database,
  input: MemberAddedInput,
): Promise<{ changed: boolean; collaborator: Collaborator | null }> {
  const plan = await planMemberAddedInDropbox(db, input);
  const results = await runPlan(db, plan);
  const changed = (results[1]?.meta.changes ?? 0) > 0;
  if (!plan.collaboratorId) return { changed, collaborator: null };
  const row = await prepare(db, sql`SELECT * FROM collaborators WHERE id = ${plan.collaboratorId}`).first<CollaboratorRow>();
  return { changed, collaborator: row ? toCollaborator(row) : null };
}

// ---------------------------------------------------------------------------------------------------------------
// The sharing panel: people I share with, each with their tracks

export async function sharingPanel(db: D1Database, ownerId: string): Promise<SharingPerson[]> {
  const { results } = await prepare(
    db,
    sql`SELECT c.id, c.email, c.email_lower, c.display_name, c.account_id, c.status, c.access_level, t.id AS track_id, t.title
        FROM tracks t JOIN collaborators c ON c.track_id = t.id
        WHERE t.owner_id = ${ownerId} AND c.status IN ('active', 'invited')
        ORDER BY c.email_lower, t.title, t.id`,
  ).all<{
    id: string;
    email: string;
    email_lower: string;
    display_name: string;
    account_id: string | null;
    status: 'active' | 'invited';
    access_level: AccessLevel;
    track_id: string;
    title: string;
  }>();
  const people = new Map<string, SharingPerson>();
  for (const r of results) {
    let p = people.get(r.email_lower);
    if (!p) {
      p = { personKey: r.email_lower, displayName: r.display_name, email: r.email, accountId: r.account_id, tracks: [] };
      people.set(r.email_lower, p);
    }
    if (!p.accountId && r.account_id) {
      p.accountId = r.account_id;
      p.displayName = r.display_name;
    }
    p.tracks.push({ trackId: r.track_id, title: r.title, collaboratorId: r.id, status: r.status, accessLevel: r.access_level });
  }
  return [...people.values()].sort((a, b) => a.displayName.localeCompare(b.displayName));
}
