// "It only removes their ability to view or interact with the track" — checked on every read route the worker
// serves (found from the app, so a new read route is covered), while the departed people keep appearing, with
// their names, comments, credits and edits, in everyone else's view.
import { beforeAll, describe, expect, it } from 'vitest';
import { person, share, trackOf, type Person } from '../core/helpers.ts';
import { servedRoutes } from '../fuzz/routes.ts';

const TITLE = 'Departure Lounge';
let olivia: Person, ben: Person, cara: Person, dan: Person;
let trackId: string, benId: string, caraId: string;
const BEN_SAYS = 'Ben: the snare needs more room.';
const CARA_SAYS = 'Cara: hook at 0:42 is the one.';

beforeAll(async () => {
  olivia = await person('Olivia Owner');
  ben = await person('Ben Revoked');
  cara = await person('Cara Left');
  dan = await person('Dan Viewer');
  trackId = await trackOf(olivia, TITLE);
  benId = await share(olivia, trackId, ben, 'editor', { role: 'producer', splits: { master: 20, publishing: 10, writer: 5 } });
  caraId = await share(olivia, trackId, cara, 'editor', { role: 'vocalist', splits: { master: 15, publishing: 25, writer: 30 } });
  await share(olivia, trackId, dan, 'viewer');
  // While they have Editor access, both comment and edit; Ben pins his comment.
  const benComment = (await ben.post(`/tracks/${trackId}/comments`, { body: BEN_SAYS })).body.comment.id;
  expect((await ben.post(`/tracks/${trackId}/comments/${benComment}/pin`, { pinned: true })).status).toBe(200);
  expect((await ben.patch(`/tracks/${trackId}`, { stage: 'mixing', bpm: 128 })).status).toBe(200);
  expect((await cara.post(`/tracks/${trackId}/comments`, { body: CARA_SAYS })).status).toBe(201);
  expect((await cara.patch(`/tracks/${trackId}`, { tags: ['vocal', 'summer'] })).status).toBe(200);
  // Ben is revoked, Cara leaves.
  expect((await olivia.post(`/tracks/${trackId}/collaborators/${benId}/revoke`)).status).toBe(200);
  expect((await cara.post(`/tracks/${trackId}/leave`)).status).toBe(200);
});

/** Every GET route that names a track in its path, with this track filled in. */
function trackReadPaths(): string[] {
  return servedRoutes()
    .filter((r) => r.startsWith('GET /api/v1/tracks/:trackId'))
    .map((r) => r.slice('GET /api/v1'.length).replace(':trackId', trackId));
}

describe('a departed collaborator cannot read the track', () => {
  it('finds the read routes of a track from the app itself', () => {
    expect(trackReadPaths().length).toBeGreaterThanOrEqual(3); // detail, comments, history (and any added later)
  });

  for (const who of ['revoked', 'left'] as const) {
    it(`${who}: every read route of the track answers 403 access_ended and gives away nothing of it`, async () => {
      const p = who === 'revoked' ? ben : cara;
      for (const path of trackReadPaths()) {
        const res = await p.get(path);
        expect([path, res.status, res.body?.error?.code]).toEqual([path, 403, 'access_ended']);
        const text = JSON.stringify(res.body);
        for (const secret of [TITLE, BEN_SAYS, CARA_SAYS, olivia.name, 'mixing']) expect(text).not.toContain(secret);
      }
    });

    it(`${who}: the track is gone from their library (every filter) and their sync says it was removed`, async () => {
      const p = who === 'revoked' ? ben : cara;
      for (const q of ['', '?archived=any&hidden=any', '?archived=true', '?hidden=true', '?project=Mine']) {
        const lib = await p.get(`/library${q}`);
        expect(lib.status).toBe(200);
        expect(JSON.stringify(lib.body)).not.toContain(trackId);
      }
      const sync = await p.get('/sync?cursor=0');
      const mine = sync.body.changes.filter((c: any) => c.trackId === trackId);
      expect(mine.at(-1)).toMatchObject({ change: 'removed', reason: who, item: null });
      // Nothing of the track's content travels in the sync feed after the removal.
      expect(JSON.stringify(mine.at(-1))).not.toContain(TITLE);
    });

    it(`${who}: cannot write either (comment, edit, pin, placement, archive, leave again)`, async () => {
      const p = who === 'revoked' ? ben : cara;
      for (const res of [
        await p.post(`/tracks/${trackId}/comments`, { body: 'still here?' }),
        await p.patch(`/tracks/${trackId}`, { title: 'Mine now' }),
        await p.put(`/tracks/${trackId}/placement`, { project: 'Keep' }),
        await p.post(`/tracks/${trackId}/archive`, { archived: true }),
        await p.put(`/tracks/${trackId}/splits`, { owner: { master: 0, publishing: 0, writer: 0 } }),
      ]) {
        expect([res.status, res.body.error.code]).toEqual([403, 'access_ended']);
      }
    });
  }

  it('what the owner changes after they left never reaches them, not even through an old sync cursor', async () => {
    expect((await olivia.patch(`/tracks/${trackId}`, { title: 'Departure Lounge (final)', tags: ['secret-single'] })).status).toBe(200);
    for (const p of [ben, cara]) {
      const sync = await p.get('/sync?cursor=0');
      expect(sync.status).toBe(200);
      const text = JSON.stringify(sync.body);
      expect(text).not.toContain('(final)');
      expect(text).not.toContain('secret-single');
      for (const c of sync.body.changes.filter((x: any) => x.trackId === trackId)) expect(c.item).toBeNull();
      // Their own notifications about the track stay, with the title as it was then — not the owner's new one.
      const notes = await p.get('/notifications');
      expect(notes.status).toBe(200);
      const about = notes.body.notifications.filter((n: any) => n.trackId === trackId);
      expect(about.length).toBeGreaterThan(0);
      expect(about.map((n: any) => n.trackTitle)).toEqual(about.map(() => TITLE));
    }
  });

  it('an invitation to come back does not reopen anything until it is accepted', async () => {
    const inv = await olivia.post(`/tracks/${trackId}/invitations`, { email: ben.email, accessLevel: 'viewer' });
    expect(inv.status).toBe(201);
    for (const path of trackReadPaths()) {
      const res = await ben.get(path);
      expect([path, res.status, res.body?.error?.code]).toEqual([path, 403, 'access_ended']);
    }
    // Take the invitation back so the rest of the file sees Ben as revoked.
    expect((await olivia.post(`/tracks/${trackId}/collaborators/${benId}/revoke`)).status).toBe(200);
  });
});

describe('… while they still appear in everyone else’s view', () => {
  for (const viewerName of ['owner', 'remaining viewer'] as const) {
    it(`${viewerName}: names, roles, splits and statuses stay on the track; their comments stay, with names, pinned stays pinned`, async () => {
      const p = viewerName === 'owner' ? olivia : dan;
      const detail = (await p.get(`/tracks/${trackId}`)).body;
      const byId = Object.fromEntries(detail.collaborators.map((c: any) => [c.id, c]));
      expect(byId[benId]).toMatchObject({
        displayName: ben.name,
        role: 'producer',
        status: 'revoked',
        splits: { master: 20, publishing: 10, writer: 5 },
      });
      expect(byId[caraId]).toMatchObject({
        displayName: cara.name,
        role: 'vocalist',
        status: 'left',
        splits: { master: 15, publishing: 25, writer: 30 },
      });
      const comments = (await p.get(`/tracks/${trackId}/comments`)).body.comments;
      expect(comments).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ body: BEN_SAYS, authorName: ben.name, pinned: true }),
          expect.objectContaining({ body: CARA_SAYS, authorName: cara.name }),
        ]),
      );
      // Their edits are part of the track and of its history.
      // (The owner retitled and retagged it afterwards; Ben's stage and BPM still stand.)
      expect(detail.track).toMatchObject({ stage: 'mixing', bpm: 128 });
      const history = (await p.get(`/tracks/${trackId}/history`)).body.entries;
      const actors = history.map((e: any) => `${e.kind}:${e.actor.name}`);
      expect(actors).toEqual(
        expect.arrayContaining([
          `metadata_changed:${ben.name}`,
          `tags_changed:${cara.name}`,
          `collaborator_left:${cara.name}`,
          `access_revoked:${olivia.name}`,
        ]),
      );
    });
  }
});
