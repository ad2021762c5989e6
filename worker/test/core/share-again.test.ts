// "If you revoked access and want to share again ... There is no 'undo revoke' button."
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { person, share, trackOf, type Person } from './helpers.ts';

describe('Sharing again after revoke', () => {
  let olivia: Person, ben: Person;
  let trackId: string, benId: string;

  beforeAll(async () => {
    olivia = await person('Olivia Owner');
    ben = await person('Ben Beats');
    trackId = await trackOf(olivia, 'Second Chance');
    benId = await share(olivia, trackId, ben, 'editor', { role: 'engineer', splits: { master: 10, publishing: 5, writer: 0 } });
    await olivia.post(`/tracks/${trackId}/collaborators/${benId}/revoke`);
  });

  it('has no undo: no route brings access back without a new invitation', async () => {
    const undo = await olivia.post(`/tracks/${trackId}/collaborators/${benId}/unrevoke`);
    expect(undo.status).toBe(404);
    expect(undo.body.error.code).toBe('not_found');
    // Changing the access level of someone whose access ended does not restore it either.
    const patch = await olivia.patch(`/tracks/${trackId}/collaborators/${benId}`, { accessLevel: 'editor' });
    expect(patch.status).toBe(409);
    expect(patch.body.error.code).toBe('collaborator_not_active');
    expect((await ben.get(`/tracks/${trackId}`)).body.error.code).toBe('access_ended');
  });

  it('the owner shares the track with the same collaborator as usual; they receive a new invitation', async () => {
    const inv = await olivia.post(`/tracks/${trackId}/invitations`, { email: ben.email, accessLevel: 'viewer' });
    expect(inv.status).toBe(201);
    expect(inv.body.collaborator).toMatchObject({ id: benId, status: 'invited' });
    const pending = (await ben.get('/invitations')).body.invitations;
    expect(pending).toEqual([
      expect.objectContaining({
        id: inv.body.invitation.id,
        trackId,
        trackTitle: 'Second Chance',
        accessLevel: 'viewer',
        status: 'pending',
        invitedBy: { id: olivia.account.id, name: 'Olivia Owner' },
      }),
    ]);
    const notes = (await ben.get('/notifications')).body.notifications;
    expect(notes[0]).toMatchObject({ kind: 'invitation_received', trackId });
    // Until they accept, they still have no access.
    expect((await ben.get(`/tracks/${trackId}`)).body.error.code).toBe('access_ended');
    const change = await env.DB.prepare(`SELECT * FROM dropbox_changes WHERE collaborator_id = ? AND kind = 'add_member' ORDER BY id DESC`)
      .bind(benId)
      .first<any>();
    expect(JSON.parse(change.params)).toMatchObject({ email: ben.email, access_level: 'viewer', actor_account_id: olivia.account.id });
  });

  it('they accept to regain access: the same record, credits intact, and history shows both periods', async () => {
    const invitation = (await ben.get('/invitations')).body.invitations[0];
    const res = await ben.post(`/invitations/${invitation.id}/accept`);
    expect(res.status).toBe(200);
    expect(res.body.invitation.status).toBe('accepted');
    expect(res.body.track.myRole).toBe('viewer');
    const record = res.body.track.collaborators.find((c: any) => c.id === benId);
    expect(record).toMatchObject({
      status: 'active',
      role: 'engineer',
      accessLevel: 'viewer',
      splits: { master: 10, publishing: 5, writer: 0 },
      endedAt: null,
      endedVia: null,
    });
    expect((await ben.get('/library')).body.items.map((i: any) => i.track.id)).toEqual([trackId]);

    const kinds = (await olivia.get(`/tracks/${trackId}/history`)).body.entries
      .filter((e: any) => e.collaboratorId === benId)
      .map((e: any) => e.kind)
      .reverse();
    expect(kinds).toEqual(['collaborator_invited', 'collaborator_joined', 'access_revoked', 'collaborator_invited', 'collaborator_joined']);
    expect((await olivia.get('/notifications')).body.notifications[0]).toMatchObject({ kind: 'invitation_accepted', actor: { id: ben.account.id } });
  });

  it('revoking the new invitation before it is accepted cancels it: no "access revoked" notice, still no access', async () => {
    const cara = await person('Cara Keys');
    const t = await trackOf(olivia, 'Cancel again');
    const caraId = await share(olivia, t, cara, 'viewer');
    await olivia.post(`/tracks/${t}/collaborators/${caraId}/revoke`);
    const inv = await olivia.post(`/tracks/${t}/invitations`, { email: cara.email, accessLevel: 'viewer' });
    const before = (await cara.get('/notifications')).body.notifications.length;
    const res = await olivia.post(`/tracks/${t}/collaborators/${caraId}/revoke`);
    expect(res.body).toMatchObject({ changed: true, collaborator: { status: 'revoked' } });
    expect((await cara.get('/notifications')).body.notifications).toHaveLength(before);
    expect((await cara.get('/invitations')).body.invitations).toEqual([]);
    expect((await cara.post(`/invitations/${inv.body.invitation.id}/accept`)).body.error.code).toBe('invitation_not_pending');
    expect((await olivia.get(`/tracks/${t}/history`)).body.entries[0]).toMatchObject({ kind: 'invitation_cancelled', collaboratorId: caraId });
  });

  it('an invitation can be accepted only once', async () => {
    const invId = (await env.DB.prepare(`SELECT id FROM invitations WHERE collaborator_id = ? ORDER BY created_at DESC`).bind(benId).first<any>()).id;
    const res = await ben.post(`/invitations/${invId}/accept`);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('invitation_not_pending');
  });
});

describe('Invitations', () => {
  let olivia: Person, ben: Person, mallory: Person;
  let trackId: string;

  beforeAll(async () => {
    olivia = await person('Olivia Owner');
    ben = await person('Ben Beats');
    mallory = await person('Mallory');
    trackId = await trackOf(olivia, 'Invites');
  });

  it('only the invited e-mail can accept or decline', async () => {
    const inv = await olivia.post(`/tracks/${trackId}/invitations`, { email: ben.email.toUpperCase(), accessLevel: 'editor' });
    for (const action of ['accept', 'decline']) {
      const res = await mallory.post(`/invitations/${inv.body.invitation.id}/${action}`);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('invitation_not_yours');
    }
    expect((await mallory.get(`/tracks/${trackId}`)).body.error.code).toBe('track_not_found');
  });

  it('inviting someone already invited or already active is refused; so is inviting the owner', async () => {
    const dup = await olivia.post(`/tracks/${trackId}/invitations`, { email: ben.email, accessLevel: 'viewer' });
    expect([dup.status, dup.body.error.code]).toEqual([409, 'already_invited']);
    const inv = (await ben.get('/invitations')).body.invitations[0];
    await ben.post(`/invitations/${inv.id}/accept`);
    const active = await olivia.post(`/tracks/${trackId}/invitations`, { email: ben.email, accessLevel: 'viewer' });
    expect([active.status, active.body.error.code]).toEqual([409, 'already_collaborator']);
    const self = await olivia.post(`/tracks/${trackId}/invitations`, { email: olivia.email, accessLevel: 'viewer' });
    expect([self.status, self.body.error.code]).toEqual([409, 'cannot_invite_owner']);
  });

  it('declining tells the owner, gives no access, and withdraws the Dropbox folder invitation', async () => {
    const dora = await person('Dora Decline');
    const inv = await olivia.post(`/tracks/${trackId}/invitations`, { email: dora.email, accessLevel: 'viewer' });
    const res = await dora.post(`/invitations/${inv.body.invitation.id}/decline`);
    expect(res.status).toBe(200);
    expect(res.body.invitation.status).toBe('declined');
    expect((await olivia.get('/notifications')).body.notifications[0]).toMatchObject({ kind: 'invitation_declined', actor: { id: dora.account.id } });
    expect((await dora.get(`/tracks/${trackId}`)).body.error.code).toBe('track_not_found');
    const detail = await olivia.get(`/tracks/${trackId}`);
    expect(detail.body.collaborators.find((c: any) => c.email === dora.email).status).toBe('declined');
    expect(detail.body.dropboxChanges.filter((c: any) => c.collaboratorId === inv.body.collaborator.id).map((c: any) => c.kind)).toEqual([
      'add_member',
      'remove_member',
    ]);
    // She can be invited again later.
    expect((await olivia.post(`/tracks/${trackId}/invitations`, { email: dora.email, accessLevel: 'viewer' })).status).toBe(201);
  });

  it('someone without a PD account yet can be invited; the invitation waits for their e-mail', async () => {
    const inv = await olivia.post(`/tracks/${trackId}/invitations`, {
      email: 'newcomer@example.test',
      accessLevel: 'viewer',
      displayName: 'New Comer',
    });
    expect(inv.status).toBe(201);
    expect(inv.body.collaborator).toMatchObject({ displayName: 'New Comer', accountId: null, status: 'invited' });
    const newcomer = await person('Newcomer', 'Newcomer@Example.test');
    expect((await newcomer.get('/invitations')).body.invitations.map((i: any) => i.id)).toEqual([inv.body.invitation.id]);
    expect((await newcomer.post(`/invitations/${inv.body.invitation.id}/accept`)).status).toBe(200);
    expect((await newcomer.get(`/tracks/${trackId}`)).body.myRole).toBe('viewer');
  });
});
