// Executes pending Dropbox changes (table dropbox_changes, written by the domain in the same batch as the PD
// change). PD is already changed when a row exists: a revoke is immediate in PD whatever Dropbox does; this
// code only makes Dropbox agree, and never loses a change:
//   pending --claim--> running --ok / moot ("already so", confirmed)--> done (note: why)
//                         |--429/5xx/timeout/expired token--> pending (next_attempt_at, queue retry with delay)
//                         '--permanent error or attempts used up--> failed (last_error; the owner can retry)
// A running row whose executor died is reclaimed once its next_attempt_at passes (cron re-enqueues it).
import type { sharing } from 'dropbox';
import { classifyDropboxError, tagPath } from '../dropbox/errors.ts';
import { NotLinkedError, clientForAccount, type DropboxClient } from '../dropbox/client.ts';
import { UnconfirmedError, readFolderState, readMemberState } from '../dropbox/folder-state.ts';
import { insertHistory } from '../domain/history.ts';
import { prepare, sql } from '../domain/sql.ts';
import { sendJobs, type Job } from './messages.ts';
import {
  GROUP_ACCESS_NOTE,
  MountRefused,
  NothingToMount,
  keptAfterRemoval,
  afterRemoval,
  mountForMember,
  recordAgreement,
  recordHeld,
  recordPlanRefusal,
} from './membership.ts';
import { PacedError, rateOf } from '../dropbox/pace.ts';

export const MAX_ATTEMPTS = 8;
/** How long a claimed change may run before another executor may take it over. */
const RUN_LEASE_MS = 5 * 60_000;
/** How long a change handed to the queue waits before the cron hands it over again (lost message). */
export const ENQUEUE_LEASE_MS = 60_000;
/**
 * Dropbox calls one change takes (the call, a poll that finds its job running, the poll that finds it done). A
 * change handed to the queue behind k others of the same account cannot run before those k × CALLS_PER_CHANGE calls
 * went through that account's pace (src/dropbox/pace.ts), so its lease is ENQUEUE_LEASE_MS plus that long: with one
 * flat minute, the 9,700 changes of a Revoke All of 10,000 still waiting their turn were handed to the queue again
 * by every cron tick and every API request a minute later (10,000 duplicate messages each time).
 */
const CALLS_PER_CHANGE = 3;
/** Polls of an async Dropbox job within one attempt before the attempt is continued later. */
const MAX_JOB_POLLS = 6;

export interface ChangeRow {
  id: number;
  track_id: string;
  collaborator_id: string | null;
  kind: 'remove_member' | 'relinquish' | 'update_access' | 'add_member' | 'mount_folder';
  params: string;
  status: 'pending' | 'running' | 'done' | 'failed';
  attempts: number;
  last_error: string | null;
  next_attempt_at: string | null;
}

export interface ChangeParams {
  shared_folder_id: string;
  email?: string | null;
  dropbox_account_id?: string | null;
  access_level?: 'editor' | 'viewer' | null;
  leave_a_copy?: boolean;
  actor_account_id: string;
  /** set by this executor while a remove/relinquish job is still running in Dropbox */
  async_job_id?: string;
  async_job_kind?: 'remove' | 'other';
  /** the PD account whose token launched that job (polls must use the same account) */
  async_job_account_id?: string;
}

export type ExecEnv = Pick<Env, 'DB' | 'JOBS' | 'TOKEN_ENCRYPTION_KEY' | 'DROPBOX_APP_KEY' | 'DROPBOX_API_ORIGIN' | 'DROPBOX_WEB_ORIGIN'>;

export type ExecOutcome =
  | { result: 'done'; note?: string }
  | { result: 'retry'; delaySeconds: number; error: string; rateLimited?: 'dropbox' | 'paced' }
  | { result: 'failed'; error: string }
  | { result: 'skipped'; reason: string };

const iso = (ms: number) => new Date(ms).toISOString();
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Backoff for 5xx/timeouts by attempt number: 2, 4, 8 … capped at 5 minutes, with jitter. */
export function backoffSeconds(attempt: number): number {
  return Math.min(300, 2 ** Math.max(1, attempt)) + Math.floor(Math.random() * 2);
}

class Retry extends Error {
  constructor(
    readonly delaySeconds: number,
    message: string,
  ) {
    super(message);
  }
}
class Permanent extends Error {}

/**
 * Hands every due pending change to the queue. The claim (moving next_attempt_at ENQUEUE_LEASE_MS ahead)
 * and the send are separate, so a lost send is retried by the cron after the lease; duplicates are harmless
 * because executing is a conditional claim.
 */
type EnqueueEnv = Pick<Env, 'DB' | 'JOBS'> & { DROPBOX_PACE_PER_SECOND?: string };

export async function enqueueDueChanges(env: EnqueueEnv, opts: { ids?: number[]; trackId?: string; limit?: number } = {}): Promise<number> {
  // A Revoke All of many tracks records many rows at once: hand them over page by page (bounded).
  let total = 0;
  const ahead: Record<string, number> = {}; // per acting account: changes handed over by the earlier rounds
  for (let round = 0; round < 20; round++) {
    const n = await enqueueDueChangesOnce(env, opts, ahead);
    total += n;
    if (n < (opts.limit ?? 500) || opts.ids) break;
  }
  return total;
}

async function enqueueDueChangesOnce(
  env: EnqueueEnv,
  opts: { ids?: number[]; trackId?: string; limit?: number },
  ahead: Record<string, number>,
): Promise<number> {
  const now = Date.now();
  const limit = opts.limit ?? 500;
  // Only the first unsettled change of each (track, person) is handed over: the ones behind it wait for it (id
  // order, executeChange) and `finish` hands the next one over when it ends. Sending them too made every cron tick
  // re-send the whole backlog (the 10,000-operation chaos soak: 1,268 pending changes in 177 chains, ~1,100 useless
  // messages a minute crowding out the heads), so the drain slowed as the backlog grew.
  let where = `((c.status = 'pending' AND (c.next_attempt_at IS NULL OR c.next_attempt_at <= ?1)) OR (c.status = 'running' AND c.next_attempt_at <= ?1))
    AND NOT EXISTS (SELECT 1 FROM dropbox_changes e WHERE e.track_id = c.track_id AND e.collaborator_id IS c.collaborator_id
                    AND e.id < c.id AND e.status IN ('pending', 'running'))`;
  const perChangeMs = (CALLS_PER_CHANGE * 1000) / rateOf(env);
  const binds: unknown[] = [iso(now), now + ENQUEUE_LEASE_MS, limit, perChangeMs, JSON.stringify(ahead)];
  // Numbered: a bare `?` would take the number after the largest one seen so far in the text, not after ?5.
  if (opts.ids?.length) {
    where += ` AND c.id IN (${opts.ids.map((_, i) => `?${binds.length + i + 1}`).join(',')})`;
    binds.push(...opts.ids);
  }
  if (opts.trackId) {
    where += ` AND c.track_id = ?${binds.length + 1}`;
    binds.push(opts.trackId);
  }
  // ?2 = lease end (ms) of the first change of each acting account, ?3 = limit, ?4 = ms per change at the account's
  // pace, ?5 = changes per account handed over by earlier rounds; the ids/track binds follow positionally after ?5.
  // A 'running' row whose run lease ran out was abandoned (its executor crashed or was killed): it goes back to
  // 'pending' so the next executor can claim it. If the old one was only slow, its final UPDATE (… WHERE status =
  // 'running') no longer matches, and the repeated Dropbox call answers "already so".
  // Materialized: the set is chosen once, before any row's new lease takes it out of "due".
  const sql = `WITH due AS MATERIALIZED (
      SELECT c.id AS id, json_extract(c.params, '$.actor_account_id') AS actor FROM dropbox_changes c WHERE ${where} ORDER BY c.id LIMIT ?3),
    ranked AS MATERIALIZED (
      SELECT id, row_number() OVER (PARTITION BY actor ORDER BY id) - 1 + coalesce(json_extract(?5, '$."' || actor || '"'), 0) AS k FROM due)
    UPDATE dropbox_changes SET status = 'pending', next_attempt_at = strftime('%Y-%m-%dT%H:%M:%fZ', (?2 + ranked.k * ?4) / 1000.0, 'unixepoch')
    FROM ranked WHERE dropbox_changes.id = ranked.id
    RETURNING dropbox_changes.id AS id, json_extract(dropbox_changes.params, '$.actor_account_id') AS actor`;
  const { results } = await env.DB.prepare(sql)
    .bind(...binds)
    .all<{ id: number; actor: string | null }>();
  for (const r of results) if (r.actor) ahead[r.actor] = (ahead[r.actor] ?? 0) + 1;
  const jobs: Job[] = results.sort((a, b) => a.id - b.id).map((r) => ({ kind: 'execute-change', changeId: String(r.id) }));
  await sendJobs(env.JOBS, jobs);
  return jobs.length;
}

/** Re-queues a failed change (owner's "retry"): attempts start over. Returns false if it was not failed. */
export async function retryFailedChange(env: Pick<Env, 'DB' | 'JOBS'>, id: number): Promise<boolean> {
  const now = Date.now();
  const r = await env.DB.prepare(
    `UPDATE dropbox_changes SET status = 'pending', attempts = 0, next_attempt_at = ?, updated_at = ? WHERE id = ? AND status = 'failed'`,
  )
    .bind(iso(now + ENQUEUE_LEASE_MS), iso(now), id)
    .run();
  // One row by id: "changed" is > 0, not === 1 — D1 counts the rows a trigger writes too (the live outbox, 0024).
  if ((r.meta.changes ?? 0) === 0) return false;
  await sendJobs(env.JOBS, [{ kind: 'execute-change', changeId: String(id) }]);
  return true;
}

const ALL_KINDS: ChangeRow['kind'][] = ['remove_member', 'relinquish', 'update_access', 'add_member', 'mount_folder'];
/** Which earlier failed changes of the same person a change, once done, supersedes (see finish). */
const SUPERSEDES: Record<ChangeRow['kind'], ChangeRow['kind'][]> = {
  add_member: ALL_KINDS,
  remove_member: ALL_KINDS,
  relinquish: ALL_KINDS,
  update_access: ['update_access'],
  mount_folder: ['mount_folder'],
};

/**
 * Records a run's outcome, fenced by its claim: a no-op (returns false) when the row no longer carries this claim
 * id (the run lease ran out and another executor claimed the change; its outcome wins).
 */
export async function finish(env: ExecEnv, row: ChangeRow, claimId: string, outcome: ExecOutcome, params: ChangeParams): Promise<boolean> {
  const now = Date.now();
  const db = env.DB;
  const stmts: D1PreparedStatement[] = [];
  const p = JSON.stringify(params);
  if (outcome.result === 'done') {
    stmts.push(
      db
        .prepare(
          `UPDATE dropbox_changes SET status = 'done', params = ?, last_error = ?, next_attempt_at = NULL, updated_at = ?
           WHERE id = ? AND status = 'running' AND claim_id = ?`,
        )
        .bind(p, outcome.note ?? null, iso(now), row.id, claimId),
    );
    // A moot change (Dropbox already where PD wanted it) keeps its reason in the track's history, so the owner can
    // see why nothing was done. Not tied to the collaborator (their last entry stays the one that ended or changed
    // their access); they are named in the details.
    if (outcome.note?.startsWith('moot: ')) {
      stmts.push(
        prepare(
          db,
          insertHistory({
            trackId: row.track_id,
            kind: 'dropbox_change_moot',
            actorId: null,
            via: 'dropbox',
            details: { changeId: row.id, change: row.kind, collaboratorId: row.collaborator_id, reason: outcome.note.slice('moot: '.length) },
            now: iso(now),
            when: sql`EXISTS (SELECT 1 FROM dropbox_changes WHERE id = ${row.id} AND status = 'done' AND claim_id = ${claimId})`,
          }),
        ),
      );
    }
    // A later change for the same person supersedes an earlier failed one whose goal it replaces: an add or a
    // removal decides the whole membership (e.g. revoke failed, then re-invited: the add wins); a level change
    // only replaces an earlier level change, a mount an earlier mount. A mount or level change that found nothing
    // to do never hides a failed add: that failure stays in front of the owner, with Retry.
    if (row.collaborator_id) {
      const kinds = SUPERSEDES[row.kind];
      stmts.push(
        db
          .prepare(
            `UPDATE dropbox_changes SET status = 'done', last_error = 'superseded by change ' || ?, updated_at = ?
             WHERE track_id = ? AND collaborator_id = ? AND id < ? AND status = 'failed'
               AND kind IN (SELECT value FROM json_each(?))
               AND EXISTS (SELECT 1 FROM dropbox_changes WHERE id = ? AND status = 'done' AND claim_id = ?)`,
          )
          .bind(String(row.id), iso(now), row.track_id, row.collaborator_id, row.id, JSON.stringify(kinds), row.id, claimId),
      );
    }
  } else if (outcome.result === 'retry') {
    // Told "later" (a Dropbox 429, or this account's own pacing): the attempt is given back, and a Dropbox 429 is
    // counted on its own, so a busy account never turns into failed changes.
    const giveBack = outcome.rateLimited ? 1 : 0;
    const count429 = outcome.rateLimited === 'dropbox' ? 1 : 0;
    stmts.push(
      db
        .prepare(
          `UPDATE dropbox_changes SET status = 'pending', params = ?, last_error = ?, next_attempt_at = ?, updated_at = ?,
             attempts = attempts - ?, rate_limited = rate_limited + ?
           WHERE id = ? AND status = 'running' AND claim_id = ?`,
        )
        .bind(
          p,
          outcome.error.slice(0, 500),
          iso(now + outcome.delaySeconds * 1000 + ENQUEUE_LEASE_MS),
          iso(now),
          giveBack,
          count429,
          row.id,
          claimId,
        ),
    );
  } else if (outcome.result === 'failed') {
    stmts.push(
      db
        .prepare(
          `UPDATE dropbox_changes SET status = 'failed', params = ?, last_error = ?, next_attempt_at = NULL, updated_at = ?
           WHERE id = ? AND status = 'running' AND claim_id = ?`,
        )
        .bind(p, outcome.error.slice(0, 500), iso(now), row.id, claimId),
    );
  }
  const results = stmts.length ? await db.batch(stmts) : [];
  // One row by id and claim: > 0, since D1 also counts what the live outbox's triggers write (migration 0024).
  if ((results[0]?.meta.changes ?? 0) === 0) return false;
  // The next change for the same person waited for this one (id order): hand it over now.
  if (outcome.result === 'done' || outcome.result === 'failed') {
    const next = await db
      .prepare(
        `UPDATE dropbox_changes SET next_attempt_at = ? WHERE id = (
           SELECT id FROM dropbox_changes WHERE track_id = ? AND collaborator_id IS ? AND id > ? AND status = 'pending' ORDER BY id LIMIT 1)
         RETURNING id`,
      )
      .bind(iso(Date.now() + ENQUEUE_LEASE_MS), row.track_id, row.collaborator_id, row.id)
      .first<{ id: number }>();
    if (next) await sendJobs(env.JOBS, [{ kind: 'execute-change', changeId: String(next.id) }]).catch(() => undefined);
  }
  return true;
}

/**
 * Executes one change. Returns what happened; the queue handler turns `retry` into message.retry(delay).
 */
export async function executeChange(env: ExecEnv, changeId: number): Promise<ExecOutcome> {
  const db = env.DB;
  const row = await db.prepare('SELECT * FROM dropbox_changes WHERE id = ?').bind(changeId).first<ChangeRow>();
  if (!row) return { result: 'skipped', reason: 'no such change' };
  const now = Date.now();
  if (row.status === 'done' || row.status === 'failed') return { result: 'skipped', reason: `already ${row.status}` };
  if (row.status === 'running' && row.next_attempt_at && row.next_attempt_at > iso(now)) return { result: 'skipped', reason: 'running elsewhere' };

  // In id order per person: a remove must not overtake the invite that preceded it, or vice versa.
  const earlier = await db
    .prepare(`SELECT id FROM dropbox_changes WHERE track_id = ? AND collaborator_id IS ? AND id < ? AND status IN ('pending', 'running') LIMIT 1`)
    .bind(row.track_id, row.collaborator_id, row.id)
    .first<{ id: number }>();
  if (earlier) return { result: 'skipped', reason: `waits for change ${earlier.id}` };

  const claim = await claimChange(db, row.id, now);
  if (!claim) return { result: 'skipped', reason: 'claimed elsewhere' };
  const attempts = claim.attempts;

  let params: ChangeParams;
  try {
    params = JSON.parse(row.params) as ChangeParams;
    if (!params.shared_folder_id || !params.actor_account_id) throw new Error('missing shared_folder_id/actor_account_id');
  } catch (e) {
    const outcome: ExecOutcome = { result: 'failed', error: `invalid params: ${(e as Error).message}` };
    await db
      .prepare(`UPDATE dropbox_changes SET status = 'failed', last_error = ?, updated_at = ? WHERE id = ? AND claim_id = ?`)
      .bind(outcome.error, iso(now), row.id, claim.claimId)
      .run();
    return outcome;
  }

  let outcome: ExecOutcome;
  let foundInDropbox = false;
  try {
    const done = await perform(env, row, params);
    outcome = { result: 'done', note: done.note };
    foundInDropbox = done.foundInDropbox;
  } catch (e) {
    outcome = toOutcome(e, attempts);
  }
  const applied = await finish(env, row, claim.claimId, outcome, params);
  // Our run lease ran out and another executor took the change over: its outcome stands, not ours.
  if (!applied) return { result: 'skipped', reason: 'claim taken over by another executor' };
  if (foundInDropbox) {
    // PD's own change found the person gone from the folder, or the folder unshared, in Dropbox (done there while
    // the change waited). A reconciliation that saw it earlier stepped aside for this unsettled change, and an
    // owner alone in the folder sends no other webhook, so the track's membership is checked now and PD records how
    // access ended, instead of showing them in the folder or invited to a folder that is gone.
    await sendJobs(env.JOBS, [{ kind: 'check-track-membership', trackId: row.track_id, found: true }]).catch(() => undefined);
  }
  return outcome;
}

export interface Claim {
  claimId: string;
  attempts: number;
}

/**
 * Claims a change for one run: status running, a run lease, and a fresh claim id that fences its completion
 * (finish only applies while the row still carries it). Null when another executor holds a live claim.
 */
export async function claimChange(db: D1Database, id: number, now = Date.now()): Promise<Claim | null> {
  const claimId = crypto.randomUUID();
  const r = await db
    .prepare(
      `UPDATE dropbox_changes SET status = 'running', attempts = attempts + 1, claim_id = ?, next_attempt_at = ?, updated_at = ?
       WHERE id = ? AND (status = 'pending' OR (status = 'running' AND next_attempt_at <= ?)) RETURNING attempts`,
    )
    .bind(claimId, iso(now + RUN_LEASE_MS), iso(now), id, iso(now))
    .first<{ attempts: number }>();
  return r ? { claimId, attempts: r.attempts } : null;
}

function toOutcome(e: unknown, attempts: number): ExecOutcome {
  if (e instanceof NotLinkedError) {
    return {
      result: 'failed',
      error: e.reason === 'needs_reauth' ? 'Dropbox sign-in expired: sign in again, then retry.' : 'This person has not linked Dropbox to PD.',
    };
  }
  if (e instanceof Permanent || e instanceof MountRefused) return { result: 'failed', error: e.message };
  let delay: number;
  let message: string;
  if (e instanceof Retry) {
    delay = e.delaySeconds;
    message = e.message;
  } else if (e instanceof UnconfirmedError) {
    delay = backoffSeconds(attempts);
    message = e.message;
  } else {
    const err = classifyDropboxError(e);
    if (err.kind === 'reauth_required' && err.tag === 'invalid_access_token') {
      return { result: 'failed', error: 'PD was disconnected from this Dropbox account: sign in with Dropbox again, then retry.' };
    }
    if (err.kind === 'reauth_required') return { result: 'failed', error: 'Dropbox sign-in expired: sign in again, then retry.' };
    // An access token Dropbox calls expired even though the client has just refreshed it (clock skew, a token
    // not yet known everywhere): the refresh token still works, so this is weather, retried with backoff like a
    // 5xx — not a refusal of the change and not a reason to ask the person to sign in.
    const expiredAfterRefresh = err.kind === 'auth' && err.tag === 'expired_access_token';
    if (!err.retryable && !expiredAfterRefresh) return { result: 'failed', error: `Dropbox refused: ${err.message}` };
    if (err.kind === 'rate_limited') {
      // Not a failure: Dropbox (or our pacing of this account) said "later". No attempt is used up.
      const delaySeconds = Math.max(1, Math.ceil(err.retryAfterSeconds ?? 1));
      return { result: 'retry', delaySeconds, error: err.message, rateLimited: err instanceof PacedError ? 'paced' : 'dropbox' };
    }
    delay = backoffSeconds(attempts);
    message = err.message;
  }
  if (attempts >= MAX_ATTEMPTS) return { result: 'failed', error: `gave up after ${attempts} attempts: ${message}` };
  return { result: 'retry', delaySeconds: delay, error: message };
}

// ---------------------------------------------------------------------------------------------------------------
// Reading Dropbox's error unions exactly (sharing.stone). Errors are matched on their tag path at the nesting the
// spec gives ("access_error/not_a_member" is the CALLER, "member_error/not_a_member" the member), never on a tag
// found anywhere. A change whose goal Dropbox already satisfies ends as done with "moot: …" as its note; an answer
// that would make it moot only by inference (invalid_id) is confirmed with a second, different read first.

/**
 * A change that is moot: Dropbox is already where PD wants it. The reason is kept as the change's note.
 * `foundInDropbox`: it is moot because Dropbox changed under PD while the change waited (the person is no longer in
 * the folder, or the folder was unshared there); the executor then queues a membership check (`found`).
 */
class Moot extends Error {
  constructor(
    reason: string,
    readonly foundInDropbox = false,
  ) {
    super(`moot: ${reason}`);
  }
}
/** A moot found in Dropbox (see Moot). */
const foundMoot = (reason: string) => new Moot(reason, true);

const MOOT_UNSHARED = 'the folder was unshared in Dropbox, so nobody has access any more';
const MOOT_UNSHARED_JOIN = 'the folder was unshared in Dropbox, so nobody can join it (PD ends the track’s access when it sees the unshare)';
/** A level change for someone who is no longer in the folder in Dropbox (PD's record is settled by a check). */
const MOOT_NOT_A_MEMBER = 'not a member of the folder in Dropbox any more: nothing to change';

/** What an error means for the owner, in words (the change's last_error). */
const REFUSALS: Record<string, string> = {
  'access_error/not_a_member': 'your Dropbox account is no longer a member of this folder',
  'access_error/invalid_member': 'Dropbox says your account is disabled or no longer exists',
  'access_error/unmounted': 'the folder is not in your Dropbox (it was removed from it): add it back in Dropbox, then retry',
  'access_error/email_unverified': 'your Dropbox e-mail address is not verified',
  'member_error/no_explicit_access': 'they still have access through a group or a parent folder, which Dropbox keeps',
  'member_error/invalid_dropbox_id': 'Dropbox does not know their account',
  no_explicit_access: 'the leaver’s access comes from a parent folder, which Dropbox keeps',
  group_access: 'the access comes through a Dropbox group, which Dropbox keeps: remove them from the group',
  folder_owner: 'they own the folder in Dropbox',
  team_folder: 'this is a team folder; Dropbox does not allow this there',
  no_permission: 'the Dropbox account making the change is not allowed to',
  too_many_files: 'the folder has too many files to leave a copy',
  insufficient_plan: 'the owner’s Dropbox plan does not allow it (Dropbox Basic cannot make someone view-only; they stay Editor in Dropbox)',
  'no_explicit_access/insufficient_plan':
    'the owner’s Dropbox plan does not allow it (Dropbox Basic cannot make someone view-only; they stay Editor in Dropbox)',
  'no_explicit_access/too_many_members': 'the folder has reached Dropbox’s member limit',
  'no_explicit_access/too_many_pending_invites': 'the folder has too many pending invitations in Dropbox',
  mounted: 'the folder is still in their Dropbox',
};

function refused(path: string): Permanent {
  const why = REFUSALS[path];
  return new Permanent(`Dropbox refused (${path || 'unknown error'})${why ? `: ${why}` : ''}`);
}

/** The route error of a failed call, or rethrows anything that is not one (429/5xx/network/auth go to toOutcome). */
function routeErrorPath(e: unknown): string {
  if (e instanceof Retry || e instanceof Permanent || e instanceof Moot || e instanceof NotLinkedError) throw e;
  const err = classifyDropboxError(e);
  if (err.kind !== 'route') throw err;
  return tagPath(err.error);
}

/** access_error/invalid_id: the folder may have been unshared. Settled only if get_folder_metadata agrees. */
async function confirmUnshared(client: DropboxClient, p: ChangeParams, firstAnswer: string, reason = MOOT_UNSHARED): Promise<never> {
  const state = await readFolderState(client, p.shared_folder_id);
  if (state.state === 'unshared') throw foundMoot(reason);
  if (state.state === 'caller') throw refused(`access_error/${state.tag}`);
  throw new Retry(backoffSeconds(1), `Dropbox answered ${firstAnswer} but still shows the folder: trying again`);
}

/** remove_folder_member's errors (at launch, or as the job's `failed`), RemoveFolderMemberError. */
async function onRemoveError(client: DropboxClient, p: ChangeParams, path: string): Promise<never> {
  if (path === 'member_error/not_a_member') throw new Moot('already not a member in Dropbox');
  if (path === 'access_error/invalid_id') return confirmUnshared(client, p, path);
  if (path === 'member_error/invalid_dropbox_id') {
    // Their Dropbox account may be gone: moot only if the member list agrees they are not in the folder.
    const read = await readMemberState(client, p.shared_folder_id, { dropboxId: p.dropbox_account_id, email: p.email });
    if (read.folder === 'unshared') throw foundMoot(MOOT_UNSHARED);
    if (read.member.kind === 'absent') throw new Moot('not a member in Dropbox (Dropbox no longer knows their account)');
  }
  throw refused(path);
}

function memberSelector(p: ChangeParams): { '.tag': 'dropbox_id'; dropbox_id: string } | { '.tag': 'email'; email: string } {
  if (p.dropbox_account_id) return { '.tag': 'dropbox_id', dropbox_id: p.dropbox_account_id };
  if (p.email) return { '.tag': 'email', email: p.email };
  throw new Permanent('the change names no member (no Dropbox account id or email)');
}

/** A failed job's error as its own route's union (check_job_status wraps it in a JobError). */
function jobFailurePath(failed: unknown): string {
  const path = tagPath(failed);
  return path.replace(/^(relinquish_folder_membership_error|remove_folder_member_error|unshare_folder_error)\//, '');
}

async function pollJob(
  client: DropboxClient,
  p: ChangeParams,
  jobId: string,
  kind: 'remove' | 'other',
  onFailed: (path: string) => Promise<string | undefined>,
): Promise<string | undefined> {
  const forget = () => {
    delete p.async_job_id;
    delete p.async_job_kind;
    delete p.async_job_account_id;
  };
  for (let i = 0; i < MAX_JOB_POLLS; i++) {
    let status: sharing.RemoveMemberJobStatus | sharing.JobStatus;
    try {
      status =
        kind === 'remove'
          ? await client.call((d) => d.sharingCheckRemoveMemberJobStatus({ async_job_id: jobId }))
          : await client.call((d) => d.sharingCheckJobStatus({ async_job_id: jobId }));
    } catch (e) {
      // PollError internal_error: "verify that the action you were taking succeeded, and if not, try again". The
      // next attempt starts over; repeating a removal that did happen answers not_a_member (moot).
      if (classifyDropboxError(e).tag !== 'internal_error') throw e;
      forget();
      throw new Retry(backoffSeconds(2), 'Dropbox lost track of the job (internal_error): checking again');
    }
    const tag = status['.tag'];
    if (tag === 'complete') {
      forget();
      const residual = (status as { access_level?: { '.tag': string } }).access_level?.['.tag'];
      const warning = (status as { warning?: string }).warning;
      return residual ? `Dropbox still gives ${residual} access ${warning ? `(${warning})` : 'through a parent folder'}` : undefined;
    }
    if (tag === 'failed') {
      forget();
      return onFailed(jobFailurePath((status as { failed?: unknown }).failed));
    }
    await sleep(Math.min(2000, 250 * 2 ** i));
  }
  // Still running in Dropbox: keep the job id and look again later (never start a second removal).
  p.async_job_id = jobId;
  p.async_job_kind = kind;
  if (client.accountId) p.async_job_account_id = client.accountId;
  throw new Retry(5, 'Dropbox job still in progress');
}

async function removeMember(env: ExecEnv, row: ChangeRow, p: ChangeParams, actorAccountId: string): Promise<string | undefined> {
  const owner = await clientForAccount(env, actorAccountId, { trackId: row.track_id });
  let jobId: string;
  try {
    const launched = await owner.call((d) =>
      d.sharingRemoveFolderMember({ shared_folder_id: p.shared_folder_id, member: memberSelector(p), leave_a_copy: false }),
    );
    if (launched['.tag'] !== 'async_job_id') return undefined;
    jobId = launched.async_job_id;
  } catch (e) {
    const path = routeErrorPath(e);
    // Only a group gives them access: Dropbox cannot remove them; recorded so PD says Dropbox keeps that access.
    if (path === 'group_access') return GROUP_ACCESS_NOTE;
    return onRemoveError(owner, p, path);
  }
  Object.assign(p, { async_job_id: jobId, async_job_kind: 'remove', async_job_account_id: actorAccountId });
  return pollJob(owner, p, jobId, 'remove', (path) => onRemoveError(owner, p, path));
}

/**
 * Leave Track in Dropbox: relinquish_folder_membership with the leaver's own token. `mounted` ("unmount the
 * folder before relinquishing") → unmount_folder, then relinquish once more. When the leaver cannot relinquish
 * (not linked, account disabled, their copy unmounted) the owner removes them instead.
 */
async function relinquish(env: ExecEnv, row: ChangeRow, p: ChangeParams): Promise<string | undefined> {
  const ownerRemoves = async (why: string) => {
    const owner = await ownerOf(env, row.track_id);
    if (!owner) throw new Permanent('track has no owner');
    const note = await removeMember(env, row, p, owner);
    return note ?? `removed by the owner (${why})`;
  };
  let leaver: DropboxClient;
  try {
    leaver = await clientForAccount(env, p.actor_account_id, { trackId: row.track_id });
  } catch (e) {
    if (!(e instanceof NotLinkedError)) throw e;
    return ownerRemoves('the leaver has not linked Dropbox');
  }
  const onError = async (path: string, unmounted: boolean): Promise<string | undefined> => {
    // Not a member on their own token: already gone — or only invited (they accepted in PD but never joined in
    // Dropbox). Only the owner can withdraw a pending invitation; the owner's removal is moot if nothing is left.
    if (path === 'access_error/not_a_member') {
      // A group may still put the folder in their Dropbox (it had mounted it before PD's invitation was accepted):
      // asked with their own token after the withdrawal, so PD says Dropbox keeps that access (chaos seed 7 short).
      const keptByGroup = async () => (await readFolderState(leaver, p.shared_folder_id)).state === 'shared';
      let note: string | undefined;
      try {
        note = await ownerRemoves('their Dropbox invitation was never accepted: withdrawn by the owner');
      } catch (e) {
        if (e instanceof Moot && (await keptByGroup())) return GROUP_ACCESS_NOTE;
        throw e;
      }
      return (await keptByGroup()) ? GROUP_ACCESS_NOTE : note;
    }
    if (path === 'group_access') {
      // Their access comes only from a group: Dropbox keeps it. But PD's own invitation may still be pending there:
      // the group had already put the folder in their Dropbox, so accepting in PD (mount_folder) answered
      // already_mounted and nothing accepted the invitation. The owner withdraws it, or it outlives the leave
      // (chaos soak: "Dropbox has collab1 as invitee but PD does not"). Nothing to withdraw is fine.
      try {
        await ownerRemoves('their pending Dropbox invitation withdrawn; a group keeps their access');
      } catch (e) {
        if (!(e instanceof Moot) && !(e instanceof NotLinkedError)) throw e;
      }
      return GROUP_ACCESS_NOTE;
    }
    if (path === 'access_error/invalid_id') return confirmUnshared(leaver, p, path);
    if (path === 'access_error/invalid_member' || path === 'access_error/unmounted') return ownerRemoves(`Dropbox: ${path}`);
    if (path === 'mounted' && !unmounted) {
      try {
        await leaver.call((d) => d.sharingUnmountFolder({ shared_folder_id: p.shared_folder_id }));
      } catch (e) {
        const u = routeErrorPath(e);
        if (u !== 'access_error/unmounted') throw refused(u); // already unmounted: relinquish again
      }
      return attempt(true);
    }
    throw refused(path);
  };
  const attempt = async (unmounted: boolean): Promise<string | undefined> => {
    let left: string | undefined;
    try {
      const r = await leaver.call((d) => d.sharingRelinquishFolderMembership({ shared_folder_id: p.shared_folder_id, leave_a_copy: false }));
      if (r['.tag'] === 'async_job_id') {
        Object.assign(p, { async_job_id: r.async_job_id, async_job_kind: 'other', async_job_account_id: p.actor_account_id });
        return await pollJob(leaver, p, r.async_job_id, 'other', (path) => onError(path, unmounted));
      }
      left = unmounted ? 'unmounted in Dropbox first, then left' : undefined;
    } catch (e) {
      return onError(routeErrorPath(e), unmounted);
    }
    // Their explicit membership is gone, but a group may still give them the folder (Dropbox keeps it mounted and
    // says nothing): asked with their own token, so PD can say so instead of "the files are removed from your
    // Dropbox". If this read fails the change is retried, and relinquishing again answers group_access (or
    // not_a_member: then it is over).
    const after = await readFolderState(leaver, p.shared_folder_id);
    return after.state === 'shared' ? GROUP_ACCESS_NOTE : left;
  };
  return attempt(false);
}

/**
 * Viewer/Editor in Dropbox (update_folder_member takes only a dropbox_id). UpdateFolderMemberError's top-level
 * no_explicit_access wraps a whole AddFolderMemberError: its rate_limit waits a day, its insufficient_plan is the
 * owner's plan — neither is "nothing to change". Before failing, the member list is read: if the person already
 * has the wanted level (or left the folder), the change is moot.
 */
async function updateAccess(env: ExecEnv, row: ChangeRow, p: ChangeParams): Promise<string | undefined> {
  const owner = await clientForAccount(env, p.actor_account_id, { trackId: row.track_id });
  const level = p.access_level === 'editor' ? 'editor' : 'viewer';
  let dropboxId = p.dropbox_account_id ?? null;
  if (!dropboxId) {
    const read = await readMemberState(owner, p.shared_folder_id, { email: p.email });
    if (read.folder === 'unshared') throw foundMoot(MOOT_UNSHARED);
    if (read.member.kind === 'absent') throw foundMoot(MOOT_NOT_A_MEMBER);
    if (read.member.accessLevel === level) throw new Moot(`already ${level} in Dropbox`);
    if (read.member.kind === 'invitee') {
      // Invited, not joined: update_folder_member only knows members. The invitation is sent again with the new level.
      await addMember(env, row, { ...p, dropbox_account_id: null }, { quiet: true });
      return `invitation updated in Dropbox to ${level}`;
    }
    dropboxId = read.member.accountId;
  }
  try {
    await owner.call((d) =>
      d.sharingUpdateFolderMember({
        shared_folder_id: p.shared_folder_id,
        member: { '.tag': 'dropbox_id', dropbox_id: dropboxId },
        access_level: { '.tag': level },
      }),
    );
    await recordAgreement(env, row);
    return undefined;
  } catch (e) {
    const path = routeErrorPath(e);
    if (path === 'member_error/not_a_member') throw foundMoot(MOOT_NOT_A_MEMBER);
    if (path === 'access_error/invalid_id') return confirmUnshared(owner, p, path);
    if (path === 'no_explicit_access/rate_limit')
      throw new Retry(3600, 'Dropbox daily invite limit reached (the new access level needs an invitation)');
    if (path === 'no_explicit_access/access_error/invalid_id') return confirmUnshared(owner, p, path);
    // The level may already be what PD wants (changed in Dropbox meanwhile): then nothing is left to do.
    const read = await readMemberState(owner, p.shared_folder_id, { dropboxId, email: p.email });
    if (read.folder === 'unshared') throw foundMoot(MOOT_UNSHARED);
    if (read.member.kind === 'absent') throw foundMoot(MOOT_NOT_A_MEMBER);
    if (read.member.accessLevel === level) throw new Moot(`already ${level} in Dropbox`);
    // insufficient_plan, also nested in no_explicit_access: no retry can fix the owner's plan; PD records the truth
    // (they stay Editor in Dropbox) and the owner chooses — never a failed change that Retry cannot mend.
    if (path.split('/').includes('insufficient_plan')) return recordPlanRefusal(env, row);
    throw refused(path);
  }
}

async function addMember(env: ExecEnv, row: ChangeRow, p: ChangeParams, opts: { quiet?: boolean } = {}): Promise<string | undefined> {
  const owner = await clientForAccount(env, p.actor_account_id, { trackId: row.track_id });
  const level = p.access_level === 'editor' ? 'editor' : 'viewer';
  try {
    await owner.call((d) =>
      d.sharingAddFolderMember({
        shared_folder_id: p.shared_folder_id,
        members: [{ member: memberSelector(p), access_level: { '.tag': level } }],
        quiet: opts.quiet ?? false,
      }),
    );
  } catch (e) {
    const path = routeErrorPath(e);
    if (path.split('/').includes('insufficient_plan')) {
      // Not added — but Dropbox may still hold them (a removal PD asked for earlier failed, and this invitation
      // replaced it): PD records where they really stand rather than "not in the folder".
      const read = await readMemberState(owner, p.shared_folder_id, { dropboxId: p.dropbox_account_id, email: p.email });
      if (read.folder === 'unshared') throw foundMoot(MOOT_UNSHARED_JOIN); // confirmed by a second read
      return recordPlanRefusal(env, row, read.member);
    }
    if (path === 'rate_limit') throw new Retry(3600, 'Dropbox daily invite limit reached');
    // Unshared in Dropbox meanwhile: nobody can join it any more, and PD ends everyone's access on the track when it
    // sees the unshare (reconciliation) — retrying the invitation could never succeed.
    if (path === 'access_error/invalid_id') return confirmUnshared(owner, p, path, MOOT_UNSHARED_JOIN);
    throw refused(path);
  }
  // Added. Outside the try: an error from here on is not add_folder_member's answer and must not be read as one.
  if (await replacesFailedRemoval(env.DB, row)) {
    // Dropbox may never have let them go: the add succeeds either way, so PD reads where they stand (recordHeld).
    const read = await readMemberState(owner, p.shared_folder_id, { dropboxId: p.dropbox_account_id, email: p.email });
    if (read.folder === 'shared' && read.member.kind === 'user') return recordHeld(env, row, read.member, level);
  }
  await recordAgreement(env, row);
  return undefined;
}

/** Whether an earlier removal of this person failed in Dropbox (this add supersedes it when it is done). */
async function replacesFailedRemoval(db: D1Database, row: ChangeRow): Promise<boolean> {
  if (!row.collaborator_id) return false;
  const failed = await db
    .prepare(
      `SELECT 1 AS x FROM dropbox_changes WHERE track_id = ? AND collaborator_id = ? AND id < ? AND status = 'failed'
         AND kind IN ('remove_member', 'relinquish') LIMIT 1`,
    )
    .bind(row.track_id, row.collaborator_id, row.id)
    .first();
  return failed !== null;
}

async function ownerOf(env: ExecEnv, trackId: string): Promise<string | null> {
  const r = await env.DB.prepare('SELECT owner_id FROM tracks WHERE id = ?').bind(trackId).first<{ owner_id: string }>();
  return r?.owner_id ?? null;
}

/** What carrying out a change came to: its note, and whether it found Dropbox changed under PD (Moot). */
interface Performed {
  note: string | undefined;
  foundInDropbox: boolean;
}

async function perform(env: ExecEnv, row: ChangeRow, p: ChangeParams): Promise<Performed> {
  try {
    return { note: await performOnce(env, row, p), foundInDropbox: false };
  } catch (e) {
    if (e instanceof Moot) return { note: e.message, foundInDropbox: e.foundInDropbox };
    if (e instanceof NothingToMount) return { note: e.message, foundInDropbox: true };
    throw e;
  }
}

async function performOnce(env: ExecEnv, row: ChangeRow, p: ChangeParams): Promise<string | undefined> {
  // A job launched by an earlier attempt: only look at it again.
  if (p.async_job_id) {
    const client = await clientForAccount(env, p.async_job_account_id ?? p.actor_account_id, { trackId: row.track_id });
    const kind = p.async_job_kind ?? 'remove';
    try {
      const note = await pollJob(client, p, p.async_job_id, kind, async (path) => {
        if (kind === 'remove') return onRemoveError(client, p, path);
        if (path === 'access_error/not_a_member') throw new Moot('already not a member in Dropbox');
        if (path === 'access_error/invalid_id') return confirmUnshared(client, p, path);
        throw refused(path);
      });
      // A removal finished on a later attempt says what Dropbox keeps (a group) exactly as one finished at once.
      if (row.kind === 'relinquish') return afterRemoval(env, row, note);
      if (row.kind === 'remove_member') return (await afterRemoval(env, row, note)) ?? (await keptAfterRemoval(env, row, p.shared_folder_id));
      return note;
    } catch (e) {
      const err = e instanceof Retry || e instanceof Permanent || e instanceof Moot || e instanceof NotLinkedError ? null : classifyDropboxError(e);
      if (err?.kind === 'route' && err.tag === 'invalid_async_job_id') {
        // Dropbox forgot the job: start over (removing someone already gone answers not_a_member = moot).
        delete p.async_job_id;
        delete p.async_job_kind;
        delete p.async_job_account_id;
      } else {
        throw e;
      }
    }
  }

  switch (row.kind) {
    case 'remove_member': {
      const note = await afterRemoval(env, row, await removeMember(env, row, p, p.actor_account_id));
      return note ?? (await keptAfterRemoval(env, row, p.shared_folder_id));
    }
    case 'mount_folder':
      return mountForMember(env, row, p);
    case 'relinquish':
      return afterRemoval(env, row, await relinquish(env, row, p));
    case 'update_access':
      return updateAccess(env, row, p);
    case 'add_member':
      return addMember(env, row, p);
  }
}
