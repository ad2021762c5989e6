// Migrations over rows written by the schema before them (UPGRADE_DB: an empty database of its own, on workerd's
// D1, foreign keys enforced). The API must read the same things after the migration as before it.
import { describe, expect, it } from 'vitest';
import { applyD1Migrations, env } from 'cloudflare:test';
import { addComment, createTrack, listComments, listHistory, setCommentPinned } from '../../src/domain/index.ts';

const upTo = (last: string) => env.TEST_MIGRATIONS.filter((m) => m.name.slice(0, 4) <= last);

describe('migration 0027 (integer keys for tracks and accounts in history and comments)', () => {
  it('keeps every history entry and comment, their ids and authors; new rows carry on above the old ids', async () => {
    const db = env.UPGRADE_DB;
    await applyD1Migrations(db, upTo('0026'));
    const at = (m: number) => `2026-11-0${1 + Math.floor(m / 60)}T10:${String(m % 60).padStart(2, '0')}:00.000Z`;
    // Rows as the code before 0027 wrote them: text ids for the track and the people.
    await db.batch([
      db
        .prepare(`INSERT INTO accounts (id, dropbox_account_id, email, email_lower, display_name, created_at, updated_at)
                  VALUES ('acc_maya', 'dbid:maya', 'maya@x.test', 'maya@x.test', 'Maya Reyes', ?1, ?1),
                         ('acc_leo', 'dbid:leo', 'leo@x.test', 'leo@x.test', 'Leo Vance', ?1, ?1)`)
        .bind(at(0)),
      db
        .prepare(`INSERT INTO tracks (id, owner_id, dropbox_shared_folder_id, title, created_at, updated_at)
                  VALUES ('trk_neon', 'acc_maya', '9001', 'Neon Rain', ?1, ?1), ('trk_other', 'acc_leo', '9002', 'Other', ?1, ?1)`)
        .bind(at(1)),
      db
        .prepare(`INSERT INTO track_history (track_id, kind, actor_id, actor_name, via, details, created_at) VALUES
                  ('trk_neon', 'track_created', 'acc_maya', 'Maya Reyes', 'app', '{"title":"Neon Rain"}', ?1),
                  ('trk_other', 'track_created', 'acc_leo', 'Leo Vance', 'app', '{"title":"Other"}', ?1),
                  ('trk_neon', 'metadata_changed', 'acc_leo', 'Leo Vance', 'app', '{"bpm":122}', ?2)`)
        .bind(at(2), at(3)),
      // An upload group of 3 files (ids 4..6, stored as one row of id 6), and an upload by someone PD does not know.
      db
        .prepare(`INSERT INTO track_history (id, track_id, kind, actor_id, actor_name, via, details, created_at) VALUES
                  (6, 'trk_neon', 'file_uploads', 'acc_leo', 'Leo Vance', 'dropbox', ?1, ?2),
                  (7, 'trk_neon', 'file_uploads', NULL, 'Dropbox', 'dropbox', '[["Mix.wav","0b1",9]]', ?3)`)
        .bind(
          JSON.stringify([
            ['Stems/Kick.wav', '0a1', 10],
            ['Stems/Snare.wav', '0a2', 11],
            ['Mix.wav', '0a3', null],
          ]),
          at(4),
          at(5),
        ),
      db
        .prepare(`INSERT INTO comments (id, track_id, author_id, author_name, body, pinned, pinned_by, pinned_by_name, pinned_at, created_at) VALUES
                  ('cmt_001', 'trk_neon', 'acc_leo', 'Leo Vance', 'Kick too loud', 1, 'acc_maya', 'Maya Reyes', ?2, ?1),
                  ('cmt_002', 'trk_neon', 'acc_maya', 'Maya Reyes', 'Fixed in v3', 0, NULL, NULL, NULL, ?2),
                  ('cmt_003', 'trk_other', 'acc_leo', 'Leo Vance', 'Elsewhere', 0, NULL, NULL, NULL, ?2)`)
        .bind(at(6), at(7)),
    ]);

    await applyD1Migrations(db, env.TEST_MIGRATIONS);

    const history = await listHistory(db, { trackId: 'trk_neon', accountId: 'acc_maya', limit: 100 });
    expect(history.entries.map((e) => [e.id, e.kind, e.actor.id, e.actor.name, e.details])).toEqual([
      [7, 'file_uploaded', null, 'Dropbox', { path: 'Mix.wav', rev: '0b1', size: 9 }],
      [6, 'file_uploaded', 'acc_leo', 'Leo Vance', { path: 'Mix.wav', rev: '0a3' }],
      [5, 'file_uploaded', 'acc_leo', 'Leo Vance', { path: 'Stems/Snare.wav', rev: '0a2', size: 11 }],
      [4, 'file_uploaded', 'acc_leo', 'Leo Vance', { path: 'Stems/Kick.wav', rev: '0a1', size: 10 }],
      [3, 'metadata_changed', 'acc_leo', 'Leo Vance', { bpm: 122 }],
      [1, 'track_created', 'acc_maya', 'Maya Reyes', { title: 'Neon Rain' }],
    ]);
    expect(history.entries[0].createdAt).toBe(at(5));
    const comments = await listComments(db, 'trk_neon', 'acc_maya');
    expect(comments.map((c) => [c.id, c.authorId, c.authorName, c.body, c.pinned, c.pinnedBy, c.createdAt])).toEqual([
      ['cmt_001', 'acc_leo', 'Leo Vance', 'Kick too loud', true, { id: 'acc_maya', name: 'Maya Reyes' }, at(6)],
      ['cmt_002', 'acc_maya', 'Maya Reyes', 'Fixed in v3', false, null, at(7)],
    ]);

    // New rows: a new person and track get the next numbers; history ids carry on above the old ones (7).
    await db
      .prepare(`INSERT INTO accounts (id, dropbox_account_id, email, email_lower, display_name, created_at, updated_at)
                VALUES ('acc_sam', 'dbid:sam', 'sam@x.test', 'sam@x.test', 'Sam Ortiz', ?1, ?1)`)
      .bind(at(8))
      .run();
    const { id: trackId } = await createTrack(db, { ownerId: 'acc_sam', dropboxSharedFolderId: '9003', title: 'Third', via: 'app' });
    const nos = await db.prepare(`SELECT id, no FROM tracks UNION ALL SELECT id, no FROM accounts ORDER BY no, id`).all<{ id: string; no: number }>();
    expect(nos.results.map((r) => `${r.id}=${r.no}`).sort()).toEqual(
      ['acc_leo=2', 'acc_maya=1', 'acc_sam=3', 'trk_neon=1', 'trk_other=2', `${trackId}=3`].sort(),
    );
    const created = await listHistory(db, { trackId, accountId: 'acc_sam', limit: 10 });
    expect(created.entries.map((e) => [e.id, e.kind, e.actor.id])).toEqual([[8, 'track_created', 'acc_sam']]);

    // Comments and pins on the migrated track, and the triggers that 0027 re-created (last activity, live pushes).
    await db.prepare('DELETE FROM live_outbox').run();
    const added = await addComment(db, { trackId: 'trk_neon', authorId: 'acc_maya', body: 'Bounce v4 please' });
    await setCommentPinned(db, { trackId: 'trk_neon', commentId: 'cmt_001', actorId: 'acc_maya', pinned: false, via: 'app' });
    expect((await listComments(db, 'trk_neon', 'acc_maya')).map((c) => [c.id, c.pinned])).toEqual([
      ['cmt_001', false],
      ['cmt_002', false],
      [added.id, false],
    ]);
    expect((await listHistory(db, { trackId: 'trk_neon', accountId: 'acc_maya', limit: 1 })).entries[0]).toMatchObject({
      id: 9,
      kind: 'comment_unpinned',
      actor: { id: 'acc_maya', name: 'Maya Reyes' },
      details: { commentId: 'cmt_001' },
    });
    const activity = await db.prepare(`SELECT track_id, account_id FROM track_activity ORDER BY 1, 2`).all();
    expect(activity.results).toEqual([
      { track_id: trackId, account_id: 'acc_sam' },
      { track_id: 'trk_neon', account_id: 'acc_leo' },
      { track_id: 'trk_neon', account_id: 'acc_maya' },
      { track_id: 'trk_other', account_id: 'acc_leo' },
    ]);
    const maya = await db
      .prepare(`SELECT last_at FROM track_activity WHERE track_id = 'trk_neon' AND account_id = 'acc_maya'`)
      .first<{ last_at: string }>();
    expect(maya!.last_at > at(9)).toBe(true);
    const outbox = await db.prepare(`SELECT track_id FROM live_outbox WHERE account_id = '' ORDER BY 1`).all<{ track_id: string }>();
    expect(outbox.results.map((r) => r.track_id)).toEqual(['trk_neon']);
  });
});
