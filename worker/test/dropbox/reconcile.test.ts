// What people do directly in Dropbox becomes the same PD state the app would produce, via the queue.
import { env } from 'cloudflare:test';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Harness, changesOf, collaborator, control, historyOf, notificationsOf } from './harness.ts';

// D1 is shared by the tests of a file, the emulator by all files: every test gets its own people and folder.
let n = 0;
let MAYA: string, LEO: string, SAM: string, AVA: string, JULES: string; // Jules never signs in to PD

let h: Harness;
let maya: { session: string; account: { id: string } };
let leo: { session: string; account: { id: string } };
let sam: { session: string; account: { id: string } };
let trackId: string;
let sfid: string;

beforeAll(async () => {
  await new Harness().reset();
});

beforeEach(async () => {
  n++;
  [MAYA, LEO, SAM, AVA, JULES] = ['maya', 'leo', 'sam', 'ava', 'jules'].map((p) => `${p}.${n}@rec.test`);
  h = new Harness();
  await control('faults', undefined, 'DELETE');
  await control('webhooks', { duplicateRate: 0 });
  await control('webhooks/flush', {});
  await control('webhooks/log', undefined, 'DELETE');
  await control('calls', undefined, 'DELETE');
  const seeded = await control<{ folders: { shared_folder_id: string }[] }>('seed', {
    accounts: [
      { email: MAYA, display_name: 'Maya Reyes' },
      { email: LEO, display_name: 'Leo Vance' },
      { email: SAM, display_name: 'Sam Ortiz' },
      { email: AVA, display_name: 'Ava Chen' },
      { email: JULES, display_name: 'Jules Park' },
    ],
    folders: [
      {
        name: 'Midnight Drive',
        owner: MAYA,
        path: '/PRODUCER-DASHBOARD/After Hours/Midnight Drive',
        members: [
          { account: LEO, access_level: 'editor' },
          { account: SAM, access_level: 'viewer' },
          { account: JULES, access_level: 'viewer' },
        ],
        files: [{ path: 'bounce v1.wav', size: 1000, by: MAYA }],
      },
    ],
  });
  sfid = seeded.folders[0].shared_folder_id;
  maya = await h.signIn(MAYA);
  leo = await h.signIn(LEO);
  sam = await h.signIn(SAM);
  await h.drain(); // baselines
  const imported = await h.json<{ imported: { trackId: string }[] }>('/api/v1/dropbox/import', { method: 'POST', session: maya.session, json: {} });
  trackId = imported.imported[0].trackId;
  await h.drain();
  await control('webhooks/log', undefined, 'DELETE');
});

async function settle() {
  await h.deliverWebhooks();
  await h.drain();
}

describe('import', () => {
  it('made every Dropbox member an active collaborator, with their Dropbox access level', async () => {
    expect(await collaborator(trackId, LEO)).toMatchObject({ status: 'active', access_level: 'editor' });
    expect(await collaborator(trackId, SAM)).toMatchObject({ status: 'active', access_level: 'viewer' });
    expect(await collaborator(trackId, JULES)).toMatchObject({ status: 'active', access_level: 'viewer' });
    expect(await changesOf(trackId)).toEqual([]); // found in Dropbox: nothing to send back
  });

  it('is idempotent', async () => {
    const again = await h.json<{ imported: { trackId: string; created: boolean }[] }>('/api/v1/dropbox/import', {
      method: 'POST',
      session: maya.session,
      json: {},
    });
    expect(again.imported).toEqual([expect.objectContaining({ trackId, created: false })]);
    const n = await env.DB.prepare('SELECT count(*) AS n FROM collaborators WHERE track_id = ?').bind(trackId).first<{ n: number }>();
    expect(n!.n).toBe(3);
  });
});

describe('a collaborator leaves the shared folder in Dropbox', () => {
  it('Dropbox does not say who ended it: both sides hear "access ended in Dropbox", never a guessed "left"; comments and credits stay', async () => {
    // Leo comments while he has access.
    await h.json(`/api/v1/tracks/${trackId}/comments`, { method: 'POST', session: leo.session, json: { body: 'Love the bridge' } });

    await h.act({ as: LEO, action: 'leave_folder', shared_folder_id: sfid });
    await settle();

    const detail = await h.json<{
      collaborators: { email: string; status: string; endedVia: string | null }[];
      comments: { authorName: string; body: string }[];
    }>(`/api/v1/tracks/${trackId}`, { session: maya.session });
    expect(detail.collaborators.find((c) => c.email === LEO)).toMatchObject({
      status: 'revoked',
      endedVia: 'dropbox',
      endedEvidence: 'dropbox_own_folder',
    });
    expect(detail.comments).toEqual([expect.objectContaining({ authorName: 'Leo Vance', body: 'Love the bridge' })]);

    const notes = await h.json<{ notifications: { kind: string; trackId: string; via: string; actor: { name: string } }[] }>(
      '/api/v1/notifications',
      { session: maya.session },
    );
    expect(notes.notifications).toEqual([
      expect.objectContaining({
        kind: 'collaborator_access_ended_in_dropbox',
        trackId,
        via: 'dropbox',
        actor: expect.objectContaining({ name: 'Leo Vance' }),
      }),
    ]);
    const leoNotes = await h.json<{ notifications: { kind: string; trackId: string; actor: { id: string | null } }[] }>('/api/v1/notifications', {
      session: leo.session,
    });
    expect(leoNotes.notifications).toEqual([
      expect.objectContaining({ kind: 'access_ended_in_dropbox', trackId, actor: expect.objectContaining({ id: null }) }),
    ]);

    // Leo's next sync: the track is gone from his library, and he can no longer open it.
    const sync = await h.json<{ changes: { trackId: string; change: string; reason: string }[] }>('/api/v1/sync?cursor=0', { session: leo.session });
    expect(sync.changes.at(-1)).toMatchObject({ trackId, change: 'removed', reason: 'ended_in_dropbox' });
    expect((await h.fetch(`/api/v1/tracks/${trackId}`, { session: leo.session })).status).toBe(403);

    // Nothing is sent back to Dropbox (it already happened there), and nobody else changed.
    expect(await changesOf(trackId)).toEqual([]);
    expect(await collaborator(trackId, SAM)).toMatchObject({ status: 'active' });
    expect((await historyOf(trackId)).filter((e) => e.kind === 'access_ended_in_dropbox')).toEqual([
      expect.objectContaining({ via: 'dropbox', actor_id: null }),
    ]);
    expect((await historyOf(trackId)).filter((e) => e.kind === 'collaborator_left' || e.kind === 'access_revoked')).toEqual([]);
  });

  it('a duplicated and re-delivered notification still makes exactly one change and one notification', async () => {
    await control('webhooks', { duplicateRate: 1 });
    await h.act({ as: LEO, action: 'leave_folder', shared_folder_id: sfid });
    expect(await h.deliverWebhooks()).toBe(2);
    // The same notification delivered again later (Dropbox retries for ~10 minutes).
    const { deliveries } = await control<{ deliveries: { body: string; signature: string }[] }>('webhooks/log');
    const again = await h.fetch('/dropbox/webhook', {
      method: 'POST',
      body: deliveries[0].body,
      headers: { 'X-Dropbox-Signature': deliveries[0].signature },
    });
    expect(again.status).toBe(200);
    // The copies are the same signed bytes while the first copy's reconcile has not started: acknowledged, and
    // nothing more queued (replay window, issue 8; test/security/webhook-checklist.test.ts).
    expect(h.queued.length).toBe(1);
    // The queue hands messages over after its batch window (max_batch_timeout), not at once.
    await new Promise((r) => setTimeout(r, 300));
    await h.drain({ batchSize: 1 });
    await control('webhooks', { duplicateRate: 0 });

    expect(await notificationsOf(maya.account.id)).toEqual([expect.objectContaining({ kind: 'collaborator_access_ended_in_dropbox' })]);
    expect((await historyOf(trackId)).filter((e) => e.kind === 'access_ended_in_dropbox')).toHaveLength(1);
    // Only the first walk asked Dropbox anything: the later copies were covered by it.
    expect(
      (await h.calls('2/files/list_folder/continue')).filter((c) => c.account_id === (leo.account as { dropboxAccountId?: string }).dropboxAccountId),
    ).toHaveLength(1);
  });

  it("removing the folder from one's own Dropbox view (rename/move of the mount) is not leaving", async () => {
    await h.act({ as: LEO, action: 'rename_mount', shared_folder_id: sfid, path: '/Archive/Midnight Drive (old)' });
    await settle();
    expect(await collaborator(trackId, LEO)).toMatchObject({ status: 'active' });
    const mount = await env.DB.prepare('SELECT path_lower FROM dropbox_mounts WHERE account_id = ? AND shared_folder_id = ?')
      .bind(leo.account.id, sfid)
      .first<{ path_lower: string }>();
    expect(mount?.path_lower).toBe('/archive/midnight drive (old)');
  });
});

describe('the owner changes things in Dropbox', () => {
  it('removing a member who never signed in to PD is found by the cron membership check: access ended in Dropbox, both sides told', async () => {
    await h.act({ as: MAYA, action: 'remove_member', shared_folder_id: sfid, member: JULES });
    await settle(); // Jules is not linked: no notification reaches PD
    expect(await collaborator(trackId, JULES)).toMatchObject({ status: 'active' });

    await h.cron();
    await h.drain();
    const jules = await collaborator(trackId, JULES);
    expect(jules).toMatchObject({ status: 'revoked', ended_via: 'dropbox', ended_by: null, ended_evidence: 'dropbox_members' });
    expect(await notificationsOf(jules!.account_id!)).toEqual([expect.objectContaining({ kind: 'access_ended_in_dropbox', via: 'dropbox' })]);
    expect(await notificationsOf(maya.account.id)).toEqual([
      expect.objectContaining({ kind: 'collaborator_access_ended_in_dropbox', actor_id: jules!.account_id }),
    ]);

    // Running the check again changes nothing.
    await env.DB.prepare('UPDATE dropbox_membership_checks SET enqueued_at = 0, due_at = 0').run();
    await h.cron();
    await h.drain();
    expect(await notificationsOf(jules!.account_id!)).toHaveLength(1);
  });

  it('removing a signed-in collaborator in Dropbox is not "left": both sides are told it ended in Dropbox (issue 11)', async () => {
    await h.act({ as: MAYA, action: 'remove_member', shared_folder_id: sfid, member: LEO });
    await settle(); // Leo's own tree loses the folder: the same evidence as if he had left there himself
    expect(await collaborator(trackId, LEO)).toMatchObject({
      status: 'revoked',
      ended_via: 'dropbox',
      ended_by: null,
      ended_evidence: 'dropbox_own_folder',
    });
    expect(await notificationsOf(maya.account.id)).toEqual([
      expect.objectContaining({ kind: 'collaborator_access_ended_in_dropbox', actor_id: leo.account.id }),
    ]);
    expect(await notificationsOf(leo.account.id)).toEqual([expect.objectContaining({ kind: 'access_ended_in_dropbox', actor_id: null })]);
    const kinds = (await historyOf(trackId)).map((e) => e.kind);
    expect(kinds).toContain('access_ended_in_dropbox');
    expect(kinds).not.toContain('collaborator_left');
    // Leo is told how it ended when he opens it, without a guess.
    const r = await h.fetch(`/api/v1/tracks/${trackId}`, { session: leo.session });
    expect(r.status).toBe(403);
    expect(await r.json()).toEqual({ error: { code: 'access_ended', message: 'Your access to this track ended in Dropbox.' } });
  });

  it("changing a member's access level: PD follows and the member is notified", async () => {
    await h.act({ as: MAYA, action: 'change_access', shared_folder_id: sfid, member: LEO, access_level: 'viewer' });
    await settle();
    expect(await collaborator(trackId, LEO)).toMatchObject({ status: 'active', access_level: 'viewer' });
    expect(await notificationsOf(leo.account.id)).toEqual([expect.objectContaining({ kind: 'access_level_changed', via: 'dropbox' })]);
    expect(await changesOf(trackId)).toEqual([]);
  });

  it("unsharing the folder ends everyone's access (ended in Dropbox, evidence: unshared)", async () => {
    await h.act({ as: MAYA, action: 'unshare', shared_folder_id: sfid });
    await settle();
    for (const email of [LEO, SAM])
      expect(await collaborator(trackId, email)).toMatchObject({ status: 'revoked', ended_via: 'dropbox', ended_evidence: 'dropbox_unshared' });
    // Jules never signed in: no webhook of hers, but the unshare seen in Leo's and Sam's trees revoked her too.
    expect(await collaborator(trackId, JULES)).toMatchObject({ status: 'revoked' });
    expect(await notificationsOf(leo.account.id)).toEqual([expect.objectContaining({ kind: 'access_ended_in_dropbox' })]);
    expect(await notificationsOf(sam.account.id)).toEqual([expect.objectContaining({ kind: 'access_ended_in_dropbox' })]);
  });

  it('adding a member in Dropbox makes them a collaborator once they accept there (signed in to PD or not)', async () => {
    const ava = await h.signIn(AVA);
    await h.drain();
    await h.act({ as: MAYA, action: 'add_member', shared_folder_id: sfid, member: AVA, access_level: 'editor' });
    await settle();
    // Dropbox only sent an invitation: nothing is in her Dropbox yet, and PD does not make her a collaborator.
    await env.DB.prepare('UPDATE dropbox_membership_checks SET enqueued_at = 0, due_at = 0').run();
    await h.cron();
    await h.drain();
    expect(await collaborator(trackId, AVA)).toBeNull();
    await h.act({ as: AVA, action: 'accept_invite', shared_folder_id: sfid });
    await settle(); // her own tree now has the folder
    expect(await collaborator(trackId, AVA)).toMatchObject({ status: 'active', access_level: 'editor', account_id: ava.account.id });
    const sync = await h.json<{ changes: { trackId: string; change: string; reason: string }[] }>('/api/v1/sync?cursor=0', { session: ava.session });
    expect(sync.changes).toEqual([expect.objectContaining({ trackId, change: 'added', reason: 'added_in_dropbox' })]);

    // Someone without PD: only the owner-side check sees it.
    const kai = `kai.${n}@rec.test`;
    await control('seed', { accounts: [{ email: kai, display_name: 'Kai Lee' }] });
    await h.act({ as: MAYA, action: 'add_member', shared_folder_id: sfid, member: kai, access_level: 'viewer' });
    await h.act({ as: kai, action: 'accept_invite', shared_folder_id: sfid });
    // The owner-side check comes due (Ava's walk just re-read the members, which put it off: issue 10's sweep).
    await env.DB.prepare('UPDATE dropbox_membership_checks SET enqueued_at = 0, due_at = 0').run();
    await h.cron();
    await h.drain();
    expect(await collaborator(trackId, kai)).toMatchObject({ status: 'active', access_level: 'viewer' });
  });
});

describe('files uploaded into a track folder', () => {
  it("become one history entry as the uploader's edit, however many members' trees show them", async () => {
    await h.act({ as: LEO, action: 'upload_file', shared_folder_id: sfid, path: 'Stems/vox take 3.wav', size: 5000 });
    await settle(); // Maya's, Leo's and Sam's trees all show the file
    const uploads = (await historyOf(trackId)).filter((e) => e.kind === 'file_uploaded');
    expect(uploads).toEqual([expect.objectContaining({ actor_id: leo.account.id, via: 'dropbox' })]);
    expect(JSON.parse(uploads[0].details)).toMatchObject({ path: 'Stems/vox take 3.wav', size: 5000 });
    // Files that were already there when someone joined are not uploads.
    expect((await historyOf(trackId)).some((e) => e.details.includes('bounce v1.wav'))).toBe(false);
    // Leo's edit stays in history after his access ends.
    await h.act({ as: LEO, action: 'leave_folder', shared_folder_id: sfid });
    await settle();
    expect((await historyOf(trackId)).filter((e) => e.kind === 'file_uploaded')).toHaveLength(1);
  });
});

describe('files that were already in the folder', () => {
  it("are not uploads when an access change makes Dropbox list them again in a member's tree", async () => {
    await h.act({ as: LEO, action: 'upload_file', shared_folder_id: sfid, path: 'vox take 1.wav', size: 700 });
    await settle();
    // Maya changes access in Dropbox: Sam's and Leo's trees list the whole folder again with the new read_only.
    await h.act({ as: MAYA, action: 'change_access', shared_folder_id: sfid, member: SAM, access_level: 'editor' });
    await h.act({ as: MAYA, action: 'change_access', shared_folder_id: sfid, member: LEO, access_level: 'viewer' });
    await settle();
    expect(await collaborator(trackId, SAM)).toMatchObject({ status: 'active', access_level: 'editor' });
    const uploads = (await historyOf(trackId)).filter((e) => e.kind === 'file_uploaded');
    expect(uploads.map((e) => JSON.parse(e.details).path)).toEqual(['vox take 1.wav']);
  });

  it("an upload made after the import but before anyone's first reconciliation still becomes its entry", async () => {
    const [OWEN, MIA] = [`owen.${n}@rec.test`, `mia.${n}@rec.test`];
    const seeded = await control<{ folders: { shared_folder_id: string }[] }>('seed', {
      accounts: [
        { email: OWEN, display_name: 'Owen Hart' },
        { email: MIA, display_name: 'Mia Stone' },
      ],
      folders: [
        {
          name: 'Late Takes',
          owner: OWEN,
          path: '/Music/Late Takes',
          members: [{ account: MIA, access_level: 'editor' }],
          files: [{ path: 'mix v1.wav', size: 900, by: OWEN }],
        },
      ],
    });
    const h2 = new Harness(); // its own queue: Owen's and Mia's first reconciliations stay queued for now
    const owen = await h2.signIn(OWEN);
    const mia = await h2.signIn(MIA);
    const imported = await h2.json<{ imported: { trackId: string; sharedFolderId: string }[] }>('/api/v1/dropbox/import', {
      method: 'POST',
      session: owen.session,
      json: { sharedFolderIds: [seeded.folders[0].shared_folder_id] },
    });
    const late = imported.imported[0].trackId;
    await h2.act({ as: MIA, action: 'upload_file', shared_folder_id: seeded.folders[0].shared_folder_id, path: 'vocals take 1.wav', size: 4242 });
    await h2.deliverWebhooks();
    await h2.drain(); // the first reconciliations run only now, after the upload
    const uploads = (await historyOf(late)).filter((e) => e.kind === 'file_uploaded');
    expect(uploads).toEqual([expect.objectContaining({ actor_id: mia.account.id, via: 'dropbox' })]);
    expect(JSON.parse(uploads[0].details)).toMatchObject({ path: 'vocals take 1.wav', size: 4242 });
    void owen;
  });
});

describe('invited in PD, then gone from the folder in Dropbox before accepting', () => {
  it('the invitation is declined by them (via Dropbox): it can no longer be accepted into access Dropbox does not give', async () => {
    const ava = await h.signIn(AVA);
    await h.drain();
    await h.json(`/api/v1/tracks/${trackId}/invitations`, { method: 'POST', session: maya.session, json: { email: AVA, accessLevel: 'editor' } });
    await h.drain(); // PD's add_member: Dropbox sends Ava (who has a Dropbox account) a folder invitation
    expect(await changesOf(trackId)).toEqual([expect.objectContaining({ kind: 'add_member', status: 'done' })]);
    // She declines it in Dropbox before accepting in PD.
    await h.act({ as: AVA, action: 'decline_invite', shared_folder_id: sfid });
    await h.cron(); // the owner-side membership check
    await h.drain();
    expect(await collaborator(trackId, AVA)).toMatchObject({ status: 'declined', ended_via: 'dropbox' });
    expect(await h.json<{ invitations: unknown[] }>('/api/v1/invitations', { session: ava.session })).toEqual({ invitations: [] });
    expect(await notificationsOf(maya.account.id)).toEqual([expect.objectContaining({ kind: 'invitation_declined', via: 'dropbox' })]);
    // Nothing is sent back to Dropbox, and a later check changes nothing more.
    await h.cron();
    await h.drain();
    expect(await changesOf(trackId)).toEqual([expect.objectContaining({ kind: 'add_member', status: 'done' })]);
    expect((await historyOf(trackId)).filter((e) => e.kind === 'invitation_declined')).toHaveLength(1);
  });
});

describe('cursors', () => {
  it('a reset cursor is re-read from now, and every track of the account is re-checked', async () => {
    await control('cursors/invalidate', { account: LEO });
    await h.act({ as: LEO, action: 'leave_folder', shared_folder_id: sfid });
    await settle();
    // The leave happened while the cursor was invalid: comparing Leo's mounts before and after still shows
    // that his own tree lost the folder, and the owner's member list confirms it.
    expect(await collaborator(trackId, LEO)).toMatchObject({ status: 'revoked', ended_via: 'dropbox', ended_evidence: 'dropbox_own_folder' });
    expect(await notificationsOf(maya.account.id)).toEqual([expect.objectContaining({ kind: 'collaborator_access_ended_in_dropbox' })]);
    const sync = await env.DB.prepare('SELECT cursor, lease_until FROM dropbox_account_sync WHERE account_id = ?')
      .bind(leo.account.id)
      .first<{ cursor: string; lease_until: number }>();
    expect(sync?.cursor).toBeTruthy();
    expect(sync?.lease_until).toBe(0);
  });
});
