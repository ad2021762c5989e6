// "As the track owner, you can revoke a collaborator's access at any time." — every row of the product page's table.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { recordFileUpload } from '../../src/domain/index.ts';
import { person, share, trackOf, type Person } from './helpers.ts';

describe('Revoke access', () => {
  let olivia: Person, ben: Person, cara: Person;
  let trackId: string, benId: string, benComment: string, cursorBefore: number;

  beforeAll(async () => {
    olivia = await person('Olivia Owner');
    ben = await person('Ben Beats');
    cara = await person('Cara Keys');
    trackId = await trackOf(olivia, 'Midnight Drive');
    benId = await share(olivia, trackId, ben, 'editor', { role: 'producer', splits: { master: 20, publishing: 15, writer: 10 } });
    await share(olivia, trackId, cara, 'viewer');
    // While he has Editor access, Ben comments, pins his comment, edits metadata and tags, uploads a file.
    benComment = (await ben.post(`/tracks/${trackId}/comments`, { body: 'Kick is too loud in the drop.' })).body.comment.id;
    expect((await ben.post(`/tracks/${trackId}/comments/${benComment}/pin`, { pinned: true })).status).toBe(200);
    expect((await ben.patch(`/tracks/${trackId}`, { stage: 'mixing', bpm: 124, tags: ['house', 'night'] })).status).toBe(200);
    expect((await ben.put(`/tracks/${trackId}/splits`, { owner: { master: 80, publishing: 85, writer: 90 } })).status).toBe(200);
    await recordFileUpload(env.DB, { trackId, actorId: ben.account.id, path: '/PRODUCER-DASHBOARD/EP/Midnight Drive/drums.wav', via: 'dropbox' });
    cursorBefore = (await ben.get('/library')).body.cursor;

    const res = await olivia.post(`/tracks/${trackId}/collaborators/${benId}/revoke`);
    expect(res.status).toBe(200);
    expect(res.body.changed).toBe(true);
    expect(res.body.collaborator).toMatchObject({ id: benId, status: 'revoked', endedVia: 'app' });
  });

  it('is immediate: the collaborator can no longer read or change the track (403 access_ended)', async () => {
    for (const res of [
      await ben.get(`/tracks/${trackId}`),
      await ben.patch(`/tracks/${trackId}`, { title: 'Mine now' }),
      await ben.post(`/tracks/${trackId}/comments`, { body: 'still here?' }),
      await ben.get(`/tracks/${trackId}/comments`),
      await ben.get(`/tracks/${trackId}/history`),
    ]) {
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('access_ended');
    }
  });

  it('removes the track from their library, and their next sync says so', async () => {
    const lib = await ben.get('/library?archived=any&hidden=any');
    expect(lib.body.items.map((i: any) => i.track.id)).not.toContain(trackId);
    const sync = await ben.get(`/sync?cursor=${cursorBefore}`);
    expect(sync.body.changes).toEqual([expect.objectContaining({ trackId, change: 'removed', reason: 'revoked', item: null })]);
    expect(sync.body.cursor).toBeGreaterThan(cursorBefore);
  });

  it('records a pending Dropbox change that removes the member without leaving a copy', async () => {
    const rows = await env.DB.prepare(`SELECT * FROM dropbox_changes WHERE collaborator_id = ? AND kind = 'remove_member'`).bind(benId).all<any>();
    expect(rows.results).toHaveLength(1);
    const track = await env.DB.prepare('SELECT dropbox_shared_folder_id FROM tracks WHERE id = ?').bind(trackId).first<any>();
    expect(rows.results[0].status).toBe('pending');
    expect(JSON.parse(rows.results[0].params)).toEqual({
      shared_folder_id: track.dropbox_shared_folder_id,
      email: ben.email,
      dropbox_account_id: ben.account.dropboxAccountId,
      leave_a_copy: false,
      actor_account_id: olivia.account.id,
    });
    const detail = await olivia.get(`/tracks/${trackId}`);
    expect(detail.body.dropboxChanges).toContainEqual(
      expect.objectContaining({ kind: 'remove_member', status: 'pending', collaboratorId: benId, lastError: null }),
    );
  });

  it('keeps their comments visible to the owner and other collaborators, with their name, still pinned', async () => {
    for (const viewer of [olivia, cara]) {
      const detail = await viewer.get(`/tracks/${trackId}`);
      expect(detail.status).toBe(200);
      expect(detail.body.comments).toContainEqual(
        expect.objectContaining({
          id: benComment,
          authorName: 'Ben Beats',
          body: 'Kick is too loud in the drop.',
          pinned: true,
          pinnedBy: { id: ben.account.id, name: 'Ben Beats' },
        }),
      );
    }
  });

  it('keeps their edits: metadata, tags, splits and file uploads stay, and history still shows them as theirs', async () => {
    const detail = await olivia.get(`/tracks/${trackId}`);
    expect(detail.body.track).toMatchObject({
      stage: 'mixing',
      bpm: 124,
      tags: ['house', 'night'],
      ownerSplits: { master: 80, publishing: 85, writer: 90 },
    });
    const history = (await olivia.get(`/tracks/${trackId}/history`)).body.entries;
    const byBen = history.filter((e: any) => e.actor.id === ben.account.id).map((e: any) => e.kind);
    expect(byBen).toEqual(expect.arrayContaining(['metadata_changed', 'tags_changed', 'splits_changed', 'file_uploaded', 'comment_pinned']));
    expect(history[0]).toMatchObject({
      kind: 'access_revoked',
      actor: { id: olivia.account.id, name: 'Olivia Owner' },
      via: 'app',
      collaboratorId: benId,
    });
  });

  it('keeps the collaborator record for credits: name, role and splits stay on the track', async () => {
    const detail = await olivia.get(`/tracks/${trackId}`);
    const record = detail.body.collaborators.find((c: any) => c.id === benId);
    expect(record).toMatchObject({
      displayName: 'Ben Beats',
      email: ben.email,
      role: 'producer',
      accessLevel: 'editor',
      splits: { master: 20, publishing: 15, writer: 10 },
      status: 'revoked',
      endedVia: 'app',
    });
    expect(record.endedAt).toEqual(expect.any(String));
    expect(detail.body.splitTotals.master.total).toBe(100); // owner 80 + Ben 20: his credits still count
  });

  it('notifies the collaborator that access was revoked', async () => {
    const list = await ben.get('/notifications');
    expect(list.body.notifications[0]).toMatchObject({
      kind: 'access_revoked',
      trackId,
      trackTitle: 'Midnight Drive',
      actor: { id: olivia.account.id, name: 'Olivia Owner' },
      via: 'app',
      read: false,
    });
  });

  it('revoking again changes nothing and sends no second notification', async () => {
    const before = await env.DB.prepare('SELECT count(*) AS n FROM notifications').first<any>();
    const again = await olivia.post(`/tracks/${trackId}/collaborators/${benId}/revoke`);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ changed: false, collaborator: { status: 'revoked' } });
    const after = await env.DB.prepare('SELECT count(*) AS n FROM notifications').first<any>();
    expect(after.n).toBe(before.n);
    const changes = await env.DB.prepare(`SELECT count(*) AS n FROM dropbox_changes WHERE collaborator_id = ? AND kind = 'remove_member'`)
      .bind(benId)
      .first<any>();
    expect(changes.n).toBe(1);
  });

  it('revoking a pending invitation cancels it', async () => {
    const dan = await person('Dan Vox');
    const inv = await olivia.post(`/tracks/${trackId}/invitations`, { email: dan.email, accessLevel: 'viewer' });
    const res = await olivia.post(`/tracks/${trackId}/collaborators/${inv.body.collaborator.id}/revoke`);
    expect(res.body).toMatchObject({ changed: true, collaborator: { status: 'revoked' } });
    expect((await dan.get('/invitations')).body.invitations).toEqual([]);
    const accept = await dan.post(`/invitations/${inv.body.invitation.id}/accept`);
    expect(accept.status).toBe(409);
    expect(accept.body.error.code).toBe('invitation_not_pending');
    // He never had access: told nothing about a revoke, and the track still does not exist for him.
    expect((await dan.get('/notifications')).body.notifications.map((n: any) => n.kind)).toEqual(['invitation_received']);
    expect((await dan.get(`/tracks/${trackId}`)).body.error.code).toBe('track_not_found');
    const history = (await olivia.get(`/tracks/${trackId}/history`)).body.entries;
    expect(history[0]).toMatchObject({ kind: 'invitation_cancelled', collaboratorId: inv.body.collaborator.id });
  });

  it('only the owner can revoke', async () => {
    const t2 = await trackOf(olivia, 'Second');
    await share(olivia, t2, ben, 'editor');
    const caraId = await share(olivia, t2, cara, 'viewer');
    const res = await ben.post(`/tracks/${t2}/collaborators/${caraId}/revoke`);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('owner_only');
    expect((await cara.get(`/tracks/${t2}`)).status).toBe(200);
  });
});
