// Issue 11 item 4: an owner whose folder was unshared in Dropbox still finds the PD track from that folder — with its
// credits and history — instead of "not a Producer Dashboard track"; the collaborators were told it ended in Dropbox.
import { beforeAll, describe, expect, it } from 'vitest';
import { Harness, collaborator } from './harness.ts';

const h = new Harness();
const MAYA = 'maya@unshared.test';
const LEO = 'leo@unshared.test';
const PATH = '/home/PRODUCER-DASHBOARD/Neon%20Rain';
let maya: { session: string; account: { id: string } };
let leo: { session: string; account: { id: string } };
let sfid: string;
let trackId: string;

beforeAll(async () => {
  const seeded = await h.reset({
    accounts: [
      { email: MAYA, display_name: 'Maya Reyes' },
      { email: LEO, display_name: 'Leo Vance' },
    ],
    folders: [{ name: 'Neon Rain', owner: MAYA, path: '/PRODUCER-DASHBOARD/Neon Rain', members: [{ account: LEO, access_level: 'editor' }] }],
  });
  sfid = seeded.folders[0].shared_folder_id;
  maya = await h.signIn(MAYA);
  leo = await h.signIn(LEO);
  await h.drain();
  const imported = await h.json<{ imported: { trackId: string }[] }>('/api/v1/dropbox/import', { method: 'POST', session: maya.session, json: {} });
  trackId = imported.imported[0].trackId;
  await h.drain();
});

describe('the owner unshares the folder in Dropbox', () => {
  it('the owner still finds the track from the now plain folder (credits kept); others still do not', async () => {
    const before = await h.json<{ track: { id: string }; sharedInDropbox?: boolean }>(
      `/api/v1/tracks/by-dropbox-path?path=${encodeURIComponent(PATH)}`,
      { session: maya.session },
    );
    expect(before).toMatchObject({ track: { id: trackId }, myRole: 'owner', sharedInDropbox: true });

    await h.act({ as: MAYA, action: 'unshare', shared_folder_id: sfid });
    await h.deliverWebhooks();
    await h.drain();
    expect(await collaborator(trackId, LEO)).toMatchObject({ status: 'revoked', ended_evidence: 'dropbox_unshared' });

    const after = await h.json<{ track: { id: string }; myRole: string; sharedInDropbox: boolean }>(
      `/api/v1/tracks/by-dropbox-path?path=${encodeURIComponent(PATH)}`,
      {
        session: maya.session,
      },
    );
    expect(after).toMatchObject({ track: { id: trackId }, myRole: 'owner', position: 'root', sharedInDropbox: false });
    const detail = await h.json<{ collaborators: { email: string; status: string; endedEvidence: string }[] }>(`/api/v1/tracks/${trackId}`, {
      session: maya.session,
    });
    expect(detail.collaborators).toEqual([expect.objectContaining({ email: LEO, status: 'revoked', endedEvidence: 'dropbox_unshared' })]);

    // A folder of the owner's that was never a track's stays "not a shared folder".
    const other = await h.fetch(`/api/v1/tracks/by-dropbox-path?path=${encodeURIComponent('/home/PRODUCER-DASHBOARD')}`, { session: maya.session });
    expect(other.status).toBe(404);
    expect(((await other.json()) as { error: { code: string } }).error.code).toBe('not_a_shared_folder');
  });
});
