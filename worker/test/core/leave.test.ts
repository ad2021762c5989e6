// "If someone shared tracks with you and you no longer need access, you can leave."
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { person, share, trackOf, type Person } from './helpers.ts';

describe('Leave Track', () => {
  let olivia: Person, ben: Person;
  let trackId: string, benId: string, comment: string, cursor: number;

  beforeAll(async () => {
    olivia = await person('Olivia Owner');
    ben = await person('Ben Beats');
    trackId = await trackOf(olivia, 'Sunrise');
    benId = await share(olivia, trackId, ben, 'viewer', { role: 'vocalist', splits: { master: 0, publishing: 25, writer: 30 } });
    comment = (await ben.post(`/tracks/${trackId}/comments`, { body: 'Love the second verse.' })).body.comment.id;
    cursor = (await ben.get('/library')).body.cursor;
    const res = await ben.post(`/tracks/${trackId}/leave`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ changed: true, trackId, status: 'left' });
  });

  it('removes the track from your library (and your next sync says you left)', async () => {
    expect((await ben.get('/library?archived=any&hidden=any')).body.items).toEqual([]);
    const sync = await ben.get(`/sync?cursor=${cursor}`);
    expect(sync.body.changes).toEqual([expect.objectContaining({ trackId, change: 'removed', reason: 'left', item: null })]);
    expect((await ben.get(`/tracks/${trackId}`)).body.error.code).toBe('access_ended');
  });

  it('records a pending Dropbox change: leave the folder with your own account, no copy kept', async () => {
    const row = await env.DB.prepare(`SELECT * FROM dropbox_changes WHERE collaborator_id = ? AND kind = 'relinquish'`).bind(benId).first<any>();
    expect(row.status).toBe('pending');
    expect(JSON.parse(row.params)).toMatchObject({ leave_a_copy: false, actor_account_id: ben.account.id, email: ben.email });
  });

  it('keeps your comments: the owner still sees them with your name', async () => {
    const detail = await olivia.get(`/tracks/${trackId}`);
    expect(detail.body.comments).toContainEqual(expect.objectContaining({ id: comment, authorName: 'Ben Beats' }));
    expect(detail.body.collaborators[0]).toMatchObject({
      id: benId,
      status: 'left',
      endedVia: 'app',
      role: 'vocalist',
      splits: { master: 0, publishing: 25, writer: 30 },
    });
  });

  it('notifies the owner that you left', async () => {
    const notes = (await olivia.get('/notifications')).body.notifications;
    expect(notes[0]).toMatchObject({ kind: 'collaborator_left', trackId, actor: { id: ben.account.id, name: 'Ben Beats' }, via: 'app' });
    const history = (await olivia.get(`/tracks/${trackId}/history`)).body.entries;
    expect(history[0]).toMatchObject({ kind: 'collaborator_left', actor: { id: ben.account.id }, collaboratorId: benId });
  });

  it('leaving again changes nothing (your access has already ended) and the owner is not notified twice', async () => {
    const before = (await olivia.get('/notifications/unread-count')).body.unread;
    const res = await ben.post(`/tracks/${trackId}/leave`);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('access_ended');
    expect((await olivia.get('/notifications/unread-count')).body.unread).toBe(before);
  });

  it('you can be re-invited: the owner shares again, you accept, the same record is active again', async () => {
    const again = await share(olivia, trackId, ben, 'viewer');
    expect(again).toBe(benId);
    expect((await ben.get(`/tracks/${trackId}`)).body.myRole).toBe('viewer');
  });

  it('an owner cannot leave their own track (clear error, nothing changes)', async () => {
    const res = await olivia.post(`/tracks/${trackId}/leave`);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('owner_cannot_leave');
    expect(res.body.error.message).toMatch(/owner/i);
    expect((await olivia.get(`/tracks/${trackId}`)).body.myRole).toBe('owner');
  });

  it('an Editor can leave too', async () => {
    const eve = await person('Eve Editor');
    const t = await trackOf(olivia, 'Editor leaves');
    await share(olivia, t, eve, 'editor');
    expect((await eve.post(`/tracks/${t}/leave`)).body.status).toBe('left');
  });
});
