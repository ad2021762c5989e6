// Who may make a Dropbox shared folder a PD track: only its owner in Dropbox. Otherwise a member of the folder
// (or anyone who learns its id) could claim it first: become its "owner" in PD, lock the real owner out of
// importing it, and have reconciliation pour the folder's members and file activity into their track.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { Harness } from '../dropbox/harness.ts';

const h = new Harness();
const MAYA = 'maya.owner@squat.test'; // owns the folder in Dropbox
const MAL = 'mal.viewer@squat.test'; // a viewer of the folder in Dropbox
const LEO = 'leo.editor@squat.test'; // an editor of the folder in Dropbox
let maya: { session: string; account: { id: string } };
let mal: { session: string; account: { id: string } };
let sfid: string;

beforeAll(async () => {
  const seeded = await h.reset({
    accounts: [
      { email: MAYA, display_name: 'Maya Owner' },
      { email: MAL, display_name: 'Mal Viewer' },
      { email: LEO, display_name: 'Leo Editor' },
    ],
    folders: [
      {
        name: 'Unreleased EP',
        owner: MAYA,
        path: '/PD/Unreleased EP',
        members: [
          { account: MAL, access_level: 'viewer' },
          { account: LEO, access_level: 'editor' },
        ],
      },
    ],
  });
  sfid = seeded.folders[0].shared_folder_id;
  maya = await h.signIn(MAYA);
  mal = await h.signIn(MAL);
  await h.drain();
});

describe('claiming a Dropbox shared folder as a track', () => {
  it('a member who is not the folder’s owner cannot create the track for it (403), and nothing is stored', async () => {
    const res = await h.fetch('/api/v1/tracks', { method: 'POST', session: mal.session, json: { dropboxSharedFolderId: sfid, title: 'Mine now' } });
    const body = (await res.json()) as { error?: { code: string } };
    expect([res.status, body.error?.code]).toEqual([403, 'owner_only']);
    const row = await env.DB.prepare('SELECT count(*) AS n FROM tracks WHERE dropbox_shared_folder_id = ?').bind(sfid).first<{ n: number }>();
    expect(row!.n).toBe(0);
  });

  it('someone who is not in the folder at all cannot either', async () => {
    const res = await h.fetch('/api/v1/tracks', {
      method: 'POST',
      session: mal.session,
      json: { dropboxSharedFolderId: '9999999999', title: 'Guess' },
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });

  it('padding the id (60 spaces + the owner’s folder id) does not skip the check: 403, nothing stored (issue 8)', async () => {
    for (const padded of [`${' '.repeat(60)}${sfid}`, `${sfid}${' '.repeat(60)}`, `\t${' '.repeat(70)}${sfid}\n`]) {
      const res = await h.fetch('/api/v1/tracks', {
        method: 'POST',
        session: mal.session,
        json: { dropboxSharedFolderId: padded, title: 'Mine now' },
      });
      const body = (await res.json()) as { error?: { code: string } };
      expect([res.status, body.error?.code]).toEqual([403, 'owner_only']);
    }
    const row = await env.DB.prepare('SELECT count(*) AS n FROM tracks WHERE dropbox_shared_folder_id = ?').bind(sfid).first<{ n: number }>();
    expect(row!.n).toBe(0);
  });

  it('a padded unknown id (squatting a future folder id) is refused too', async () => {
    const next = `${sfid}7`; // not a folder (yet)
    const res = await h.fetch('/api/v1/tracks', {
      method: 'POST',
      session: mal.session,
      json: { dropboxSharedFolderId: `${' '.repeat(60)}${next}`, title: 'Later' },
    });
    const body = (await res.json()) as { error?: { code: string } };
    expect([res.status, body.error?.code]).toEqual([403, 'owner_only']);
    const row = await env.DB.prepare('SELECT count(*) AS n FROM tracks WHERE dropbox_shared_folder_id = ?').bind(next).first<{ n: number }>();
    expect(row!.n).toBe(0);
  });

  it('an id too long even after trimming is 400 validation_failed, before Dropbox is asked', async () => {
    await h.clearCalls();
    const res = await h.fetch('/api/v1/tracks', {
      method: 'POST',
      session: mal.session,
      json: { dropboxSharedFolderId: '9'.repeat(65), title: 'Long' },
    });
    const body = (await res.json()) as { error?: { code: string } };
    expect([res.status, body.error?.code]).toEqual([400, 'validation_failed']);
    expect(await h.calls('2/sharing/get_folder_metadata')).toEqual([]);
  });

  it('the real owner can still make it a track, by creating it or importing it', async () => {
    const res = await h.fetch('/api/v1/tracks', {
      method: 'POST',
      session: maya.session,
      json: { dropboxSharedFolderId: sfid, title: 'Unreleased EP' },
    });
    expect(res.status).toBe(201);
    const imported = await h.json<{ imported: { trackId: string; created: boolean }[]; skipped: unknown[] }>('/api/v1/dropbox/import', {
      method: 'POST',
      session: maya.session,
      json: {},
    });
    expect(imported.skipped).toEqual([]);
    expect(imported.imported).toEqual([expect.objectContaining({ created: false })]);
  });

  it('creating it a second time is 409 track_exists, and another account with no Dropbox cannot create any (409 dropbox_not_linked)', async () => {
    const again = await h.fetch('/api/v1/tracks', {
      method: 'POST',
      session: maya.session,
      json: { dropboxSharedFolderId: ` ${sfid} `, title: 'Again' },
    });
    expect([again.status, ((await again.json()) as { error: { code: string } }).error.code]).toEqual([409, 'track_exists']);
    const { person } = await import('../core/helpers.ts');
    const unlinked = await person('No Dropbox');
    const res = await h.fetch('/api/v1/tracks', {
      method: 'POST',
      session: unlinked.token,
      json: { dropboxSharedFolderId: '424242', title: 'Guess' },
    });
    expect([res.status, ((await res.json()) as { error: { code: string } }).error.code]).toEqual([409, 'dropbox_not_linked']);
  });
});
