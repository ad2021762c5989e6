// Dropbox failing during reconciliation: nothing is lost (the cursor only moves with what it caused), and
// concurrent work on one account or one person ends in exactly one change.
import { env } from 'cloudflare:test';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CLOCK_SKEW_MARGIN_MS, reconcileAccount } from '../../src/jobs/reconcile.ts';
import { Harness, changesOf, collaborator, control, notificationsOf } from './harness.ts';

let n = 0;
let MAYA: string, LEO: string, SAM: string;
let h: Harness;
let maya: { session: string; account: { id: string; dropboxAccountId: string } };
let leo: { session: string; account: { id: string; dropboxAccountId: string } };
let trackId: string;
let sfid: string;

beforeAll(async () => {
  await new Harness().reset();
});

beforeEach(async () => {
  n++;
  [MAYA, LEO, SAM] = ['maya', 'leo', 'sam'].map((p) => `${p}.${n}@faults.test`);
  h = new Harness();
  await control('faults', undefined, 'DELETE');
  const seeded = await control<{ folders: { shared_folder_id: string }[] }>('seed', {
    accounts: [
      { email: MAYA, display_name: 'Maya Reyes' },
      { email: LEO, display_name: 'Leo Vance' },
      { email: SAM, display_name: 'Sam Ortiz' },
    ],
    folders: [
      {
        name: `Glass Hearts ${n}`,
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
  await control('webhooks/flush', {});
  await control('webhooks/log', undefined, 'DELETE');
});

async function leoCursor() {
  return (await env.DB.prepare('SELECT cursor FROM dropbox_account_sync WHERE account_id = ?').bind(leo.account.id).first<{ cursor: string }>())!
    .cursor;
}

describe('faults on every Dropbox call of a reconciliation', () => {
  it.each([
    ['2/files/list_folder/continue', '500'],
    ['2/files/list_folder/continue', '429'],
    ['2/files/list_folder/continue', 'timeout'],
    ['2/sharing/list_folder_members', '503'],
    ['2/sharing/list_folder_members', '429'],
    ['oauth2/token', '500'],
  ])('%s answering %s: retried later, the cursor stays, then the leave is applied once', async (route, kind) => {
    const cursor = await leoCursor();
    if (route === 'oauth2/token')
      await env.DB.prepare('UPDATE dropbox_tokens SET access_token_expires_at = ?')
        .bind(Date.now() + 1000)
        .run();
    await control('faults', { route, kind, retryAfter: 20, delayMs: 3000 });
    await h.act({ as: LEO, action: 'leave_folder', shared_folder_id: sfid });
    await h.deliverWebhooks();
    const first = await h.drain({ maxRounds: 1 });
    expect(first).toEqual([expect.objectContaining({ outcome: 'retry' })]);
    if (kind === '429') expect(first[0].delaySeconds).toBe(20);
    expect(await leoCursor()).toBe(cursor);
    expect(await collaborator(trackId, LEO)).toMatchObject({ status: 'active' });
    const lease = await env.DB.prepare('SELECT lease_until FROM dropbox_account_sync WHERE account_id = ?')
      .bind(leo.account.id)
      .first<{ lease_until: number }>();
    expect(lease!.lease_until).toBe(0);

    await control('faults', undefined, 'DELETE');
    await h.drain();
    expect(await collaborator(trackId, LEO)).toMatchObject({ status: 'revoked', ended_evidence: 'dropbox_own_folder' });
    expect(await notificationsOf(maya.account.id)).toEqual([expect.objectContaining({ kind: 'collaborator_access_ended_in_dropbox' })]);
    expect(await leoCursor()).not.toBe(cursor);
  });

  it('an expired access token during reconciliation is refreshed and stored', async () => {
    await control('tokens/expire', { account: LEO });
    await h.act({ as: LEO, action: 'leave_folder', shared_folder_id: sfid });
    await h.deliverWebhooks();
    await h.drain();
    expect(await collaborator(trackId, LEO)).toMatchObject({ status: 'revoked', ended_evidence: 'dropbox_own_folder' });
    expect((await h.calls('oauth2/token')).length).toBeGreaterThanOrEqual(1);
  });

  it('a cron membership check hit by a 429 is retried after Retry-After, then applied', async () => {
    await h.act({ as: MAYA, action: 'remove_member', shared_folder_id: sfid, member: SAM }); // Sam is not linked
    await control('faults', { route: '2/sharing/list_folder_members', kind: '429', retryAfter: 12, count: 1 });
    await env.DB.prepare('UPDATE dropbox_membership_checks SET enqueued_at = 0, checked_at = 0, due_at = 0').run();
    await h.cron();
    const checks = h.queued.filter((q) => q.job.kind === 'check-track-membership');
    expect(checks.length).toBeGreaterThan(0);
    await h.drain();
    expect(h.delivered.some((d) => d.outcome === 'retry' && d.delaySeconds === 12)).toBe(true);
    expect(await collaborator(trackId, SAM)).toMatchObject({ status: 'revoked', ended_via: 'dropbox' });
  });
});

describe('concurrency', () => {
  it('two walks of one account at the same time: one walks, the other is told the account is busy', async () => {
    await h.act({ as: LEO, action: 'leave_folder', shared_folder_id: sfid });
    const at = Date.now();
    const [a, b] = await Promise.all([
      reconcileAccount(h.env, leo.account.dropboxAccountId, at),
      reconcileAccount(h.env, leo.account.dropboxAccountId, at),
    ]);
    expect([a.result, b.result].sort()).toEqual(['busy', 'done']);
    expect(await notificationsOf(maya.account.id)).toHaveLength(1);
    // Later: a notification that arrived before that walk started (beyond the clock margin) is covered at no cost;
    // one that arrived about when it started is walked again, to be safe (one call, nothing new).
    await new Promise((r) => setTimeout(r, CLOCK_SKEW_MARGIN_MS + 50));
    const covered = await reconcileAccount(h.env, leo.account.dropboxAccountId, at - CLOCK_SKEW_MARGIN_MS - 1);
    expect(covered.result).toBe('covered');
    const again = await reconcileAccount(h.env, leo.account.dropboxAccountId, Date.now());
    expect(again).toMatchObject({ result: 'done', changes: 0 });
    expect(await notificationsOf(maya.account.id)).toHaveLength(1);
  });

  it('a revoke in PD racing the same person leaving in Dropbox ends in exactly one of them', async () => {
    const c = await collaborator(trackId, LEO);
    await h.act({ as: LEO, action: 'leave_folder', shared_folder_id: sfid });
    await h.deliverWebhooks();
    const [revoke] = await Promise.all([
      h.fetch(`/api/v1/tracks/${trackId}/collaborators/${c!.id}/revoke`, { method: 'POST', session: maya.session }),
      h.drain(),
    ]);
    expect(revoke.status).toBe(200);
    await h.drain();
    const after = await collaborator(trackId, LEO);
    expect(['left', 'revoked']).toContain(after!.status);
    // Exactly one ending, told once: PD's revoke (Leo hears "revoked") or the leave seen in Dropbox (both hear
    // "access ended in Dropbox" — Dropbox does not say who did it).
    const told = [...(await notificationsOf(maya.account.id)), ...(await notificationsOf(leo.account.id))].map((x) => x.kind).sort();
    expect([['access_revoked'], ['access_ended_in_dropbox', 'collaborator_access_ended_in_dropbox']]).toContainEqual(told);
    // Whatever won, Dropbox and PD agree and any queued removal is done ("already not a member").
    expect((await changesOf(trackId)).every((ch) => ch.status === 'done')).toBe(true);
  });
});

describe('faults on the other Dropbox calls', () => {
  it.each([
    ['leave', '2/sharing/relinquish_folder_membership'],
    ['downgrade', '2/sharing/update_folder_member'],
    ['invite', '2/sharing/add_folder_member'],
  ])('%s: %s answering 429 (long Retry-After) then 500s is retried until Dropbox agrees', async (action, route) => {
    await control('faults', { route, kind: '429', retryAfter: 40, count: 1 });
    await control('faults', { route, kind: '500', count: 5 });
    if (action === 'leave') {
      await h.json(`/api/v1/tracks/${trackId}/leave`, { method: 'POST', session: leo.session });
    } else if (action === 'downgrade') {
      const c = await collaborator(trackId, LEO);
      await h.json(`/api/v1/tracks/${trackId}/collaborators/${c!.id}`, { method: 'PATCH', session: maya.session, json: { accessLevel: 'viewer' } });
    } else {
      await control('seed', { accounts: [{ email: `new.${n}@faults.test`, display_name: 'New Person' }] });
      await h.json(`/api/v1/tracks/${trackId}/invitations`, {
        method: 'POST',
        session: maya.session,
        json: { email: `new.${n}@faults.test`, accessLevel: 'editor' },
      });
    }
    const d = await h.drain();
    expect(d[0]).toMatchObject({ outcome: 'retry', delaySeconds: 40 });
    expect(d.at(-1)).toMatchObject({ outcome: 'ack' });
    expect((await changesOf(trackId)).map((c) => c.status)).toEqual(['done']);
    const state = await control<{
      folders: { shared_folder_id: string; members: { email: string; access_type: string }[]; invitees: { email: string; access_type: string }[] }[];
    }>('state');
    const folder = state.folders.find((f) => f.shared_folder_id === sfid)!;
    const members = Object.fromEntries(folder.members.map((m) => [m.email, m.access_type]));
    if (action === 'leave') expect(members).not.toHaveProperty(LEO);
    if (action === 'downgrade') expect(members[LEO]).toBe('viewer');
    // add_folder_member is an invitation in Dropbox: they are an invitee until they accept.
    if (action === 'invite') expect(Object.fromEntries(folder.invitees.map((m) => [m.email, m.access_type]))[`new.${n}@faults.test`]).toBe('editor');
  });

  it('the first read of an account (baseline) survives 500s on list_folder/get_latest_cursor and list_folders', async () => {
    const AVA = `ava.${n}@faults.test`;
    await control('seed', { accounts: [{ email: AVA, display_name: 'Ava Chen' }] });
    await control('faults', { route: '2/files/list_folder/get_latest_cursor', kind: '500', count: 4 });
    await control('faults', { route: '2/sharing/list_folders', kind: '503', count: 4 });
    const ava = await h.signIn(AVA);
    const d = await h.drain();
    expect(d.map((x) => x.outcome)).toEqual(['retry', 'retry', 'ack']);
    const sync = await env.DB.prepare('SELECT cursor FROM dropbox_account_sync WHERE account_id = ?')
      .bind(ava.account.id)
      .first<{ cursor: string }>();
    expect(sync?.cursor).toBeTruthy();
  });

  it('lookup and import answer 503 dropbox_unavailable (not 500) when Dropbox keeps failing, and change nothing', async () => {
    await control('faults', { route: '2/files/get_metadata', kind: '500' });
    await control('faults', { route: '2/sharing/list_folders', kind: '503' });
    const lookup = await h.fetch(`/api/v1/tracks/by-dropbox-path?path=${encodeURIComponent('/home/x')}`, { session: maya.session });
    expect(lookup.status).toBe(503);
    expect(await lookup.json()).toMatchObject({ error: { code: 'dropbox_unavailable' } });
    const before = await env.DB.prepare('SELECT count(*) AS n FROM tracks').first<{ n: number }>();
    const imp = await h.fetch('/api/v1/dropbox/import', { method: 'POST', session: maya.session, json: {} });
    expect(imp.status).toBe(503);
    expect(await env.DB.prepare('SELECT count(*) AS n FROM tracks').first<{ n: number }>()).toEqual(before);
  });
});
