// Import of existing shared folders, and "which track is this folder?" from a Dropbox web path.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { Harness, collaborator, control } from './harness.ts';

const h = new Harness();
const MAYA = 'maya@look.test';
const LEO = 'leo@look.test';
const NOAH = 'noah@look.test';
let maya: { session: string; account: { id: string } };
let leo: { session: string; account: { id: string } };
let noah: { session: string; account: { id: string } };
let folders: { shared_folder_id: string; name: string }[];

beforeAll(async () => {
  const seeded = await h.reset({
    accounts: [
      { email: MAYA, display_name: 'Maya Reyes' },
      { email: LEO, display_name: 'Leo Vance' },
      { email: NOAH, display_name: 'Noah Kim' },
    ],
    folders: [
      {
        name: 'Midnight Drive',
        owner: MAYA,
        path: '/PRODUCER-DASHBOARD/After Hours/Midnight Drive',
        members: [{ account: LEO, access_level: 'editor', path: '/Collabs/Maya – Midnight Drive' }],
        invitees: [{ email: 'jules@look.test', access_level: 'editor' }],
        files: [{ path: 'Stems/kick.wav' }],
      },
      { name: 'Low Tide', owner: MAYA, path: '/PRODUCER-DASHBOARD/Low Tide' },
      { name: 'Paper Planes', owner: NOAH, members: [{ account: MAYA, access_level: 'viewer' }] },
    ],
  });
  folders = seeded.folders;
  maya = await h.signIn(MAYA);
  leo = await h.signIn(LEO);
  noah = await h.signIn(NOAH);
  await h.drain();
});

describe('POST /api/v1/dropbox/import', () => {
  it('imports the folders the caller owns, members as collaborators and Dropbox invitees as invitations', async () => {
    const r = await h.json<{
      imported: { title: string; created: boolean; collaborators: { email: string; status: string; accessLevel: string }[] }[];
      skipped: { name: string; reason: string }[];
    }>('/api/v1/dropbox/import', { method: 'POST', session: maya.session, json: {} });
    expect(r.imported.map((i) => [i.title, i.created])).toEqual([
      ['Midnight Drive', true],
      ['Low Tide', true],
    ]);
    expect(r.imported[0].collaborators).toEqual([
      expect.objectContaining({ email: LEO, status: 'active', accessLevel: 'editor' }),
      expect.objectContaining({ email: 'jules@look.test', status: 'invited', accessLevel: 'editor' }),
    ]);
    expect(r.skipped).toEqual([expect.objectContaining({ name: 'Paper Planes', reason: expect.stringMatching(/not the owner/) })]);
    // Leo sees it in his library on his next sync.
    const sync = await h.json<{ changes: { reason: string }[] }>('/api/v1/sync?cursor=0', { session: leo.session });
    expect(sync.changes).toEqual([expect.objectContaining({ reason: 'added_in_dropbox' })]);
  });

  it('is safe to repeat and can be limited to some folders', async () => {
    const r = await h.json<{ imported: { created: boolean }[]; skipped: { sharedFolderId: string; reason: string }[] }>('/api/v1/dropbox/import', {
      method: 'POST',
      session: maya.session,
      json: { sharedFolderIds: [folders[0].shared_folder_id, '999999'] },
    });
    expect(r.imported).toEqual([expect.objectContaining({ created: false })]);
    expect(r.skipped).toEqual([expect.objectContaining({ sharedFolderId: '999999' })]);
    const n = await env.DB.prepare('SELECT count(*) AS n FROM tracks WHERE owner_id = ?').bind(maya.account.id).first<{ n: number }>();
    expect(n!.n).toBe(2);
  });

  it("imports new tracks within one request's budget (at most 100 per call); calling again finishes the rest", async () => {
    const BIG = 'big@look.test';
    await control('seed', {
      accounts: [{ email: BIG, display_name: 'Big Owner' }],
      folders: Array.from({ length: 103 }, (_, i) => ({ name: `Song ${i}`, owner: BIG, members: [{ account: LEO, access_level: 'viewer' }] })),
    });
    const big = await h.signIn(BIG);
    h.queued.length = 0;
    type Answer = { imported: { created: boolean; collaborators: unknown[] }[]; remaining: number };
    const first = await h.json<Answer>('/api/v1/dropbox/import', { method: 'POST', session: big.session, json: {} });
    const firstCreated = first.imported.filter((i) => i.created).length;
    // Each new folder costs Dropbox calls and D1 statements inline: the request stops well inside its budget
    // (the test setup fails any invocation past 1,000 of either) and says how many are left.
    expect(firstCreated).toBeGreaterThan(0);
    expect(firstCreated).toBeLessThanOrEqual(100);
    expect(first.remaining).toBe(103 - firstCreated);
    let last = first;
    let calls = 1;
    while (last.remaining > 0 && calls < 10) {
      last = await h.json<Answer>('/api/v1/dropbox/import', { method: 'POST', session: big.session, json: {} });
      calls++;
    }
    expect(last.remaining).toBe(0);
    await h.clearCalls();
    h.queued.length = 0;
    const again = await h.json<Answer>('/api/v1/dropbox/import', { method: 'POST', session: big.session, json: {} });
    expect(again.imported).toHaveLength(103);
    expect(again.imported.every((i) => !i.created && i.collaborators.length === 1)).toBe(true);
    expect(again.remaining).toBe(0);
    // Already imported ones cost no inline Dropbox call: their members are re-checked from the queue.
    expect((await h.calls('2/sharing/list_folder_members')).length).toBe(0);
    expect(h.queued.filter((q) => q.job.kind === 'check-track-membership')).toHaveLength(103);
  }, 120_000);

  it('answers 401 without a session and 400 for a bad body', async () => {
    expect((await h.fetch('/api/v1/dropbox/import', { method: 'POST', json: {} })).status).toBe(401);
    const bad = await h.fetch('/api/v1/dropbox/import', { method: 'POST', session: maya.session, json: { sharedFolderIds: [] } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'validation_failed' } });
  });
});

describe('GET /api/v1/tracks/by-dropbox-path', () => {
  const lookup = (session: string, path: string) => h.fetch(`/api/v1/tracks/by-dropbox-path?path=${encodeURIComponent(path)}`, { session });

  it("resolves the owner's folder to the track and the caller's role", async () => {
    const res = await lookup(maya.session, '/home/PRODUCER-DASHBOARD/After%20Hours/Midnight%20Drive');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      track: { title: 'Midnight Drive' },
      myRole: 'owner',
      position: 'root',
      sharedFolderId: folders[0].shared_folder_id,
    });
  });

  it("resolves a member's own (renamed) copy by shared folder id, not by name; full URLs and subfolders work too", async () => {
    const res = await lookup(leo.session, 'https://www.dropbox.com/home/Collabs/Maya%20%E2%80%93%20Midnight%20Drive?preview=x.wav');
    expect(await res.json()).toMatchObject({ track: { title: 'Midnight Drive' }, myRole: 'editor', position: 'root' });
    const inside = await lookup(leo.session, '/home/Collabs/Maya%20%E2%80%93%20Midnight%20Drive/Stems');
    expect(await inside.json()).toMatchObject({ track: { title: 'Midnight Drive' }, position: 'inside' });
  });

  it('a folder named like a track that is not that shared folder is not the track', async () => {
    await h.act({ as: LEO, action: 'rename_mount', folder: 'Midnight Drive', path: '/Midnight Drive (shared)' });
    // Leo creates nothing at /Midnight Drive; the name alone must not match.
    const res = await lookup(leo.session, '/home/Midnight%20Drive');
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'dropbox_path_not_found' } });
  });

  it('answers clear 404s: not a shared folder, not a PD track (or not one of mine), nothing there', async () => {
    const plain = await lookup(maya.session, '/home/PRODUCER-DASHBOARD/After%20Hours');
    expect(plain.status).toBe(404);
    expect(await plain.json()).toMatchObject({ error: { code: 'not_a_shared_folder' } });

    const notTrack = await lookup(noah.session, '/home/Paper%20Planes');
    expect(await notTrack.json()).toMatchObject({ error: { code: 'not_a_pd_track' } });

    const missing = await lookup(maya.session, '/home/Nope');
    expect(await missing.json()).toMatchObject({ error: { code: 'dropbox_path_not_found' } });

    const root = await lookup(maya.session, '/home');
    expect(await root.json()).toMatchObject({ error: { code: 'not_a_shared_folder' } });
  });

  it('rejects something that is not a Dropbox web path with 400', async () => {
    for (const p of ['/share/x', '/home/%E0%A4%A', '/home/../etc']) {
      const res = await lookup(maya.session, p);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: 'validation_failed' } });
    }
    expect((await h.fetch('/api/v1/tracks/by-dropbox-path', { session: maya.session })).status).toBe(400);
    expect((await h.fetch('/api/v1/tracks/by-dropbox-path?path=/home/x')).status).toBe(401);
  });

  it('someone whose access ended is told so', async () => {
    const c = await collaborator((await env.DB.prepare(`SELECT id FROM tracks WHERE title = 'Midnight Drive'`).first<{ id: string }>())!.id, LEO);
    await env.DB.prepare(`UPDATE collaborators SET status = 'left', ended_at = ? WHERE id = ?`).bind(new Date().toISOString(), c!.id).run();
    const res = await lookup(leo.session, '/home/Midnight%20Drive%20(shared)');
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: 'access_ended' } });
  });
});
