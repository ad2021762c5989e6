// Dropbox's error unions read exactly (sharing.stone), and moot changes (issue 9 item 4, issue 14 item 2):
// every case is played by the emulator — as Dropbox really answers, or injected with the spec's exact error.
import { env } from 'cloudflare:test';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Harness, changesOf, collaborator, control, historyOf, notificationsOf } from './harness.ts';

let n = 0;
let MAYA: string, LEO: string, SAM: string;
let h: Harness;
let maya: { session: string; account: { id: string } };
let leo: { session: string; account: { id: string } };
let trackId: string;
let sfid: string;

interface StateDump {
  folders: { shared_folder_id: string; unshared: boolean; members: { email: string; access_type: string }[] }[];
  accounts: { email: string; mounts: { shared_folder_id: string }[] }[];
}
async function dropboxMembers(): Promise<Record<string, string>> {
  const s = await control<StateDump>('state');
  const f = s.folders.find((x) => x.shared_folder_id === sfid)!;
  return Object.fromEntries(f.members.map((m) => [m.email, m.access_type]));
}

beforeAll(async () => {
  await new Harness().reset();
});

beforeEach(async () => {
  n++;
  [MAYA, LEO, SAM] = ['maya', 'leo', 'sam'].map((p) => `${p}.${n}@unions.test`);
  h = new Harness();
  await control('faults', undefined, 'DELETE');
  await control('jobs', { pendingPolls: 0 });
  const seeded = await control<{ folders: { shared_folder_id: string }[] }>('seed', {
    accounts: [
      { email: MAYA, display_name: 'Maya Reyes' },
      { email: LEO, display_name: 'Leo Vance' },
      { email: SAM, display_name: 'Sam Ortiz' },
    ],
    folders: [
      {
        name: `Paper Moons ${n}`,
        owner: MAYA,
        members: [
          { account: LEO, access_level: 'editor' },
          { account: SAM, access_level: 'viewer' },
        ],
      },
    ],
  });
  sfid = seeded.folders[0].shared_folder_id;
  maya = await h.signIn(MAYA);
  leo = await h.signIn(LEO);
  await h.drain();
  await h.json('/api/v1/dropbox/import', { method: 'POST', session: maya.session, json: {} });
  trackId = (await env.DB.prepare('SELECT id FROM tracks WHERE dropbox_shared_folder_id = ?').bind(sfid).first<{ id: string }>())!.id;
  h.queued.length = 0;
  await control('calls', undefined, 'DELETE');
});

const fault = (route: string, spec: Record<string, unknown>) => control('faults', { route: `2/sharing/${route}`, ...spec });

async function revoke(email: string) {
  const c = await collaborator(trackId, email);
  const res = await h.fetch(`/api/v1/tracks/${trackId}/collaborators/${c!.id}/revoke`, { method: 'POST', session: maya.session });
  expect(res.status).toBe(200);
}

async function setAccess(email: string, accessLevel: 'viewer' | 'editor') {
  const c = await collaborator(trackId, email);
  await h.json(`/api/v1/tracks/${trackId}/collaborators/${c!.id}`, { method: 'PATCH', session: maya.session, json: { accessLevel } });
}

/** What the owner is shown for a change that is not done (the track's "Dropbox change failed/pending"). */
async function shownChanges() {
  return (await h.json<{ dropboxChanges: { status: string; lastError: string | null }[] }>(`/api/v1/tracks/${trackId}`, { session: maya.session }))
    .dropboxChanges;
}

describe('remove_folder_member: access_error/* is the caller, not the member', () => {
  for (const [tag, words] of [
    ['access_error/not_a_member', /no longer a member of this folder/],
    ['access_error/unmounted', /not in your Dropbox/],
    ['access_error/invalid_member', /disabled or no longer exists/],
  ] as const) {
    it(`${tag} fails with the reason (Retry offered), never "already removed"`, async () => {
      await fault('remove_folder_member', { kind: 'error', error: tag });
      await revoke(LEO);
      await h.drain();
      const [change] = await changesOf(trackId);
      expect(change).toMatchObject({ status: 'failed' });
      expect(change.last_error).toContain(tag);
      expect(change.last_error).toMatch(words);
      expect(await shownChanges()).toEqual([expect.objectContaining({ status: 'failed' })]);
      expect(await dropboxMembers()).toHaveProperty(LEO);
    });
  }

  it('member_error/no_explicit_access (at launch or as the failed job) says Dropbox keeps their inherited access', async () => {
    await fault('remove_folder_member', {
      kind: 'error',
      error: 'member_error/no_explicit_access',
      value: { access_level: { '.tag': 'editor' } },
      count: 1,
    });
    await revoke(LEO);
    await h.drain();
    await fault('remove_folder_member', { kind: 'job_failed', errorTag: 'member_error/no_explicit_access' });
    await revoke(SAM);
    await h.drain();
    const changes = await changesOf(trackId);
    expect(changes.map((c) => c.status)).toEqual(['failed', 'failed']);
    for (const c of changes) expect(c.last_error).toMatch(/member_error\/no_explicit_access.*group or a parent folder/);
  });

  it('a poll answering internal_error ("verify that the action … succeeded") starts over: the repeat finds it done (moot)', async () => {
    await fault('check_remove_member_job_status', { kind: 'error', error: 'internal_error', count: 1 });
    await revoke(LEO);
    const first = await h.drain({ maxRounds: 1 });
    expect(first).toEqual([expect.objectContaining({ outcome: 'retry' })]);
    await h.drain();
    expect(await changesOf(trackId)).toEqual([expect.objectContaining({ status: 'done', last_error: 'moot: already not a member in Dropbox' })]);
    expect(await dropboxMembers()).not.toHaveProperty(LEO);
  });

  it('member_error/not_a_member is moot: done, with the reason', async () => {
    await h.act({ as: MAYA, action: 'remove_member', shared_folder_id: sfid, member: LEO });
    await revoke(LEO);
    await h.drain();
    expect(await changesOf(trackId)).toEqual([expect.objectContaining({ status: 'done', last_error: 'moot: already not a member in Dropbox' })]);
    expect(await shownChanges()).toEqual([]);
  });
});

describe('moot changes (the goal already holds in Dropbox) end as done, never failed', () => {
  it('a removal whose folder was meanwhile unshared in Dropbox: invalid_id, confirmed by get_folder_metadata', async () => {
    await revoke(LEO);
    await h.act({ as: MAYA, action: 'unshare', shared_folder_id: sfid });
    await h.drain();
    expect(await changesOf(trackId)).toEqual([
      expect.objectContaining({ status: 'done', last_error: 'moot: the folder was unshared in Dropbox, so nobody has access any more' }),
    ]);
    const routes = (await h.calls()).map((c) => `${c.route} ${c.status}`);
    expect(routes.slice(0, 2)).toEqual(['2/sharing/remove_folder_member 409', '2/sharing/get_folder_metadata 409']);
    // The moot change queued the track's membership check (an owner alone in the folder sends no other signal):
    // it reads the owner's view of the folder again, and nothing else.
    expect(routes.slice(2).every((r) => /^2\/sharing\/(list_folder_members|get_folder_metadata) /.test(r))).toBe(true);
    expect(await shownChanges()).toEqual([]);
  });

  it('a single invalid_id the confirming read contradicts is not moot: retried, then really removed', async () => {
    await fault('remove_folder_member', { kind: 'error', error: 'access_error/invalid_id', count: 1 });
    await revoke(LEO);
    const first = await h.drain({ maxRounds: 1 });
    expect(first).toEqual([expect.objectContaining({ outcome: 'retry' })]);
    expect(await changesOf(trackId)).toEqual([
      expect.objectContaining({ status: 'pending', last_error: expect.stringMatching(/still shows the folder/) }),
    ]);
    await h.drain();
    expect(await changesOf(trackId)).toEqual([expect.objectContaining({ status: 'done', last_error: null })]);
    expect(await dropboxMembers()).not.toHaveProperty(LEO);
  });

  it('an access level Dropbox already has is moot even when Dropbox refuses the update', async () => {
    await h.act({ as: MAYA, action: 'change_access', shared_folder_id: sfid, member: LEO, access_level: 'viewer' });
    await fault('update_folder_member', { kind: 'error', error: 'insufficient_plan' });
    await setAccess(LEO, 'viewer');
    await h.drain();
    const [change] = await changesOf(trackId);
    expect(change).toMatchObject({ kind: 'update_access', status: 'done', last_error: 'moot: already viewer in Dropbox' });
    // The reason is kept in the track's history too, where the owner reads what happened (once, not tied to Leo's row).
    const moot = (await historyOf(trackId)).filter((e) => e.kind === 'dropbox_change_moot');
    expect(moot).toEqual([expect.objectContaining({ actor_id: null, via: 'dropbox' })]);
    expect(JSON.parse(moot[0].details)).toMatchObject({ changeId: change.id, change: 'update_access', reason: 'already viewer in Dropbox' });
  });

  it('an access change on a folder unshared in Dropbox is moot', async () => {
    await setAccess(LEO, 'viewer');
    await h.act({ as: MAYA, action: 'unshare', shared_folder_id: sfid });
    await h.drain();
    expect(await changesOf(trackId)).toEqual([
      expect.objectContaining({ status: 'done', last_error: expect.stringMatching(/^moot: the folder was unshared/) }),
    ]);
  });

  it('an invitation to a folder unshared in Dropbox meanwhile is moot, and reconciliation ends the access', async () => {
    const NEW = `nova.${n}@unions.test`;
    await h.act({ as: MAYA, action: 'unshare', shared_folder_id: sfid });
    await h.json(`/api/v1/tracks/${trackId}/invitations`, { method: 'POST', session: maya.session, json: { email: NEW, accessLevel: 'editor' } });
    await h.drain();
    expect(await changesOf(trackId)).toEqual([
      expect.objectContaining({
        kind: 'add_member',
        status: 'done',
        last_error: expect.stringMatching(/^moot: the folder was unshared in Dropbox, so nobody can join it/),
      }),
    ]);
    expect(await shownChanges()).toEqual([]);
    await env.DB.prepare('UPDATE dropbox_membership_checks SET enqueued_at = 0, checked_at = 0').run();
    await h.cron();
    await h.drain();
    expect(await collaborator(trackId, NEW)).toMatchObject({ status: 'revoked' });
    expect(await collaborator(trackId, LEO)).toMatchObject({ status: 'revoked', ended_via: 'dropbox' });
  });

  it('leaving a folder someone already left in Dropbox is moot (their own access_error/not_a_member)', async () => {
    await h.act({ as: LEO, action: 'leave_folder', shared_folder_id: sfid });
    await h.json(`/api/v1/tracks/${trackId}/leave`, { method: 'POST', session: leo.session });
    await h.drain();
    expect(await changesOf(trackId)).toEqual([
      expect.objectContaining({ kind: 'relinquish', status: 'done', last_error: 'moot: already not a member in Dropbox' }),
    ]);
  });
});

describe('access level of someone only invited in Dropbox', () => {
  it('sends the invitation again with the new level (update_folder_member only knows members)', async () => {
    const NEW = `nova.${n}@unions.test`; // no Dropbox account: stays an invitee
    await h.json(`/api/v1/tracks/${trackId}/invitations`, { method: 'POST', session: maya.session, json: { email: NEW, accessLevel: 'editor' } });
    await h.drain();
    await setAccess(NEW, 'viewer');
    await h.drain();
    expect((await changesOf(trackId)).map((c) => [c.kind, c.status, c.last_error])).toEqual([
      ['add_member', 'done', null],
      ['update_access', 'done', 'invitation updated in Dropbox to viewer'],
    ]);
    const s = await control<{ folders: { shared_folder_id: string; invitees: { email: string; access_type: string }[] }[] }>('state');
    expect(s.folders.find((f) => f.shared_folder_id === sfid)!.invitees).toEqual([{ email: NEW, access_type: 'viewer' }]);
  });
});

describe('update_folder_member: no_explicit_access wraps a whole AddFolderMemberError', () => {
  it('…/rate_limit waits a day (back on the queue), it is not "nothing to change"', async () => {
    await fault('update_folder_member', { kind: 'error', error: 'no_explicit_access/rate_limit' });
    await setAccess(LEO, 'viewer');
    const d = await h.drain({ maxRounds: 1 });
    expect(d).toEqual([expect.objectContaining({ outcome: 'retry', delaySeconds: 3600 })]);
    expect(await changesOf(trackId)).toEqual([
      expect.objectContaining({ status: 'pending', last_error: expect.stringMatching(/daily invite limit/) }),
    ]);
    expect((await dropboxMembers())[LEO]).toBe('editor');
  });

  it('…/insufficient_plan is the owner’s plan (Dropbox keeps Editor), recorded as the truth — not "nothing to change", not a failure Retry cannot mend', async () => {
    await fault('update_folder_member', { kind: 'error', error: 'no_explicit_access/insufficient_plan' });
    await setAccess(LEO, 'viewer');
    await h.drain();
    const [change] = await changesOf(trackId);
    expect(change).toMatchObject({ status: 'done' });
    expect(change.last_error).toMatch(/they stay Editor in Dropbox/);
    expect((await dropboxMembers())[LEO]).toBe('editor');
  });
});

describe('relinquish_folder_membership: mounted', () => {
  it('unmounts the folder with the leaver’s token, then relinquishes', async () => {
    await fault('relinquish_folder_membership', { kind: 'error', error: 'mounted', count: 1 });
    await h.json(`/api/v1/tracks/${trackId}/leave`, { method: 'POST', session: leo.session });
    await h.drain();
    expect((await h.calls()).map((c) => `${c.route} ${c.status}`)).toEqual([
      '2/sharing/relinquish_folder_membership 409',
      '2/sharing/unmount_folder 200',
      '2/sharing/relinquish_folder_membership 200',
      '2/sharing/get_folder_metadata 409', // no group keeps the folder for him: he is out (not_a_member)
    ]);
    expect(await changesOf(trackId)).toEqual([
      expect.objectContaining({ kind: 'relinquish', status: 'done', last_error: 'unmounted in Dropbox first, then left' }),
    ]);
    expect(await dropboxMembers()).not.toHaveProperty(LEO);
    const s = await control<StateDump>('state');
    expect(s.accounts.find((a) => a.email === LEO)!.mounts).toEqual([]);
  });
});

describe('relinquish_folder_membership: inherited or group access', () => {
  it('no_explicit_access fails with the reason; group_access is done with "Dropbox keeps their access through a group" recorded (Dropbox keeps that access)', async () => {
    await fault('relinquish_folder_membership', { kind: 'error', error: 'no_explicit_access', count: 1 });
    await h.json(`/api/v1/tracks/${trackId}/leave`, { method: 'POST', session: leo.session });
    await h.drain();
    await fault('remove_folder_member', { kind: 'error', error: 'group_access', count: 1 });
    await revoke(SAM);
    await h.drain();
    const [leave, remove] = await changesOf(trackId);
    expect(leave).toMatchObject({ kind: 'relinquish', status: 'failed', last_error: expect.stringMatching(/\(no_explicit_access\).*parent folder/) });
    expect(remove).toMatchObject({
      kind: 'remove_member',
      status: 'done',
      last_error: expect.stringMatching(/Dropbox keeps their access through a group/),
    });
    expect(await dropboxMembers()).toMatchObject({ [LEO]: 'editor', [SAM]: 'viewer' });
  });
});

describe('401 invalid_access_token: the person unlinked PD in Dropbox', () => {
  it('marks the sign-in as needing reauth at once, tells the person, and fails the change as "sign in again" (not a Dropbox refusal)', async () => {
    await fault('remove_folder_member', { kind: 'error', status: 401, error: 'invalid_access_token' });
    await revoke(LEO);
    await revoke(SAM); // a second change already queued for the same owner
    await h.drain();
    const changes = await changesOf(trackId);
    expect(changes.map((c) => c.status)).toEqual(['failed', 'failed']);
    for (const c of changes) {
      expect(c.last_error).toMatch(/sign in (with Dropbox )?again/);
      expect(c.last_error).not.toMatch(/refused/);
    }
    expect(changes[0].last_error).toMatch(/disconnected/);
    // A refresh was tried first (per change running at that moment): the refreshed token was refused too.
    const refreshes = (await h.calls('oauth2/token')).length;
    expect(refreshes).toBeGreaterThanOrEqual(1);
    expect((await h.calls('2/sharing/remove_folder_member')).length).toBe(2 * refreshes);
    const row = await env.DB.prepare('SELECT needs_reauth, reauth_reason FROM dropbox_tokens WHERE account_id = ?')
      .bind(maya.account.id)
      .first<{ needs_reauth: number; reauth_reason: string }>();
    expect(row).toMatchObject({ needs_reauth: 1, reauth_reason: expect.stringMatching(/disconnected/) });
    // Told once, on the track; and signed out of PD everywhere (whoever disconnected PD in Dropbox).
    expect((await notificationsOf(maya.account.id)).filter((x) => x.kind === 'dropbox_reauth_required')).toEqual([
      expect.objectContaining({ track_id: trackId, via: 'dropbox' }),
    ]);
    expect((await h.fetch('/api/v1/dropbox/status', { session: maya.session })).status).toBe(401);

    // Signing in again clears it, and the notification is there to read.
    await control('faults', undefined, 'DELETE');
    const again = await h.signIn(MAYA);
    expect(await h.json('/api/v1/dropbox/status', { session: again.session })).toMatchObject({ linked: true, needsReauth: false });
    const { notifications } = await h.json<{ notifications: { kind: string; trackId: string }[] }>('/api/v1/notifications', {
      session: again.session,
    });
    expect(notifications).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'dropbox_reauth_required', trackId })]));
  });
});

describe('a single invalid_id from a membership read does not revoke everyone', () => {
  it('the cron membership check confirms with get_folder_metadata and leaves PD alone when the folder is still there', async () => {
    await fault('list_folder_members', { kind: 'error', error: 'invalid_id', count: 1 });
    await env.DB.prepare('UPDATE dropbox_membership_checks SET enqueued_at = 0, checked_at = 0').run();
    await h.cron();
    expect(h.queued.some((q) => q.job.kind === 'check-track-membership')).toBe(true);
    await h.drain();
    expect(await collaborator(trackId, LEO)).toMatchObject({ status: 'active' });
    expect(await collaborator(trackId, SAM)).toMatchObject({ status: 'active' });
    expect((await h.calls('2/sharing/get_folder_metadata')).length).toBeGreaterThanOrEqual(1);
  });

  it('…and revokes everyone when the folder really was unshared', async () => {
    await h.act({ as: MAYA, action: 'unshare', shared_folder_id: sfid });
    await env.DB.prepare('UPDATE dropbox_membership_checks SET enqueued_at = 0, checked_at = 0').run();
    await h.cron();
    await h.drain();
    expect(await collaborator(trackId, LEO)).toMatchObject({ status: 'revoked', ended_via: 'dropbox' });
    expect(await collaborator(trackId, SAM)).toMatchObject({ status: 'revoked', ended_via: 'dropbox' });
  });
});
