// PD actions change PD at once; the Dropbox change they record is executed from the queue and never lost.
import { env } from 'cloudflare:test';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Harness, changesOf, collaborator, control } from './harness.ts';

let n = 0;
let MAYA: string, LEO: string, SAM: string, KAI: string;
let h: Harness;
let maya: { session: string; account: { id: string } };
let leo: { session: string; account: { id: string } };
let trackId: string;
let sfid: string;

interface StateDump {
  folders: { shared_folder_id: string; members: { email: string; access_type: string }[]; invitees: { email: string }[] }[];
}
async function dropboxMembers(): Promise<Record<string, string>> {
  const s = await control<StateDump>('state');
  const f = s.folders.find((x) => x.shared_folder_id === sfid)!;
  return Object.fromEntries([...f.members.map((m) => [m.email, m.access_type]), ...f.invitees.map((i) => [i.email, 'invited'])]);
}

beforeAll(async () => {
  await new Harness().reset();
});

beforeEach(async () => {
  n++;
  [MAYA, LEO, SAM, KAI] = ['maya', 'leo', 'sam', 'kai'].map((p) => `${p}.${n}@exec.test`);
  h = new Harness();
  await control('faults', undefined, 'DELETE');
  await control('jobs', { pendingPolls: 1 });
  const seeded = await control<{ folders: { shared_folder_id: string }[] }>('seed', {
    accounts: [
      { email: MAYA, display_name: 'Maya Reyes' },
      { email: LEO, display_name: 'Leo Vance' },
      { email: SAM, display_name: 'Sam Ortiz' },
      { email: KAI, display_name: 'Kai Lee' },
    ],
    folders: [
      {
        name: `Neon Rain ${n}`,
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
  trackId = (
    await h.json<{ imported: { trackId: string }[] }>('/api/v1/dropbox/import', { method: 'POST', session: maya.session, json: {} })
  ).imported.find((i) => i)!.trackId;
  const mine = await env.DB.prepare('SELECT id FROM tracks WHERE dropbox_shared_folder_id = ?').bind(sfid).first<{ id: string }>();
  trackId = mine!.id;
  h.queued.length = 0;
  await control('calls', undefined, 'DELETE');
});

async function revoke(email: string) {
  const c = await collaborator(trackId, email);
  return h.fetch(`/api/v1/tracks/${trackId}/collaborators/${c!.id}/revoke`, { method: 'POST', session: maya.session });
}

describe('revoke', () => {
  it('is immediate in PD, then removes the member in Dropbox without leaving a copy (async job polled)', async () => {
    expect((await revoke(LEO)).status).toBe(200);
    expect(await collaborator(trackId, LEO)).toMatchObject({ status: 'revoked', ended_via: 'app' });
    expect(await dropboxMembers()).toHaveProperty(LEO); // Dropbox not touched yet…
    expect(h.queued.map((q) => q.job.kind)).toEqual(['execute-change']); // …but the change is on the queue already

    await h.drain();
    expect(await dropboxMembers()).not.toHaveProperty(LEO);
    expect(await changesOf(trackId)).toEqual([expect.objectContaining({ kind: 'remove_member', status: 'done', attempts: 1 })]);
    const routes = (await h.calls()).map((c) => c.route);
    expect(routes).toEqual([
      '2/sharing/remove_folder_member',
      '2/sharing/check_remove_member_job_status',
      '2/sharing/check_remove_member_job_status',
    ]);
    // Leo's own copy is gone (no private leftovers in his Dropbox).
    const state = await control<{ accounts: { email: string; mounts: unknown[]; private_paths: string[] }[] }>('state');
    expect(state.accounts.find((a) => a.email === LEO)).toMatchObject({ mounts: [], private_paths: [] });
  });

  it('someone already gone from the folder in Dropbox counts as done', async () => {
    await h.act({ as: MAYA, action: 'remove_member', shared_folder_id: sfid, member: SAM });
    await revoke(SAM);
    await h.drain();
    expect(await changesOf(trackId)).toEqual([expect.objectContaining({ status: 'done', last_error: 'moot: already not a member in Dropbox' })]);
  });

  it('waits for Retry-After on 429 (back on the queue with that delay), retries 500s, refreshes an expired token, and loses nothing', async () => {
    await control('faults', { route: '2/sharing/remove_folder_member', kind: '429', retryAfter: 30, count: 1 });
    await revoke(LEO);
    let d = await h.drain({ maxRounds: 1 });
    // Back on the queue with Dropbox's delay (sent afresh: the change counts its own attempts), and a 429 is counted
    // apart — it uses up no attempt, so a busy Dropbox never turns into a failed change.
    expect(d).toEqual([expect.objectContaining({ outcome: 'retry', delaySeconds: 30 })]);
    expect(h.queued).toEqual([expect.objectContaining({ job: expect.objectContaining({ kind: 'execute-change' }), delaySeconds: 30 })]);
    expect(await changesOf(trackId)).toEqual([expect.objectContaining({ status: 'pending', attempts: 0, rate_limited: 1 })]);
    // Every call with Maya's token now waits those 30 s (her account's bucket is closed); the drain below does not
    // wait for delays, so let the 30 s pass.
    const paused = await env.DB.prepare('SELECT throttled_until, rate_limited FROM dropbox_pace WHERE account_id = ?')
      .bind(maya.account.id)
      .first<{ throttled_until: number; rate_limited: number }>();
    expect(paused).toMatchObject({ rate_limited: 1 });
    expect(paused!.throttled_until).toBeGreaterThan(Date.now() + 25_000);
    await env.DB.prepare('UPDATE dropbox_pace SET throttled_until = 0').run();

    await control('faults', { route: '2/sharing/remove_folder_member', kind: '500', count: 2 });
    await control('faults', { route: '2/sharing/check_remove_member_job_status', kind: '503', count: 1 });
    await control('tokens/expire', { account: MAYA });
    d = await h.drain();
    expect(d.at(-1)).toMatchObject({ outcome: 'ack' });
    expect(await changesOf(trackId)).toEqual([expect.objectContaining({ status: 'done' })]);
    expect(await dropboxMembers()).not.toHaveProperty(LEO);
    expect((await h.calls('oauth2/token')).length).toBeGreaterThanOrEqual(1);
  });

  it('after the retries run out the change is failed and visible to the owner; the owner can retry it', async () => {
    await control('faults', { route: '2/sharing/remove_folder_member', kind: '500' });
    await revoke(LEO);
    const d = await h.drain();
    expect(d.at(-1)).toMatchObject({ outcome: 'ack' });
    const [change] = await changesOf(trackId);
    expect(change).toMatchObject({ status: 'failed', attempts: 8 });
    expect(change.last_error).toMatch(/gave up after 8 attempts/);
    // PD still shows the revoke; the owner sees the failed Dropbox change on the track ("Dropbox still shows access").
    expect(await collaborator(trackId, LEO)).toMatchObject({ status: 'revoked' });
    const detail = await h.json<{ dropboxChanges: { id: number; status: string; lastError: string }[] }>(`/api/v1/tracks/${trackId}`, {
      session: maya.session,
    });
    expect(detail.dropboxChanges).toEqual([expect.objectContaining({ id: change.id, status: 'failed' })]);
    expect(await dropboxMembers()).toHaveProperty(LEO);

    // Only the owner can retry; a retry of a change that is not failed is refused.
    expect((await h.fetch(`/api/v1/dropbox-changes/${change.id}/retry`, { method: 'POST', session: leo.session })).status).toBe(404);
    await control('faults', undefined, 'DELETE');
    const retried = await h.json<{ change: { status: string; attempts: number } }>(`/api/v1/dropbox-changes/${change.id}/retry`, {
      method: 'POST',
      session: maya.session,
    });
    expect(retried.change).toMatchObject({ status: 'pending', attempts: 0 });
    const again = await h.fetch(`/api/v1/dropbox-changes/${change.id}/retry`, { method: 'POST', session: maya.session });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ error: { code: 'dropbox_change_not_failed' } });
    await h.drain();
    expect(await changesOf(trackId)).toEqual([expect.objectContaining({ status: 'done' })]);
    expect(await dropboxMembers()).not.toHaveProperty(LEO);
  });

  it('a Dropbox job that fails for good is kept as failed with the reason', async () => {
    await control('faults', { route: '2/sharing/remove_folder_member', kind: 'job_failed', errorTag: 'no_permission' });
    await revoke(LEO);
    await h.drain();
    expect(await changesOf(trackId)).toEqual([expect.objectContaining({ status: 'failed', last_error: expect.stringMatching(/no_permission/) })]);
  });

  it('a lost queue message is handed over again by the cron', async () => {
    await revoke(LEO);
    h.queued.length = 0; // the message never arrives
    await h.cron();
    expect(h.queued.filter((q) => q.job.kind === 'execute-change')).toEqual([]); // still within the hand-over lease
    await env.DB.prepare(`UPDATE dropbox_changes SET next_attempt_at = ?`)
      .bind(new Date(Date.now() - 1000).toISOString())
      .run();
    await h.cron();
    await h.drain();
    expect(await changesOf(trackId)).toEqual([expect.objectContaining({ status: 'done' })]);
  });

  it('a change whose executor died mid-way (still "running" after its lease) is taken over by the cron', async () => {
    await revoke(LEO);
    h.queued.length = 0;
    // As if an executor claimed it and was killed (deploy, crash) before finishing.
    await env.DB.prepare(`UPDATE dropbox_changes SET status = 'running', attempts = 1, next_attempt_at = ? WHERE track_id = ?`)
      .bind(new Date(Date.now() + 60_000).toISOString(), trackId)
      .run();
    await h.cron();
    expect(h.queued.filter((q) => q.job.kind === 'execute-change')).toEqual([]); // its run lease has not run out yet
    await env.DB.prepare(`UPDATE dropbox_changes SET next_attempt_at = ? WHERE track_id = ?`)
      .bind(new Date(Date.now() - 1000).toISOString(), trackId)
      .run();
    await h.cron();
    await h.drain();
    expect(await changesOf(trackId)).toEqual([expect.objectContaining({ status: 'done', attempts: 2 })]);
    expect(await dropboxMembers()).not.toHaveProperty(LEO);
  });
});

describe('Revoke All', () => {
  it('drains every track to Dropbox through injected 429s and 500s, with nothing lost', async () => {
    // Four more tracks shared with Leo.
    const more = await control<{ folders: { shared_folder_id: string }[] }>('seed', {
      folders: [1, 2, 3, 4].map((i) => ({ name: `Extra ${n}-${i}`, owner: MAYA, members: [{ account: LEO, access_level: 'viewer' }] })),
    });
    await h.json('/api/v1/dropbox/import', { method: 'POST', session: maya.session, json: {} });
    h.queued.length = 0;
    await control('faults', {
      faults: [
        { route: '2/sharing/remove_folder_member', kind: '429', retryAfter: 1, rate: 0.3 },
        { route: '2/sharing/remove_folder_member', kind: '500', rate: 0.3 },
        { route: '2/sharing/check_remove_member_job_status', kind: '500', rate: 0.2 },
      ],
      seed: 7,
    });
    const res = await h.json<{ revokedCount: number }>(`/api/v1/sharing/${encodeURIComponent(LEO)}/revoke-all`, {
      method: 'POST',
      session: maya.session,
    });
    expect(res.revokedCount).toBe(5);
    await h.drain({ maxRounds: 200 });
    const { results } = await env.DB.prepare(
      `SELECT ch.status, count(*) AS n FROM dropbox_changes ch JOIN tracks t ON t.id = ch.track_id WHERE t.owner_id = ? GROUP BY ch.status`,
    )
      .bind(maya.account.id)
      .all<{ status: string; n: number }>();
    expect(results).toEqual([{ status: 'done', n: 5 }]);
    const state = await control<StateDump>('state');
    for (const f of state.folders.filter((x) => [sfid, ...more.folders.map((m) => m.shared_folder_id)].includes(x.shared_folder_id))) {
      expect(f.members.map((m) => m.email)).not.toContain(LEO);
    }
  });
});

describe('leave, access level, invite', () => {
  it("Leave Track relinquishes the membership with the leaver's own token, no copy kept", async () => {
    const res = await h.json<{ status: string }>(`/api/v1/tracks/${trackId}/leave`, { method: 'POST', session: leo.session });
    expect(res.status).toBe('left');
    await h.drain();
    expect(await dropboxMembers()).not.toHaveProperty(LEO);
    const calls = await h.calls('2/sharing/relinquish_folder_membership');
    expect(calls).toHaveLength(1);
    expect(await changesOf(trackId)).toEqual([expect.objectContaining({ kind: 'relinquish', status: 'done' })]);
  });

  it('someone who never linked Dropbox leaving is taken out by the owner', async () => {
    // Sam has a PD account (created by the import) but never signed in with Dropbox, so no token of his.
    const { createSession } = await import('../../src/domain/index.ts');
    const samId = (await collaborator(trackId, SAM))!.account_id!;
    const { token } = await createSession(env.DB, samId);
    await h.json(`/api/v1/tracks/${trackId}/leave`, { method: 'POST', session: token });
    await h.drain();
    expect(await dropboxMembers()).not.toHaveProperty(SAM);
    expect(await changesOf(trackId)).toEqual([expect.objectContaining({ kind: 'relinquish', status: 'done' })]);
  });

  it('Downgrade to Viewer updates the member in Dropbox (by dropbox_id)', async () => {
    const c = await collaborator(trackId, LEO);
    await h.json(`/api/v1/tracks/${trackId}/collaborators/${c!.id}`, { method: 'PATCH', session: maya.session, json: { accessLevel: 'viewer' } });
    await h.drain();
    expect((await dropboxMembers())[LEO]).toBe('viewer');
    expect(await changesOf(trackId)).toEqual([expect.objectContaining({ kind: 'update_access', status: 'done' })]);
  });

  it('an invitation adds the person to the folder in Dropbox; revoking it again removes them, in order', async () => {
    await h.json(`/api/v1/tracks/${trackId}/invitations`, { method: 'POST', session: maya.session, json: { email: KAI, accessLevel: 'editor' } });
    const c = await collaborator(trackId, KAI);
    await h.fetch(`/api/v1/tracks/${trackId}/collaborators/${c!.id}/revoke`, { method: 'POST', session: maya.session });
    // Both changes are queued; the remove must not overtake the add.
    await h.drain({ batchSize: 10 });
    expect(await changesOf(trackId)).toEqual([
      expect.objectContaining({ kind: 'add_member', status: 'done' }),
      expect.objectContaining({ kind: 'remove_member', status: 'done' }),
    ]);
    expect(await dropboxMembers()).not.toHaveProperty(KAI);
  });

  it('a backlog of changes for one person is handed over one at a time (the first), each ending hands over the next', async () => {
    // Invite, revoke, invite, revoke, invite: five changes for Kai, in a chain (each waits for the one before).
    for (let i = 0; i < 5; i++) {
      if (i % 2 === 0)
        await h.json(`/api/v1/tracks/${trackId}/invitations`, { method: 'POST', session: maya.session, json: { email: KAI, accessLevel: 'editor' } });
      else
        await h.fetch(`/api/v1/tracks/${trackId}/collaborators/${(await collaborator(trackId, KAI))!.id}/revoke`, {
          method: 'POST',
          session: maya.session,
        });
    }
    // Their messages are lost and their leases run out: the cron hands over only the first of the chain. (Before,
    // every tick re-sent all five, and a soak's backlog of 1,268 changes flooded the queue every minute.)
    h.queued.length = 0;
    await env.DB.prepare(`UPDATE dropbox_changes SET next_attempt_at = '2000-01-01T00:00:00.000Z' WHERE track_id = ?`).bind(trackId).run();
    await h.cron();
    const handed = () => h.queued.filter((q) => q.job.kind === 'execute-change').map((q) => Number((q.job as { changeId: string }).changeId));
    const ids = (await changesOf(trackId)).map((c) => c.id);
    expect(handed()).toEqual([ids[0]]);
    await h.cron(); // a second tick within the lease sends nothing more
    expect(handed()).toEqual([ids[0]]);
    await h.drain();
    expect((await changesOf(trackId)).map((c) => `${c.kind}:${c.status}`)).toEqual([
      'add_member:done',
      'remove_member:done',
      'add_member:done',
      'remove_member:done',
      'add_member:done',
    ]);
    expect((await dropboxMembers())[KAI]).toBe('invited');
  });
});

// Chaos sweep of 2026-11-30 (seeds 1 and 2 at 50%, team accounts in the mix; kept runs in chaos/repro/): a change
// that finds Dropbox somewhere else than it expected must leave PD telling the truth.
describe('what a change finds in Dropbox', () => {
  it('an access token called expired right after its refresh is retried with backoff, not failed as a refusal', async () => {
    await control('faults', { route: '2/sharing/remove_folder_member', kind: 'expired_token', count: 2 });
    await revoke(LEO);
    const first = await h.drain({ maxRounds: 1 });
    expect(first).toEqual([expect.objectContaining({ outcome: 'retry' })]);
    await h.drain();
    expect(await changesOf(trackId)).toEqual([expect.objectContaining({ kind: 'remove_member', status: 'done', attempts: 2 })]);
    expect(await dropboxMembers()).not.toHaveProperty(LEO);
  });

  it('a level change that found nothing to change does not hide a failed add: the owner still sees it, with Retry', async () => {
    await control('faults', { route: '2/sharing/add_folder_member', kind: '500' });
    await h.json(`/api/v1/tracks/${trackId}/invitations`, { method: 'POST', session: maya.session, json: { email: KAI, accessLevel: 'editor' } });
    await h.drain();
    expect((await changesOf(trackId)).map((c) => `${c.kind}:${c.status}`)).toEqual(['add_member:failed']);
    await control('faults', undefined, 'DELETE');
    const kai = (await collaborator(trackId, KAI))!;
    const patched = await h.fetch(`/api/v1/tracks/${trackId}/collaborators/${kai.id}`, {
      method: 'PATCH',
      session: maya.session,
      json: { accessLevel: 'viewer' },
    });
    expect(patched.status).toBe(200);
    await h.drain();
    const changes = await changesOf(trackId);
    expect(changes.map((c) => `${c.kind}:${c.status}`)).toEqual(['add_member:failed', 'update_access:done']);
    expect(changes[1]!.last_error).toMatch(/^moot: not a member/);
    const detail = await h.json<{ dropboxChanges: { id: number; status: string }[] }>(`/api/v1/tracks/${trackId}`, { session: maya.session });
    expect(detail.dropboxChanges).toContainEqual(expect.objectContaining({ id: changes[0]!.id, status: 'failed' }));
    expect(await collaborator(trackId, KAI)).toMatchObject({ status: 'invited' }); // not declined on the failed add's account
    // Retry: Kai is invited in Dropbox, at the level PD shows now.
    expect((await h.fetch(`/api/v1/dropbox-changes/${changes[0]!.id}/retry`, { method: 'POST', session: maya.session })).status).toBe(200);
    await h.drain();
    expect((await dropboxMembers())[KAI]).toBe('invited');
    // A re-invitation after a failed removal still supersedes it (the add decides the membership).
    await control('faults', { route: '2/sharing/remove_folder_member', kind: '500' });
    await revoke(KAI);
    await h.drain();
    await control('faults', undefined, 'DELETE');
    await h.json(`/api/v1/tracks/${trackId}/invitations`, { method: 'POST', session: maya.session, json: { email: KAI, accessLevel: 'editor' } });
    await h.drain();
    expect((await changesOf(trackId)).slice(-2).map((c) => `${c.kind}:${c.status}:${c.last_error?.startsWith('superseded') ?? false}`)).toEqual([
      'remove_member:done:true',
      'add_member:done:false',
    ]);
  });

  it('a level change that finds the person gone from the folder in Dropbox settles PD: their access ended there', async () => {
    // Leo leaves in Dropbox; PD has not heard (no webhook yet) and Maya makes him a viewer.
    await control('act', { as: LEO, action: 'leave_folder', shared_folder_id: sfid });
    const leoRow = (await collaborator(trackId, LEO))!;
    expect(
      (
        await h.fetch(`/api/v1/tracks/${trackId}/collaborators/${leoRow.id}`, {
          method: 'PATCH',
          session: maya.session,
          json: { accessLevel: 'viewer' },
        })
      ).status,
    ).toBe(200);
    await h.drain();
    expect((await changesOf(trackId)).map((c) => `${c.kind}:${c.status}`)).toEqual(['update_access:done']);
    // The moot change queued a membership check of the track: PD now says how his access ended.
    expect(await collaborator(trackId, LEO)).toMatchObject({ status: 'revoked', ended_via: 'dropbox' });
  });
});
