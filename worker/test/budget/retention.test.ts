// Retention (issue 10, part 5 — first piece): read notifications expire after 90 days; unread ones never do.
import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../src/index.ts';
import { NOTIFICATION_RETENTION_DAYS } from '../../src/jobs/retention.ts';
import { person, trackOf } from '../core/helpers.ts';

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
    const rows = await env.DB.prepare('SELECT created_at, read_at FROM notifications WHERE recipient_id = ? ORDER BY created_at').bind(ben.account.id).all<{ created_at: string; read_at: string | null }>();
    expect(rows.results.map((r) => [r.created_at, r.read_at])).toEqual([
      [at(400).slice(0, 10), null],
      [at(100).slice(0, 10), expect.any(String)],
    ].map(([c, r]) => [expect.stringMatching(new RegExp(`^${c}`)), r]));
    const after = await ben.get('/notifications');
    expect(after.status).toBe(200);
    expect(JSON.stringify(after.body).length).toBeLessThan(JSON.stringify(before.body).length);
  });
});
