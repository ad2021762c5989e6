// Issue 14 item 1: an upload into a track folder is recorded exactly once whatever order sign-in, import,
// baselines, webhook walks and membership changes happen in. The rule lives in one place (reconcile.ts,
// revisionStatements): a revision is an upload iff it was not in the folder when the folder became a track.
// Each test is one ordering that lost (or delayed without end) an upload before.
import { env } from 'cloudflare:test';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { reconcileAccount } from '../../src/jobs/reconcile.ts';
import { acquireAccountLease, fenceStatement, LEASE_MS } from '../../src/jobs/lease.ts';
import { Harness, control, historyOf } from './harness.ts';

let n = 0;
let OWEN: string, MIA: string, JULES: string, KAI: string;
let h: Harness;
let owen: Awaited<ReturnType<Harness['signIn']>>;
let mia: Awaited<ReturnType<Harness['signIn']>>;
let sfid: string;
let trackId: string;

const uploadsOf = async (id: string) =>
  (await historyOf(id)).filter((e) => e.kind === 'file_uploaded').map((e) => ({ ...JSON.parse(e.details), actor: e.actor_id }));
const syncOf = (accountId: string) =>
  env.DB.prepare('SELECT cursor, lease_holder, lease_until FROM dropbox_account_sync WHERE account_id = ?')
    .bind(accountId)
    .first<{ cursor: string; lease_holder: string | null; lease_until: number }>();

beforeAll(async () => {
  await new Harness().reset();
});

beforeEach(async () => {
  n++;
  [OWEN, MIA, JULES, KAI] = ['owen', 'mia', 'jules', 'kai'].map((p) => `${p}.${n}@orderings.test`);
  await control('faults', undefined, 'DELETE');
  await control('webhooks', { duplicateRate: 0 });
  const seeded = await control<{ folders: { shared_folder_id: string }[] }>('seed', {
    accounts: [
      { email: OWEN, display_name: 'Owen' },
      { email: MIA, display_name: 'Mia' },
      { email: JULES, display_name: 'Jules' },
      { email: KAI, display_name: 'Kai' },
    ],
    folders: [
      // Jules is in the folder in Dropbox but never signs in to PD: his tree is never read.
      { name: `Song ${n}`, owner: OWEN, members: [{ account: JULES, access_level: 'editor' }], files: [{ path: 'demo.wav', size: 10, by: OWEN }] },
      { name: `Other ${n}`, owner: KAI, members: [{ account: MIA, access_level: 'editor' }] },
    ],
  });
  sfid = seeded.folders[0].shared_folder_id;
  h = new Harness();
  owen = await h.signIn(OWEN);
  mia = await h.signIn(MIA);
  await h.drain();
  const imported = await h.json<{ imported: { trackId: string }[] }>('/api/v1/dropbox/import', {
    method: 'POST',
    session: owen.session,
    json: { sharedFolderIds: [sfid] },
  });
  trackId = imported.imported[0].trackId;
  await h.drain();
  await control('webhooks/flush', {});
  await control('webhooks/log', undefined, 'DELETE');
});

describe("an upload in a folder a member's tree mounts in the same walk", () => {
  it("is recorded by that walk, even while the owner's tree cannot be read; once, when the owner's is read later", async () => {
    // Owen's Dropbox sign-in stops working (he must sign in again): his tree is not read for now.
    await env.DB.prepare('UPDATE dropbox_tokens SET needs_reauth = 1 WHERE account_id = ?').bind(owen.account.id).run();
    // Owen adds Mia to the folder in Dropbox, and Jules uploads a take right after: Mia's next walk shows the
    // mount, the old file and the new take together. (Before: the walk skipped every file of a folder it saw
    // mounted, so the take rested on Owen's or Jules's tree — neither is read — and never reached history.)
    await control('act', { as: OWEN, action: 'add_member', shared_folder_id: sfid, member: MIA, access_level: 'editor' });
    await control('act', { as: MIA, action: 'accept_invite', shared_folder_id: sfid }); // an invitation joins Mia's Dropbox only once accepted
    await control('act', { as: JULES, action: 'upload_file', shared_folder_id: sfid, path: 'vocal take 1.wav', size: 4242 });
    expect(await reconcileAccount(h.env, mia.account.dropboxAccountId, Date.now())).toMatchObject({ result: 'done' });
    expect(await uploadsOf(trackId)).toEqual([expect.objectContaining({ path: 'vocal take 1.wav', size: 4242 })]);
    // Owen signs in again: his walk shows the same revision; still one entry (and demo.wav, there at import, none).
    await env.DB.prepare('UPDATE dropbox_tokens SET needs_reauth = 0 WHERE account_id = ?').bind(owen.account.id).run();
    expect(await reconcileAccount(h.env, owen.account.dropboxAccountId, Date.now())).toMatchObject({ result: 'done' });
    expect(await uploadsOf(trackId)).toHaveLength(1);
  });
});

describe('a new baseline whose listing finds a mount gone', () => {
  it('skips that folder and still finds the upload made before it in the others (before: the whole baseline failed, again and again)', async () => {
    const state = await control<{ folders: { shared_folder_id: string; name: string }[] }>('state');
    const kaiFolder = state.folders.find((f) => f.name === `Other ${n}`)!.shared_folder_id;
    const now = new Date().toISOString();
    await env.DB.prepare('INSERT INTO tracks (id, owner_id, dropbox_shared_folder_id, title, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
      .bind(`trk_other${n}`, owen.account.id, kaiFolder, 'Other', now, now)
      .run();
    // Mia is added to Owen's folder and Jules uploads a take; then Mia's tree gets a new baseline (as after a reset).
    await control('act', { as: OWEN, action: 'add_member', shared_folder_id: sfid, member: MIA, access_level: 'editor' });
    await control('act', { as: MIA, action: 'accept_invite', shared_folder_id: sfid }); // an invitation joins Mia's Dropbox only once accepted
    await control('act', { as: JULES, action: 'upload_file', shared_folder_id: sfid, path: 'late take.wav', size: 7 });
    await env.DB.prepare('UPDATE dropbox_account_sync SET cursor = NULL WHERE account_id = ?').bind(mia.account.id).run();
    // Her baseline reads her mounts; while Dropbox is slow to list the first folder, she leaves Kai's folder.
    await control('faults', { faults: [{ route: '2/files/list_folder', kind: 'slow', delayMs: 1000, count: 1, account: MIA }] });
    const run = reconcileAccount(h.env, mia.account.dropboxAccountId, Date.now());
    await new Promise((r) => setTimeout(r, 400));
    await control('act', { as: MIA, action: 'leave_folder', shared_folder_id: kaiFolder });
    expect(await run).toMatchObject({ result: 'baselined' });
    expect(await uploadsOf(trackId)).toEqual([expect.objectContaining({ path: 'late take.wav', size: 7 })]);
    expect(
      (await env.DB.prepare('SELECT count(*) AS n FROM dropbox_baseline_folders WHERE account_id = ?').bind(mia.account.id).first<{ n: number }>())!
        .n,
    ).toBe(0);
  });
});

describe('the reconcile lease fences writes', () => {
  it('a walk slower than its lease writes nothing once another walk took over, and cannot move its cursor backwards', async () => {
    await control('act', { as: OWEN, action: 'add_member', shared_folder_id: sfid, member: MIA, access_level: 'editor' });
    await control('act', { as: MIA, action: 'accept_invite', shared_folder_id: sfid }); // an invitation joins Mia's Dropbox only once accepted
    await h.drain();
    await reconcileAccount(h.env, mia.account.dropboxAccountId, Date.now()); // Mia's tree up to date
    const before = (await syncOf(mia.account.id))!.cursor;
    // Walk A takes the lease long ago: it has run out.
    expect(await acquireAccountLease(env.DB, mia.account.id, 'walk-A', Date.now() - LEASE_MS - 1000)).toBe(true);
    await control('act', { as: JULES, action: 'upload_file', shared_folder_id: sfid, path: 'take 2.wav', size: 2 });
    // Walk B takes over and moves the cursor forward, recording the take.
    expect(await reconcileAccount(h.env, mia.account.dropboxAccountId, Date.now())).toMatchObject({ result: 'done' });
    const afterB = (await syncOf(mia.account.id))!.cursor;
    expect(afterB).not.toBe(before);
    // Walk A, still running, now writes the page it read under the old cursor: the whole batch is refused.
    await expect(
      env.DB.batch([
        fenceStatement(env.DB, mia.account.id, 'walk-A'),
        env.DB.prepare('UPDATE dropbox_account_sync SET cursor = ? WHERE account_id = ?').bind(before, mia.account.id),
      ]),
    ).rejects.toThrow(/reconcile_lease_lost/);
    expect((await syncOf(mia.account.id))!.cursor).toBe(afterB);
    expect(await uploadsOf(trackId)).toHaveLength(1);
  });

  it('a walk whose lease is taken while it waits on Dropbox ends as lease-lost and saves nothing; the holder records the upload once', async () => {
    await control('act', { as: OWEN, action: 'add_member', shared_folder_id: sfid, member: MIA, access_level: 'editor' });
    await control('act', { as: MIA, action: 'accept_invite', shared_folder_id: sfid }); // an invitation joins Mia's Dropbox only once accepted
    await reconcileAccount(h.env, mia.account.dropboxAccountId, Date.now());
    const before = (await syncOf(mia.account.id))!.cursor;
    await control('act', { as: JULES, action: 'upload_file', shared_folder_id: sfid, path: 'take 3.wav', size: 3 });
    await control('faults', { faults: [{ route: '2/files/list_folder/continue', kind: 'slow', delayMs: 1200, count: 1, account: MIA }] });
    const slow = reconcileAccount(h.env, mia.account.dropboxAccountId, Date.now());
    await new Promise((r) => setTimeout(r, 300));
    // Meanwhile its lease is taken over by another walk (as after a lease ran out).
    await env.DB.prepare("UPDATE dropbox_account_sync SET lease_holder = 'walk-B', lease_until = ? WHERE account_id = ?")
      .bind(Date.now() + LEASE_MS, mia.account.id)
      .run();
    expect(await slow).toEqual({ result: 'lease-lost' });
    expect((await syncOf(mia.account.id))!.cursor).toBe(before);
    expect(await uploadsOf(trackId)).toEqual([]);
    // walk-B finishes (its lease released); the next walk records the take, once.
    await env.DB.prepare('UPDATE dropbox_account_sync SET lease_holder = NULL, lease_until = 0 WHERE account_id = ?').bind(mia.account.id).run();
    expect(await reconcileAccount(h.env, mia.account.dropboxAccountId, Date.now(), { continued: true })).toMatchObject({ result: 'done' });
    expect(await uploadsOf(trackId)).toEqual([expect.objectContaining({ path: 'take 3.wav' })]);
  });
});
