// "If you shared several tracks with someone and want to revoke all of them: sharing panel → Revoke All."
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { person, share, trackOf, type Person } from './helpers.ts';

const roundTrips = (h: Headers) => Number(/d1;desc="(\d+) round trips"/.exec(h.get('server-timing') ?? '')?.[1]);

describe('Revoke All', () => {
  let olivia: Person, ben: Person, cara: Person, zed: Person;
  let benTracks: string[], caraTrack: string, zedTrack: string;

  beforeAll(async () => {
    olivia = await person('Olivia Owner');
    ben = await person('Ben Beats');
    cara = await person('Cara Keys');
    zed = await person('Zed Other');
    benTracks = [await trackOf(olivia, 'One'), await trackOf(olivia, 'Two'), await trackOf(olivia, 'Three')];
    await share(olivia, benTracks[0], ben, 'editor');
    await share(olivia, benTracks[1], ben, 'viewer');
    await olivia.post(`/tracks/${benTracks[2]}/invitations`, { email: ben.email, accessLevel: 'viewer' }); // still pending
    caraTrack = await trackOf(olivia, 'Cara only');
    await share(olivia, caraTrack, cara, 'viewer');
    await share(olivia, benTracks[0], cara, 'viewer');
    zedTrack = await trackOf(zed, 'Zed track');
    await share(zed, zedTrack, ben, 'editor');
  });

  it('the sharing panel lists each person I share with, with their tracks', async () => {
    const panel = await olivia.get('/sharing');
    expect(panel.status).toBe(200);
    const benEntry = panel.body.people.find((p: any) => p.email === ben.email);
    expect(benEntry).toMatchObject({ personKey: ben.email.toLowerCase(), displayName: 'Ben Beats', accountId: ben.account.id });
    expect(benEntry.tracks.map((t: any) => [t.trackId, t.status]).sort()).toEqual(
      [
        [benTracks[0], 'active'],
        [benTracks[1], 'active'],
        [benTracks[2], 'invited'],
      ].sort(),
    );
    const caraEntry = panel.body.people.find((p: any) => p.email === cara.email);
    expect(caraEntry.tracks.map((t: any) => t.trackId).sort()).toEqual([benTracks[0], caraTrack].sort());
  });

  it('revokes every track of this owner shared with that person, and says how many', async () => {
    const before = (await ben.get('/library')).body.cursor;
    const res = await olivia.post(`/sharing/${encodeURIComponent(ben.email)}/revoke-all`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ revokedCount: 3, trackIds: [...benTracks].sort() });

    for (const t of benTracks) {
      const detail = await olivia.get(`/tracks/${t}`);
      expect(detail.body.collaborators.find((c: any) => c.email === ben.email).status).toBe('revoked');
    }
    // Same effects per track as a single revoke: library, sync, notifications (only where he had access), Dropbox.
    const lib = (await ben.get('/library')).body.items.map((i: any) => i.track.id);
    expect(lib).toEqual([zedTrack]);
    const sync = await ben.get(`/sync?cursor=${before}`);
    expect(sync.body.changes.map((c: any) => [c.trackId, c.change, c.reason]).sort()).toEqual(
      [
        [benTracks[0], 'removed', 'revoked'],
        [benTracks[1], 'removed', 'revoked'],
      ].sort(),
    );
    const notes = (await ben.get('/notifications?unread=true')).body.notifications.filter((n: any) => n.kind === 'access_revoked');
    expect(notes.map((n: any) => n.trackId).sort()).toEqual([benTracks[0], benTracks[1]].sort());
    const changes = await env.DB.prepare(
      `SELECT track_id FROM dropbox_changes WHERE kind = 'remove_member' AND json_extract(params, '$.email') = ? ORDER BY track_id`,
    )
      .bind(ben.email)
      .all<any>();
    expect(changes.results.map((r) => r.track_id)).toEqual([...benTracks].sort());
    for (const t of benTracks) {
      expect((await ben.get(`/tracks/${t}`)).status).toBeGreaterThanOrEqual(403);
    }
    const pending = (await ben.get('/invitations')).body.invitations;
    expect(pending).toEqual([]);
  });

  it('leaves other people and other owners alone', async () => {
    expect((await ben.get(`/tracks/${zedTrack}`)).status).toBe(200);
    expect((await cara.get(`/tracks/${benTracks[0]}`)).status).toBe(200);
    expect((await cara.get(`/tracks/${caraTrack}`)).status).toBe(200);
    const panel = await olivia.get('/sharing');
    expect(panel.body.people.map((p: any) => p.email)).toEqual([cara.email]);
  });

  it('is safe to repeat: nothing changes, nobody is notified again', async () => {
    const count = async () => (await env.DB.prepare('SELECT count(*) AS n FROM notifications').first<any>()).n;
    const n = await count();
    const res = await olivia.post(`/sharing/${encodeURIComponent(ben.email.toUpperCase())}/revoke-all`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ revokedCount: 0, trackIds: [] });
    expect(await count()).toBe(n);
  });

  it('an unknown person → 404 person_not_found', async () => {
    const res = await olivia.post(`/sharing/${encodeURIComponent('nobody@example.test')}/revoke-all`);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('person_not_found');
  });

  it('costs the same number of D1 round trips for 1 track as for 6 (one batch, set-based)', async () => {
    const p1 = await person('Pat One');
    const p6 = await person('Pat Six');
    await share(olivia, await trackOf(olivia, 'p1'), p1, 'viewer');
    for (let i = 0; i < 6; i++) await share(olivia, await trackOf(olivia, `p6-${i}`), p6, 'viewer');
    const r1 = await olivia.post(`/sharing/${encodeURIComponent(p1.email)}/revoke-all`);
    const r6 = await olivia.post(`/sharing/${encodeURIComponent(p6.email)}/revoke-all`);
    expect([r1.body.revokedCount, r6.body.revokedCount]).toEqual([1, 6]);
    expect(roundTrips(r6.headers)).toBe(roundTrips(r1.headers));
    expect(roundTrips(r6.headers)).toBe(2); // the session lookup + one batch
  });

  it("only revokes the caller's own tracks: a collaborator cannot Revoke All on the owner's behalf", async () => {
    const res = await ben.post(`/sharing/${encodeURIComponent(cara.email)}/revoke-all`);
    expect(res.status).toBe(404);
    expect((await cara.get(`/tracks/${benTracks[0]}`)).status).toBe(200);
  });
});
