// Chaos seed 5 at 50% faults (chaos/repro/sweep-seed5-rate0.5-invitee-kept, repro: chaos/repro/leave-seen-after-reinvite.mjs):
// a membership decision made from one read of PD and Dropbox must not land on a PD state that changed after that
// read. Leo leaves two folders in Dropbox; his walk confirms each leave with Maya's member list, one folder after the
// other, and writes every decision in one batch at the end. While Dropbox is slow to list the second folder, Maya
// (who has not seen the leave yet) revokes Leo everywhere and invites him again. The leave decided for the first
// folder — read while Leo was still active — used to be written anyway, onto the NEW invitation: it was cancelled
// ("left"), while PD's add_member still invited him in Dropbox. Dropbox then had an invitee PD did not.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkTrackMembership, reconcileAccount } from '../../src/jobs/reconcile.ts';
import { Harness, changesOf, collaborator, control, historyOf } from './harness.ts';

let n = 0;
let MAYA: string, LEO: string;
let h: Harness;
let maya: Awaited<ReturnType<Harness['signIn']>>;
let leo: Awaited<ReturnType<Harness['signIn']>>;
let folders: { shared_folder_id: string; trackId: string }[];

beforeAll(async () => {
  await new Harness().reset();
});

beforeEach(async () => {
  n++;
  [MAYA, LEO] = ['maya', 'leo'].map((p) => `${p}.${n}@stale-sync.test`);
  h = new Harness();
  await control('faults', undefined, 'DELETE');
  await control('webhooks', { duplicateRate: 0 });
  const seeded = await control<{ folders: { shared_folder_id: string }[] }>('seed', {
    accounts: [
      { email: MAYA, display_name: 'Maya' },
      { email: LEO, display_name: 'Leo' },
    ],
    folders: ['Song A', 'Song B'].map((name) => ({
      name: `${name} ${n}`,
      owner: MAYA,
      members: [{ account: LEO, access_level: 'viewer' }],
      files: [],
    })),
  });
  maya = await h.signIn(MAYA);
  leo = await h.signIn(LEO);
  await h.drain(); // baselines
  const imported = await h.json<{ imported: { trackId: string; sharedFolderId: string }[] }>('/api/v1/dropbox/import', {
    method: 'POST',
    session: maya.session,
    json: { sharedFolderIds: seeded.folders.map((f) => f.shared_folder_id) },
  });
  folders = seeded.folders.map((f) => ({
    shared_folder_id: f.shared_folder_id,
    trackId: imported.imported.find((i) => i.sharedFolderId === f.shared_folder_id)!.trackId,
  }));
  await h.drain();
  await control('webhooks/flush', {});
  await control('webhooks/log', undefined, 'DELETE');
  await control('calls', undefined, 'DELETE');
});

const inDropbox = async (sfid: string, email: string) => {
  const state = await control<{ folders: { shared_folder_id: string; members: { email: string }[]; invitees: { email: string }[] }[] }>('state');
  const f = state.folders.find((x) => x.shared_folder_id === sfid)!;
  return f.members.some((m) => m.email === email) ? 'member' : f.invitees.some((i) => i.email === email) ? 'invitee' : 'absent';
};

describe('a leave seen in Dropbox, confirmed while the owner revokes and invites again', () => {
  it('is not written onto the new invitation: PD keeps Leo invited, as Dropbox does once PD has invited him', async () => {
    for (const f of folders) expect(await collaborator(f.trackId, LEO)).toMatchObject({ status: 'active' });
    for (const f of folders) await control('act', { as: LEO, action: 'leave_folder', shared_folder_id: f.shared_folder_id });

    // Maya's member lists answer slowly (under the tests' 1.5 s Dropbox timeout): the walk confirms the first folder,
    // plans Leo's leave there, and is still waiting on the second folder's list when Maya acts.
    await control('faults', { faults: [{ route: '2/sharing/list_folder_members', kind: 'slow', delayMs: 1200, count: 2, account: MAYA }] });
    const walk = reconcileAccount(h.env, leo.account.dropboxAccountId, Date.now());
    const end = Date.now() + 5000;
    while ((await h.calls('2/sharing/list_folder_members')).length < 1) {
      if (Date.now() > end) throw new Error('the walk never listed the first folder');
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 150)); // the first folder's decision is planned (D1 reads only)
    expect(await h.calls('2/sharing/list_folder_members')).toHaveLength(1); // the second list is still in flight

    const revoked = await h.fetch(`/api/v1/sharing/${encodeURIComponent(LEO)}/revoke-all`, { method: 'POST', session: maya.session });
    expect(revoked.status).toBe(200);
    for (const f of folders) {
      const invited = await h.fetch(`/api/v1/tracks/${f.trackId}/invitations`, {
        method: 'POST',
        session: maya.session,
        json: { email: LEO, accessLevel: 'editor' },
      });
      expect(invited.status).toBe(201);
    }
    expect(await walk).toMatchObject({ result: 'done' });

    // PD's changes reach Dropbox (the removal is moot: he had left), then every check agrees.
    await h.drain();
    await h.cron();
    await h.drain();
    for (const f of folders) {
      expect(await collaborator(f.trackId, LEO)).toMatchObject({ status: 'invited', access_level: 'editor' });
      expect(await inDropbox(f.shared_folder_id, LEO)).toBe('invitee');
      expect((await changesOf(f.trackId)).map((c) => `${c.kind}:${c.status}`)).toEqual(['remove_member:done', 'add_member:done']);
      // His side: the invitation is his to accept, and the history ends with it (not with a cancellation).
      const kinds = (await historyOf(f.trackId)).map((e) => e.kind).filter((k) => k !== 'dropbox_change_moot');
      expect(kinds.slice(-2)).toEqual(['access_revoked', 'collaborator_invited']);
    }
    const invitations = await h.json<{ invitations: { trackId: string }[] }>('/api/v1/invitations', { session: leo.session });
    expect(invitations.invitations.map((i) => i.trackId).sort()).toEqual(folders.map((f) => f.trackId).sort());
    // He accepts in PD: PD mounts the folder with his token, and he is a member in both.
    for (const inv of (await h.json<{ invitations: { id: string; trackId: string }[] }>('/api/v1/invitations', { session: leo.session }))
      .invitations) {
      expect((await h.fetch(`/api/v1/invitations/${inv.id}/accept`, { method: 'POST', session: leo.session })).status).toBe(200);
    }
    await h.drain();
    for (const f of folders) {
      expect(await collaborator(f.trackId, LEO)).toMatchObject({ status: 'active' });
      expect(await inDropbox(f.shared_folder_id, LEO)).toBe('member');
    }
  });

  it('a leave planned on a record the owner changed meanwhile (only the level) is decided again, and recorded as ended in Dropbox from his own folder', async () => {
    // Two owners: Maya's first folder and one of Kai's. Whichever folder the walk confirms first, its owner changes
    // Leo's level while the walk waits on the other owner's list.
    const KAI = `kai.${n}@stale-sync.test`;
    const seeded = await control<{ folders: { shared_folder_id: string }[] }>('seed', {
      accounts: [{ email: KAI, display_name: 'Kai' }],
      folders: [{ name: `Kai Song ${n}`, owner: KAI, members: [{ account: LEO, access_level: 'viewer' }], files: [] }],
    });
    const kai = await h.signIn(KAI);
    await h.drain();
    const kaiImport = await h.json<{ imported: { trackId: string }[] }>('/api/v1/dropbox/import', {
      method: 'POST',
      session: kai.session,
      json: { sharedFolderIds: [seeded.folders[0].shared_folder_id] },
    });
    await h.drain();
    const tracks = [
      { owner: maya, ...folders[0] },
      { owner: kai, shared_folder_id: seeded.folders[0].shared_folder_id, trackId: kaiImport.imported[0].trackId },
    ];
    await control('webhooks/flush', {});
    await control('calls', undefined, 'DELETE');
    for (const t of tracks) await control('act', { as: LEO, action: 'leave_folder', shared_folder_id: t.shared_folder_id });
    await control('faults', {
      faults: [MAYA, KAI].map((account) => ({ route: '2/sharing/list_folder_members', kind: 'slow', delayMs: 1200, count: 1, account })),
    });
    const walk = reconcileAccount(h.env, leo.account.dropboxAccountId, Date.now());
    const end = Date.now() + 5000;
    let first: { account_id?: string } | undefined;
    while (!(first = (await h.calls('2/sharing/list_folder_members'))[0])) {
      if (Date.now() > end) throw new Error('the walk never listed the first folder');
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 150));
    expect(await h.calls('2/sharing/list_folder_members')).toHaveLength(1);
    const stale = tracks.find((t) => t.owner.account.dropboxAccountId === first!.account_id)!;
    const c = await collaborator(stale.trackId, LEO);
    const res = await h.fetch(`/api/v1/tracks/${stale.trackId}/collaborators/${c!.id}`, {
      method: 'PATCH',
      session: stale.owner.session,
      json: { accessLevel: 'editor' },
    });
    expect(res.status).toBe(200);
    expect(await walk).toMatchObject({ result: 'done' });
    // The walk asked for that track to be checked again. The level change reaches Dropbox first (moot: he is gone),
    // then the check decides again from fresh reads.
    expect(h.queued.filter((q) => q.job.kind === 'check-track-membership').map((q) => q.job)).toEqual([
      expect.objectContaining({ trackId: stale.trackId, leftAccountId: leo.account.id }),
    ]);
    h.queued.sort((a, b) => Number(a.job.kind === 'check-track-membership') - Number(b.job.kind === 'check-track-membership'));
    await h.drain({ batchSize: 1 });
    for (const t of tracks) {
      // Dropbox does not say who ended it (issue 11): ended in Dropbox, with his own folder as the evidence — and
      // never the owner's member list alone (that would be a stale decision about the changed record).
      expect(await collaborator(t.trackId, LEO)).toMatchObject({ status: 'revoked', ended_via: 'dropbox', ended_evidence: 'dropbox_own_folder' });
      const kinds = (await historyOf(t.trackId)).map((e) => e.kind).filter((k) => k !== 'dropbox_change_moot');
      expect(kinds.at(-1)).toBe('access_ended_in_dropbox');
      if (t === stale) expect(kinds.at(-2)).toBe('access_level_changed');
    }
  });
});

// Chaos seed 1 at 30% faults (sweep of 2026-11-30, kept as chaos/repro/sweep-seed1-rate0.3-member-before-relinquish):
// Leo leaves in PD and Maya invites him again at once, so PD's relinquish and then its add_member wait in line. An
// owner-side check read the folder before the relinquish went out: Leo still a member there. It used to note
// "member in Dropbox" on the NEW invitation — and once PD's own add had made him an invitee, the panel still said
// he was in the folder (recordAgreement keeps a 'member' it finds).
describe('a membership read while PD is still ending it', () => {
  it('is not noted on the new invitation: after the leave and the re-invite reach Dropbox, PD says "waiting for Leo to accept in Dropbox"', async () => {
    const f = folders[0]!;
    expect(await collaborator(f.trackId, LEO)).toMatchObject({ status: 'active' });
    expect((await h.fetch(`/api/v1/tracks/${f.trackId}/leave`, { method: 'POST', session: leo.session, json: {} })).status).toBe(200);
    const invited = await h.fetch(`/api/v1/tracks/${f.trackId}/invitations`, {
      method: 'POST',
      session: maya.session,
      json: { email: LEO, accessLevel: 'editor' },
    });
    expect(invited.status).toBe(201);
    // Neither change has reached Dropbox yet: Leo is still a member of Maya's folder there.
    expect((await changesOf(f.trackId)).map((c) => `${c.kind}:${c.status}`)).toEqual(['relinquish:pending', 'add_member:pending']);
    expect(await inDropbox(f.shared_folder_id, LEO)).toBe('member');

    expect(await checkTrackMembership(h.env, f.trackId)).toMatchObject({ result: 'done' });
    expect(await collaborator(f.trackId, LEO)).toMatchObject({ status: 'invited', dropbox_state: null });

    await h.drain();
    expect((await changesOf(f.trackId)).map((c) => `${c.kind}:${c.status}`)).toEqual(['relinquish:done', 'add_member:done']);
    expect(await inDropbox(f.shared_folder_id, LEO)).toBe('invitee');
    expect(await collaborator(f.trackId, LEO)).toMatchObject({ status: 'invited', dropbox_state: 'invited' });
    // The owner's panel says so.
    const detail = await h.json<{ collaborators: { email: string; status: string; dropbox: { state: string | null } }[] }>(
      `/api/v1/tracks/${f.trackId}`,
      { session: maya.session },
    );
    expect(detail.collaborators.find((c) => c.email === LEO)).toMatchObject({ status: 'invited', dropbox: { state: 'invited' } });
    // A later check agrees.
    await checkTrackMembership(h.env, f.trackId);
    expect(await collaborator(f.trackId, LEO)).toMatchObject({ dropbox_state: 'invited' });
  });
});
