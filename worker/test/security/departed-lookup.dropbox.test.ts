// The lookup the extension makes for the folder on screen (GET /tracks/by-dropbox-path) is a read route too: a
// revoked or departed collaborator whose Dropbox still shows the folder (the Dropbox change has not run yet, or
// failed) is told their access ended — and learns nothing of the track from the answer.
import { beforeAll, describe, expect, it } from 'vitest';
import { Harness, control } from '../dropbox/harness.ts';

const h = new Harness();
const OWNER = 'olivia.lookup@departed.test';
const BEN = 'ben.lookup@departed.test';
const CARA = 'cara.lookup@departed.test';
const TITLE = 'Lookup After Hours';
let owner: { session: string }, ben: { session: string }, cara: { session: string };
let trackId: string;

beforeAll(async () => {
  await h.reset({
    accounts: [
      { email: OWNER, display_name: 'Olivia Lookup' },
      { email: BEN, display_name: 'Ben Lookup' },
      { email: CARA, display_name: 'Cara Lookup' },
    ],
    folders: [
      {
        name: TITLE,
        owner: OWNER,
        path: `/PD/${TITLE}`,
        members: [
          { account: BEN, access_level: 'editor' },
          { account: CARA, access_level: 'editor' },
        ],
      },
    ],
  });
  owner = await h.signIn(OWNER);
  ben = await h.signIn(BEN);
  cara = await h.signIn(CARA);
  await h.drain();
  trackId = (await h.json<{ imported: { trackId: string }[] }>('/api/v1/dropbox/import', { method: 'POST', session: owner.session, json: {} }))
    .imported[0].trackId;
  await h.drain();
});

/** Where the folder is mounted in this person's Dropbox (members get it at their own root). */
async function mountOf(email: string): Promise<string> {
  const state = await control<{ accounts: { email: string; mounts: { path: string }[] }[] }>('state');
  return state.accounts.find((a) => a.email === email)!.mounts[0].path;
}

const lookup = async (s: { session: string }, email: string) =>
  h.fetch(`/api/v1/tracks/by-dropbox-path?path=${encodeURIComponent(`/home${await mountOf(email)}`)}`, { session: s.session });

describe('looking up a track from the Dropbox page after access ended', () => {
  it('while they are collaborators, both resolve the folder to the track', async () => {
    for (const [s, email] of [
      [ben, BEN],
      [cara, CARA],
    ] as const) {
      const res = await lookup(s, email);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { track: { id: string } }).track.id).toBe(trackId);
    }
  });

  it('revoked, and left: 403 access_ended, no title, no ids — although Dropbox still shows them the folder', async () => {
    const detail = await h.json<{ collaborators: { id: string; email: string }[] }>(`/api/v1/tracks/${trackId}`, { session: owner.session });
    const benId = detail.collaborators.find((c) => c.email === BEN)!.id;
    expect((await h.fetch(`/api/v1/tracks/${trackId}/collaborators/${benId}/revoke`, { method: 'POST', session: owner.session })).status).toBe(200);
    expect((await h.fetch(`/api/v1/tracks/${trackId}/leave`, { method: 'POST', session: cara.session })).status).toBe(200);
    // The Dropbox changes are queued, not run: the folder is still mounted in both of their Dropboxes.
    for (const [s, email] of [
      [ben, BEN],
      [cara, CARA],
    ] as const) {
      const res = await lookup(s, email);
      const text = await res.text();
      expect([res.status, JSON.parse(text).error.code]).toEqual([403, 'access_ended']);
      expect(text).not.toContain(TITLE);
      expect(text).not.toContain(trackId);
    }
  });
});
