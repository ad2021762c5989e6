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
    const res = await h.fetch('/api/v1/tracks', { method: 'POST', session: mal.session, json: { dropboxSharedFolderId: '9999999999', title: 'Guess' } });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });

  it('the real owner can still make it a track, by creating it or importing it', async () => {
    const res = await h.fetch('/api/v1/tracks', { method: 'POST', session: maya.session, json: { dropboxSharedFolderId: sfid, title: 'Unreleased EP' } });
    expect(res.status).toBe(201);
    const imported = await h.json<{ imported: { trackId: string; created: boolean }[]; skipped: unknown[] }>('/api/v1/dropbox/import', { method: 'POST', session: maya.session, json: {} });
    expect(imported.skipped).toEqual([]);
    expect(imported.imported).toEqual([expect.objectContaining({ created: false })]);
  });
});
