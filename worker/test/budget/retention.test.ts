// Retention (issue 10, part 5): what the cron prunes or compacts, and that nothing a user can see goes with it.
import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../src/index.ts';
import { DONE_CHANGE_RETENTION_DAYS, NOTIFICATION_RETENTION_DAYS, SEEN_FILE_COMPACT_AFTER_DAYS } from '../../src/jobs/retention.ts';
import { createSession } from '../../src/domain/index.ts';
import { call, person, share, trackOf } from '../core/helpers.ts';
import { budgetLog } from '../../src/budget.ts';

describe('retention of notifications', () => {
  it(`a notification read more than ${NOTIFICATION_RETENTION_DAYS} days ago is gone after the next cron tick; unread and recently read ones stay`, async () => {
    const olivia = await person('Olivia Owner');
    const ben = await person('Ben Beats');
    const trackId = await trackOf(olivia, 'Old News');
    const day = 86_400_000;
    const at = (daysAgo: number) => new Date(Date.now() - daysAgo * day).toISOString();
    const insert = (kind: string, created: string, read: string | null) =>
      env.DB.prepare(
        `INSERT INTO notifications (recipient_id, kind, track_id, actor_id, actor_name, via, read_at, created_at) VALUES (?, ?, ?, ?, 'Olivia Owner', 'app', ?, ?)`,
      ).bind(ben.account.id, kind, trackId, olivia.account.id, read, created);
    await env.DB.batch([
      insert('access_revoked', at(400), null), // never read: stays however old
      insert('access_revoked', at(200), at(NOTIFICATION_RETENTION_DAYS + 1)), // read long ago: expires
      insert('access_revoked', at(100), at(NOTIFICATION_RETENTION_DAYS - 1)), // read recently: stays
    ]);
    const before = await ben.get('/notifications');
    expect(before.status).toBe(200);
    const ctx = createExecutionContext();
    await worker.scheduled!(createScheduledController({ cron: '* * * * *', scheduledTime: Date.now() }), env, ctx);
    await waitOnExecutionContext(ctx);
    const rows = await env.DB.prepare('SELECT created_at, read_at FROM notifications WHERE recipient_id = ? ORDER BY created_at')
      .bind(ben.account.id)
      .all<{ created_at: string; read_at: string | null }>();
    expect(rows.results.map((r) => [r.created_at, r.read_at])).toEqual(
      [
        [at(400).slice(0, 10), null],
        [at(100).slice(0, 10), expect.any(String)],
      ].map(([c, r]) => [expect.stringMatching(new RegExp(`^${c}`)), r]),
    );
    const after = await ben.get('/notifications');
    expect(after.status).toBe(200);
    expect(JSON.stringify(after.body).length).toBeLessThan(JSON.stringify(before.body).length);
  });
});

async function cronTick() {
  const ctx = createExecutionContext();
  await worker.scheduled!(createScheduledController({ cron: '* * * * *', scheduledTime: Date.now() }), env, ctx);
  await waitOnExecutionContext(ctx);
}

const libraryChangesOf = async (accountId: string) =>
  (await env.DB.prepare('SELECT count(*) AS n FROM library_changes WHERE account_id = ?').bind(accountId).first<{ n: number }>())!.n;

describe('retention of library changes', () => {
  it('changes every live session has synced past are pruned; the next sync from there still returns every later change', async () => {
    const olivia = await person('Olivia Owner');
    const first = await trackOf(olivia, 'First');
    await olivia.patch(`/tracks/${first}`, { bpm: 99 });
    const all = await olivia.get('/sync?cursor=0');
    expect(all.status).toBe(200);
    expect(all.body.changes.length).toBeGreaterThanOrEqual(2);
    const cursor: number = all.body.cursor;
    // The browser asks again from that cursor: it has everything up to it.
    expect((await olivia.get(`/sync?cursor=${cursor}`)).body.changes).toEqual([]);
    await cronTick();
    expect(await libraryChangesOf(olivia.account.id)).toBe(0);
    // Nothing a user sees is lost: the library is whole, and a change made now reaches the next sync from the cursor.
    expect((await olivia.get('/library')).body.items.map((i: { track: { id: string } }) => i.track.id)).toEqual([first]);
    const second = await trackOf(olivia, 'Second');
    const next = await olivia.get(`/sync?cursor=${cursor}`);
    expect(next.body.changes).toEqual([expect.objectContaining({ trackId: second, change: 'added' })]);
    expect(next.body.cursor).toBeGreaterThan(cursor);
  });

  it('a live session that never synced (or synced from further back) keeps the changes it has not passed', async () => {
    const ben = await person('Ben Beats');
    const olivia = await person('Olivia Owner');
    const t = await trackOf(olivia, 'Shared');
    await share(olivia, t, ben);
    const { token: laptop } = await createSession(env.DB, ben.account.id); // Ben's second browser: never synced
    const synced = await ben.get('/sync?cursor=0');
    await ben.get(`/sync?cursor=${synced.body.cursor}`);
    const before = await libraryChangesOf(ben.account.id);
    expect(before).toBeGreaterThan(0);
    await cronTick();
    expect(await libraryChangesOf(ben.account.id)).toBe(before);
    // The laptop syncs from 0 and sees every change; once it has passed them too, they go.
    const fromZero = await call(laptop, 'GET', '/sync?cursor=0');
    expect(fromZero.body.changes).toHaveLength(before);
    await call(laptop, 'GET', `/sync?cursor=${fromZero.body.cursor}`);
    await cronTick();
    expect(await libraryChangesOf(ben.account.id)).toBe(0);
  });
});

describe('compaction of seen file revisions and pruning of long-done Dropbox changes', () => {
  it(`a revision seen more than ${SEEN_FILE_COMPACT_AFTER_DAYS} days ago keeps its row without its claim id; a change done more than ${DONE_CHANGE_RETENTION_DAYS} days ago goes, failed and recent ones stay`, async () => {
    const day = 86_400_000;
    const olivia = await person('Olivia Owner');
    const t = await trackOf(olivia, 'Changes');
    const no = '(SELECT no FROM tracks WHERE id = ?)';
    await env.DB.batch([
      env.DB.prepare(
        `INSERT INTO dropbox_seen_files (track_no, file_key, claimed_by, seen_at) VALUES (${no}, 'rev-old', 'upl_0123456789abcdef0123', ?)`,
      ).bind(t, Date.now() - (SEEN_FILE_COMPACT_AFTER_DAYS + 1) * day),
      env.DB.prepare(
        `INSERT INTO dropbox_seen_files (track_no, file_key, claimed_by, seen_at) VALUES (${no}, 'rev-new', 'upl_fedcba9876543210fedc', ?)`,
      ).bind(t, Date.now() - 60_000),
    ]);
    const at = (daysAgo: number) => new Date(Date.now() - daysAgo * day).toISOString();
    const change = (status: string, updated: string) =>
      env.DB.prepare(
        `INSERT INTO dropbox_changes (track_id, kind, params, status, created_at, updated_at) VALUES (?, 'remove_member', '{}', ?, ?, ?) RETURNING id`,
      ).bind(t, status, updated, updated);
    const [oldDone, oldFailed, recentDone] = (
      await env.DB.batch<{ id: number }>([
        change('done', at(DONE_CHANGE_RETENTION_DAYS + 1)),
        change('failed', at(DONE_CHANGE_RETENTION_DAYS + 30)),
        change('done', at(1)),
      ])
    ).map((r) => r.results[0].id);
    await cronTick();
    const seen = await env.DB.prepare(`SELECT file_key, claimed_by FROM dropbox_seen_files WHERE track_no = ${no} ORDER BY file_key`).bind(t).all();
    expect(seen.results).toEqual([
      { file_key: 'rev-new', claimed_by: 'upl_fedcba9876543210fedc' },
      { file_key: 'rev-old', claimed_by: '' },
    ]);
    // The same revision seen again is still known: the row's key is what decides.
    const again = await env.DB.prepare(
      `INSERT INTO dropbox_seen_files (track_no, file_key, claimed_by, seen_at) VALUES (${no}, 'rev-old', 'upl_x', ?) ON CONFLICT DO NOTHING`,
    )
      .bind(t, Date.now())
      .run();
    expect(again.meta.changes).toBe(0);
    const left = await env.DB.prepare('SELECT id FROM dropbox_changes WHERE track_id = ? ORDER BY id').bind(t).all<{ id: number }>();
    expect(left.results.map((r) => r.id)).toEqual([oldFailed, recentDone]);
    expect(left.results.map((r) => r.id)).not.toContain(oldDone);
    const tick = budgetLog()
      .recent.filter((u) => u.label === 'scheduled')
      .at(-1)!;
    expect(tick.d1).toBeLessThanOrEqual(1000);
  });
});
