// Import at the sizes of issue 10 ("import of 100 new folders, plus 2 per folder imported before, no cap"): 100 new
// folders with 4 members each, beside 1,000 folders imported before. Every request stays inside its budget (the
// meter fails the test otherwise); the import finishes through `remaining` continuations.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { budgetLog } from '../../src/budget.ts';
import { Harness } from '../dropbox/harness.ts';

const h = new Harness();
const OWNER = 'olivia@import-budget.test';
const MEMBERS = ['a', 'b', 'c', 'd'].map((x) => `${x}@import-budget.test`);
const BEFORE = 1000;
const NEW = 100;
let owner: { session: string; account: { id: string } };
let folders: { shared_folder_id: string; name: string }[];

beforeAll(async () => {
  const seeded = await h.reset({
    accounts: [{ email: OWNER, display_name: 'Olivia Owner' }, ...MEMBERS.map((m) => ({ email: m, display_name: m }))],
    folders: Array.from({ length: BEFORE + NEW }, (_, i) => ({
      name: `Song ${i}`,
      owner: OWNER,
      path: `/Songs/Song ${i}`,
      members: MEMBERS.map((m, j) => ({ account: m, access_level: j % 2 ? 'viewer' : 'editor' })),
    })),
  });
  folders = seeded.folders;
  owner = await h.signIn(OWNER);
  // Sign-in queued Olivia's first reconcile (her baseline over 1,100 shared folders): the reconcile lane's path,
  // measured there, not here.
  h.queued.length = 0;
  // The first 1,000 were imported before (seeded as tracks of Olivia: the fixture, not the path under test).
  const now = new Date().toISOString();
  for (let i = 0; i < BEFORE; i += 100) {
    await env.DB.batch(
      folders
        .slice(i, i + 100)
        .map((f, j) =>
          env.DB.prepare('INSERT INTO tracks (id, owner_id, dropbox_shared_folder_id, title, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)').bind(
            `trk_before_${i + j}`,
            owner.account.id,
            f.shared_folder_id,
            f.name,
            now,
            now,
          ),
        ),
    );
  }
}, 120_000);

describe('import within budget', () => {
  it(`${NEW} new folders (4 members each) beside ${BEFORE} imported before: every request within budget, all imported`, async () => {
    const usage: { d1: number; subrequests: number; created: number }[] = [];
    let remaining = -1;
    for (let call = 0; call < 20 && remaining !== 0; call++) {
      const before = budgetLog().recent.length;
      const r = await h.json<{ imported: { created: boolean }[]; remaining: number }>('/api/v1/dropbox/import', {
        method: 'POST',
        session: owner.session,
        json: {},
      });
      const u = budgetLog()
        .recent.slice(before)
        .find((x) => x.label === 'POST /api/v1/dropbox/import')!;
      usage.push({ d1: u.d1, subrequests: u.subrequests, created: r.imported.filter((i) => i.created).length });
      expect(r.imported).toHaveLength(BEFORE + NEW - r.remaining);
      remaining = r.remaining;
    }
    expect(remaining).toBe(0);
    expect(usage.reduce((a, u) => a + u.created, 0)).toBe(NEW);
    const n = await env.DB.prepare(
      `SELECT count(*) AS n FROM collaborators c JOIN tracks t ON t.id = c.track_id WHERE t.owner_id = ? AND c.status = 'active'`,
    )
      .bind(owner.account.id)
      .first<{ n: number }>();
    expect(n!.n).toBe(NEW * MEMBERS.length);
    const max = (k: 'd1' | 'subrequests') => Math.max(...usage.map((u) => u[k]));
    console.log(
      `[budget] import ${NEW} new + ${BEFORE} before: ${usage.length} requests, created per request ${usage.map((u) => u.created).join('/')}, max ${max('d1')} D1, ${max('subrequests')} subrequests`,
    );
    expect(max('d1')).toBeLessThanOrEqual(1000);
    expect(max('subrequests')).toBeLessThanOrEqual(1000);
  }, 300_000);
});
