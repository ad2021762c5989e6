// Migrations over rows written by the schema before them (UPGRADE_DB: an empty database of its own, on workerd's
// D1, foreign keys enforced). The API must read the same things after the migration as before it.
import { describe, expect, it } from 'vitest';
import { applyD1Migrations, env } from 'cloudflare:test';
import { listHistory } from '../../src/domain/index.ts';
import { knownFileStatements, revisionStatements } from '../../src/jobs/reconcile.ts';

const upTo = (last: string) => env.TEST_MIGRATIONS.filter((m) => m.name.slice(0, 4) <= last);

describe('migration 0028 (seen file revisions keyed by track number, revisions as bytes)', () => {
  it('a revision seen before the migration is still known after it: seen again, nothing is recorded twice', async () => {
    const db = env.UPGRADE_DB;
    await applyD1Migrations(db, upTo('0027'));
    const created = '2026-11-01T10:00:00.000Z';
    const later = '2026-11-02T10:00:00.000Z';
    await db.batch([
      db
        .prepare(`INSERT INTO accounts (id, dropbox_account_id, email, email_lower, display_name, created_at, updated_at)
                  VALUES ('acc_maya', 'dbid:maya', 'maya@x.test', 'maya@x.test', 'Maya Reyes', ?1, ?1)`)
        .bind(created),
      db
        .prepare(`INSERT INTO tracks (id, owner_id, dropbox_shared_folder_id, title, created_at, updated_at)
                  VALUES ('trk_a', 'acc_maya', '9001', 'A', ?1, ?1), ('trk_b', 'acc_maya', '9002', 'B', ?1, ?1)`)
        .bind(created),
      // Keys as the code before 0028 wrote them: an odd and an even revision that differ only by a leading 0, a key
      // Dropbox gave no rev for, the same revision in another folder, and a folder PD has no track for.
      db.prepare(`INSERT INTO dropbox_seen_files (shared_folder_id, file_key, claimed_by, seen_at) VALUES
                  ('9001', '123456789', 'upl_1', 1), ('9001', '0123456789', 'existing', 2), ('9001', 'id:xyz@2026-11-02T10:00:00Z', '', 0),
                  ('9002', '123456789', 'upl_2', 3), ('9999', 'abcdef0123', 'upl_3', 4)`),
    ]);
    await applyD1Migrations(db, env.TEST_MIGRATIONS);

    const rows = await db
      .prepare(`SELECT track_no, hex(file_key) AS key, typeof(file_key) AS type, claimed_by, seen_at FROM dropbox_seen_files ORDER BY 1, 2`)
      .all();
    expect(rows.results).toEqual([
      { track_no: 1, key: '000123456789', type: 'blob', claimed_by: 'existing', seen_at: 2 },
      { track_no: 1, key: '1123456789', type: 'blob', claimed_by: 'upl_1', seen_at: 1 },
      {
        track_no: 1,
        key: Array.from(new TextEncoder().encode('id:xyz@2026-11-02T10:00:00Z'), (b) => b.toString(16).padStart(2, '0'))
          .join('')
          .toUpperCase(),
        type: 'text',
        claimed_by: '',
        seen_at: 0,
      },
      { track_no: 2, key: '1123456789', type: 'blob', claimed_by: 'upl_2', seen_at: 3 },
    ]);

    // The walk sees the same revisions again (and one new one): only the new one becomes an upload.
    const track = { id: 'trk_a', owner_id: 'acc_maya', dropbox_shared_folder_id: '9001', created_at: created };
    const file = (key: string, rev: string | null, relPath: string) => ({
      track,
      file: { sharedFolderId: '9001', relPath, key, rev, size: 10, modifiedBy: 'dbid:maya', serverModified: later },
    });
    await db.batch([
      ...knownFileStatements(db, [{ ...file('0123456789', '0123456789', 'Old.wav').file }]),
      ...revisionStatements(db, [
        file('123456789', '123456789', 'Mix.wav'),
        file('0123456789', '0123456789', 'Old.wav'),
        file('id:xyz@2026-11-02T10:00:00Z', null, 'NoRev.wav'),
        file('00123456789', '00123456789', 'New.wav'),
      ]),
    ]);
    const history = await listHistory(db, { trackId: 'trk_a', accountId: 'acc_maya', limit: 10 });
    expect(history.entries.filter((e) => e.kind === 'file_uploaded').map((e) => e.details)).toEqual([
      { path: 'New.wav', rev: '00123456789', size: 10 },
    ]);
    expect((await db.prepare('SELECT count(*) AS n FROM dropbox_seen_files').first<{ n: number }>())!.n).toBe(5);
  });
});
