// Dropbox paced per account (issue 10, part 3): every call with an account's token takes a token from that
// account's bucket; a 429 closes the bucket for everyone until its Retry-After; 429s never use up a change's
// attempts. Under a per-user rate limit in the emulator, a Revoke All drains with 0 failed changes.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { burstOf, noteRateLimited, PacedError, takeToken } from '../../src/dropbox/pace.ts';
import { Harness, control } from '../dropbox/harness.ts';

const h = new Harness();
h.skipPaceDelays = false; // this file is about those delays
const OWNER = 'olivia@pace.test';
const BEN = 'ben@pace.test';
const TRACKS = 40;
let owner: { session: string; account: { id: string } };

beforeAll(async () => {
  await h.reset({
    accounts: [
      { email: OWNER, display_name: 'Olivia Owner' },
      { email: BEN, display_name: 'Ben Beats' },
    ],
    folders: Array.from({ length: TRACKS }, (_, i) => ({ name: `Pace ${i}`, owner: OWNER, members: [{ account: BEN, access_level: 'editor' }] })),
  });
  owner = await h.signIn(OWNER);
  await h.drain();
  let remaining = 1;
  for (let i = 0; i < 10 && remaining > 0; i++) {
    remaining = (await h.json<{ remaining: number }>('/api/v1/dropbox/import', { method: 'POST', session: owner.session, json: {} })).remaining;
  }
  expect(remaining).toBe(0);
  h.queued.length = 0;
}, 120_000);

describe('per-account token bucket', () => {
  const penv = { DB: env.DB, DROPBOX_PACE_PER_SECOND: '5' };

  it('lets a burst through at once, then spaces calls out; a 429 closes the bucket until Retry-After', async () => {
    const account = `acct_pace_${crypto.randomUUID()}`;
    const at = Date.now(); // all calls at the same instant (no refill in between)
    const t0 = performance.now();
    for (let i = 0; i < burstOf(penv); i++) await takeToken(penv, account, at);
    expect(performance.now() - t0).toBeLessThan(1000); // the burst
    const t1 = performance.now();
    await takeToken(penv, account, at); // the next one waits for its slot: 1/5 s
    expect(performance.now() - t1).toBeGreaterThanOrEqual(180);
    // Asking for more than 3 s of waiting at once: back to the queue instead (a PacedError, not a failure).
    const many = await Promise.all(
      Array.from({ length: 20 }, () =>
        takeToken(penv, account, at).then(
          () => 'ok',
          (e) => e,
        ),
      ),
    );
    expect(many.filter((x) => x instanceof PacedError).length).toBeGreaterThan(0);

    await noteRateLimited(penv, account, 30);
    const err = await takeToken(penv, account).catch((e) => e);
    expect(err).toBeInstanceOf(PacedError);
    expect(err.retryAfterSeconds).toBeGreaterThanOrEqual(29);
    // Another account is not affected.
    await takeToken(penv, `acct_other_${crypto.randomUUID()}`);
    const row = await env.DB.prepare('SELECT rate_limited FROM dropbox_pace WHERE account_id = ?').bind(account).first<{ rate_limited: number }>();
    expect(row!.rate_limited).toBe(1);
  });

  it('reopens empty after a 429: the calls waiting for it are spread out at the pace, not fired at once', async () => {
    // A full bucket (a quiet account) meets a 429 with Retry-After 1 s. Twelve calls arrive at once: they get the
    // slots 1.2 s, 1.4 s, … after it (5 a second), so only ten fit in the 3 s an in-line wait may take; the rest go
    // back to the queue. Had the bucket kept refilling while closed, all twelve would have gone at 1 s together —
    // straight into the next 429.
    const account = `acct_pace_${crypto.randomUUID()}`;
    const at = Date.now();
    await takeToken(penv, account, at);
    await noteRateLimited(penv, account, 1, at);
    const t0 = performance.now();
    const went: number[] = [];
    const results = await Promise.all(
      Array.from({ length: 12 }, () =>
        takeToken(penv, account, at).then(
          () => went.push(performance.now() - t0),
          (e) => e,
        ),
      ),
    );
    expect(results.filter((x) => x instanceof PacedError)).toHaveLength(2);
    went.sort((a, b) => a - b);
    expect(went).toHaveLength(10);
    expect(went[0]).toBeGreaterThanOrEqual(1000 - 50);
    // Ten calls spread over ~1.8 s, not ten at once: at most 5 within any one second.
    for (let i = 5; i < went.length; i++) expect(went[i] - went[i - 5]).toBeGreaterThanOrEqual(950);
  });
});

describe('Revoke All under a per-user Dropbox rate limit', () => {
  it(`drains ${TRACKS} removals with 0 failed changes; the 429s are counted, not failures`, async () => {
    // Dropbox allows Olivia 6 calls a second; PD paces her at 100/s in tests (vitest.config.ts), so it runs into the
    // limit and must recover from 429s without losing or failing anything.
    await control('faults', { route: '*', kind: 'rate_limit', perSecond: 6, retryAfter: 1, account: OWNER });
    const people = await h.json<{ people: { personKey: string; email: string }[] }>('/api/v1/sharing', { session: owner.session });
    const ben = people.people.find((p) => p.email === BEN)!;
    const r = await h.json<{ revokedCount: number }>(`/api/v1/sharing/${encodeURIComponent(ben.personKey)}/revoke-all`, {
      method: 'POST',
      session: owner.session,
    });
    expect(r.revokedCount).toBe(TRACKS);
    const started = Date.now();
    // Deliver like Cloudflare: batches of 10, retried messages come back after (real) time passes.
    while (h.queued.length && Date.now() - started < 120_000) {
      await h.drain({ maxRounds: 5 });
      if (h.queued.length) await new Promise((res) => setTimeout(res, 300));
    }
    expect(h.queued).toHaveLength(0);
    const stats = await env.DB.prepare(
      `SELECT count(*) AS n, sum(status = 'done') AS done, sum(status = 'failed') AS failed, sum(rate_limited) AS rate_limited, max(attempts) AS max_attempts
       FROM dropbox_changes`,
    ).first<{ n: number; done: number; failed: number; rate_limited: number; max_attempts: number }>();
    expect(stats).toMatchObject({ n: TRACKS, done: TRACKS, failed: 0 });
    const pace = await env.DB.prepare('SELECT calls, rate_limited FROM dropbox_pace WHERE account_id = ?')
      .bind(owner.account.id)
      .first<{ calls: number; rate_limited: number }>();
    const calls429 = (await h.calls()).filter((c) => c.status === 429).length;
    console.log(
      `[pace] ${TRACKS} removals drained in ${Date.now() - started} ms; ${calls429} Dropbox 429s (bucket saw ${pace!.rate_limited}); ${stats!.rate_limited} on changes; max attempts ${stats!.max_attempts}`,
    );
    expect(pace!.rate_limited).toBe(calls429);
    // Ben is out of every folder in Dropbox.
    const state = await control<{ folders: { members: { email: string }[] }[] }>('state');
    expect(state.folders.filter((f) => f.members.some((m) => m.email === BEN))).toHaveLength(0);
  }, 150_000);
});
