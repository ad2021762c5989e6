// Issue 12 at scale, under the per-invocation meter (src/budget.ts): the stale-access review of an owner with 10,000
// tracks and 1,000 collaborators answers in one call; a Revoke-All-sized heads-up, a 1,000-record selection and a
// cron tick with 2,500 ends due stay within 1,000 D1 queries and 1,000 subrequests. Numbers → bench/review.md.
import { SELF, createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import worker from '../../src/index.ts';
import { budgetLog } from '../../src/budget.ts';
import { EXPIRE_CHUNK, EXPIRE_CHUNKS_PER_TICK } from '../../src/domain/expiry.ts';
import { person, type Person } from '../core/helpers.ts';

const TRACKS = 10_000;
const PEOPLE = 1_000;
const PER_TRACK = 3;
const DAY = 86_400_000;
const report: string[] = [];

let owner: Person;

const usage = (label: RegExp) => [...budgetLog().recent].reverse().find((u) => label.test(u.label))!;

async function timed(method: string, path: string, body?: unknown) {
  const t0 = performance.now();
  const res = await SELF.fetch(`http://pd.test/api/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${owner.token}`, 'Content-Type': 'application/json', 'CF-Connecting-IP': '198.18.0.1' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text), bytes: text.length, ms: Math.round(performance.now() - t0) };
}

beforeAll(async () => {
  owner = await person('Olivia Tenthousand');
  const now = new Date().toISOString();
  const old = new Date(Date.now() - 45 * DAY).toISOString();
  const seq = (n: number) => `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${n - 1})`;
  await env.DB.batch([
    env.DB.prepare(`${seq(PEOPLE)} INSERT INTO accounts (id, dropbox_account_id, email, email_lower, display_name, created_at, updated_at)
      SELECT printf('acc_b%04d', i), printf('dbid:b%04d', i), printf('p%04d@bench.test', i), printf('p%04d@bench.test', i), printf('Person %d', i), ?1, ?1 FROM n`).bind(
      now,
    ),
    // Half of them signed in recently, half 45 days ago.
    env.DB.prepare(`${seq(PEOPLE)} INSERT INTO sessions (token_hash, account_id, created_at, expires_at, last_used_at, absolute_expires_at)
      SELECT printf('bench%04d', i), printf('acc_b%04d', i), CASE WHEN i % 2 = 0 THEN ?1 ELSE ?2 END, '2099-01-01', CASE WHEN i % 2 = 0 THEN ?1 ELSE ?2 END, '2099-01-01' FROM n`).bind(
      now,
      old,
    ),
    env.DB.prepare(`${seq(TRACKS)} INSERT INTO tracks (id, owner_id, dropbox_shared_folder_id, title, stage, created_at, updated_at)
      SELECT printf('trk_b%05d', i), ?1, printf('sf:bench:%05d', i), printf('Bench %05d', i), CASE WHEN i % 4 = 0 THEN 'released' ELSE 'mixing' END, ?2, ?2 FROM n`).bind(
      owner.account.id,
      now,
    ),
    env.DB.prepare(`${seq(TRACKS * PER_TRACK)} INSERT INTO collaborators (id, track_id, account_id, email, email_lower, display_name, access_level, status, invited_at, invited_by, joined_at, updated_at)
      SELECT printf('col_b%06d', i), printf('trk_b%05d', i / ${PER_TRACK}), printf('acc_b%04d', (i * 7 + i / ${PER_TRACK}) % ${PEOPLE}),
             printf('p%04d@bench.test', (i * 7 + i / ${PER_TRACK}) % ${PEOPLE}), printf('p%04d@bench.test', (i * 7 + i / ${PER_TRACK}) % ${PEOPLE}),
             printf('Person %d', (i * 7 + i / ${PER_TRACK}) % ${PEOPLE}), CASE WHEN i % 2 = 0 THEN 'editor' ELSE 'viewer' END, 'active', ?1, ?2, ?1, ?1 FROM n`).bind(
      old,
      owner.account.id,
    ),
    env.DB.prepare(`${seq(20_000)} INSERT INTO comments (id, track_no, author_no, author_name, body, created_at)
      SELECT printf('cmt_b%06d', i), (SELECT no FROM tracks WHERE id = printf('trk_b%05d', i % ${TRACKS})),
             (SELECT no FROM accounts WHERE id = printf('acc_b%04d', (i * 7 + i % ${TRACKS}) % ${PEOPLE})), 'x', 'note', ?1 FROM n`).bind(now),
    env.DB.prepare(`${seq(20_000)} INSERT INTO track_history (track_no, kind, actor_no, actor_name, via, details, created_at)
      SELECT (SELECT no FROM tracks WHERE id = printf('trk_b%05d', i % ${TRACKS})), (SELECT code FROM history_kinds WHERE name = 'metadata_changed'),
             (SELECT no FROM accounts WHERE id = printf('acc_b%04d', (i * 3) % ${PEOPLE})), 'x', 'app', '{}', ?1 FROM n`).bind(Date.parse(old)),
  ]);
}, 120_000);

describe('issue 12 within the per-invocation budgets at 10,000 tracks / 1,000 collaborators', () => {
  it('GET /sharing/review answers in one call (3 D1 statements besides the session)', async () => {
    const plan = await env.DB.prepare(
      `EXPLAIN QUERY PLAN SELECT (SELECT a.last_at FROM track_activity a WHERE a.track_id = ?1 AND a.account_id = ?2)`,
    )
      .bind('trk_b00001', 'acc_b0001')
      .all<{ detail: string }>();
    expect(plan.results.map((r) => r.detail).join('; ')).toMatch(/SEARCH a USING PRIMARY KEY \(track_id=\? AND account_id=\?\)/);
    await timed('GET', '/sharing/review'); // warm (first D1 read of the seeded pages)
    const res = await timed('GET', '/sharing/review');
    expect(res.status).toBe(200);
    const u = usage(/^GET \/api\/v1\/sharing\/review$/);
    const people = res.body.people as { tracks: unknown[]; staleCount: number }[];
    expect(people).toHaveLength(PEOPLE);
    expect(people.reduce((n, p) => n + p.tracks.length, 0)).toBe(TRACKS * PER_TRACK);
    expect(people[0].staleCount).toBeGreaterThan(0); // riskiest first
    expect(u.d1).toBeLessThanOrEqual(6);
    expect(u.subrequests).toBe(0);
    report.push(
      `| GET /sharing/review | ${TRACKS.toLocaleString('en')} tracks, ${PEOPLE.toLocaleString('en')} people, ${(TRACKS * PER_TRACK).toLocaleString('en')} records | ${u.d1} | ${u.subrequests} | ${res.ms} ms | ${(res.bytes / 1e6).toFixed(1)} MB |`,
    );
  }, 120_000);

  it('a selection of 1,000 records (the largest allowed): one batch, constant statements', async () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `col_b${String(i * 3).padStart(6, '0')}`);
    const until = new Date(Date.now() + 10 * DAY).toISOString();
    const res = await timed('POST', '/sharing/review/actions', { action: 'expiry', collaboratorIds: ids, accessExpiresAt: until });
    expect(res.body.changedCount).toBe(1000);
    const u = usage(/^POST \/api\/v1\/sharing\/review\/actions$/);
    expect(u.d1).toBeLessThan(20);
    report.push(`| POST /sharing/review/actions (expiry) | 1,000 records | ${u.d1} | ${u.subrequests} | ${res.ms} ms | |`);
    const rev = await timed('POST', '/sharing/review/actions', { action: 'downgrade', collaboratorIds: ids });
    const d = usage(/^POST \/api\/v1\/sharing\/review\/actions$/);
    expect(d.d1).toBeLessThan(20);
    report.push(`| POST /sharing/review/actions (downgrade) | ${rev.body.changedCount} records | ${d.d1} | ${d.subrequests} | ${rev.ms} ms | |`);
  }, 120_000);

  it('a heads-up to one person on all their tracks: one batch', async () => {
    const key = 'p0007@bench.test';
    const res = await timed('POST', `/sharing/${encodeURIComponent(key)}/heads-up`, { note: 'Wrapping up.', endsIn: '7d' });
    expect(res.status).toBe(200);
    const u = usage(/^POST \/api\/v1\/sharing\/.+\/heads-up$/);
    expect(u.d1).toBeLessThan(20);
    report.push(`| POST /sharing/:personKey/heads-up | ${res.body.changedCount} tracks | ${u.d1} | ${u.subrequests} | ${res.ms} ms | |`);
  }, 120_000);

  it(`a cron tick with 2,500 ends due: ${EXPIRE_CHUNK * EXPIRE_CHUNKS_PER_TICK} ended, the rest next minute, within budget`, async () => {
    const past = new Date(Date.now() - 60_000).toISOString();
    await env.DB.prepare(
      `UPDATE collaborators SET access_expires_at = ? WHERE id IN (SELECT id FROM collaborators WHERE id LIKE 'col_b%' ORDER BY id LIMIT 2500)`,
    )
      .bind(past)
      .run();
    const tick = async () => {
      const ctx = createExecutionContext();
      const t0 = performance.now();
      await worker.scheduled!(createScheduledController({ cron: '* * * * *', scheduledTime: Date.now() }), env, ctx);
      await waitOnExecutionContext(ctx);
      return Math.round(performance.now() - t0);
    };
    const count = async () =>
      (await env.DB.prepare(`SELECT count(*) AS n FROM collaborators WHERE ended_by_schedule IS NOT NULL AND id LIKE 'col_b%'`).first<{
        n: number;
      }>())!.n;
    const startEnded = await count();
    const ms1 = await tick();
    const first = usage(/^scheduled$/);
    const before = startEnded;
    expect((await count()) - before).toBe(EXPIRE_CHUNK * EXPIRE_CHUNKS_PER_TICK);
    const ms2 = await tick();
    const second = usage(/^scheduled$/);
    expect((await count()) - before).toBe(2500);
    expect(first.d1).toBeLessThan(1000);
    expect(first.subrequests).toBeLessThan(1000);
    report.push(
      `| cron tick, 2,500 ends due | ${EXPIRE_CHUNK * EXPIRE_CHUNKS_PER_TICK} ended (+ their Dropbox changes queued) | ${first.d1} | ${first.subrequests} | ${ms1} ms | |`,
    );
    report.push(`| next cron tick | the other 500 | ${second.d1} | ${second.subrequests} | ${ms2} ms | |`);
    console.log(`\n| path | size | D1 statements | subrequests | time (local) | answer |\n|---|---|---|---|---|---|\n${report.join('\n')}\n`);
  }, 180_000);
});
