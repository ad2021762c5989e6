// Executes pending Dropbox changes (table dropbox_changes, written by the domain in the same batch as the PD
// change). PD is already changed when a row exists: a revoke is immediate in PD whatever Dropbox does; this
// code only makes Dropbox agree, and never loses a change:
//   pending --claim--> running --ok / "already so"--> done
//                         |--429/5xx/timeout/expired token--> pending (next_attempt_at, queue retry with delay)
//                         '--permanent error or attempts used up--> failed (last_error; the owner can retry)
// A running row whose executor died is reclaimed once its next_attempt_at passes (cron re-enqueues it).
import { DropboxCallError, allTags, classifyDropboxError } from '../dropbox/errors.ts';
import { NotLinkedError, clientForAccount, type DropboxClient } from '../dropbox/client.ts';
import { sendJobs, type Job } from './messages.ts';
import { PacedError } from '../dropbox/pace.ts';

export const MAX_ATTEMPTS = 8;
/** How long a claimed change may run before another executor may take it over. */
const RUN_LEASE_MS = 5 * 60_000;
/** How long a change handed to the queue waits before the cron hands it over again (lost message). */
export const ENQUEUE_LEASE_MS = 60_000;
/** Polls of an async Dropbox job within one attempt before the attempt is continued later. */
const MAX_JOB_POLLS = 6;

export interface ChangeRow {
  id: number;
  track_id: string;
  collaborator_id: string | null;
  kind: 'remove_member' | 'relinquish' | 'update_access' | 'add_member';
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
  constructor(readonly delaySeconds: number, message: string) {
    super(message);
  }
}
class Permanent extends Error {}

/**
 * Hands every due pending change to the queue. The claim (moving next_attempt_at ENQUEUE_LEASE_MS ahead)
 * and the send are separate, so a lost send is retried by the cron after the lease; duplicates are harmless
 * because executing is a conditional claim.
 */
export async function enqueueDueChanges(env: Pick<Env, 'DB' | 'JOBS'>, opts: { ids?: number[]; trackId?: string; limit?: number } = {}): Promise<number> {
  // A Revoke All of many tracks records many rows at once: hand them over page by page (bounded).
  let total = 0;
  for (let round = 0; round < 20; round++) {
    const n = await enqueueDueChangesOnce(env, opts);
    total += n;
    if (n < (opts.limit ?? 500) || opts.ids) break;
  }
  return total;
}

async function enqueueDueChangesOnce(env: Pick<Env, 'DB' | 'JOBS'>, opts: { ids?: number[]; trackId?: string; limit?: number }): Promise<number> {
  const now = Date.now();
  const limit = opts.limit ?? 500;
  let where = `((status = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= ?1)) OR (status = 'running' AND next_attempt_at <= ?1))`;
  const binds: unknown[] = [iso(now), iso(now + ENQUEUE_LEASE_MS), limit];
  if (opts.ids?.length) {
    where += ` AND id IN (${opts.ids.map(() => '?').join(',')})`;
    binds.push(...opts.ids);
  }
  if (opts.trackId) {
    where += ` AND track_id = ?`;
    binds.push(opts.trackId);
  }
  // ?2 = new lease end, ?3 = limit; the ids/track binds follow positionally after ?3.
  // A 'running' row whose run lease ran out was abandoned (its executor crashed or was killed): it goes back to
  // 'pending' so the next executor can claim it. If the old one was only slow, its final UPDATE (… WHERE status =
  // 'running') no longer matches, and the repeated Dropbox call answers "already so".
  const sql = `UPDATE dropbox_changes SET next_attempt_at = ?2, status = 'pending'
    WHERE id IN (SELECT id FROM dropbox_changes WHERE ${where} ORDER BY id LIMIT ?3) RETURNING id`;
  const { results } = await env.DB.prepare(sql).bind(...binds).all<{ id: number }>();
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
  if ((r.meta.changes ?? 0) !== 1) return false;
  await sendJobs(env.JOBS, [{ kind: 'execute-change', changeId: String(id) }]);
  return true;
}

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
    // A later change for the same person supersedes an earlier failed one (e.g. revoke failed, then re-invited).
    if (row.collaborator_id) {
      stmts.push(
        db
          .prepare(
            `UPDATE dropbox_changes SET status = 'done', last_error = 'superseded by change ' || ?, updated_at = ?
             WHERE track_id = ? AND collaborator_id = ? AND id < ? AND status = 'failed'
               AND EXISTS (SELECT 1 FROM dropbox_changes WHERE id = ? AND status = 'done' AND claim_id = ?)`,
          )
          .bind(row.id, iso(now), row.track_id, row.collaborator_id, row.id, row.id, claimId),
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
        .bind(p, outcome.error.slice(0, 500), iso(now + outcome.delaySeconds * 1000 + ENQUEUE_LEASE_MS), iso(now), giveBack, count429, row.id, claimId),
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
  if ((results[0]?.meta.changes ?? 0) !== 1) return false;
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
    .prepare(
      `SELECT id FROM dropbox_changes WHERE track_id = ? AND collaborator_id IS ? AND id < ? AND status IN ('pending', 'running') LIMIT 1`,
    )
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
  try {
    const note = await perform(env, row, params);
    outcome = { result: 'done', note };
  } catch (e) {
    outcome = toOutcome(e, attempts);
  }
  const applied = await finish(env, row, claim.claimId, outcome, params);
  // Our run lease ran out and another executor took the change over: its outcome stands, not ours.
  if (!applied) return { result: 'skipped', reason: 'claim taken over by another executor' };
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
    return { result: 'failed', error: e.reason === 'needs_reauth' ? 'Dropbox sign-in expired: sign in again, then retry.' : 'This person has not linked Dropbox to PD.' };
  }
  if (e instanceof Permanent) return { result: 'failed', error: e.message };
  let delay: number;
  let message: string;
  if (e instanceof Retry) {
    delay = e.delaySeconds;
    message = e.message;
  } else {
    const err = classifyDropboxError(e);
    if (err.kind === 'reauth_required') return { result: 'failed', error: 'Dropbox sign-in expired: sign in again, then retry.' };
    if (!err.retryable) return { result: 'failed', error: `Dropbox refused: ${err.message}` };
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

// "Already not a member" and friends: Dropbox is already where PD wants it.
const ALREADY_GONE = new Set(['not_a_member', 'invalid_id', 'unmounted', 'no_explicit_access', 'invalid_member']);

function alreadyGone(err: DropboxCallError): boolean {
  if (err.kind !== 'route') return false;
  const tags = allTags(err.error);
  return tags.some((t) => ALREADY_GONE.has(t));
}

function memberSelector(p: ChangeParams): { '.tag': 'dropbox_id'; dropbox_id: string } | { '.tag': 'email'; email: string } {
  if (p.dropbox_account_id) return { '.tag': 'dropbox_id', dropbox_id: p.dropbox_account_id };
  if (p.email) return { '.tag': 'email', email: p.email };
  throw new Permanent('the change names no member (no Dropbox account id or email)');
}

/** Looks the person up among the folder's members by email (update_folder_member accepts only dropbox_id). */
async function memberAccountId(client: DropboxClient, p: ChangeParams): Promise<string | null> {
  if (p.dropbox_account_id) return p.dropbox_account_id;
  if (!p.email) return null;
  const want = p.email.toLowerCase();
  let page = await client.call((d) => d.sharingListFolderMembers({ shared_folder_id: p.shared_folder_id, limit: 1000 }));
  for (;;) {
    const hit = page.users.find((u) => u.user.email?.toLowerCase() === want);
    if (hit) return hit.user.account_id;
    if (!page.cursor) return null;
    const cursor = page.cursor;
    page = await client.call((d) => d.sharingListFolderMembersContinue({ cursor }));
  }
}

async function pollJob(client: DropboxClient, p: ChangeParams, jobId: string, kind: 'remove' | 'other'): Promise<string | undefined> {
  const forget = () => {
    delete p.async_job_id;
    delete p.async_job_kind;
    delete p.async_job_account_id;
  };
  for (let i = 0; i < MAX_JOB_POLLS; i++) {
    const status =
      kind === 'remove'
        ? await client.call((d) => d.sharingCheckRemoveMemberJobStatus({ async_job_id: jobId }))
        : await client.call((d) => d.sharingCheckJobStatus({ async_job_id: jobId }));
    const tag = status['.tag'];
    if (tag === 'complete') {
      forget();
      const residual = (status as { access_level?: { '.tag': string } }).access_level?.['.tag'];
      return residual ? `Dropbox still gives ${residual} access through a parent folder` : undefined;
    }
    if (tag === 'failed') {
      forget();
      const failed = (status as { failed?: unknown }).failed;
      const tags = allTags(failed);
      if (tags.some((t) => ALREADY_GONE.has(t))) return undefined;
      throw new Permanent(`Dropbox job failed: ${tags.join('/') || 'unknown'}`);
    }
    await sleep(Math.min(2000, 250 * 2 ** i));
  }
  // Still running in Dropbox: keep the job id and look again later (never start a second removal).
  p.async_job_id = jobId;
  p.async_job_kind = kind;
  if (client.accountId) p.async_job_account_id = client.accountId;
  throw new Retry(5, 'Dropbox job still in progress');
}

async function removeMember(env: ExecEnv, p: ChangeParams, actorAccountId: string): Promise<string | undefined> {
  const owner = await clientForAccount(env, actorAccountId);
  let jobId: string;
  try {
    const launched = await owner.call((d) =>
      d.sharingRemoveFolderMember({ shared_folder_id: p.shared_folder_id, member: memberSelector(p), leave_a_copy: false }),
    );
    if (launched['.tag'] !== 'async_job_id') return undefined;
    jobId = launched.async_job_id;
  } catch (e) {
    const err = classifyDropboxError(e);
    if (alreadyGone(err)) return 'already not a member in Dropbox';
    if (err.kind === 'route') throw new Permanent(`Dropbox refused: ${err.message}`);
    throw err;
  }
  Object.assign(p, { async_job_id: jobId, async_job_kind: 'remove', async_job_account_id: actorAccountId });
  return pollJob(owner, p, jobId, 'remove');
}

async function ownerOf(env: ExecEnv, trackId: string): Promise<string | null> {
  const r = await env.DB.prepare('SELECT owner_id FROM tracks WHERE id = ?').bind(trackId).first<{ owner_id: string }>();
  return r?.owner_id ?? null;
}

async function perform(env: ExecEnv, row: ChangeRow, p: ChangeParams): Promise<string | undefined> {
  // A job launched by an earlier attempt: only look at it again.
  if (p.async_job_id) {
    const client = await clientForAccount(env, p.async_job_account_id ?? p.actor_account_id);
    try {
      return await pollJob(client, p, p.async_job_id, p.async_job_kind ?? 'remove');
    } catch (e) {
      const err = e instanceof Retry || e instanceof Permanent ? null : classifyDropboxError(e);
      if (err?.kind === 'route' && err.tag === 'invalid_async_job_id') {
        // Dropbox forgot the job: start over (removing someone already gone answers not_a_member = done).
        delete p.async_job_id;
        delete p.async_job_kind;
        delete p.async_job_account_id;
      } else {
        throw e;
      }
    }
  }

  switch (row.kind) {
    case 'remove_member':
      return removeMember(env, p, p.actor_account_id);

    case 'relinquish': {
      let leaver: DropboxClient;
      try {
        leaver = await clientForAccount(env, p.actor_account_id);
      } catch (e) {
        // The leaver never linked Dropbox (or must sign in again): the owner takes them out instead.
        if (!(e instanceof NotLinkedError)) throw e;
        const owner = await ownerOf(env, row.track_id);
        if (!owner) throw new Permanent('track has no owner');
        const note = await removeMember(env, p, owner);
        return note ?? 'removed by the owner (the leaver has not linked Dropbox)';
      }
      try {
        const r = await leaver.call((d) => d.sharingRelinquishFolderMembership({ shared_folder_id: p.shared_folder_id, leave_a_copy: false }));
        if (r['.tag'] === 'async_job_id') {
          Object.assign(p, { async_job_id: r.async_job_id, async_job_kind: 'other', async_job_account_id: p.actor_account_id });
          return pollJob(leaver, p, r.async_job_id, 'other');
        }
        return undefined;
      } catch (e) {
        const err = classifyDropboxError(e);
        if (alreadyGone(err)) return 'already not a member in Dropbox';
        if (err.kind === 'route') throw new Permanent(`Dropbox refused: ${err.message}`);
        throw err;
      }
    }

    case 'update_access': {
      const owner = await clientForAccount(env, p.actor_account_id);
      const level = p.access_level === 'editor' ? 'editor' : 'viewer';
      const dropboxId = await memberAccountId(owner, p);
      if (!dropboxId) return 'not a member in Dropbox: nothing to change';
      try {
        await owner.call((d) =>
          d.sharingUpdateFolderMember({
            shared_folder_id: p.shared_folder_id,
            member: { '.tag': 'dropbox_id', dropbox_id: dropboxId },
            access_level: { '.tag': level },
          }),
        );
        return undefined;
      } catch (e) {
        const err = classifyDropboxError(e);
        if (alreadyGone(err)) return 'not a member in Dropbox: nothing to change';
        if (err.kind === 'route') throw new Permanent(`Dropbox refused: ${err.message}`);
        throw err;
      }
    }

    case 'add_member': {
      const owner = await clientForAccount(env, p.actor_account_id);
      const level = p.access_level === 'editor' ? 'editor' : 'viewer';
      try {
        await owner.call((d) =>
          d.sharingAddFolderMember({
            shared_folder_id: p.shared_folder_id,
            members: [{ member: memberSelector(p), access_level: { '.tag': level } }],
            quiet: false,
          }),
        );
        return undefined;
      } catch (e) {
        const err = classifyDropboxError(e);
        if (err.kind === 'route' && err.tag === 'rate_limit') throw new Retry(3600, 'Dropbox daily invite limit reached');
        if (err.kind === 'route') throw new Permanent(`Dropbox refused: ${err.message}`);
        throw err;
      }
    }
  }
}
