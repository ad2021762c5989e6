// Dropbox Business team spaces and paired accounts (issue 9 item 2): a team member browses
// /work/<team>/<path from the team root>; PD resolves those pages with Dropbox-API-Path-Root (root_info from
// users/get_current_account, stored per account), and imports and walks the member's own folders home-relative.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { Harness, historyOf } from './harness.ts';

const h = new Harness();
const RIO = 'rio@team.test';
const RIO_PERSONAL = 'rio@home.test';
const MAYA = 'maya@team.test';
const TEAM = 'Acme Studio';
let rio: { session: string; account: { id: string } };
let rioPersonal: { session: string; account: { id: string } };
let maya: { session: string; account: { id: string } };
let folders: { shared_folder_id: string; name: string }[];

const lookup = (session: string, path: string) => h.fetch(`/api/v1/tracks/by-dropbox-path?path=${encodeURIComponent(path)}`, { session });
const work = (...segments: string[]) => `/work/${[TEAM, ...segments].map(encodeURIComponent).join('/')}`;
const stored = (id: string) =>
  env.DB.prepare(
    'SELECT dropbox_root_namespace_id AS root, dropbox_home_namespace_id AS home, dropbox_home_path AS homePath, dropbox_team_name AS team, dropbox_is_paired AS paired FROM accounts WHERE id = ?',
  )
    .bind(id)
    .first<{ root: string | null; home: string | null; homePath: string | null; team: string | null; paired: number }>();

beforeAll(async () => {
  const seeded = await h.reset({
    teams: [{ name: TEAM, items: [{ path: '/Studio Library/Reference.wav', size: 100 }] }],
    accounts: [
      { email: RIO, display_name: 'Rio Park', team: TEAM, paired_with: RIO_PERSONAL },
      { email: RIO_PERSONAL, display_name: 'Rio Park' },
      { email: MAYA, display_name: 'Maya Reyes' },
    ],
    folders: [
      // In Rio's folder of the team space: /Rio Park/Night Bus from the team root, /Night Bus from his home.
      { name: 'Night Bus', owner: RIO, path: '/Tracks/Night Bus', files: [{ path: 'Demo.wav' }, { path: 'Stems/Keys.wav' }] },
      // Maya's (personal) folder, Rio a member: mounted in his home, /Rio Park/Neon Rain from the team root.
      { name: 'Neon Rain', owner: MAYA, members: [{ account: RIO, access_level: 'editor' }], files: [{ path: 'Rough.wav' }] },
    ],
  });
  folders = seeded.folders;
  rio = await h.signIn(RIO);
  rioPersonal = await h.signIn(RIO_PERSONAL);
  maya = await h.signIn(MAYA);
  await h.drain();
});

describe('sign-in keeps where the account’s paths start', () => {
  it('a team member: root namespace (the team space) ≠ home, home folder, team name, paired', async () => {
    const row = await stored(rio.account.id);
    expect(row).toMatchObject({ homePath: '/Rio Park', team: TEAM, paired: 1 });
    expect(row!.root).not.toBe(row!.home);
    const personal = await stored(rioPersonal.account.id);
    expect(personal).toMatchObject({ homePath: null, team: null, paired: 1 });
    expect(personal!.root).toBe(personal!.home);
  });
});

describe('import by a team member (home-relative, like the walk)', () => {
  it('imports their folder; files already there are not uploads, a later one is', async () => {
    const r = await h.json<{ imported: { trackId: string; title: string; created: boolean }[] }>('/api/v1/dropbox/import', {
      method: 'POST',
      session: rio.session,
      json: {},
    });
    expect(r.imported.map((i) => [i.title, i.created])).toEqual([['Night Bus', true]]);
    await h.drain();
    await h.act({ as: RIO, action: 'upload_file', shared_folder_id: folders[0].shared_folder_id, path: 'Take 2.wav', size: 10 });
    await h.deliverWebhooks();
    await h.drain();
    const uploads = (await historyOf(r.imported[0].trackId))
      .filter((e) => e.kind === 'file_uploaded')
      .map((e) => JSON.parse(e.details).path as string);
    expect(uploads).toEqual(['Take 2.wav']);
  });
});

describe('GET /tracks/by-dropbox-path for /work/<team>/… and /personal/…', () => {
  it('resolves a team-space page (path from the team root) with Dropbox-API-Path-Root', async () => {
    await h.clearCalls();
    const res = await lookup(rio.session, work('Rio Park', 'Tracks', 'Night Bus'));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      track: { title: 'Night Bus' },
      myRole: 'owner',
      position: 'root',
      sharedFolderId: folders[0].shared_folder_id,
    });
    const inside = await lookup(rio.session, `https://www.dropbox.com${work('Rio Park', 'Tracks', 'Night Bus', 'Stems')}`);
    expect(await inside.json()).toMatchObject({ track: { title: 'Night Bus' }, position: 'inside' });
    // The same folder from his home (/home/…) still resolves without the header.
    expect((await lookup(rio.session, '/home/Tracks/Night%20Bus')).status).toBe(200);
  });

  it('a collaborator who is a team member sees the owner’s track from their team space', async () => {
    await h.json('/api/v1/dropbox/import', { method: 'POST', session: maya.session, json: {} });
    await h.drain();
    const res = await lookup(rio.session, work('Rio Park', 'Neon Rain'));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ track: { title: 'Neon Rain' }, myRole: 'editor' });
  });

  it('team-space content outside their folder is found but is no track; a wrong path is not found', async () => {
    const lib = await lookup(rio.session, work('Studio Library'));
    expect(lib.status).toBe(404);
    expect(await lib.json()).toMatchObject({ error: { code: 'not_a_shared_folder' } });
    const none = await lookup(rio.session, work('Rio Park', 'Nope'));
    expect(await none.json()).toMatchObject({ error: { code: 'dropbox_path_not_found' } });
  });

  it('a page of the other Dropbox of a pair says which account PD is signed in with', async () => {
    const personalPage = await lookup(rio.session, '/personal/Tracks/Night%20Bus');
    expect(personalPage.status).toBe(409);
    const body = (await personalPage.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('dropbox_other_account');
    expect(body.error.message).toMatch(/signed in with rio@team\.test, a member of the Dropbox team “Acme Studio”/);
    const workPage = await lookup(rioPersonal.session, work('Rio Park', 'Tracks', 'Night Bus'));
    expect(workPage.status).toBe(409);
    expect(((await workPage.json()) as { error: { message: string } }).error.message).toMatch(/personal Dropbox \(paired with your work account\)/);
    // A personal account's /personal page is its home.
    const own = await lookup(maya.session, '/personal/Neon%20Rain');
    expect(await own.json()).toMatchObject({ track: { title: 'Neon Rain' }, myRole: 'owner' });
  });

  it('a stale root namespace (the team space changed) → Dropbox’s 422 invalid_root gives the new one, stored, and the lookup succeeds', async () => {
    const before = await stored(rio.account.id);
    await env.DB.prepare('UPDATE accounts SET dropbox_root_namespace_id = ? WHERE id = ?').bind('999', rio.account.id).run();
    await h.clearCalls();
    const res = await lookup(rio.session, work('Rio Park', 'Tracks', 'Night Bus'));
    expect(res.status).toBe(200);
    const metadataCalls = await h.calls('2/files/get_metadata');
    expect(metadataCalls.map((c) => c.status)).toEqual([422, 200]);
    expect((await stored(rio.account.id))!.root).toBe(before!.root);
  });

  it('an account signed in before root info was kept: read from users/get_current_account once, then stored', async () => {
    await env.DB.prepare('UPDATE accounts SET dropbox_root_namespace_id = NULL, dropbox_home_namespace_id = NULL WHERE id = ?')
      .bind(rio.account.id)
      .run();
    await h.clearCalls();
    expect((await lookup(rio.session, work('Rio Park', 'Tracks', 'Night Bus'))).status).toBe(200);
    expect((await lookup(rio.session, work('Rio Park', 'Tracks', 'Night Bus'))).status).toBe(200);
    expect(await h.calls('2/users/get_current_account')).toHaveLength(1);
    expect((await stored(rio.account.id))!.team).toBe(TEAM);
  });

  it('ill-formed /work paths are 400 validation_failed, never a 500', async () => {
    for (const p of ['/work', '/work/', '/work/Acme%2FStudio/x', '/work/%E0%A4%A/x', '/personalx/a']) {
      const res = await lookup(rio.session, p);
      expect(res.status, p).toBe(400);
    }
  });
});
