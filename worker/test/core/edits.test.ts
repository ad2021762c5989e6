// Edits (owner and Editors), downgrading to Viewer, alternatives to leaving, and comments.
import { beforeAll, describe, expect, it } from 'vitest';
import { person, share, trackOf, type Person } from './helpers.ts';

describe('Edits by the owner and Editors', () => {
  let olivia: Person, ed: Person, vi: Person;
  let trackId: string, edId: string, viId: string;

  beforeAll(async () => {
    olivia = await person('Olivia Owner');
    ed = await person('Ed Editor');
    vi = await person('Vi Viewer');
    trackId = await trackOf(olivia, 'Edits', { stage: 'writing', bpm: 90, key: 'A minor', tags: ['demo'] });
    edId = await share(olivia, trackId, ed, 'editor');
    viId = await share(olivia, trackId, vi, 'viewer');
  });

  it('an Editor changes metadata (stage, BPM, key, title); history records each change with its author', async () => {
    const res = await ed.patch(`/tracks/${trackId}`, { stage: 'production', bpm: 92.5, key: 'C major', title: 'Edits (v2)' });
    expect(res.status).toBe(200);
    expect(res.body.track).toMatchObject({ stage: 'production', bpm: 92.5, key: 'C major', title: 'Edits (v2)' });
    const entry = (await olivia.get(`/tracks/${trackId}/history`)).body.entries[0];
    expect(entry).toMatchObject({
      kind: 'metadata_changed',
      actor: { id: ed.account.id, name: 'Ed Editor' },
      details: {
        changes: {
          stage: { from: 'writing', to: 'production' },
          bpm: { from: 90, to: 92.5 },
          key: { from: 'A minor', to: 'C major' },
          title: { from: 'Edits', to: 'Edits (v2)' },
        },
      },
    });
  });

  it('tag modifications are recorded as such', async () => {
    await ed.patch(`/tracks/${trackId}`, { tags: ['demo', 'club'] });
    const entry = (await olivia.get(`/tracks/${trackId}/history`)).body.entries[0];
    expect(entry).toMatchObject({ kind: 'tags_changed', details: { from: ['demo'], to: ['demo', 'club'], added: ['club'], removed: [] } });
  });

  it('an edit that changes nothing writes no history', async () => {
    const before = (await olivia.get(`/tracks/${trackId}/history`)).body.entries.length;
    await ed.patch(`/tracks/${trackId}`, { tags: ['demo', 'club'], stage: 'production' });
    expect((await olivia.get(`/tracks/${trackId}/history`)).body.entries.length).toBe(before);
  });

  it('a Viewer cannot edit metadata, splits or archive (403 editor_required)', async () => {
    for (const res of [
      await vi.patch(`/tracks/${trackId}`, { stage: 'released' }),
      await vi.put(`/tracks/${trackId}/splits`, { owner: { master: 50, publishing: 50, writer: 50 } }),
      await vi.post(`/tracks/${trackId}/archive`, { archived: true }),
    ]) {
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('editor_required');
    }
    expect((await olivia.get(`/tracks/${trackId}`)).body.track.stage).toBe('production');
  });

  it('splits: 0..100 per person and type, saved per collaborator and owner, history written', async () => {
    const res = await ed.put(`/tracks/${trackId}/splits`, {
      owner: { master: 60, publishing: 50, writer: 50 },
      collaborators: [
        { collaboratorId: edId, master: 25, publishing: 25, writer: 25 },
        { collaboratorId: viId, master: 15, publishing: 25, writer: 25 },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.warnings).toEqual([]);
    expect(res.body.splitTotals).toEqual({
      master: { total: 100, overAllocated: false },
      publishing: { total: 100, overAllocated: false },
      writer: { total: 100, overAllocated: false },
    });
    expect(res.body.track.ownerSplits).toEqual({ master: 60, publishing: 50, writer: 50 });
    const entry = (await olivia.get(`/tracks/${trackId}/history`)).body.entries[0];
    expect(entry.kind).toBe('splits_changed');
    expect(entry.details.changes).toHaveLength(3);
  });

  it('splits: totals above 100% are saved but reported (overAllocated + warning), not silently accepted', async () => {
    const res = await olivia.put(`/tracks/${trackId}/splits`, {
      collaborators: [{ collaboratorId: viId, master: 30.25, publishing: 25, writer: 25 }],
    });
    expect(res.status).toBe(200);
    expect(res.body.warnings).toEqual(['master_over_allocated']);
    expect(res.body.splitTotals.master).toEqual({ total: 115.25, overAllocated: true });
    expect(res.body.splitTotals.publishing.overAllocated).toBe(false);
  });

  it('splits: negative or above 100 for one person, or more than two decimals, are refused (400) and nothing changes', async () => {
    for (const bad of [
      { owner: { master: -1, publishing: 0, writer: 0 } },
      { owner: { master: 100.01, publishing: 0, writer: 0 } },
      { owner: { master: 10.001, publishing: 0, writer: 0 } },
      { collaborators: [{ collaboratorId: viId, master: 101, publishing: 0, writer: 0 }] },
    ]) {
      const res = await olivia.put(`/tracks/${trackId}/splits`, bad);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    const unknown = await olivia.put(`/tracks/${trackId}/splits`, {
      collaborators: [{ collaboratorId: 'col_nope', master: 1, publishing: 1, writer: 1 }],
    });
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'collaborator_not_found']);
    expect((await olivia.get(`/tracks/${trackId}`)).body.track.ownerSplits).toEqual({ master: 60, publishing: 50, writer: 50 });
  });

  it('an Editor can archive; archived tracks leave the active library but keep access', async () => {
    const res = await ed.post(`/tracks/${trackId}/archive`, { archived: true });
    expect(res.body.track.archived).toBe(true);
    for (const p of [olivia, ed, vi]) {
      expect((await p.get('/library')).body.items.map((i: any) => i.track.id)).not.toContain(trackId);
      expect((await p.get('/library?archived=true')).body.items.map((i: any) => i.track.id)).toContain(trackId);
      expect((await p.get(`/tracks/${trackId}`)).status).toBe(200);
    }
    await olivia.post(`/tracks/${trackId}/archive`, { archived: false });
    const kinds = (await olivia.get(`/tracks/${trackId}/history`)).body.entries.slice(0, 2).map((e: any) => e.kind);
    expect(kinds).toEqual(['unarchived', 'archived']);
  });

  it('downgrade to Viewer (and back): recorded, notified, queued for Dropbox, and enforced at once', async () => {
    const down = await olivia.patch(`/tracks/${trackId}/collaborators/${edId}`, { accessLevel: 'viewer' });
    expect(down.status).toBe(200);
    expect(down.body).toMatchObject({ changed: true, collaborator: { accessLevel: 'viewer', status: 'active' } });
    const blocked = await ed.patch(`/tracks/${trackId}`, { stage: 'released' });
    expect([blocked.status, blocked.body.error.code]).toEqual([403, 'editor_required']);
    expect((await ed.get(`/tracks/${trackId}`)).body.myRole).toBe('viewer');
    expect((await ed.get('/notifications')).body.notifications[0]).toMatchObject({ kind: 'access_level_changed', trackId });
    const detail = await olivia.get(`/tracks/${trackId}`);
    expect(detail.body.dropboxChanges).toContainEqual(expect.objectContaining({ kind: 'update_access', collaboratorId: edId, status: 'pending' }));
    const same = await olivia.patch(`/tracks/${trackId}/collaborators/${edId}`, { accessLevel: 'viewer' });
    expect(same.body.changed).toBe(false);
    const up = await olivia.patch(`/tracks/${trackId}/collaborators/${edId}`, { accessLevel: 'editor' });
    expect(up.body.collaborator.accessLevel).toBe('editor');
    const history = (await olivia.get(`/tracks/${trackId}/history`)).body.entries.filter((e: any) => e.kind === 'access_level_changed');
    expect(history.map((e: any) => [e.details.from, e.details.to])).toEqual([
      ['viewer', 'editor'],
      ['editor', 'viewer'],
    ]);
  });

  it('only the owner changes access levels', async () => {
    const res = await ed.patch(`/tracks/${trackId}/collaborators/${viId}`, { accessLevel: 'editor' });
    expect([res.status, res.body.error.code]).toEqual([403, 'owner_only']);
  });
});

describe('Alternatives to leaving: projects and hiding are per person', () => {
  let olivia: Person, ben: Person;
  let a: string, b: string;

  beforeAll(async () => {
    olivia = await person('Olivia Owner');
    ben = await person('Ben Beats');
    a = await trackOf(olivia, 'A', { project: 'EP 1' });
    b = await trackOf(olivia, 'B');
    await share(olivia, a, ben, 'viewer');
    await share(olivia, b, ben, 'viewer');
  });

  it('moving a shared track to another project changes only my library', async () => {
    const res = await ben.put(`/tracks/${a}/placement`, { project: 'Collabs' });
    expect(res.status).toBe(200);
    expect(res.body.project).toBe('Collabs');
    expect((await ben.get('/library?project=Collabs')).body.items.map((i: any) => i.track.id)).toEqual([a]);
    expect((await olivia.get(`/tracks/${a}`)).body.project).toBe('EP 1');
    expect((await olivia.get('/library?project=EP%201')).body.items.map((i: any) => i.track.id)).toEqual([a]);
  });

  it('hiding a track keeps access but filters it out of my library view', async () => {
    await ben.put(`/tracks/${b}/placement`, { hidden: true });
    expect((await ben.get('/library')).body.items.map((i: any) => i.track.id)).toEqual([a]);
    expect((await ben.get('/library?hidden=true')).body.items.map((i: any) => i.track.id)).toEqual([b]);
    expect((await ben.get(`/tracks/${b}`)).status).toBe(200);
    expect((await olivia.get('/library')).body.items.map((i: any) => i.track.id).sort()).toEqual([a, b].sort());
    await ben.put(`/tracks/${b}/placement`, { hidden: false });
    expect((await ben.get('/library')).body.items).toHaveLength(2);
  });

  it('a viewer cannot archive, but can move and hide', async () => {
    expect((await ben.post(`/tracks/${a}/archive`, { archived: true })).body.error.code).toBe('editor_required');
    expect((await ben.put(`/tracks/${a}/placement`, { project: null })).body.project).toBeNull();
  });
});

describe('Comments', () => {
  let olivia: Person, ed: Person, vi: Person;
  let trackId: string, edId: string;

  beforeAll(async () => {
    olivia = await person('Olivia Owner');
    ed = await person('Ed Editor');
    vi = await person('Vi Viewer');
    trackId = await trackOf(olivia, 'Talk');
    edId = await share(olivia, trackId, ed, 'editor');
    await share(olivia, trackId, vi, 'viewer');
  });

  it('the owner and every active collaborator can comment; comments carry the author name', async () => {
    for (const [p, text] of [
      [olivia, 'first'],
      [ed, 'second'],
      [vi, 'third'],
    ] as const) {
      const res = await p.post(`/tracks/${trackId}/comments`, { body: `  ${text}  ` });
      expect(res.status).toBe(201);
      expect(res.body.comment).toMatchObject({ authorId: p.account.id, authorName: p.name, body: text, pinned: false, pinnedBy: null });
    }
    const list = await vi.get(`/tracks/${trackId}/comments`);
    expect(list.body.comments.map((c: any) => c.body)).toEqual(['first', 'second', 'third']);
  });

  it('the owner and Editors pin and unpin; Viewers cannot', async () => {
    const [first, second] = (await olivia.get(`/tracks/${trackId}/comments`)).body.comments;
    const denied = await vi.post(`/tracks/${trackId}/comments/${first.id}/pin`, { pinned: true });
    expect([denied.status, denied.body.error.code]).toEqual([403, 'editor_required']);
    const pinned = await ed.post(`/tracks/${trackId}/comments/${second.id}/pin`, { pinned: true });
    expect(pinned.body.comment).toMatchObject({ pinned: true, pinnedBy: { id: ed.account.id, name: 'Ed Editor' } });
    const byOwner = await olivia.post(`/tracks/${trackId}/comments/${first.id}/pin`, { pinned: true });
    expect(byOwner.body.comment.pinned).toBe(true);
    const unpinned = await olivia.post(`/tracks/${trackId}/comments/${first.id}/pin`, { pinned: false });
    expect(unpinned.body.comment).toMatchObject({ pinned: false, pinnedBy: null });
    const missing = await olivia.post(`/tracks/${trackId}/comments/cmt_missing/pin`, { pinned: true });
    expect([missing.status, missing.body.error.code]).toEqual([404, 'comment_not_found']);
  });

  it('a comment pinned by an Editor stays pinned after that Editor is revoked', async () => {
    await olivia.post(`/tracks/${trackId}/collaborators/${edId}/revoke`);
    const comments = (await vi.get(`/tracks/${trackId}/comments`)).body.comments;
    expect(comments.find((c: any) => c.body === 'second')).toMatchObject({ authorName: 'Ed Editor', pinned: true, pinnedBy: { name: 'Ed Editor' } });
  });
});
