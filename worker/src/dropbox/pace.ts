// Per-account pacing of Dropbox calls. Dropbox rate-limits per user (and publishes no numbers), so a Revoke All of
// 10,000 tracks must not fire thousands of parallel calls with one owner's token: every 429 costs a round trip and
// a retry. Every Dropbox HTTP call made with an account's token first takes a token from that account's bucket
// (a D1 row: one conditional UPSERT per call), and a 429 closes the account's bucket until its Retry-After, for
// every consumer at once.
//
// Why a D1 row and not a Durable Object: the bucket costs one D1 statement per Dropbox call (the calls themselves
// take ~100 ms, the statement a few), needs no new binding, migration class or extra subrequest, and is visible
// to the operator next to the changes it paces. A Durable Object per account would be the choice past ~50 calls a
// second per account (a D1 row is one writer at a time); Dropbox's per-user limits sit far below that.
import { DropboxCallError } from './errors.ts';

/** Default pace per Dropbox account: steady calls per second. */
export const PACE_PER_SECOND = 10;
/**
 * The burst allowed after a quiet spell: a third of a second's pace. A bucket lets `burst + pace` calls through in
 * one second, and Dropbox counts calls per sliding window: with a burst of two seconds' worth (the first design),
 * every consumer batch that started after a pause fired ~45 calls in its first second against the emulated limit of
 * 20 — 5,659 429s in the 10,000-track bench (bench/paced.md). pace × 4/3 stays under a limit a third above the pace.
 */
export function burstOf(env: object & { DROPBOX_PACE_PER_SECOND?: string }): number {
  return Math.max(1, Math.ceil(rateOf(env) / 3));
}
/** A wait up to this long for a token happens in-line; longer, the job goes back to the queue with a delay. */
export const MAX_PACE_WAIT_MS = 3_000;

export type PaceEnv = Pick<Env, 'DB'> & { DROPBOX_PACE_PER_SECOND?: string };

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Thrown when the account's bucket will not have a token soon: not a Dropbox failure, a "come back later". */
export class PacedError extends DropboxCallError {
  constructor(retryAfterSeconds: number) {
    super(
      'rate_limited',
      429,
      `paced: this Dropbox account's calls are spread out (next in ${retryAfterSeconds} s)`,
      'paced',
      undefined,
      retryAfterSeconds,
    );
  }
}

/** This deployment's pace: Dropbox calls per second per account. */
export function rateOf(env: object & { DROPBOX_PACE_PER_SECOND?: string }): number {
  const n = Number(env.DROPBOX_PACE_PER_SECOND);
  return n > 0 ? n : PACE_PER_SECOND;
}

/**
 * Takes one token for this account's next Dropbox call, waiting in-line up to MAX_PACE_WAIT_MS (a reservation: the
 * token is taken now, the call waits until its slot). Throws PacedError when the slot is further away.
 */
export async function takeToken(env: PaceEnv, accountId: string, now = Date.now()): Promise<void> {
  const rate = rateOf(env) / 1000; // tokens per ms
  const burst = burstOf(env);
  // tokens after refill; the reservation may take it down to -rate*MAX_WAIT (callers then wait for their slot).
  // Callers' clocks differ by a little: time only moves forward for the bucket (no refill counted twice).
  const refill = `min(?3, tokens + max(0, ?2 - refilled_at) * ?4)`;
  // The call's slot: when the bucket (as of refilled_at, which a 429 sets to its Retry-After) gets back to zero.
  const slot = `max(refilled_at, ?2) - ?2 + max(0, -(${refill} - 1)) / ?4`;
  const row = await env.DB.prepare(
    `INSERT INTO dropbox_pace (account_id, tokens, refilled_at, calls) VALUES (?1, ?3 - 1, ?2, 1)
     ON CONFLICT (account_id) DO UPDATE SET tokens = ${refill} - 1, refilled_at = max(refilled_at, ?2), calls = calls + 1
       WHERE ${slot} <= ?5 AND throttled_until <= ?2 + ?5
     RETURNING tokens, refilled_at, throttled_until`,
  )
    .bind(accountId, now, burst, rate, MAX_PACE_WAIT_MS)
    .first<{ tokens: number; refilled_at: number; throttled_until: number }>();
  if (row) {
    const wait = Math.max(row.refilled_at - now + (row.tokens < 0 ? -row.tokens / rate : 0), row.throttled_until - now);
    if (wait > 0) await sleep(Math.ceil(wait));
    return;
  }
  const cur = await env.DB.prepare('SELECT tokens, refilled_at, throttled_until FROM dropbox_pace WHERE account_id = ?')
    .bind(accountId)
    .first<{ tokens: number; refilled_at: number; throttled_until: number }>();
  const tokens = cur ? Math.min(burst, cur.tokens + Math.max(0, now - cur.refilled_at) * rate) : burst;
  const waitMs = Math.max(Math.max(0, (cur?.refilled_at ?? 0) - now) + (tokens < 1 ? (1 - tokens) / rate : 0), (cur?.throttled_until ?? 0) - now);
  throw new PacedError(Math.max(1, Math.ceil(waitMs / 1000)));
}

/**
 * Dropbox answered 429: close this account's bucket until Retry-After (every consumer waits) and count it. The bucket
 * is also emptied and refills only from Retry-After on: had it kept refilling while closed, it would reopen with a
 * second's worth of tokens, every waiting consumer would fire them at once on top of the steady pace, and the next
 * 429 would follow within a second (the 1.5 429s a second of the first 10,000-track bench, bench/paced.md).
 */
export async function noteRateLimited(env: PaceEnv, accountId: string, retryAfterSeconds: number, now = Date.now()): Promise<void> {
  const until = now + Math.max(1, retryAfterSeconds) * 1000;
  await env.DB.prepare(
    `INSERT INTO dropbox_pace (account_id, tokens, refilled_at, throttled_until, rate_limited) VALUES (?1, 0, ?3, ?3, 1)
     ON CONFLICT (account_id) DO UPDATE SET throttled_until = max(throttled_until, ?3), rate_limited = rate_limited + 1,
       tokens = min(tokens, 0), refilled_at = max(refilled_at, ?3)`,
  )
    .bind(accountId, now, until)
    .run();
}

/**
 * Whether the owner of this track is using their Dropbox calls for something else right now (bucket under half
 * full, or closed by a 429). The owner-side sweep then steps aside: a Revoke All's removals go first, and the
 * check waits for the next cron tick at the head of the rotation. One statement.
 */
export async function trackOwnerBusy(env: PaceEnv, trackId: string, now = Date.now()): Promise<boolean> {
  const rate = rateOf(env) / 1000;
  const burst = burstOf(env);
  const row = await env.DB.prepare(
    `SELECT p.tokens, p.refilled_at, p.throttled_until FROM tracks t JOIN dropbox_pace p ON p.account_id = t.owner_id WHERE t.id = ?`,
  )
    .bind(trackId)
    .first<{ tokens: number; refilled_at: number; throttled_until: number }>();
  if (!row) return false;
  const tokens = Math.min(burst, row.tokens + Math.max(0, now - row.refilled_at) * rate);
  return row.throttled_until > now || tokens < burst / 2;
}
