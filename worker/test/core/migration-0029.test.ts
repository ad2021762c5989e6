// Migration 0029 over rows written by the schema before it (UPGRADE_DB: an empty database of its own, on workerd's
// D1, foreign keys enforced): history kinds by number, times in milliseconds, upload groups as lines; mounts
// WITHOUT ROWID. The API must read the same things after the migration as before it.
import { describe, expect, it } from 'vitest';
import { applyD1Migrations, env } from 'cloudflare:test';
import { listHistory, updateTrack } from '../../src/domain/index.ts';
import { HISTORY_KINDS, parseUploads, uploadLine, type UploadedFile } from '../../src/domain/history.ts';
import { revisionStatements } from '../../src/jobs/reconcile.ts';

const upTo = (last: string) => env.TEST_MIGRATIONS.filter((m) => m.name.slice(0, 4) <= last);

/** Paths with everything the line format has to escape, and what it must leave alone. */
const AWKWARD: UploadedFile[] = [
  ['Stems/Kick\tv2.wav', '0a1', 10],
  ['Vox/take\n2.wav', null, 11],
  ['Notes\\draft\\t.txt', '0a3', null],
  ['Mix \\n final [1].wav', null, null],
  ['Bounces/Émile — ☂ mix.wav', '0123456789abcdef', 0],
  ['\\', '0a6', 1],
];

describe('migration 0029 (history kinds by number, times in milliseconds, uploads as lines)', () => {
  it('keeps every entry: same ids, kinds, people, details and times; new entries read the same way', async () => {
    const db = env.UPGRADE_DB;
    await applyD1Migrations(db, upTo('0028'));
    const at = (m: number) => `2026-11-0${1 + Math.floor(m / 60)}T10:${String(m % 60).padStart(2, '0')}:00.${String(m).padStart(3, '0')}Z`;
    await db.batch([
      db
        .prepare(`INSERT INTO accounts (id, dropbox_account_id, email, email_lower, display_name, created_at, updated_at)
                  VALUES ('acc_maya', 'dbid:maya', 'maya@x.test', 'maya@x.test', 'Maya Reyes', ?1, ?1),
                         ('acc_leo', 'dbid:leo', 'leo@x.test', 'leo@x.test', 'Leo Vance', ?1, ?1)`)
        .bind(at(0)),
      db
        .prepare(`INSERT INTO tracks (id, owner_id, dropbox_shared_folder_id, title, created_at, updated_at)
                  VALUES ('trk_neon', 'acc_maya', '9001', 'Neon Rain', ?1, ?1)`)
        .bind(at(1)),
      // Rows as the code before 0029 wrote them: kind and time as text, an upload group as JSON, and a kind this
      // code does not know (kept, under a number of its own).
      db
        .prepare(`INSERT INTO track_history (id, track_no, kind, actor_no, actor_name, via, collaborator_id, details, created_at) VALUES
                  (1, 1, 'track_created', 1, 'Maya Reyes', 'app', NULL, '{"title":"Neon Rain"}', ?1),
                  (2, 1, 'legacy_note', 2, 'Leo Vance', 'app', NULL, '{"text":"hi"}', ?2),
                  (8, 1, 'file_uploads', 2, 'Leo Vance', 'dropbox', NULL, ?3, ?4),
                  (9, 1, 'metadata_changed', 1, 'Maya Reyes', 'app', NULL, '{"changes":{"bpm":{"from":120,"to":122}}}', ?5)`)
        .bind(at(2), at(3), JSON.stringify(AWKWARD), at(4), at(5)),
      db.prepare(
        `INSERT INTO dropbox_mounts (account_id, shared_folder_id, path_lower) VALUES ('acc_maya', '9001', '/neon rain'), ('acc_leo', '9001', '/shared/neon rain')`,
      ),
    ]);

    await applyD1Migrations(db, env.TEST_MIGRATIONS);

    const uploads = AWKWARD.map(([path, rev, size], i) => ({
      id: 3 + i,
      kind: 'file_uploaded',
      createdAt: at(4),
      details: { path, ...(rev !== null ? { rev } : {}), ...(size !== null ? { size } : {}) },
    })).reverse();
    const page = (before?: number, limit = 100) =>
      listHistory(db, { trackId: 'trk_neon', accountId: 'acc_maya', limit, ...(before ? { before } : {}) });
    const all = await page();
    expect(all.entries.map((e) => ({ id: e.id, kind: e.kind, createdAt: e.createdAt, details: e.details }))).toEqual([
      { id: 9, kind: 'metadata_changed', createdAt: at(5), details: { changes: { bpm: { from: 120, to: 122 } } } },
      ...uploads,
      { id: 2, kind: 'legacy_note', createdAt: at(3), details: { text: 'hi' } },
      { id: 1, kind: 'track_created', createdAt: at(2), details: { title: 'Neon Rain' } },
    ]);
    expect(all.entries.map((e) => e.actor.id)).toEqual(['acc_maya', ...uploads.map(() => 'acc_leo'), 'acc_leo', 'acc_maya']);
    // Paging counts the files of a group from its lines: a page of 3 ends inside the group, the next goes on from it.
    const first = await page(undefined, 3);
    expect(first.entries.map((e) => e.id)).toEqual([9, 8, 7]);
    expect((await page(first.nextBefore!, 3)).entries.map((e) => e.id)).toEqual([6, 5, 4]);
    expect((await page(4, 3)).entries.map((e) => e.id)).toEqual([3, 2, 1]);

    // New entries: an edit through the domain and uploads through the walk read back as they were written.
    await updateTrack(db, { trackId: 'trk_neon', actorId: 'acc_maya', via: 'app', bpm: 124 });
    const track = { id: 'trk_neon', owner_id: 'acc_maya', dropbox_shared_folder_id: '9001', created_at: at(1) };
    await db.batch(
      revisionStatements(
        db,
        AWKWARD.map(([relPath, rev, size], i) => ({
          track,
          file: { sharedFolderId: '9001', relPath, key: rev ?? `id:new${i}`, rev, size, modifiedBy: 'dbid:leo', serverModified: at(30) },
        })),
      ),
    );
    const now = await page(undefined, 7);
    expect(now.entries.map((e) => [e.id, e.kind, e.actor.id])).toEqual([
      ...AWKWARD.map((_, i) => [16 - i, 'file_uploaded', 'acc_leo']),
      [10, 'metadata_changed', 'acc_maya'],
    ]);
    expect(now.entries.slice(0, 6).map((e) => e.details)).toEqual(uploads.map((u) => u.details));
    expect(Math.abs(Date.parse(now.entries[6].createdAt) - Date.now())).toBeLessThan(60_000);
    expect(now.entries[6].createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    // Last activity (a trigger 0029 re-created) still holds ISO time.
    const maya = await db
      .prepare(`SELECT last_at FROM track_activity WHERE track_id = 'trk_neon' AND account_id = 'acc_maya'`)
      .first<{ last_at: string }>();
    expect(maya!.last_at).toBe(now.entries[6].createdAt);

    // Mounts: the same rows, now keyed by (account, folder) in the table itself.
    const mounts = await db.prepare('SELECT account_id, shared_folder_id, path_lower FROM dropbox_mounts ORDER BY 1').all();
    expect(mounts.results).toEqual([
      { account_id: 'acc_leo', shared_folder_id: '9001', path_lower: '/shared/neon rain' },
      { account_id: 'acc_maya', shared_folder_id: '9001', path_lower: '/neon rain' },
    ]);
    const schema = await db.prepare(`SELECT sql FROM sqlite_schema WHERE name = 'dropbox_mounts'`).first<{ sql: string }>();
    expect(schema!.sql).toContain('WITHOUT ROWID');
  });

  it('every kind the code writes has a number', async () => {
    const { results } = await env.DB.prepare('SELECT name FROM history_kinds').all<{ name: string }>();
    const numbered = new Set(results.map((r) => r.name));
    expect(Object.keys(HISTORY_KINDS).filter((k) => !numbered.has(k))).toEqual([]);
  });

  it('an upload line reads back as it was written, whatever the path holds', () => {
    const chars = ['a', 'Z', '/', ' ', '\\', '\t', '\n', 't', 'n', 'é', '☂', '"', '['];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let i = 0; i < 500; i++) {
      const path = Array.from({ length: 1 + (next() % 12) }, () => chars[next() % chars.length]).join('');
      const files: UploadedFile[] = [
        [path, next() % 2 ? null : 'a1b2c3d4e', next() % 3 ? next() : null],
        ['x.wav', null, 0],
      ];
      const stored = files.map(uploadLine).join('\n');
      expect(stored.split('\n')).toHaveLength(2);
      expect(parseUploads(stored)).toEqual(files);
    }
  });
});
