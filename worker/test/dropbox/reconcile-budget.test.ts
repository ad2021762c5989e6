// Issue 10 item 1 for the reconcile paths: every queue invocation stays within 1,000 D1 queries (each statement of
// a batch counted) and 1,000 subrequests at any size; work that grows with the account continues in new messages.
// Each test drives the real reconcile code against the emulator and counts every invocation it runs.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { reconcileAccount, checkTrackMembership, BASELINE_FOLDERS_PER_INVOCATION, MAX_INLINE_CONFIRMATIONS } from '../../src/jobs/reconcile.ts';
import type { Job } from '../../src/jobs/messages.ts';
import { Harness, control, historyOf } from './harness.ts';
import { D1_QUERY_BUDGET, SUBREQUEST_BUDGET, measureInvocation, type InvocationUsage } from '../../src/budget.ts';

let n = 0;
const people = () => {
  n++;
  return { OWEN: `owen.${n}@budget.test`, MIA: `mia.${n}@budget.test`, JULES: `jules.${n}@budget.test` };
};

beforeAll(async () => {
  await new Harness().reset();
  await control('webhooks', { duplicateRate: 0 });
});

type Cost = InvocationUsage;

/** One job invocation run directly, under the same per-invocation meter as every worker invocation (src/budget.ts). */
const measure = <T>(h: Harness, run: (env: Env) => Promise<T>): Promise<{ result: T; cost: Cost }> =>
  measureInvocation('reconcile job', h.env, run).then(({ result, usage }) => ({ result, cost: usage }));

function withinBudget(label: string, cost: Cost, quiet = false) {
  if (!quiet) console.log(`[budget] ${label}: ${cost.d1} D1 queries, ${cost.subrequests} subrequests (Dropbox calls and queue sends)`);
  expect(cost.d1, `${label}: D1 queries`).toBeLessThanOrEqual(D1_QUERY_BUDGET);
  expect(cost.subrequests, `${label}: subrequests`).toBeLessThanOrEqual(SUBREQUEST_BUDGET);
}

/** Tracks for seeded folders straight into D1 (as an import would leave them), owned by `ownerId`. */
async function insertTracks(ownerId: string, sfids: string[], createdAt = new Date(Date.now() - 60_000).toISOString()) {
  for (let i = 0; i < sfids.length; i += 1000) {
    const rows = sfids.slice(i, i + 1000).map((s, j) => ({ id: `trk_b${n}_${i + j}`, s }));
    await env.DB.prepare(
      `INSERT INTO tracks (id, owner_id, dropbox_shared_folder_id, title, created_at, updated_at)
       SELECT json_extract(value, '$.id'), ?1, json_extract(value, '$.s'), 'Song', ?2, ?2 FROM json_each(?3)`,
    )
      .bind(ownerId, createdAt, JSON.stringify(rows))
      .run();
  }
  const { results } = await env.DB.prepare('SELECT id, dropbox_shared_folder_id AS s FROM tracks WHERE owner_id = ?')
    .bind(ownerId)
    .all<{ id: string; s: string }>();
  return new Map(results.map((r) => [r.s, r.id]));
}

/** The member as an active collaborator on those tracks (what PD shows for a Dropbox member). */
async function insertCollaborator(trackIds: string[], account: { id: string; email: string }) {
  for (let i = 0; i < trackIds.length; i += 1000) {
    await env.DB.prepare(
      `INSERT INTO collaborators (id, track_id, account_id, email, email_lower, display_name, access_level, status, invited_at, joined_at, updated_at)
       SELECT 'col_b' || value, value, ?1, ?2, lower(?2), 'Mia', 'editor', 'active', ?3, ?3, ?3 FROM json_each(?4)`,
    )
      .bind(account.id, account.email, new Date().toISOString(), JSON.stringify(trackIds.slice(i, i + 1000)))
      .run();
  }
}

/** Delivers the reconcile-account messages of `h` one invocation at a time, each measured. */
async function runReconciles(h: Harness, max: number): Promise<Cost[]> {
  const costs: Cost[] = [];
  for (let i = 0; i < max; i++) {
    const k = h.queued.findIndex((q) => q.job.kind === 'reconcile-account');
    if (k < 0) break;
    const [{ job }] = h.queued.splice(k, 1) as { job: Extract<Job, { kind: 'reconcile-account' }> }[];
    const { result, cost } = await measure(h, (e) => reconcileAccount(e, job.dropboxAccountId, job.at, { continued: job.continued }));
    costs.push({ ...cost, label: `reconcile job: ${JSON.stringify(result).slice(0, 200)}` });
  }
  return costs;
}

const seenOf = async (sfids: string[]) =>
  (await env.DB.prepare(
    `SELECT count(*) AS n FROM dropbox_seen_files WHERE track_no IN (SELECT no FROM tracks WHERE dropbox_shared_folder_id IN (SELECT value FROM json_each(?)))`,
  )
    .bind(JSON.stringify(sfids))
    .first<{ n: number }>())!.n;

describe('list_folder/continue pages with 2,000 new files', () => {
  it("records 2,000 uploads, as their uploaders' edits, in one invocation within budget", async () => {
    const { OWEN, MIA, JULES } = people();
    const h = new Harness();
    const seeded = await control<{ folders: { shared_folder_id: string }[] }>('seed', {
      accounts: [{ email: OWEN }, { email: MIA }, { email: JULES }],
      folders: [],
    });
    void seeded;
    const owen = await h.signIn(OWEN);
    const mia = await h.signIn(MIA);
    await runReconciles(h, 2); // both baselines: nothing shared yet
    // The track exists; then Mia and Jules upload 1,000 takes each (the emulator's seed writes them in one go).
    const trackCreatedAt = new Date(Date.now() - 2000).toISOString();
    const big = await control<{ folders: { shared_folder_id: string }[] }>('seed', {
      folders: [
        {
          name: `Big ${n}`,
          owner: OWEN,
          members: [{ account: JULES, access_level: 'editor' }],
          files: Array.from({ length: 2000 }, (_, i) => ({ path: `take ${i}.wav`, size: 100 + i, by: i % 2 ? JULES : MIA })),
        },
      ],
    });
    const sfid = big.folders[0].shared_folder_id;
    const trackId = (await insertTracks(owen.account.id, [sfid], trackCreatedAt)).get(sfid)!;
    // Owen adds Mia in Dropbox: her tree's next pages show the mount and the 2,000 files (Owen's own walk has
    // not run; the files are uploads whichever tree shows them first).
    await control('act', { as: OWEN, action: 'add_member', shared_folder_id: sfid, member: MIA, access_level: 'editor' });
    await control('act', { as: MIA, action: 'accept_invite', shared_folder_id: sfid }); // joins her Dropbox once accepted
    const { result, cost } = await measure(h, (e) => reconcileAccount(e, mia.account.dropboxAccountId, Date.now()));
    expect(result).toMatchObject({ result: 'done' });
    expect((result as { pages: number }).pages).toBeLessThanOrEqual(2); // 2,001 entries: the mount + 2,000 files
    withinBudget('2,000 new files in one walk', cost);
    const uploads = (await historyOf(trackId)).filter((e) => e.kind === 'file_uploaded');
    expect(uploads).toHaveLength(2000);
    expect(uploads.filter((u) => u.actor_id === mia.account.id)).toHaveLength(1000);
    expect(JSON.parse(uploads[0].details)).toMatchObject({ path: 'take 0.wav', size: 100 });
    expect(new Set(uploads.map((u) => u.actor_id)).size).toBe(2); // Mia, and Jules's account as Dropbox names it
    // Stored compactly: one history row per uploader and batch of revisions, not one per file.
    const { results } = await env.DB.prepare(
      'SELECT count(*) AS n FROM track_history WHERE track_no = (SELECT no FROM tracks WHERE id = ?) AND kind = (SELECT code FROM history_kinds WHERE name = ?)',
    )
      .bind(trackId, 'file_uploads')
      .all<{ n: number }>();
    expect(results[0].n).toBeLessThanOrEqual(2 * Math.ceil(2000 / 200));
    // Owen's tree shows the same 2,000 revisions (his baseline lists the folder): nothing new, within budget.
    await env.DB.prepare('UPDATE dropbox_account_sync SET cursor = NULL WHERE account_id = ?').bind(owen.account.id).run();
    const again = await measure(h, (e) => reconcileAccount(e, owen.account.dropboxAccountId, Date.now()));
    withinBudget('the same 2,000 revisions in another tree', again.cost);
    expect((await historyOf(trackId)).filter((e) => e.kind === 'file_uploaded')).toHaveLength(2000);
  }, 300_000);
});

describe('a folder with 300 track mounts deleted', () => {
  it('is split: some owner confirmations inline, the rest queued as membership checks, each invocation within budget; all 300 end as "access ended in Dropbox"', async () => {
    const { OWEN, MIA } = people();
    const folders = Array.from({ length: 300 }, (_, i) => ({
      name: `Song ${i}`,
      owner: OWEN,
      members: [{ account: MIA, access_level: 'editor' as const, path: `/Band/Song ${i}` }],
    }));
    const seeded = await control<{ folders: { shared_folder_id: string }[] }>('seed', { accounts: [{ email: OWEN }, { email: MIA }], folders });
    const sfids = seeded.folders.map((f) => f.shared_folder_id);
    const h = new Harness();
    const owen = await h.signIn(OWEN);
    const mia = await h.signIn(MIA);
    const tracks = await insertTracks(owen.account.id, sfids);
    await insertCollaborator([...tracks.values()], { id: mia.account.id, email: MIA });
    const baseline = await runReconciles(h, 20); // both first reconciles, paged
    baseline.forEach((c, i) => withinBudget(`300 mounts: baseline invocation ${i + 1}`, c));
    h.queued.length = 0;
    // Mia leaves all 300 folders in Dropbox (as deleting the folder that holds them would): one page of 300 deletions.
    for (const s of sfids) await control('act', { as: MIA, action: 'leave_folder', shared_folder_id: s });
    const walk = await measure(h, (e) => reconcileAccount(e, mia.account.dropboxAccountId, Date.now()));
    withinBudget('300 lost mounts: the walk', walk.cost);
    const checks = h.queued.filter((q) => q.job.kind === 'check-track-membership');
    expect(checks).toHaveLength(300 - MAX_INLINE_CONFIRMATIONS);
    expect(checks[0].job).toMatchObject({ leftAccountId: mia.account.id, memberAccountId: mia.account.id });
    let worst: Cost = { label: 'none', d1: 0, subrequests: 0 };
    for (const q of checks) {
      const job = q.job as Extract<Job, { kind: 'check-track-membership' }>;
      const { cost } = await measure(h, (e) =>
        checkTrackMembership(e, job.trackId, { leftAccountId: job.leftAccountId, memberAccountId: job.memberAccountId }),
      );
      withinBudget('300 lost mounts: one queued check', cost, true);
      if (cost.d1 + cost.subrequests > worst.d1 + worst.subrequests) worst = cost;
    }
    withinBudget(`300 lost mounts: the costliest of ${checks.length} queued checks`, worst);
    const { results } = await env.DB.prepare(
      `SELECT status, ended_evidence, count(*) AS n FROM collaborators WHERE account_id = ? GROUP BY status, ended_evidence`,
    )
      .bind(mia.account.id)
      .all<{ status: string; n: number }>();
    expect(results).toEqual([{ status: 'revoked', ended_evidence: 'dropbox_own_folder', n: 300 }]);
  }, 180_000);
});

describe('the first reconcile of an account with many tracks', () => {
  async function bigAccount(count: number) {
    const { OWEN, MIA, JULES } = people();
    const folders = Array.from({ length: count }, (_, i) => ({
      name: `T${i}`,
      owner: OWEN,
      path: `/Owen/T${i}`,
      members: [
        { account: MIA, access_level: 'editor' as const, path: `/Mia/T${i}` },
        ...(i === Math.floor(count / 2) ? [{ account: JULES, access_level: 'editor' as const }] : []),
      ],
      files: [{ path: 'bounce.wav', size: 1, by: OWEN }],
    }));
    const seeded = await control<{ folders: { shared_folder_id: string }[] }>('seed', {
      accounts: [{ email: OWEN }, { email: MIA }, { email: JULES }],
      folders,
    });
    const sfids = seeded.folders.map((f) => f.shared_folder_id);
    const h = new Harness();
    const owen = await h.signIn(OWEN);
    // The tracks are made after the files were stored (Dropbox's server_modified has whole seconds): the seeded
    // files were there before, so they are not uploads (the import's listing would have claimed them too).
    await new Promise((r) => setTimeout(r, 1100));
    const tracks = await insertTracks(owen.account.id, sfids, new Date().toISOString());
    h.queued.length = 0;
    return { h, sfids, tracks, MIA, JULES };
  }

  for (const count of [1000, 10_000]) {
    it(`${count.toLocaleString('en')} tracks: the baseline is paged across messages, each within budget, and an upload made before it is still found`, async () => {
      const { h, sfids, tracks, MIA, JULES } = await bigAccount(count);
      // An upload after the tracks exist but before Mia's first reconcile: only her baseline listing can find it in her tree.
      const late = sfids[Math.floor(count / 2)];
      await control('act', { as: JULES, action: 'upload_file', shared_folder_id: late, path: 'late take.wav', size: 77 });
      await h.signIn(MIA);
      const invocations = count > 1000 ? 2 : 1000; // 10,000: the first messages (every later one is like the 2nd); 1,000: all
      const costs = await runReconciles(h, invocations);
      costs.forEach((c, i) => withinBudget(`${count} tracks: baseline invocation ${i + 1}`, c));
      const listedPerMessage = BASELINE_FOLDERS_PER_INVOCATION;
      const left = (await env.DB.prepare('SELECT count(*) AS n FROM dropbox_baseline_folders').first<{ n: number }>())!.n;
      if (count > 1000) {
        expect(costs, costs.map((c) => c.label).join('\n')).toHaveLength(2);
        expect(left).toBe(count - 2 * listedPerMessage);
        expect(h.queued.filter((q) => q.job.kind === 'reconcile-account' && q.job.continued)).toHaveLength(1);
        console.log(`[budget] ${count} tracks: ${Math.ceil(count / listedPerMessage)} messages to list every track folder once`);
      } else {
        expect(costs, costs.map((c) => c.label).join('\n')).toHaveLength(Math.ceil(count / listedPerMessage));
        expect(left).toBe(0);
        expect((await historyOf(tracks.get(late)!)).filter((e) => e.kind === 'file_uploaded')).toEqual([expect.objectContaining({ via: 'dropbox' })]);
        // Every other revision was in the folders before the tracks: known, not uploads.
        expect(await seenOf(sfids)).toBeGreaterThanOrEqual(count);
      }
      await env.DB.prepare('DELETE FROM dropbox_baseline_folders').run();
    }, 600_000);
  }
});
