// The domain as Dropbox reconciliation uses it: plans that can be prepared, combined and run later;
// changes found in Dropbox (via 'dropbox') record no pending Dropbox change; sessions are stored hashed.
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import * as d from '../../src/domain/index.ts';
import { HISTORY_COLUMNS, HISTORY_JOINS } from '../../src/domain/history.ts';

const db = () => env.DB;
let n = 0;
async function setup() {
  const i = ++n;
  const owner = await d.upsertAccount(db(), { dropboxAccountId: `dbid:o${i}`, email: `owner${i}@x.test`, displayName: 'Olivia' });
  const ben = await d.upsertAccount(db(), { dropboxAccountId: `dbid:b${i}`, email: `ben${i}@x.test`, displayName: 'Ben' });
  const track = await d.createTrack(db(), { ownerId: owner.id, dropboxSharedFolderId: `sf:${i}`, title: `T${i}`, via: 'app' });
  const inv = await d.invite(db(), { trackId: track.id, actorId: owner.id, email: ben.email, accessLevel: 'editor', via: 'app' });
  await d.acceptInvitation(db(), { invitationId: inv.invitation.id, accountId: ben.id, via: 'app' });
  return { owner, ben, track, benId: inv.collaborator.id };
}
const count = async (sql: string, ...args: unknown[]) =>
  (await db()
    .prepare(sql)
    .bind(...args)
    .first<{ n: number }>())!.n;

describe('plans', () => {
  it('a revoke and a leave both planned before either runs: exactly one takes effect, in either order', async () => {
    for (const order of ['revoke-first', 'leave-first']) {
      const { owner, ben, track, benId } = await setup();
      const revoke = await d.planRevokeCollaborator(db(), { trackId: track.id, collaboratorId: benId, actorId: owner.id, via: 'app' });
      const leave = await d.planLeaveTrack(db(), { trackId: track.id, accountId: ben.id, via: 'app' });
      const [first, second] = order === 'revoke-first' ? [revoke, leave] : [leave, revoke];
      expect(d.applied(await d.runPlan(db(), first))).toBe(true);
      expect(d.applied(await d.runPlan(db(), second))).toBe(false);
      const status = order === 'revoke-first' ? 'revoked' : 'left';
      expect((await d.listCollaborators(db(), track.id))[0].status).toBe(status);
      expect(
        await count(`SELECT count(*) AS n FROM notifications WHERE track_id = ? AND kind IN ('access_revoked','collaborator_left')`, track.id),
      ).toBe(1);
      expect(await count(`SELECT count(*) AS n FROM dropbox_changes WHERE track_id = ? AND kind IN ('remove_member','relinquish')`, track.id)).toBe(
        1,
      );
    }
  });

  it("plans of several changes and the caller's own statement run in one atomic batch", async () => {
    const a = await setup();
    const b = await setup();
    await db().exec('CREATE TABLE IF NOT EXISTS test_cursor (v TEXT)');
    const p1 = await d.planRevokeCollaborator(db(), { trackId: a.track.id, collaboratorId: a.benId, actorId: null, via: 'dropbox' });
    const p2 = await d.planLeaveTrack(db(), { trackId: b.track.id, accountId: b.ben.id, via: 'dropbox' });
    const cursor = db().prepare('INSERT INTO test_cursor (v) VALUES (?)').bind('cursor-1');
    // A failing statement at the end rolls everything back.
    const failing = db().prepare('INSERT INTO tracks (id) VALUES (NULL)');
    await expect(db().batch([...p1.statements, ...p2.statements, cursor, failing])).rejects.toThrow();
    expect((await d.listCollaborators(db(), a.track.id))[0].status).toBe('active');
    expect(await count('SELECT count(*) AS n FROM test_cursor')).toBe(0);
    await db().batch([...p1.statements, ...p2.statements, cursor]);
    expect((await d.listCollaborators(db(), a.track.id))[0].status).toBe('revoked');
    expect((await d.listCollaborators(db(), b.track.id))[0].status).toBe('left');
    expect(await count('SELECT count(*) AS n FROM test_cursor')).toBe(1);
  });
});

describe("changes found in Dropbox (via 'dropbox')", () => {
  it('a member removed in Dropbox: revoked, notified, history says Dropbox, and no Dropbox change is queued', async () => {
    const { ben, track, benId } = await setup();
    const before = await count('SELECT count(*) AS n FROM dropbox_changes WHERE track_id = ?', track.id);
    const res = await d.revokeCollaborator(db(), { trackId: track.id, collaboratorId: benId, actorId: null, via: 'dropbox' });
    expect(res.collaborator).toMatchObject({ status: 'revoked', endedVia: 'dropbox' });
    expect(await count('SELECT count(*) AS n FROM dropbox_changes WHERE track_id = ?', track.id)).toBe(before);
    const notes = await d.listNotifications(db(), { accountId: ben.id, limit: 5, unread: 'any' });
    expect(notes.notifications[0]).toMatchObject({ kind: 'access_revoked', via: 'dropbox', actor: { name: 'Dropbox' } });
    const h = await db()
      .prepare(
        `SELECT ${HISTORY_COLUMNS} FROM track_history h ${HISTORY_JOINS} WHERE h.track_no = (SELECT no FROM tracks WHERE id = ?) AND k.name = 'access_revoked'`,
      )
      .bind(track.id)
      .first<any>();
    expect(h.via).toBe('dropbox');
  });

  it('a member who left in Dropbox: left, owner notified, no relinquish queued', async () => {
    const { owner, ben, track } = await setup();
    const res = await d.leaveTrack(db(), { trackId: track.id, accountId: ben.id, via: 'dropbox' });
    expect(res).toMatchObject({ changed: true, status: 'left' });
    expect(await count(`SELECT count(*) AS n FROM dropbox_changes WHERE track_id = ? AND kind = 'relinquish'`, track.id)).toBe(0);
    const notes = await d.listNotifications(db(), { accountId: owner.id, limit: 5, unread: 'any' });
    expect(notes.notifications[0]).toMatchObject({ kind: 'collaborator_left', via: 'dropbox', actor: { id: ben.id, name: 'Ben' } });
  });

  it('a member added in Dropbox becomes an active collaborator (account created if needed); repeating is a no-op', async () => {
    const { owner, track } = await setup();
    const input = {
      trackId: track.id,
      dropboxAccountId: 'dbid:carol-new',
      email: 'Carol@x.test',
      displayName: 'Carol',
      accessLevel: 'viewer' as const,
    };
    const first = await d.memberAddedInDropbox(db(), input);
    expect(first.changed).toBe(true);
    expect(first.collaborator).toMatchObject({ status: 'active', accessLevel: 'viewer', email: 'Carol@x.test' });
    const carol = await d.findAccountByDropboxId(db(), 'dbid:carol-new');
    expect(carol).toMatchObject({ email: 'Carol@x.test', displayName: 'Carol' });
    const lib = await d.listLibrary(db(), { accountId: carol!.id, archived: 'any', hidden: 'any', limit: 10 });
    expect(lib.items.map((i) => i.track.id)).toEqual([track.id]);
    const again = await d.memberAddedInDropbox(db(), input);
    expect(again.changed).toBe(false);
    expect(
      await count(
        `SELECT count(*) AS n FROM track_history WHERE track_no = (SELECT no FROM tracks WHERE id = ?) AND kind = (SELECT code FROM history_kinds WHERE name = 'collaborator_joined') AND via = 'dropbox'`,
        track.id,
      ),
    ).toBe(1);
    expect(
      await count('SELECT count(*) AS n FROM dropbox_changes WHERE track_id = ? AND collaborator_id = ?', track.id, first.collaborator!.id),
    ).toBe(0);
    // The owner showing up as a folder member is not a collaborator.
    const ownerRow = await db().prepare('SELECT dropbox_account_id FROM accounts WHERE id = ?').bind(owner.id).first<any>();
    const self = await d.memberAddedInDropbox(db(), { ...input, dropboxAccountId: ownerRow.dropbox_account_id, email: owner.email });
    expect(self).toEqual({ changed: false, collaborator: null });
  });

  it('an invited person who joins the folder in Dropbox: invitation accepted, owner told', async () => {
    const { owner, track } = await setup();
    const inv = await d.invite(db(), { trackId: track.id, actorId: owner.id, email: 'dave@x.test', accessLevel: 'editor', via: 'app' });
    const res = await d.memberAddedInDropbox(db(), {
      trackId: track.id,
      dropboxAccountId: 'dbid:dave',
      email: 'dave@x.test',
      displayName: 'Dave',
      accessLevel: 'editor',
    });
    expect(res.collaborator).toMatchObject({ id: inv.collaborator.id, status: 'active' });
    expect((await d.getInvitation(db(), inv.invitation.id))!.status).toBe('accepted');
    const notes = await d.listNotifications(db(), { accountId: owner.id, limit: 5, unread: 'any' });
    expect(notes.notifications[0]).toMatchObject({ kind: 'invitation_accepted', via: 'dropbox' });
  });

  it('a revoked person re-added in Dropbox is active again on the same record', async () => {
    const { owner, ben, track, benId } = await setup();
    await d.revokeCollaborator(db(), { trackId: track.id, collaboratorId: benId, actorId: owner.id, via: 'app' });
    const res = await d.memberAddedInDropbox(db(), {
      trackId: track.id,
      dropboxAccountId: ben.dropboxAccountId,
      email: ben.email,
      displayName: 'Ben',
      accessLevel: 'viewer',
    });
    expect(res.collaborator).toMatchObject({ id: benId, status: 'active', accessLevel: 'viewer', endedAt: null });
  });

  it("a file upload is recorded as that person's edit and stays after their access ends", async () => {
    const { owner, ben, track, benId } = await setup();
    expect(await d.recordFileUpload(db(), { trackId: track.id, actorId: ben.id, path: '/PD/T/vox.wav', via: 'dropbox' })).toEqual({ recorded: true });
    await d.revokeCollaborator(db(), { trackId: track.id, collaboratorId: benId, actorId: owner.id, via: 'app' });
    const h = await d.listHistory(db(), { trackId: track.id, accountId: owner.id, limit: 50 });
    expect(h.entries.find((e) => e.kind === 'file_uploaded')).toMatchObject({
      actor: { id: ben.id, name: 'Ben' },
      via: 'dropbox',
      details: { path: '/PD/T/vox.wav' },
    });
  });

  it('findTrackByDropboxSharedFolderId and listCollaborators', async () => {
    const { track, benId } = await setup();
    expect((await d.findTrackByDropboxSharedFolderId(db(), track.dropboxSharedFolderId))!.id).toBe(track.id);
    expect(await d.findTrackByDropboxSharedFolderId(db(), 'sf:none')).toBeNull();
    expect((await d.listCollaborators(db(), track.id)).map((c) => c.id)).toEqual([benId]);
  });
});

describe('sessions', () => {
  it('stores only the SHA-256 of the token; resolves, expires and ends', async () => {
    const acc = await d.upsertAccount(db(), { dropboxAccountId: 'dbid:sess', email: 's@x.test', displayName: 'S' });
    const { token, expiresAt } = await d.createSession(db(), acc.id);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 random bytes, base64url
    expect(new Date(expiresAt).getTime()).toBeGreaterThan(Date.now());
    expect(await count('SELECT count(*) AS n FROM sessions WHERE token_hash = ?', token)).toBe(0);
    expect(await count('SELECT count(*) AS n FROM sessions WHERE token_hash = ?', await d.hashToken(token))).toBe(1);
    expect(await d.resolveSession(db(), token)).toMatchObject({ status: 'ok', account: { id: acc.id } });
    const old = await d.createSession(db(), acc.id, { days: -1 });
    expect(await d.resolveSession(db(), old.token)).toEqual({ status: 'expired' });
    await d.endSession(db(), token);
    expect(await d.resolveSession(db(), token)).toEqual({ status: 'unknown' });
  });

  it('upsertAccount refreshes e-mail and name on the next sign-in, same PD id', async () => {
    const a = await d.upsertAccount(db(), { dropboxAccountId: 'dbid:up', email: 'a@x.test', displayName: 'A' });
    const b = await d.upsertAccount(db(), { dropboxAccountId: 'dbid:up', email: 'b@x.test', displayName: 'B' });
    expect(b).toEqual({ ...a, email: 'b@x.test', displayName: 'B' });
  });

  it('the round-trip counter counts each query and each batch once', async () => {
    const counter = { count: 0 };
    const counted = d.countRoundTrips(db(), counter);
    await counted.prepare('SELECT 1').first();
    await counted.batch([counted.prepare('SELECT 1'), counted.prepare('SELECT ?').bind(2)]);
    expect(counter.count).toBe(2);
  });
});
