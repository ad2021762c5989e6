// Notifications: who is told what, listing, unread count, marking read.
import { beforeAll, describe, expect, it } from 'vitest';
import { person, share, trackOf, type Person } from './helpers.ts';

describe('notifications', () => {
  let olivia: Person, ben: Person, trackId: string, benId: string;

  beforeAll(async () => {
    olivia = await person('Olivia Owner');
    ben = await person('Ben Beats');
    trackId = await trackOf(olivia, 'Notes');
    benId = await share(olivia, trackId, ben, 'editor'); // Ben: invitation_received; Olivia: invitation_accepted
    await olivia.patch(`/tracks/${trackId}/collaborators/${benId}`, { accessLevel: 'viewer' }); // Ben: access_level_changed
    await olivia.post(`/tracks/${trackId}/collaborators/${benId}/revoke`); // Ben: access_revoked
  });

  it('each event reaches the right person, newest first, with the track and who did it', async () => {
    const benNotes = (await ben.get('/notifications')).body.notifications;
    expect(benNotes.map((n: any) => n.kind)).toEqual(['access_revoked', 'access_level_changed', 'invitation_received']);
    expect(benNotes.every((n: any) => n.trackTitle === 'Notes' && n.actor.name === 'Olivia Owner' && !n.read)).toBe(true);
    // Ben keeps his notifications about a track he can no longer open.
    const oliviaNotes = (await olivia.get('/notifications')).body.notifications;
    expect(oliviaNotes.map((n: any) => [n.kind, n.actor.name])).toEqual([['invitation_accepted', 'Ben Beats']]);
  });

  it("unread count, mark some read, mark all read; other people's ids are ignored", async () => {
    expect((await ben.get('/notifications/unread-count')).body).toEqual({ unread: 3 });
    const [newest] = (await ben.get('/notifications')).body.notifications;
    const oliviaNote = (await olivia.get('/notifications')).body.notifications[0];
    const some = await ben.post('/notifications/read', { ids: [newest.id, oliviaNote.id] });
    expect(some.body).toEqual({ marked: 1, unread: 2 });
    expect((await olivia.get('/notifications/unread-count')).body.unread).toBe(1);
    expect((await ben.get('/notifications?unread=true')).body.notifications.map((n: any) => n.kind)).toEqual([
      'access_level_changed',
      'invitation_received',
    ]);
    const all = await ben.post('/notifications/read', { all: true });
    expect(all.body).toEqual({ marked: 2, unread: 0 });
    expect((await ben.get('/notifications')).body.notifications.every((n: any) => n.read)).toBe(true);
  });

  it('pages with before / limit', async () => {
    const p1 = await ben.get('/notifications?limit=2');
    expect(p1.body.notifications).toHaveLength(2);
    const p2 = await ben.get(`/notifications?limit=2&before=${p1.body.nextBefore}`);
    expect(p2.body.notifications.map((n: any) => n.kind)).toEqual(['invitation_received']);
    expect(p2.body.nextBefore).toBeNull();
  });
});
