// The library and sync: "The collaborator loses access to the track on their next sync" — one cheap request,
// and nothing to do when nothing changed. Plus the query plans: no full table scans.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import * as d from '../../src/domain/index.ts';
import type { Sql } from '../../src/domain/sql.ts';
import { person, share, trackOf, type Person } from './helpers.ts';

const roundTrips = (h: Headers) => Number(/d1;desc="(\d+) round trips"/.exec(h.get('server-timing') ?? '')?.[1]);

describe('sync', () => {
  let olivia: Person, ben: Person, trackId: string, benId: string;

  beforeAll(async () => {
    olivia = await person('Olivia Owner');
    ben = await person('Ben Beats');
    trackId = await trackOf(olivia, 'Syncing');
  });

  it("starts from the library's cursor; nothing new = same cursor, no changes, one indexed query", async () => {
    const lib = await ben.get('/library');
    expect(lib.body).toMatchObject({ items: [], cursor: 0 });
    const res = await ben.get(`/sync?cursor=${lib.body.cursor}`);
    expect(res.body).toEqual({ changes: [], cursor: 0, hasMore: false });
    expect(roundTrips(res.headers)).toBe(2); // session + the sync query
  });

  it('reports added (accepted), updated (metadata/archive) and removed (revoked) with the track state', async () => {
    benId = await share(olivia, trackId, ben, 'viewer');
    await olivia.patch(`/tracks/${trackId}`, { stage: 'mastering' });
    let res = await ben.get('/sync?cursor=0');
    expect(res.body.changes.map((c: any) => [c.change, c.reason])).toEqual([
      ['added', 'accepted'],
      ['updated', 'metadata'],
    ]);
    expect(res.body.changes[1].item).toMatchObject({
      track: { id: trackId, stage: 'mastering', ownerName: 'Olivia Owner' },
      myRole: 'viewer',
      hidden: false,
    });
    const cursor = res.body.cursor;
    expect((await ben.get(`/sync?cursor=${cursor}`)).body.changes).toEqual([]);

    await olivia.post(`/tracks/${trackId}/collaborators/${benId}/revoke`);
    res = await ben.get(`/sync?cursor=${cursor}`);
    expect(res.body.changes).toEqual([expect.objectContaining({ trackId, change: 'removed', reason: 'revoked', item: null })]);
    // After removal, later owner edits no longer reach him.
    await olivia.patch(`/tracks/${trackId}`, { stage: 'released' });
    expect((await ben.get(`/sync?cursor=${res.body.cursor}`)).body.changes).toEqual([]);
  });

  it('pages with limit / hasMore', async () => {
    const first = await ben.get('/sync?cursor=0&limit=2');
    expect(first.body.changes).toHaveLength(2);
    expect(first.body.hasMore).toBe(true);
    const rest = await ben.get(`/sync?cursor=${first.body.cursor}&limit=2`);
    expect(rest.body.changes.map((c: any) => c.change)).toEqual(['removed']);
    expect(rest.body.hasMore).toBe(false);
  });

  it('each person sees only their own changes', async () => {
    const stranger = await person('Stranger');
    expect((await stranger.get('/sync?cursor=0')).body.changes).toEqual([]);
  });
});

describe('library', () => {
  let olivia: Person, ben: Person;
  const ids: string[] = [];

  beforeAll(async () => {
    olivia = await person('Olivia Owner');
    ben = await person('Ben Beats');
    for (const [title, stage] of [
      ['L1', 'idea'],
      ['L2', 'mixing'],
      ['L3', 'mixing'],
      ['L4', 'released'],
    ] as const) {
      ids.push(await trackOf(olivia, title, { stage }));
    }
    const other = await trackOf(ben, 'Ben own');
    ids.push(other);
    await share(olivia, ids[1], ben, 'editor');
  });

  it('lists my own and shared tracks, newest first, with my role', async () => {
    const res = await ben.get('/library');
    expect(res.body.items.map((i: any) => [i.track.title, i.myRole, i.collaboratorCount])).toEqual([
      ['Ben own', 'owner', 0],
      ['L2', 'editor', 1],
    ]);
  });

  it('filters by stage and pages with before', async () => {
    expect((await olivia.get('/library?stage=mixing')).body.items.map((i: any) => i.track.title)).toEqual(['L3', 'L2']);
    const p1 = await olivia.get('/library?limit=3');
    expect(p1.body.items.map((i: any) => i.track.title)).toEqual(['L4', 'L3', 'L2']);
    const p2 = await olivia.get(`/library?limit=3&before=${p1.body.nextBefore}`);
    expect(p2.body.items.map((i: any) => i.track.title)).toEqual(['L1']);
    expect(p2.body.nextBefore).toBeNull();
  });
});

describe('query plans (no full table scans)', () => {
  async function plan(q: Sql): Promise<string[]> {
    const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${q.text}`)
      .bind(...q.params)
      .all<{ detail: string }>();
    return results.map((r) => r.detail);
  }
  const noScan = (lines: string[]) => lines.filter((l) => /^SCAN /.test(l) || /TEMP B-TREE/.test(l));

  it('library (every filter combination), its cursor, and sync use indexes only', async () => {
    const base = { accountId: 'acc_x', limit: 100 } as const;
    const variants: d.LibraryFilter[] = [
      { ...base, archived: 'false', hidden: 'false' },
      { ...base, archived: 'any', hidden: 'any' },
      { ...base, archived: 'true', hidden: 'true', project: 'EP', stage: 'mixing', before: 'trk_z' },
    ];
    for (const v of variants) {
      const lines = await plan(d.libraryQuery(v));
      expect(lines.join('\n')).toMatch(/SEARCH le USING (PRIMARY KEY|(COVERING )?INDEX library_entries_list) \(account_id=\?/);
      expect(noScan(lines)).toEqual([]);
    }
    expect(noScan(await plan(d.cursorQuery('acc_x')))).toEqual([]);
    const sync = await plan(d.syncQuery('acc_x', 10, 500));
    expect(sync.join('\n')).toMatch(/SEARCH lc USING (INTEGER PRIMARY KEY|INDEX library_changes_account)/);
    expect(noScan(sync)).toEqual([]);
  });

  it('the Revoke All batch uses indexes only (set-based, no per-track statements)', async () => {
    const plan0 = await d.planRevokeAll(env.DB, { ownerId: 'acc_x', personKey: 'p@x.test', via: 'app' });
    for (const stmt of plan0.statements) {
      // Re-prepare each statement's SQL under EXPLAIN QUERY PLAN with its own parameters.
      const s = stmt as unknown as { statement: string; params: unknown[] };
      const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${s.statement}`)
        .bind(...s.params)
        .all<{ detail: string }>();
      const lines = results.map((r) => r.detail);
      expect({ sql: s.statement.slice(0, 60), scans: noScan(lines).filter((l) => !/ORDER BY|USE TEMP B-TREE FOR ORDER BY/.test(l)) }).toEqual({
        sql: s.statement.slice(0, 60),
        scans: [],
      });
    }
    expect(plan0.statements.length).toBeLessThan(10);
  });
});
