// Issue 11: what was kept stays visible after a departure (history with departed people named, evidence of how each
// access ended), the departed person is told one honest sentence, and the owner sets an imported person's role.
import { describe, expect, it } from 'vitest';
import { env } from 'cloudflare:test';
import { planAccessEndedInDropbox, runPlan } from '../../src/domain/index.ts';
import { revisionStatements } from '../../src/jobs/reconcile.ts';
import { person, share, trackOf } from './helpers.ts';

describe('the kept history of a track', () => {
  it("names departed people's edits and tells each ending apart, with its evidence", async () => {
    const maya = await person('Maya Reyes');
    const leo = await person('Leo Vance');
    const sam = await person('Sam Ortiz');
    const ava = await person('Ava Chen');
    const trackId = await trackOf(maya, 'Neon Rain');
    const leoId = await share(maya, trackId, leo, 'editor');
    const samId = await share(maya, trackId, sam, 'editor');
    const avaId = await share(maya, trackId, ava, 'viewer');
    expect((await leo.patch(`/tracks/${trackId}`, { stage: 'mixing', bpm: 122 })).status).toBe(200);
    expect(
      (await sam.put(`/tracks/${trackId}/splits`, { collaborators: [{ collaboratorId: samId, master: 20, publishing: 25, writer: 30 }] })).status,
    ).toBe(200);

    expect((await maya.post(`/tracks/${trackId}/collaborators/${leoId}/revoke`)).status).toBe(200);
    expect((await sam.post(`/tracks/${trackId}/leave`)).status).toBe(200);
    // Ava's access ends in Dropbox (what reconciliation records when the member list no longer has her).
    await runPlan(env.DB, await planAccessEndedInDropbox(env.DB, { trackId, collaboratorId: avaId, evidence: 'dropbox_members' }));

    const detail = (await maya.get(`/tracks/${trackId}`)).body;
    const byId = Object.fromEntries(detail.collaborators.map((c: { id: string }) => [c.id, c]));
    expect(byId[leoId]).toMatchObject({ status: 'revoked', endedVia: 'app', endedEvidence: 'pd_revoke' });
    expect(byId[samId]).toMatchObject({
      status: 'left',
      endedVia: 'app',
      endedEvidence: 'pd_leave',
      splits: { master: 20, publishing: 25, writer: 30 },
    });
    expect(byId[avaId]).toMatchObject({ status: 'revoked', endedVia: 'dropbox', endedEvidence: 'dropbox_members' });

    const history = (await maya.get(`/tracks/${trackId}/history?limit=100`)).body.entries as Array<{
      kind: string;
      actor: { id: string | null; name: string };
      collaboratorId: string | null;
      details: Record<string, unknown>;
    }>;
    // Departed people's edits keep their names.
    expect(history.find((e) => e.kind === 'metadata_changed')?.actor).toEqual({ id: leo.account.id, name: 'Leo Vance' });
    expect(history.find((e) => e.kind === 'splits_changed')?.actor).toEqual({ id: sam.account.id, name: 'Sam Ortiz' });
    // One ending each, with who (when known) and the evidence.
    expect(history.filter((e) => e.collaboratorId === leoId).map((e) => e.kind)).toEqual([
      'access_revoked',
      'collaborator_joined',
      'collaborator_invited',
    ]);
    // Leo's access history alone, from the worker.
    const leoOnly = (await maya.get(`/tracks/${trackId}/history?collaboratorId=${leoId}`)).body.entries as Array<{
      kind: string;
      collaboratorId: string;
    }>;
    expect(leoOnly.map((e) => [e.kind, e.collaboratorId])).toEqual([
      ['access_revoked', leoId],
      ['collaborator_joined', leoId],
      ['collaborator_invited', leoId],
    ]);
    expect(history.find((e) => e.kind === 'access_revoked')).toMatchObject({
      actor: { id: maya.account.id, name: 'Maya Reyes' },
      details: { evidence: 'pd_revoke' },
    });
    expect(history.find((e) => e.kind === 'collaborator_left')).toMatchObject({ actor: { id: sam.account.id }, details: { evidence: 'pd_leave' } });
    expect(history.find((e) => e.kind === 'access_ended_in_dropbox')).toMatchObject({
      actor: { id: null, name: 'Dropbox' },
      collaboratorId: avaId,
      details: { collaborator: 'Ava Chen', evidence: 'dropbox_members' },
    });

    // Both sides of the Dropbox ending are told, and nobody is told a guess.
    const owner = (await maya.get('/notifications')).body.notifications as Array<{ kind: string; actor: { id: string | null; name: string } }>;
    expect(owner.filter((n) => n.kind === 'collaborator_access_ended_in_dropbox')).toEqual([
      expect.objectContaining({ actor: { id: ava.account.id, name: 'Ava Chen' }, via: 'dropbox' }),
    ]);
    expect(owner.filter((n) => n.kind === 'collaborator_left')).toHaveLength(1); // Sam, who left through PD
    const avas = (await ava.get('/notifications')).body.notifications as Array<{ kind: string; actor: { id: string | null; name: string } }>;
    expect(avas.filter((n) => n.kind !== 'invitation_received')).toEqual([
      expect.objectContaining({ kind: 'access_ended_in_dropbox', actor: { id: null, name: 'Dropbox' }, trackTitle: 'Neon Rain' }),
    ]);
    const sync = (await ava.get('/sync?cursor=0')).body.changes as Array<{ trackId: string; change: string; reason: string }>;
    expect(sync.at(-1)).toMatchObject({ trackId, change: 'removed', reason: 'ended_in_dropbox' });

    // Each departed person opening the track hears one sentence saying how it ended.
    expect((await leo.get(`/tracks/${trackId}`)).body.error).toEqual({
      code: 'access_ended',
      message: 'The owner revoked your access to this track.',
    });
    expect((await sam.get(`/tracks/${trackId}`)).body.error).toEqual({
      code: 'access_ended',
      message: 'You left this track. The owner can invite you again.',
    });
    expect((await ava.get(`/tracks/${trackId}`)).body.error).toEqual({
      code: 'access_ended',
      message: 'Your access to this track ended in Dropbox.',
    });

    // Inviting again clears the old ending; accepting makes it a current record again.
    expect((await maya.post(`/tracks/${trackId}/invitations`, { email: ava.email })).status).toBe(201);
    const again = (await maya.get(`/tracks/${trackId}`)).body.collaborators.find((c: { id: string }) => c.id === avaId);
    expect(again).toMatchObject({ status: 'invited', endedEvidence: null, endedVia: null });
  });

  it('history pages newest first, each page at most `limit`, until nextBefore is null', async () => {
    const maya = await person('Maya Reyes');
    const trackId = await trackOf(maya, 'Paged');
    for (let i = 1; i <= 7; i++) expect((await maya.patch(`/tracks/${trackId}`, { bpm: 100 + i })).status).toBe(200);
    const seen: number[] = [];
    let before: number | null = null;
    let pages = 0;
    do {
      const res: { body: { entries: Array<{ id: number }>; nextBefore: number | null } } = await maya.get(
        `/tracks/${trackId}/history?limit=3${before ? `&before=${before}` : ''}`,
      );
      expect(res.body.entries.length).toBeLessThanOrEqual(3);
      seen.push(...res.body.entries.map((e) => e.id));
      before = res.body.nextBefore;
      pages++;
    } while (before !== null);
    expect(pages).toBe(3); // 7 edits + track_created = 8 entries
    expect(seen).toEqual([...seen].sort((a, b) => b - a));
    expect(new Set(seen).size).toBe(8);
  });
});

describe('uploads found in Dropbox, stored as one row per uploader and batch', () => {
  it('come out of the history API one entry per file, in order, with their own ids, on pages of any size', async () => {
    const maya = await person('Maya Reyes');
    const leo = await person('Leo Vance');
    const trackId = await trackOf(maya, 'Grouped');
    await share(maya, trackId, leo, 'editor');
    const track = await env.DB.prepare('SELECT id, owner_id, dropbox_shared_folder_id, created_at FROM tracks WHERE id = ?')
      .bind(trackId)
      .first<{ id: string; owner_id: string; dropbox_shared_folder_id: string; created_at: string }>();
    const later = new Date(Date.parse(track!.created_at) + 60_000).toISOString();
    let rev = 0;
    const upload = (by: string, path: string, size: number | null = 1000) => {
      const r = `0${(++rev).toString(16).padStart(8, '0')}`;
      return {
        track: track!,
        file: { sharedFolderId: track!.dropbox_shared_folder_id, relPath: path, key: r, rev: r, size, modifiedBy: by, serverModified: later },
      };
    };
    const stranger = 'dbid:not-a-pd-user';
    expect((await maya.patch(`/tracks/${trackId}`, { bpm: 101 })).status).toBe(200);
    // Batch 1: Leo's and a stranger's files interleaved (two groups).
    const first = [
      upload(leo.account.dropboxAccountId, 'Stems/kick.wav'),
      upload(stranger, 'Stems/bass.wav', null),
      upload(leo.account.dropboxAccountId, 'Stems/snare.wav'),
      upload(leo.account.dropboxAccountId, 'Mix v1.wav'),
      upload(stranger, 'Stems/pad.wav'),
    ];
    await env.DB.batch(revisionStatements(env.DB, first));
    expect((await leo.patch(`/tracks/${trackId}`, { bpm: 102 })).status).toBe(200);
    // Batch 2: one revision seen before (recorded once only) and two new ones.
    await env.DB.batch(revisionStatements(env.DB, [first[3], upload(leo.account.dropboxAccountId, 'Mix v2.wav'), upload(stranger, 'Vox.wav')]));
    expect((await maya.patch(`/tracks/${trackId}`, { bpm: 103 })).status).toBe(200);

    const rows = await env.DB.prepare(
      `SELECT count(*) AS n FROM track_history WHERE track_no = (SELECT no FROM tracks WHERE id = ?) AND kind = (SELECT code FROM history_kinds WHERE name = 'file_uploads')`,
    )
      .bind(trackId)
      .first<{ n: number }>();
    expect(rows!.n).toBe(4); // 7 uploads in 4 rows

    type Entry = { id: number; kind: string; actor: { name: string }; details: Record<string, unknown> };
    const all = async (limit: number) => {
      const out: Entry[] = [];
      let before: number | null = null;
      do {
        const res: { status: number; body: { entries: Entry[]; nextBefore: number | null } } = await maya.get(
          `/tracks/${trackId}/history?limit=${limit}${before ? `&before=${before}` : ''}`,
        );
        expect(res.status).toBe(200);
        expect(res.body.entries.length).toBeLessThanOrEqual(limit);
        expect(res.body.entries.length).toBeGreaterThan(0);
        out.push(...res.body.entries);
        before = res.body.nextBefore;
      } while (before !== null);
      return out;
    };
    const everything = await all(100);
    const story = everything
      .filter((e) => e.kind === 'file_uploaded' || e.kind === 'metadata_changed')
      .map((e) => (e.kind === 'file_uploaded' ? `${e.actor.name}: ${e.details.path}` : `edit by ${e.actor.name}`));
    expect(story).toEqual([
      'edit by Maya Reyes',
      'Dropbox: Vox.wav',
      'Leo Vance: Mix v2.wav',
      'edit by Leo Vance',
      'Dropbox: Stems/pad.wav',
      'Dropbox: Stems/bass.wav',
      'Leo Vance: Mix v1.wav',
      'Leo Vance: Stems/snare.wav',
      'Leo Vance: Stems/kick.wav',
      'edit by Maya Reyes',
    ]);
    const ids = everything.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(new Set(ids).size).toBe(ids.length);
    expect(everything.find((e) => e.details.path === 'Stems/bass.wav')!.details).toEqual({ path: 'Stems/bass.wav', rev: '000000002' });
    expect(everything.find((e) => e.details.path === 'Mix v1.wav')!.details).toEqual({ path: 'Mix v1.wav', rev: '000000004', size: 1000 });
    // Every page size walks the same entries, whatever group a page boundary falls in.
    for (const limit of [1, 2, 3, 4, 5, 7]) expect((await all(limit)).map((e) => e.id)).toEqual(ids);
  });
});

describe('Role not set → the owner sets it', () => {
  it('the owner sets and clears a role, recorded in history; others cannot; bad roles are refused', async () => {
    const maya = await person('Maya Reyes');
    const leo = await person('Leo Vance');
    const trackId = await trackOf(maya, 'Glass Hearts');
    const leoId = await share(maya, trackId, leo, 'editor');
    expect((await maya.get(`/tracks/${trackId}`)).body.collaborators[0].role).toBeNull();

    const set = await maya.put(`/tracks/${trackId}/collaborators/${leoId}/role`, { role: '  Vocalist ' });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ changed: true, collaborator: { id: leoId, role: 'Vocalist' } });
    const same = await maya.put(`/tracks/${trackId}/collaborators/${leoId}/role`, { role: 'Vocalist' });
    expect(same.body.changed).toBe(false);

    expect((await leo.put(`/tracks/${trackId}/collaborators/${leoId}/role`, { role: 'Producer' })).body.error.code).toBe('owner_only');
    expect((await maya.put(`/tracks/${trackId}/collaborators/${leoId}/role`, { role: 'x'.repeat(51) })).body.error.code).toBe('validation_failed');
    expect((await maya.put(`/tracks/${trackId}/collaborators/${leoId}/role`, { role: 'Vo\u202Ecal' })).body.error.code).toBe('validation_failed');
    expect((await maya.put(`/tracks/${trackId}/collaborators/col_nope/role`, { role: 'Producer' })).body.error.code).toBe('collaborator_not_found');

    // Credits of someone whose access ended can still be corrected.
    await maya.post(`/tracks/${trackId}/collaborators/${leoId}/revoke`);
    const cleared = await maya.put(`/tracks/${trackId}/collaborators/${leoId}/role`, { role: null });
    expect(cleared.body).toMatchObject({ changed: true, collaborator: { role: null, status: 'revoked' } });

    const history = (await maya.get(`/tracks/${trackId}/history`)).body.entries as Array<{ kind: string; details: Record<string, unknown> }>;
    expect(history.filter((e) => e.kind === 'role_changed').map((e) => e.details)).toEqual([
      { collaborator: 'Leo Vance', from: 'Vocalist', to: null },
      { collaborator: 'Leo Vance', from: null, to: 'Vocalist' },
    ]);
  });
});
