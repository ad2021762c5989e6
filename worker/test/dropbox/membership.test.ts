// Issue 9, items 1, 3 and 5, against the emulator playing Dropbox as sharing.stone says:
// - add_folder_member only invites; accepting in PD mounts the folder with the member's OWN token;
// - Dropbox Basic refuses view-only (insufficient_plan): PD says so before, and shows the truth and a choice after;
// - access through a group is not "missing" and is what Dropbox keeps after a revoke.
import type { Collaborator, TrackDetail } from '@pd/shared';
import { env } from 'cloudflare:test';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Harness, changesOf, collaborator, control } from './harness.ts';

let n = 0;
let MAYA: string, LEO: string, AVA: string, GUS: string, JULES: string;
let h: Harness;
let maya: { session: string; account: { id: string } };
let trackId: string;
let sfid: string;

interface EmuState {
  accounts: { email: string; mounts: { shared_folder_id: string; path: string }[] }[];
  folders: { shared_folder_id: string; members: { email: string; access_type: string }[]; invitees: { email: string; access_type: string }[] }[];
}
const emuState = () => control<EmuState>('state');
const mountedFor = async (email: string) =>
  (await emuState()).accounts.find((a) => a.email === email)!.mounts.some((m) => m.shared_folder_id === sfid);
const dropboxLevel = async (email: string) =>
  (await emuState()).folders.find((f) => f.shared_folder_id === sfid)!.members.find((m) => m.email === email)?.access_type;

async function detail(session: string): Promise<TrackDetail> {
  return h.json<TrackDetail>(`/api/v1/tracks/${trackId}`, { session });
}
const person = (d: TrackDetail, email: string) => d.collaborators.find((c) => c.email === email) as Collaborator;

async function checkMembership() {
  await env.DB.prepare('UPDATE dropbox_membership_checks SET enqueued_at = 0, checked_at = 0').run();
  await h.cron();
  await h.drain();
}

async function inviteAndAccept(email: string, session: string, accessLevel: 'editor' | 'viewer' = 'editor') {
  await h.json(`/api/v1/tracks/${trackId}/invitations`, { method: 'POST', session: maya.session, json: { email, accessLevel } });
  await h.drain(); // add_folder_member: a Dropbox invitation
  const { invitations } = await h.json<{ invitations: { id: string }[] }>('/api/v1/invitations', { session });
  await h.json(`/api/v1/invitations/${invitations[0].id}/accept`, { method: 'POST', session });
  await h.drain();
}

/** The owner revokes someone and the removal fails in Dropbox (the owner's own standing, for the sake of the test):
 *  Dropbox still holds them. */
async function revokeButRemovalFails(email: string): Promise<void> {
  const id = person(await detail(maya.session), email).id;
  await control('faults', { route: '2/sharing/remove_folder_member', kind: 'error', error: 'access_error/not_a_member', count: 1 });
  await h.json(`/api/v1/tracks/${trackId}/collaborators/${id}/revoke`, { method: 'POST', session: maya.session });
  await h.drain();
}

beforeAll(async () => {
  await new Harness().reset();
});

beforeEach(async () => {
  n++;
  [MAYA, LEO, AVA, GUS, JULES] = ['maya', 'leo', 'ava', 'gus', 'jules'].map((p) => `${p}.${n}@mem.test`);
  h = new Harness();
  await control('faults', undefined, 'DELETE');
  await control('webhooks/flush', {});
  await control('webhooks/log', undefined, 'DELETE');
  await control('calls', undefined, 'DELETE');
  const seeded = await control<{ folders: { shared_folder_id: string }[] }>('seed', {
    accounts: [
      { email: MAYA, display_name: 'Maya Reyes' },
      { email: LEO, display_name: 'Leo Vance' },
      { email: AVA, display_name: 'Ava Chen' },
      { email: GUS, display_name: 'Gus Grant' },
      { email: JULES, display_name: 'Jules Park' },
    ],
    groups: [{ name: `Studio Crew ${n}`, members: [GUS, LEO, JULES] }],
    folders: [
      { name: 'Midnight Drive', owner: MAYA, members: [{ account: LEO, access_level: 'editor' }], files: [{ path: 'bounce.wav', size: 4000 }] },
    ],
  });
  sfid = seeded.folders[0].shared_folder_id;
});

async function importAs(email: string) {
  maya = await h.signIn(email);
  await h.drain();
  const imported = await h.json<{ imported: { trackId: string }[] }>('/api/v1/dropbox/import', {
    method: 'POST',
    session: maya.session,
    json: { sharedFolderIds: [sfid] },
  });
  trackId = imported.imported[0].trackId;
  await h.drain();
}

describe("1. invitations join the folder in Dropbox only when accepted there or mounted with the member's token", () => {
  beforeEach(async () => {
    await importAs(MAYA);
  });

  it('PD\'s invite is a Dropbox invitation; the owner sees "waiting"; accepting in PD mounts it with Ava\'s own token', async () => {
    const ava = await h.signIn(AVA);
    await h.drain();
    await h.json(`/api/v1/tracks/${trackId}/invitations`, { method: 'POST', session: maya.session, json: { email: AVA, accessLevel: 'editor' } });
    await h.drain();
    expect(await mountedFor(AVA)).toBe(false);
    expect(person(await detail(maya.session), AVA)).toMatchObject({ status: 'invited', dropbox: { state: 'invited' } });

    await h.clearCalls();
    const { invitations } = await h.json<{ invitations: { id: string }[] }>('/api/v1/invitations', { session: ava.session });
    await h.json(`/api/v1/invitations/${invitations[0].id}/accept`, { method: 'POST', session: ava.session });
    // Accepted in PD, not yet in Dropbox: the owner's panel says so until the mount is done.
    expect(person(await detail(maya.session), AVA)).toMatchObject({ status: 'active', dropbox: { state: 'invited' } });
    await h.drain();

    expect(await mountedFor(AVA)).toBe(true);
    const mounts = await h.calls('2/sharing/mount_folder');
    expect(mounts).toEqual([expect.objectContaining({ status: 200, account_id: ava.account.dropboxAccountId })]);
    expect(person(await detail(maya.session), AVA)).toMatchObject({ status: 'active', dropbox: { state: 'member' } });
    expect(await changesOf(trackId)).toEqual([
      expect.objectContaining({ kind: 'add_member', status: 'done' }),
      expect.objectContaining({ kind: 'mount_folder', status: 'done' }),
    ]);
  });

  it('already accepted in Dropbox: already_mounted counts as done', async () => {
    const ava = await h.signIn(AVA);
    await h.drain();
    await h.json(`/api/v1/tracks/${trackId}/invitations`, { method: 'POST', session: maya.session, json: { email: AVA, accessLevel: 'editor' } });
    await h.drain();
    await h.act({ as: AVA, action: 'accept_invite', shared_folder_id: sfid });
    const { invitations } = await h.json<{ invitations: { id: string }[] }>('/api/v1/invitations', { session: ava.session });
    await h.json(`/api/v1/invitations/${invitations[0].id}/accept`, { method: 'POST', session: ava.session });
    await h.drain();
    expect(await h.calls('2/sharing/mount_folder')).toEqual(expect.arrayContaining([expect.objectContaining({ status: 409 })]));
    const mount = (await changesOf(trackId)).find((c) => c.kind === 'mount_folder')!;
    expect(mount).toMatchObject({ status: 'done', last_error: 'already in their Dropbox' });
    expect(person(await detail(maya.session), AVA).dropbox?.state).toBe('member');
  });

  it('a full Dropbox (insufficient_quota): the member is told what to do, and the owner still sees "waiting"', async () => {
    await control('seed', { accounts: [{ email: AVA, quota_bytes: 100 }] }); // seeding a known e-mail sets its quota
    const ava = await h.signIn(AVA);
    await h.drain();
    await inviteAndAccept(AVA, ava.session);
    expect(await mountedFor(AVA)).toBe(false);
    const mine = await detail(ava.session);
    expect(mine.dropboxChanges).toEqual([
      expect.objectContaining({
        kind: 'mount_folder',
        status: 'failed',
        lastError: expect.stringMatching(/Your Dropbox is full: the folder needs 1 MB more/),
      }),
    ]);
    expect(person(await detail(maya.session), AVA)).toMatchObject({ status: 'active', dropbox: { state: 'invited' } });
  });

  it('leaving in PD while only invited in Dropbox (the mount failed): the owner withdraws the invitation, nothing is left to accept later', async () => {
    await control('seed', { accounts: [{ email: AVA, quota_bytes: 100 }] }); // her mount fails: she stays an invitee
    const ava = await h.signIn(AVA);
    await h.drain();
    await inviteAndAccept(AVA, ava.session);
    const invitees = async () => (await emuState()).folders.find((f) => f.shared_folder_id === sfid)!.invitees.map((i) => i.email);
    expect(await invitees()).toEqual([AVA]);
    await h.json(`/api/v1/tracks/${trackId}/leave`, { method: 'POST', session: ava.session });
    await h.drain();
    expect(await invitees()).toEqual([]);
    expect(await mountedFor(AVA)).toBe(false);
    const leave = (await changesOf(trackId)).find((c) => c.kind === 'relinquish')!;
    expect(leave).toMatchObject({ status: 'done', last_error: expect.stringContaining('invitation was never accepted') });
    expect(await collaborator(trackId, AVA)).toMatchObject({ status: 'left' });
  });

  it('without a working Dropbox link: nothing PD can mount — accept in Dropbox too; reconciliation then sees the accept', async () => {
    const ava = await h.signIn(AVA);
    await h.drain();
    await env.DB.prepare('UPDATE dropbox_tokens SET needs_reauth = 1, reauth_reason = ? WHERE account_id = ?')
      .bind('test: unlinked', ava.account.id)
      .run();
    await inviteAndAccept(AVA, ava.session);
    const mount = (await changesOf(trackId)).find((c) => c.kind === 'mount_folder')!;
    expect(mount).toMatchObject({ status: 'done', last_error: expect.stringContaining('accept the invitation in Dropbox too') });
    expect(await h.calls('2/sharing/mount_folder')).toEqual([]);
    expect(person(await detail(maya.session), AVA)).toMatchObject({ status: 'active', dropbox: { state: 'invited' } });
    expect(person(await detail(ava.session), AVA).dropbox?.state).toBe('invited');
    expect((await detail(ava.session)).myDropboxState).toBe('invited'); // her view: "accept the invitation in Dropbox too"

    await h.act({ as: AVA, action: 'accept_invite', shared_folder_id: sfid });
    await checkMembership(); // the owner-side check sees her among the members now
    expect(person(await detail(maya.session), AVA)).toMatchObject({ status: 'active', dropbox: { state: 'member' } });
  });

  it('the invitation withdrawn in Dropbox before the mount: nothing to mount and nothing to retry; the check it queues revokes', async () => {
    const ava = await h.signIn(AVA);
    await h.drain();
    await h.json(`/api/v1/tracks/${trackId}/invitations`, { method: 'POST', session: maya.session, json: { email: AVA, accessLevel: 'editor' } });
    await h.drain();
    const { invitations } = await h.json<{ invitations: { id: string }[] }>('/api/v1/invitations', { session: ava.session });
    await h.json(`/api/v1/invitations/${invitations[0].id}/accept`, { method: 'POST', session: ava.session });
    await h.act({ as: MAYA, action: 'remove_member', shared_folder_id: sfid, member: AVA }); // before PD mounts it
    await h.drain();
    expect((await changesOf(trackId)).find((c) => c.kind === 'mount_folder')).toMatchObject({
      status: 'done',
      last_error: expect.stringContaining('nothing to mount'),
    });
    // Nothing failed for the owner to retry, and the membership check the executor queued has already settled PD.
    expect((await detail(maya.session)).dropboxChanges.filter((c) => c.status === 'failed')).toEqual([]);
    expect(await collaborator(trackId, AVA)).toMatchObject({ status: 'revoked', ended_via: 'dropbox' });
  });

  it('revoked, the removal failed, invited again: PD shows him still in the folder, not "waiting to accept" (chaos sweep, seed 12)', async () => {
    const leo = await h.signIn(LEO);
    await h.drain();
    await revokeButRemovalFails(LEO);
    expect((await changesOf(trackId)).at(-1)).toMatchObject({ kind: 'remove_member', status: 'failed' });
    expect(await dropboxLevel(LEO)).toBe('editor');

    // Invited again at the level he still has: add_folder_member succeeds, and says nothing about him never leaving.
    await h.json(`/api/v1/tracks/${trackId}/invitations`, { method: 'POST', session: maya.session, json: { email: LEO, accessLevel: 'editor' } });
    await h.drain();
    const d = await detail(maya.session);
    expect(person(d, LEO)).toMatchObject({ status: 'invited', dropbox: { state: 'member' } });
    expect(person(d, LEO).dropbox?.accessLevel ?? null).toBeNull(); // the level agrees: nothing to point out
    expect(d.dropboxChanges).toEqual([]);
    expect((await changesOf(trackId)).at(-1)).toMatchObject({
      kind: 'add_member',
      status: 'done',
      last_error: expect.stringContaining('still in the folder in Dropbox as Editor'),
    });
    // He accepts in PD: already in his Dropbox; the membership check agrees.
    const { invitations } = await h.json<{ invitations: { id: string }[] }>('/api/v1/invitations', { session: leo.session });
    await h.json(`/api/v1/invitations/${invitations[0].id}/accept`, { method: 'POST', session: leo.session });
    await h.drain();
    await checkMembership();
    expect(person(await detail(maya.session), LEO)).toMatchObject({ status: 'active', accessLevel: 'editor', dropbox: { state: 'member' } });
    expect(await mountedFor(LEO)).toBe(true);
  });

  it('an active collaborator still only invited in Dropbox is never revoked as "missing"', async () => {
    const ava = await h.signIn(AVA);
    await h.drain();
    await env.DB.prepare('UPDATE dropbox_tokens SET needs_reauth = 1 WHERE account_id = ?').bind(ava.account.id).run();
    await inviteAndAccept(AVA, ava.session);
    await checkMembership();
    await checkMembership();
    expect(await collaborator(trackId, AVA)).toMatchObject({ status: 'active' });
  });
});

describe('3. Dropbox Basic cannot make anyone view-only', () => {
  beforeEach(async () => {
    await control('act', { as: MAYA, action: 'set_plan', plan: 'basic' });
    await importAs(MAYA); // the plan is read at sign-in
  });

  it("PD knows the owner's plan before they act", async () => {
    expect((await detail(maya.session)).ownerPlan).toBe('basic');
  });

  it('Editor → Viewer: Dropbox keeps Editor; PD shows that truth, no failed change to retry, and the owner can choose Editor', async () => {
    const leoId = person(await detail(maya.session), LEO).id;
    await h.json(`/api/v1/tracks/${trackId}/collaborators/${leoId}`, { method: 'PATCH', session: maya.session, json: { accessLevel: 'viewer' } });
    await h.drain();
    expect(await dropboxLevel(LEO)).toBe('editor');
    let d = await detail(maya.session);
    expect(person(d, LEO)).toMatchObject({ accessLevel: 'viewer', dropbox: { accessLevel: 'editor' } });
    expect(d.dropboxChanges).toEqual([]); // nothing failed: nothing to retry
    expect((await changesOf(trackId)).at(-1)).toMatchObject({
      kind: 'update_access',
      status: 'done',
      last_error: expect.stringContaining("Dropbox Basic can't make someone view-only"),
    });
    // The cron sees Editor in Dropbox: already shown, so PD does not flip it behind the owner's back.
    await checkMembership();
    expect(person(await detail(maya.session), LEO)).toMatchObject({ accessLevel: 'viewer', dropbox: { accessLevel: 'editor' } });

    // The choice: make them Editor in PD too.
    await h.json(`/api/v1/tracks/${trackId}/collaborators/${leoId}`, { method: 'PATCH', session: maya.session, json: { accessLevel: 'editor' } });
    await h.drain();
    d = await detail(maya.session);
    expect(person(d, LEO)).toMatchObject({ accessLevel: 'editor', dropbox: { accessLevel: null } });
    expect(d.dropboxChanges).toEqual([]);
  });

  it('inviting a Viewer: Dropbox adds nobody; PD says so, and inviting as Editor instead adds them', async () => {
    const ava = await h.signIn(AVA);
    await h.drain();
    await h.json(`/api/v1/tracks/${trackId}/invitations`, { method: 'POST', session: maya.session, json: { email: AVA, accessLevel: 'viewer' } });
    await h.drain();
    const invitees = async () => (await emuState()).folders.find((f) => f.shared_folder_id === sfid)!.invitees.map((i) => i.email);
    expect(await invitees()).toEqual([]);
    let d = await detail(maya.session);
    expect(person(d, AVA)).toMatchObject({ status: 'invited', accessLevel: 'viewer', dropbox: { state: 'refused' } });
    expect(d.dropboxChanges).toEqual([]);
    await h.json(`/api/v1/tracks/${trackId}/collaborators/${person(d, AVA).id}`, {
      method: 'PATCH',
      session: maya.session,
      json: { accessLevel: 'editor' },
    });
    await h.drain();
    expect(await invitees()).toEqual([AVA]);
    d = await detail(maya.session);
    expect(person(d, AVA)).toMatchObject({ accessLevel: 'editor', dropbox: { state: 'invited' } });
    void ava;
  });

  it('a Viewer Dropbox refused to add stays as PD shows it: the membership check neither declines nor revokes them (chaos mix, Basic owners)', async () => {
    const ava = await h.signIn(AVA);
    await h.drain();
    await h.json(`/api/v1/tracks/${trackId}/invitations`, { method: 'POST', session: maya.session, json: { email: AVA, accessLevel: 'viewer' } });
    await h.drain();
    // Dropbox has no Ava: not because she left or was removed there, but because Dropbox never added her.
    await checkMembership();
    expect(person(await detail(maya.session), AVA)).toMatchObject({ status: 'invited', dropbox: { state: 'refused' } });
    const { invitations } = await h.json<{ invitations: { id: string }[] }>('/api/v1/invitations', { session: ava.session });
    expect(invitations).toHaveLength(1);
    await h.json(`/api/v1/invitations/${invitations[0].id}/accept`, { method: 'POST', session: ava.session });
    await h.drain();
    await checkMembership();
    expect(person(await detail(maya.session), AVA)).toMatchObject({ status: 'active', dropbox: { state: 'refused' } });
  });
  it('an Editor whose removal failed, invited again as a Viewer: PD shows Dropbox keeps Editor, not a mount that never happens (chaos sweep, seed 8)', async () => {
    const leo = await h.signIn(LEO);
    await h.drain();
    await revokeButRemovalFails(LEO); // Leo is still an Editor there
    expect((await changesOf(trackId)).at(-1)).toMatchObject({ kind: 'remove_member', status: 'failed' });
    expect(await dropboxLevel(LEO)).toBe('editor');

    // Maya invites him again, as a Viewer: Basic refuses the add — yet he never left the folder.
    await h.json(`/api/v1/tracks/${trackId}/invitations`, { method: 'POST', session: maya.session, json: { email: LEO, accessLevel: 'viewer' } });
    await h.drain();
    let d = await detail(maya.session);
    expect(person(d, LEO)).toMatchObject({ status: 'invited', accessLevel: 'viewer', dropbox: { state: 'member', accessLevel: 'editor' } });
    expect(d.dropboxChanges).toEqual([]); // the new invitation replaces the failed removal; nothing left to retry
    expect((await changesOf(trackId)).at(-1)).toMatchObject({
      kind: 'add_member',
      status: 'done',
      last_error: expect.stringContaining('still in the folder in Dropbox as Editor'),
    });

    // He accepts in PD: nothing to mount (the folder never left his Dropbox); PD shows the level Dropbox keeps.
    const { invitations } = await h.json<{ invitations: { id: string }[] }>('/api/v1/invitations', { session: leo.session });
    await h.json(`/api/v1/invitations/${invitations[0].id}/accept`, { method: 'POST', session: leo.session });
    await h.drain();
    expect((await changesOf(trackId)).map((c) => c.kind)).not.toContain('mount_folder');
    d = await detail(maya.session);
    expect(person(d, LEO)).toMatchObject({ status: 'active', accessLevel: 'viewer', dropbox: { state: 'member', accessLevel: 'editor' } });
    expect(d.dropboxChanges).toEqual([]);
    expect(await mountedFor(LEO)).toBe(true);
    expect(await dropboxLevel(LEO)).toBe('editor');
    // The membership check agrees: nothing flips behind the owner's back.
    await checkMembership();
    expect(person(await detail(maya.session), LEO)).toMatchObject({ status: 'active', accessLevel: 'viewer', dropbox: { accessLevel: 'editor' } });
  });

  it('an Editor still invited in Dropbox, invited again as a Viewer: PD shows the Editor invitation Dropbox keeps', async () => {
    await h.json(`/api/v1/tracks/${trackId}/invitations`, { method: 'POST', session: maya.session, json: { email: AVA, accessLevel: 'editor' } });
    await h.drain();
    await revokeButRemovalFails(AVA); // the withdrawal fails: her Editor invitation stands in Dropbox
    await h.json(`/api/v1/tracks/${trackId}/invitations`, { method: 'POST', session: maya.session, json: { email: AVA, accessLevel: 'viewer' } });
    await h.drain();
    const d = await detail(maya.session);
    expect(person(d, AVA)).toMatchObject({ status: 'invited', accessLevel: 'viewer', dropbox: { state: 'invited', accessLevel: 'editor' } });
    expect(d.dropboxChanges).toEqual([]);
    expect((await changesOf(trackId)).at(-1)?.last_error).toContain('still invited in Dropbox as Editor');
  });
});

describe('5. groups', () => {
  it('a member whose access comes only from a group is not missing; one with no access at all is', async () => {
    // Gus and Ava are explicit members; Gus is also in the group, Ava is not.
    await control('act', { as: MAYA, action: 'add_member', shared_folder_id: sfid, member: GUS, access_level: 'editor' });
    await control('act', { as: GUS, action: 'accept_invite', shared_folder_id: sfid });
    await control('act', { as: MAYA, action: 'add_member', shared_folder_id: sfid, member: AVA, access_level: 'editor' });
    await control('act', { as: AVA, action: 'accept_invite', shared_folder_id: sfid });
    await importAs(MAYA);
    const gus = await h.signIn(GUS);
    const ava = await h.signIn(AVA);
    await h.drain();
    await control('act', { as: MAYA, action: 'add_group', shared_folder_id: sfid, group: `Studio Crew ${n}`, access_level: 'editor' });
    // Maya takes both out of the folder's member list in Dropbox; the group still gives Gus access.
    await control('act', { as: MAYA, action: 'remove_member', shared_folder_id: sfid, member: GUS });
    await control('act', { as: MAYA, action: 'remove_member', shared_folder_id: sfid, member: AVA });
    await checkMembership();
    expect(await collaborator(trackId, GUS)).toMatchObject({ status: 'active' });
    expect(person(await detail(maya.session), GUS).dropbox).toMatchObject({ group: `the group "Studio Crew ${n}"` });
    expect(await collaborator(trackId, AVA)).toMatchObject({ status: 'revoked', ended_via: 'dropbox' });
    void gus;
    void ava;
  });

  it('with groups on the folder, someone leaving in Dropbox is still seen leaving (their own token says so)', async () => {
    await control('act', { as: MAYA, action: 'add_member', shared_folder_id: sfid, member: AVA, access_level: 'editor' });
    await control('act', { as: AVA, action: 'accept_invite', shared_folder_id: sfid });
    await importAs(MAYA);
    const ava = await h.signIn(AVA);
    await h.drain();
    await control('act', { as: MAYA, action: 'add_group', shared_folder_id: sfid, group: `Studio Crew ${n}`, access_level: 'editor' });
    await h.act({ as: AVA, action: 'leave_folder', shared_folder_id: sfid });
    await h.deliverWebhooks();
    await h.drain();
    expect(await collaborator(trackId, AVA)).toMatchObject({
      status: 'revoked',
      ended_via: 'dropbox',
      ended_evidence: 'dropbox_own_folder',
      account_id: ava.account.id,
    });
    expect(await collaborator(trackId, LEO)).toMatchObject({ status: 'active' });
  });

  it('an invitee who joined in Dropbox only and was then removed there declines, from their own walk (chaos sweep, seed 7)', async () => {
    await importAs(MAYA);
    const ava = await h.signIn(AVA);
    await h.drain();
    await h.json(`/api/v1/tracks/${trackId}/invitations`, { method: 'POST', session: maya.session, json: { email: AVA, accessLevel: 'viewer' } });
    await h.drain();
    await h.act({ as: AVA, action: 'accept_invite', shared_folder_id: sfid });
    await h.deliverWebhooks();
    await h.drain();
    expect(await collaborator(trackId, AVA)).toMatchObject({ status: 'invited', dropbox_state: 'member' });
    // Maya removes her in Dropbox: only Ava's tree changes (her webhook), and PD's invitation is still pending.
    await h.act({ as: MAYA, action: 'remove_member', shared_folder_id: sfid, member: AVA });
    await h.deliverWebhooks();
    await h.drain();
    expect(await collaborator(trackId, AVA)).toMatchObject({ status: 'declined' });
    void ava;
  });

  it('with groups on the folder, an invitee who joined in Dropbox and was then removed there declines (their own token says so)', async () => {
    await importAs(MAYA);
    const ava = await h.signIn(AVA);
    await h.drain();
    await control('act', { as: MAYA, action: 'add_group', shared_folder_id: sfid, group: `Studio Crew ${n}`, access_level: 'editor' });
    await h.json(`/api/v1/tracks/${trackId}/invitations`, { method: 'POST', session: maya.session, json: { email: AVA, accessLevel: 'viewer' } });
    await h.drain();
    // Ava accepts in Dropbox (not in PD), then Maya removes her in Dropbox; PD's invitation is still pending.
    await control('act', { as: AVA, action: 'accept_invite', shared_folder_id: sfid });
    await control('act', { as: MAYA, action: 'remove_member', shared_folder_id: sfid, member: AVA });
    await checkMembership();
    expect(await collaborator(trackId, AVA)).toMatchObject({ status: 'declined' });
    expect(await collaborator(trackId, LEO)).toMatchObject({ status: 'active' });
    void ava;
  });

  it('revoking someone who also has group access: done in Dropbox, and PD says Dropbox keeps that access', async () => {
    await importAs(MAYA);
    await control('act', { as: MAYA, action: 'add_group', shared_folder_id: sfid, group: `Studio Crew ${n}`, access_level: 'viewer' });
    const leoId = person(await detail(maya.session), LEO).id;
    await h.json(`/api/v1/tracks/${trackId}/collaborators/${leoId}/revoke`, { method: 'POST', session: maya.session });
    await h.drain();
    const d = await detail(maya.session);
    expect(person(d, LEO)).toMatchObject({ status: 'revoked', dropbox: { group: `the group "Studio Crew ${n}"` } });
    expect((await changesOf(trackId)).at(-1)).toMatchObject({
      kind: 'remove_member',
      status: 'done',
      last_error: expect.stringContaining('Dropbox keeps their access through the group'),
    });
    expect(await mountedFor(LEO)).toBe(true); // Dropbox really kept it
  });

  it('the same when Dropbox finishes that removal job only on a later attempt (chaos sweep, seed 5 at 30%)', async () => {
    await importAs(MAYA);
    await control('act', { as: MAYA, action: 'add_group', shared_folder_id: sfid, group: `Studio Crew ${n}`, access_level: 'viewer' });
    await control('faults', { route: '2/sharing/check_remove_member_job_status', kind: '503', count: 6 });
    const leoId = person(await detail(maya.session), LEO).id;
    await h.json(`/api/v1/tracks/${trackId}/collaborators/${leoId}/revoke`, { method: 'POST', session: maya.session });
    await h.drain();
    await control('faults', undefined, 'DELETE');
    const last = (await changesOf(trackId)).at(-1)!;
    expect(last).toMatchObject({
      kind: 'remove_member',
      status: 'done',
      last_error: expect.stringContaining('Dropbox keeps their access through the group'),
    });
    expect(last.attempts).toBeGreaterThan(1);
    expect(person(await detail(maya.session), LEO)).toMatchObject({ status: 'revoked', dropbox: { group: `the group "Studio Crew ${n}"` } });
  });

  it('revoking a group member whose PD invitation was never accepted in Dropbox (the group had mounted it): PD says the group keeps it', async () => {
    await importAs(MAYA);
    const gus = await h.signIn(GUS);
    await h.drain();
    await control('act', { as: MAYA, action: 'add_group', shared_folder_id: sfid, group: `Studio Crew ${n}`, access_level: 'editor' });
    await h.json(`/api/v1/tracks/${trackId}/invitations`, { method: 'POST', session: maya.session, json: { email: GUS, accessLevel: 'editor' } });
    await h.drain();
    const [inv] = (await h.json<{ invitations: { id: string }[] }>('/api/v1/invitations', { session: gus.session })).invitations;
    await h.json(`/api/v1/invitations/${inv!.id}/accept`, { method: 'POST', session: gus.session });
    await h.drain();
    expect((await changesOf(trackId)).at(-1)).toMatchObject({ kind: 'mount_folder', last_error: 'already in their Dropbox' });
    const gusId = person(await detail(maya.session), GUS).id;
    await h.json(`/api/v1/tracks/${trackId}/collaborators/${gusId}/revoke`, { method: 'POST', session: maya.session });
    await h.drain();
    expect(await mountedFor(GUS)).toBe(true); // the owner's removal only withdrew the pending invitation
    expect(person(await detail(maya.session), GUS)).toMatchObject({ status: 'revoked', dropbox: { group: 'a group' } });
    expect((await changesOf(trackId)).at(-1)).toMatchObject({
      kind: 'remove_member',
      status: 'done',
      last_error: expect.stringContaining('Dropbox keeps their access through a group'),
    });
  });

  it('revoking the invitation of a group member before they accept: PD says the group still gives them the folder', async () => {
    await importAs(MAYA);
    await h.signIn(GUS);
    await h.drain();
    await control('act', { as: MAYA, action: 'add_group', shared_folder_id: sfid, group: `Studio Crew ${n}`, access_level: 'editor' });
    await h.json(`/api/v1/tracks/${trackId}/invitations`, { method: 'POST', session: maya.session, json: { email: GUS, accessLevel: 'editor' } });
    await h.drain();
    const gusId = person(await detail(maya.session), GUS).id;
    await h.json(`/api/v1/tracks/${trackId}/collaborators/${gusId}/revoke`, { method: 'POST', session: maya.session });
    await h.drain();
    expect(await mountedFor(GUS)).toBe(true);
    expect(person(await detail(maya.session), GUS)).toMatchObject({ status: 'revoked', dropbox: { group: 'a group' } });
  });

  it('someone whose access ended gets the folder back through a group the owner adds later: PD says so', async () => {
    await control('act', { as: MAYA, action: 'add_member', shared_folder_id: sfid, member: GUS, access_level: 'editor' });
    await control('act', { as: GUS, action: 'accept_invite', shared_folder_id: sfid });
    await importAs(MAYA);
    await h.signIn(GUS);
    await h.drain();
    await h.act({ as: MAYA, action: 'remove_member', shared_folder_id: sfid, member: GUS });
    await h.deliverWebhooks();
    await h.drain();
    expect(await collaborator(trackId, GUS)).toMatchObject({ status: 'revoked', ended_via: 'dropbox' });
    // Maya gives Gus's group the folder: it is back in his Dropbox, and only his own tree says so.
    await h.act({ as: MAYA, action: 'add_group', shared_folder_id: sfid, group: `Studio Crew ${n}`, access_level: 'editor' });
    await h.deliverWebhooks();
    await h.drain();
    expect(await mountedFor(GUS)).toBe(true);
    expect(person(await detail(maya.session), GUS)).toMatchObject({ status: 'revoked', dropbox: { group: `the group "Studio Crew ${n}"` } });
  });

  it('leaving while a group also gives access: PD says Dropbox keeps the folder in their Dropbox (chaos mix, groups)', async () => {
    await importAs(MAYA);
    const leo = await h.signIn(LEO);
    await h.drain();
    await control('act', { as: MAYA, action: 'add_group', shared_folder_id: sfid, group: `Studio Crew ${n}`, access_level: 'editor' });
    expect((await h.fetch(`/api/v1/tracks/${trackId}/leave`, { method: 'POST', session: leo.session })).status).toBe(200);
    await h.drain();
    expect(await mountedFor(LEO)).toBe(true); // relinquishing ended his own membership; the group's access stays
    expect(person(await detail(maya.session), LEO)).toMatchObject({ status: 'left', dropbox: { group: 'a group' } });
    expect((await changesOf(trackId)).at(-1)).toMatchObject({
      kind: 'relinquish',
      status: 'done',
      last_error: expect.stringContaining('Dropbox keeps their access through a group'),
    });
  });

  it('invited in PD while a group already gives access, accepted, then leaving: the pending Dropbox invitation is withdrawn too (chaos soak)', async () => {
    await importAs(MAYA);
    const gus = await h.signIn(GUS);
    await h.drain();
    await control('act', { as: MAYA, action: 'add_group', shared_folder_id: sfid, group: `Studio Crew ${n}`, access_level: 'editor' });
    // Gus has the folder through the group only; Maya invites him in PD (a Dropbox invitation), he accepts in PD:
    // the folder is already in his Dropbox (the group's), so mounting answers already_mounted and the invitation stays.
    await inviteAndAccept(GUS, gus.session);
    const invitees = async () => (await emuState()).folders.find((f) => f.shared_folder_id === sfid)!.invitees.map((i) => i.email);
    expect(await invitees()).toEqual([GUS]);
    expect((await h.fetch(`/api/v1/tracks/${trackId}/leave`, { method: 'POST', session: gus.session })).status).toBe(200);
    await h.drain();
    // relinquish answers group_access (no explicit membership to end): the owner withdraws the invitation.
    expect(await invitees()).toEqual([]);
    expect(await mountedFor(GUS)).toBe(true); // the group keeps the folder in his Dropbox
    expect(person(await detail(maya.session), GUS)).toMatchObject({ status: 'left', dropbox: { group: 'a group' } });
    expect((await changesOf(trackId)).at(-1)).toMatchObject({
      kind: 'relinquish',
      status: 'done',
      last_error: expect.stringContaining('Dropbox keeps their access through a group'),
    });
  });
});
