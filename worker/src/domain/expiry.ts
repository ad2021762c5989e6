// Expiring access and heads-ups (issue 12, items 1 and 2). Both are a scheduled end of access on a collaborator
// record (`access_expires_at`); a heads-up is that schedule with a note, told to the collaborator at once. When the
// time comes, the cron (or the owner ending it early) runs the revoke plan itself (`endStatements` of sharing.ts with
// `scheduled`), so credits, comments and edits stay, the Dropbox removal is queued, and both people are notified —
// the notices say it expired, not that the owner acted.
//
// Every mutation here is a plan in the house style: a conditional UPDATE stamps a fresh event id on the records it
// changes; history and notifications act only on stamped records. Set-based over a WHERE (`which`), so one
// collaborator, one person's every track, and a selection from the review are the same few statements.
import {
  HEADS_UP_MS,
  MAX_EXPIRY_YEARS,
  type Collaborator,
  type HeadsUpEndsIn,
  type Invitation,
  type PersonScheduleResponse,
  type ReviewActionBody,
  type ReviewActionResponse,
} from '@pd/shared';
import { requireOwner, trackAccess } from './access.ts';
import { applied, lower, newId, nowIso, type Plan } from './db.ts';
import { DomainError } from './errors.ts';
import { planDowngrade } from './review-actions.ts';
import { toCollaborator, type CollaboratorRow } from './rows.ts';
import { endStatements, getInvitation, notificationInsert, planInvite, type InviteInput } from './sharing.ts';
import { accountNo, historyTime, kindCode, trackNo } from './history.ts';
import { prepare, raw, sql, type Sql } from './sql.ts';

const DAY_MS = 86_400_000;

/**
 * Records a plan's opening UPDATE changed: the rows of its `RETURNING id`. Not `meta.changes`, which D1 counts with
 * the rows its triggers wrote (the live outbox of migration 0024 adds one or more per changed record).
 */
const rowsChanged = (r: D1Result | undefined): number => r?.results?.length ?? 0;
/** Reminder bits in collaborators.expiry_reminded. */
export const REMINDED_3_DAYS = 1;
export const REMINDED_1_DAY = 2;
/** Records ended per statement set, and statement sets per cron tick (each set is ~9 statements). */
export const EXPIRE_CHUNK = 500;
export const EXPIRE_CHUNKS_PER_TICK = 4;
export const REMIND_CHUNK = 1000;

/** An expiry date from a person: normalised to UTC `toISOString`, future, at most 5 years ahead. */
export function checkExpiry(value: string, now = Date.now()): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new DomainError('validation_failed', 'accessExpiresAt: must be an ISO-8601 date-time.');
  if (ms <= now) throw new DomainError('expiry_in_past', 'The access end must be in the future.');
  const max = new Date(now);
  max.setUTCFullYear(max.getUTCFullYear() + MAX_EXPIRY_YEARS);
  if (ms > max.getTime()) throw new DomainError('expiry_too_far', `The access end can be at most ${MAX_EXPIRY_YEARS} years ahead.`);
  return new Date(ms).toISOString();
}

/** Reminders a new schedule makes moot: the notice of the schedule itself already told them it is that close. */
export function remindedAtSet(expiresAt: string, now = Date.now()): number {
  const left = Date.parse(expiresAt) - now;
  if (left <= DAY_MS) return REMINDED_3_DAYS | REMINDED_1_DAY;
  if (left <= 3 * DAY_MS) return REMINDED_3_DAYS;
  return 0;
}

// ---------------------------------------------------------------------------------------------------------------
// Which records: one collaborator, one person's tracks, or a selection — always only the owner's own tracks.

export const ownTracks = (ownerId: string): Sql => sql`track_id IN (SELECT id FROM tracks WHERE owner_id = ${ownerId})`;
export const whichCollaborator = (ownerId: string, trackId: string, collaboratorId: string): Sql =>
  sql`id = ${collaboratorId} AND track_id = ${trackId} AND ${ownTracks(ownerId)}`;
export const whichPerson = (ownerId: string, personKey: string): Sql => sql`email_lower = ${lower(personKey)} AND ${ownTracks(ownerId)}`;
export const whichSelection = (ownerId: string, collaboratorIds: string[]): Sql =>
  sql`id IN (SELECT value FROM json_each(${JSON.stringify(collaboratorIds)})) AND ${ownTracks(ownerId)}`;

export type ScheduleChange =
  | { kind: 'expiry'; accessExpiresAt: string }
  | { kind: 'remove' }
  | { kind: 'heads_up'; note: string | null; endsIn: HeadsUpEndsIn };

/**
 * Set, change or remove the end of access of the records `which` selects (invited or active ones), or send a
 * heads-up. A heads-up "now" ends the access in the same batch (one notice, with the note). The last statement reads
 * back the tracks it changed.
 */
export function planSchedule(db: D1Database, input: { which: Sql; ownerId: string; change: ScheduleChange; now?: number }): Plan {
  const nowMs = input.now ?? Date.now();
  const now = new Date(nowMs).toISOString();
  const eventId = newId('evt');
  const c = input.change;
  const stamped = sql`c.event_id = ${eventId}`;
  const current = raw(`status IN ('active', 'invited')`);
  const qs: Sql[] = [];
  if (c.kind === 'remove') {
    // The heads-up flag and note stay on the record (history reads them below); nothing shows them once the date is gone.
    qs.push(sql`UPDATE collaborators SET access_expires_at = NULL, event_id = ${eventId}, updated_at = ${now}
        WHERE ${input.which} AND ${current} AND access_expires_at IS NOT NULL RETURNING id`);
    qs.push(sql`INSERT INTO track_history (track_no, kind, actor_no, actor_name, via, collaborator_id, details, created_at)
        SELECT ${trackNo(raw('c.track_id'))}, ${kindCode(raw(`CASE WHEN c.expiry_heads_up = 1 THEN 'heads_up_cancelled' ELSE 'access_expiry_removed' END`))},
               ${accountNo(input.ownerId)}, (SELECT display_name FROM accounts WHERE id = ${input.ownerId}), 'app', c.id,
               json_object('collaborator', c.display_name, 'email', c.email,
                           'note', CASE WHEN c.expiry_heads_up = 1 THEN c.expiry_note END), ${historyTime(now)}
        FROM collaborators c WHERE ${stamped}`);
    qs.push(
      notificationInsert({
        recipient: raw('c.account_id'),
        kind: 'access_expiry_set',
        trackId: raw('c.track_id'),
        actorId: sql`${input.ownerId}`,
        via: 'app',
        now,
        from: sql`FROM collaborators c WHERE ${stamped} AND c.status = 'active' AND c.account_id IS NOT NULL AND c.expiry_heads_up = 0`,
        notice: raw(`json_object('accessEndsAt', NULL)`),
      }),
      notificationInsert({
        recipient: raw('c.account_id'),
        kind: 'heads_up_cancelled',
        trackId: raw('c.track_id'),
        actorId: sql`${input.ownerId}`,
        via: 'app',
        now,
        from: sql`FROM collaborators c WHERE ${stamped} AND c.status = 'active' AND c.account_id IS NOT NULL AND c.expiry_heads_up = 1`,
        notice: raw(
          `json_object('accessEndsAt', NULL, 'headsUp', json_object('note', c.expiry_note, 'accessEndsAt', NULL, 'sentAt', c.expiry_set_at))`,
        ),
      }),
    );
  } else {
    const headsUp = c.kind === 'heads_up';
    const expiresAt = headsUp ? new Date(nowMs + HEADS_UP_MS[c.endsIn]).toISOString() : c.accessExpiresAt;
    const note = headsUp ? c.note || null : null;
    const endsNow = headsUp && c.endsIn === 'now';
    // An expiry set again to the same date changes nothing (and notifies nobody); a heads-up is always a new message.
    const differs = headsUp ? raw('1') : sql`(access_expires_at IS NULL OR access_expires_at <> ${expiresAt} OR expiry_heads_up = 1)`;
    qs.push(sql`UPDATE collaborators SET access_expires_at = ${expiresAt}, expiry_heads_up = ${headsUp ? 1 : 0}, expiry_note = ${note},
          expiry_set_at = ${now}, expiry_reminded = ${remindedAtSet(expiresAt, nowMs)}, event_id = ${eventId}, updated_at = ${now}
        WHERE ${input.which} AND ${current} AND ${differs} RETURNING id`);
    qs.push(sql`INSERT INTO track_history (track_no, kind, actor_no, actor_name, via, collaborator_id, details, created_at)
        SELECT ${trackNo(raw('c.track_id'))}, ${kindCode(headsUp ? 'heads_up_sent' : 'access_expiry_set')}, ${accountNo(input.ownerId)},
               (SELECT display_name FROM accounts WHERE id = ${input.ownerId}), 'app', c.id,
               json_object('collaborator', c.display_name, 'email', c.email, 'accessEndsAt', ${expiresAt}
                           ${headsUp ? sql`, 'note', ${note}, 'endsIn', ${c.endsIn}` : raw('')}), ${historyTime(now)}
        FROM collaborators c WHERE ${stamped}`);
    if (!endsNow) {
      qs.push(
        notificationInsert({
          recipient: raw('c.account_id'),
          kind: headsUp ? 'heads_up' : 'access_expiry_set',
          trackId: raw('c.track_id'),
          actorId: sql`${input.ownerId}`,
          via: 'app',
          now,
          from: sql`FROM collaborators c WHERE ${stamped} AND c.status = 'active' AND c.account_id IS NOT NULL`,
          notice: headsUp
            ? sql`json_object('accessEndsAt', ${expiresAt}, 'headsUp', json_object('note', ${note}, 'accessEndsAt', ${expiresAt}, 'sentAt', ${now}))`
            : sql`json_object('accessEndsAt', ${expiresAt})`,
        }),
      );
    } else {
      // "Now": the revoke itself, in this batch, on exactly the records just stamped (its notice carries the note).
      qs.push(
        ...endStatements(
          { status: 'revoked', which: sql`event_id = ${eventId}`, actorId: input.ownerId, via: 'app', scheduled: true, evidence: 'pd_revoke' },
          newId('evt'),
          now,
        ),
      );
    }
  }
  qs.push(sql`SELECT DISTINCT track_id FROM collaborators WHERE event_id = ${eventId} ORDER BY track_id`);
  return { eventId, statements: qs.map((q) => prepare(db, q)) };
}

/** Tracks changed by a plan from planSchedule (its last statement), and whether anything changed. */
export function scheduleResult(results: D1Result[]): { changed: boolean; trackIds: string[] } {
  const last = results[results.length - 1];
  return { changed: applied(results), trackIds: ((last?.results ?? []) as Array<{ track_id: string }>).map((r) => r.track_id) };
}

// ---------------------------------------------------------------------------------------------------------------
// Checks before a plan, for clear errors (the plan itself stays correct if the state changed in between).

export async function scheduledCollaborator(
  db: D1Database,
  input: { trackId: string; collaboratorId: string; ownerId: string },
): Promise<CollaboratorRow> {
  requireOwner(await trackAccess(db, input.trackId, input.ownerId), 'set when access ends');
  const row = await prepare(
    db,
    sql`SELECT * FROM collaborators WHERE id = ${input.collaboratorId} AND track_id = ${input.trackId}`,
  ).first<CollaboratorRow>();
  if (!row) throw new DomainError('collaborator_not_found', 'No such collaborator on this track.');
  if (row.status !== 'active' && row.status !== 'invited') {
    throw new DomainError('collaborator_not_active', `${row.display_name}'s access has already ended.`);
  }
  return row;
}

export async function requirePerson(db: D1Database, ownerId: string, personKey: string): Promise<void> {
  const known = await prepare(db, sql`SELECT 1 FROM collaborators WHERE email_lower = ${lower(personKey)} AND ${ownTracks(ownerId)} LIMIT 1`).first();
  if (!known) throw new DomainError('person_not_found', 'You do not share any track with this person.');
}

// ---------------------------------------------------------------------------------------------------------------
// The cron's part: due ends of access, and reminders 3 days and 1 day before. Bounded per tick; the rest waits a
// minute. Never twice: each end is the revoke plan, conditional on the access still being there.

const dueWhere = (now: string) => sql`access_expires_at IS NOT NULL AND status IN ('active', 'invited') AND access_expires_at <= ${now}`;

/** One set of due records: the revoke plan over them (a constant number of statements). */
export function planExpireDue(db: D1Database, now: string, limit = EXPIRE_CHUNK): Plan {
  const eventId = newId('evt');
  const qs = endStatements(
    {
      status: 'revoked',
      which: sql`${dueWhere(now)} AND id IN (SELECT id FROM collaborators WHERE ${dueWhere(now)} ORDER BY access_expires_at LIMIT ${limit})`,
      actorId: null,
      via: 'app',
      scheduled: true,
      evidence: 'pd_revoke',
    },
    eventId,
    now,
  );
  return { eventId, statements: qs.map((q) => prepare(db, q)) };
}

/** Ends of access whose time came (≤ EXPIRE_CHUNK × EXPIRE_CHUNKS_PER_TICK per tick). */
export async function expireDue(db: D1Database, nowMs = Date.now()): Promise<number> {
  const now = new Date(nowMs).toISOString();
  let ended = 0;
  for (let i = 0; i < EXPIRE_CHUNKS_PER_TICK; i++) {
    const results = await db.batch(planExpireDue(db, now).statements);
    const n = rowsChanged(results[0]);
    ended += n;
    if (n < EXPIRE_CHUNK) break;
  }
  return ended;
}

/** Reminders due: "3 days before" and "1 day before", each once per schedule (stamped, so never twice). */
export async function sendExpiryReminders(db: D1Database, nowMs = Date.now()): Promise<number> {
  const now = new Date(nowMs).toISOString();
  const in1 = new Date(nowMs + DAY_MS).toISOString();
  const in3 = new Date(nowMs + 3 * DAY_MS).toISOString();
  const eventId = newId('evt');
  const due = sql`access_expires_at IS NOT NULL AND status IN ('active', 'invited') AND access_expires_at > ${now} AND access_expires_at <= ${in3}
    AND ((expiry_reminded & ${REMINDED_3_DAYS}) = 0 OR (access_expires_at <= ${in1} AND (expiry_reminded & ${REMINDED_1_DAY}) = 0))`;
  const [update] = await db.batch([
    prepare(
      db,
      sql`UPDATE collaborators SET
            expiry_reminded = CASE WHEN access_expires_at <= ${in1} THEN ${REMINDED_3_DAYS | REMINDED_1_DAY} ELSE expiry_reminded | ${REMINDED_3_DAYS} END,
            event_id = ${eventId}
          WHERE ${due} AND id IN (SELECT id FROM collaborators WHERE ${due} ORDER BY access_expires_at LIMIT ${REMIND_CHUNK}) RETURNING id`,
    ),
    prepare(
      db,
      notificationInsert({
        recipient: raw('c.account_id'),
        kind: 'access_expiring',
        trackId: raw('c.track_id'),
        actorId: raw('t.owner_id'),
        via: 'app',
        now,
        from: sql`FROM collaborators c JOIN tracks t ON t.id = c.track_id
                  WHERE c.event_id = ${eventId} AND c.status = 'active' AND c.account_id IS NOT NULL`,
        notice: sql`json_object('accessEndsAt', c.access_expires_at, 'reminder', CASE WHEN c.access_expires_at <= ${in1} THEN '1_day' ELSE '3_days' END,
                    'headsUp', CASE WHEN c.expiry_heads_up = 1 THEN json_object('note', c.expiry_note, 'accessEndsAt', c.access_expires_at, 'sentAt', c.expiry_set_at) END)`,
      }),
    ),
  ]);
  return rowsChanged(update);
}

/** Owner ends a scheduled end early: the revoke now, still told as the end of that expiry / heads-up. */
export function planEndNow(db: D1Database, which: Sql): Plan {
  const now = nowIso();
  const eventId = newId('evt');
  const qs = endStatements(
    { status: 'revoked', which: sql`${which} AND access_expires_at IS NOT NULL`, actorId: null, via: 'app', scheduled: true, evidence: 'pd_revoke' },
    eventId,
    now,
  );
  qs.push(sql`SELECT track_id FROM collaborators WHERE event_id = ${eventId}`);
  return { eventId, statements: qs.map((q) => prepare(db, q)) };
}

// ---------------------------------------------------------------------------------------------------------------
// What the API calls.

async function readCollaborator(db: D1Database, collaboratorId: string): Promise<Collaborator> {
  const row = await prepare(db, sql`SELECT * FROM collaborators WHERE id = ${collaboratorId}`).first<CollaboratorRow>();
  return toCollaborator(row!);
}

export interface CollaboratorScheduleInput {
  ownerId: string;
  trackId: string;
  collaboratorId: string;
}

/** Set, change (a date) or remove (null) when one collaborator's access ends. Removing also cancels a heads-up. */
export async function setCollaboratorExpiry(
  db: D1Database,
  input: CollaboratorScheduleInput & { accessExpiresAt: string | null },
): Promise<{ changed: boolean; collaborator: Collaborator }> {
  const change: ScheduleChange =
    input.accessExpiresAt === null ? { kind: 'remove' } : { kind: 'expiry', accessExpiresAt: checkExpiry(input.accessExpiresAt) };
  await scheduledCollaborator(db, input);
  const results = await db.batch(
    planSchedule(db, { which: whichCollaborator(input.ownerId, input.trackId, input.collaboratorId), ownerId: input.ownerId, change }).statements,
  );
  return { changed: applied(results), collaborator: await readCollaborator(db, input.collaboratorId) };
}

/** A heads-up to one collaborator: note + when access ends; "now" ends it at once. */
export async function headsUpCollaborator(
  db: D1Database,
  input: CollaboratorScheduleInput & { note: string | null; endsIn: HeadsUpEndsIn },
): Promise<{ changed: boolean; collaborator: Collaborator }> {
  await scheduledCollaborator(db, input);
  const change: ScheduleChange = { kind: 'heads_up', note: input.note, endsIn: input.endsIn };
  const results = await db.batch(
    planSchedule(db, { which: whichCollaborator(input.ownerId, input.trackId, input.collaboratorId), ownerId: input.ownerId, change }).statements,
  );
  return { changed: applied(results), collaborator: await readCollaborator(db, input.collaboratorId) };
}

/** End a scheduled end (expiry or heads-up) early: the revoke now. 409 no_schedule when none is set any more. */
export async function endCollaboratorNow(
  db: D1Database,
  input: CollaboratorScheduleInput,
): Promise<{ changed: boolean; collaborator: Collaborator }> {
  const row = await scheduledCollaborator(db, input);
  if (!row.access_expires_at) throw new DomainError('no_schedule', `No end of access is scheduled for ${row.display_name}: revoke instead.`);
  const results = await db.batch(planEndNow(db, whichCollaborator(input.ownerId, input.trackId, input.collaboratorId)).statements);
  return { changed: applied(results), collaborator: await readCollaborator(db, input.collaboratorId) };
}

/** Every track of the owner shared with one person (the sharing panel): expiry set/changed/removed, or a heads-up. */
export async function schedulePerson(
  db: D1Database,
  input: { ownerId: string; personKey: string; change: { accessExpiresAt: string | null } | { note: string | null; endsIn: HeadsUpEndsIn } },
): Promise<PersonScheduleResponse> {
  const change: ScheduleChange =
    'endsIn' in input.change
      ? { kind: 'heads_up', note: input.change.note, endsIn: input.change.endsIn }
      : input.change.accessExpiresAt === null
        ? { kind: 'remove' }
        : { kind: 'expiry', accessExpiresAt: checkExpiry(input.change.accessExpiresAt) };
  await requirePerson(db, input.ownerId, input.personKey);
  const results = await db.batch(planSchedule(db, { which: whichPerson(input.ownerId, input.personKey), ownerId: input.ownerId, change }).statements);
  const { trackIds } = scheduleResult(results);
  return {
    changedCount: rowsChanged(results[0]),
    trackIds,
    ...(change.kind === 'heads_up' && change.endsIn === 'now' ? { endedCount: rowsChanged(results[0]) } : {}),
  };
}

/** Invite with an end of access (issue 12): the invite plan and the schedule in one batch. */
export async function inviteUntil(
  db: D1Database,
  input: InviteInput & { accessExpiresAt: string },
): Promise<{ invitation: Invitation; collaborator: Collaborator }> {
  const expiresAt = checkExpiry(input.accessExpiresAt);
  const plan = await planInvite(db, input);
  const schedule = planSchedule(db, {
    which: sql`id = ${plan.collaboratorId} AND event_id = ${plan.eventId}`,
    ownerId: input.actorId!,
    change: { kind: 'expiry', accessExpiresAt: expiresAt },
  });
  const results = await db.batch([...plan.statements, ...schedule.statements]);
  if (!applied(results)) throw new DomainError('already_invited', 'This person was just invited or added.');
  return { invitation: (await getInvitation(db, plan.invitationId))!, collaborator: await readCollaborator(db, plan.collaboratorId) };
}

/** One action from the review on a selection of the owner's collaborator records (set-based, one batch). */
export async function reviewAction(db: D1Database, ownerId: string, body: ReviewActionBody): Promise<ReviewActionResponse> {
  const which = whichSelection(ownerId, body.collaboratorIds);
  let plan: Plan;
  if (body.action === 'revoke') {
    const eventId = newId('evt');
    const qs = endStatements({ status: 'revoked', which, actorId: ownerId, via: 'app', evidence: 'pd_revoke' }, eventId, nowIso());
    qs.push(sql`SELECT DISTINCT track_id FROM collaborators WHERE event_id = ${eventId} ORDER BY track_id`);
    plan = { eventId, statements: qs.map((q) => prepare(db, q)) };
  } else if (body.action === 'downgrade') {
    plan = planDowngrade(db, { which, ownerId });
  } else if (body.action === 'expiry') {
    const change: ScheduleChange =
      body.accessExpiresAt === null ? { kind: 'remove' } : { kind: 'expiry', accessExpiresAt: checkExpiry(body.accessExpiresAt) };
    plan = planSchedule(db, { which, ownerId, change });
  } else {
    plan = planSchedule(db, { which, ownerId, change: { kind: 'heads_up', note: body.note ?? null, endsIn: body.endsIn } });
  }
  const results = await db.batch(plan.statements);
  const { trackIds } = scheduleResult(results);
  return { action: body.action, changedCount: rowsChanged(results[0]), trackIds };
}
