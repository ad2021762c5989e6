import type { Notification, NotificationKind, NotificationNotice, Via } from '@pd/shared';
import { prepare, raw, sql } from './sql.ts';

interface NotificationRow {
  id: number;
  kind: NotificationKind;
  track_id: string;
  title_then: string;
  actor_id: string | null;
  actor_name: string;
  via: Via;
  read_at: string | null;
  created_at: string;
  notice: string | null;
}

function noticeOf(text: string | null): NotificationNotice | null {
  if (!text) return null;
  const n = JSON.parse(text) as Record<string, unknown>;
  // json_object keeps SQL NULLs as JSON nulls: leave out what is not there.
  for (const k of Object.keys(n)) if (n[k] === null && k !== 'accessEndsAt') delete n[k];
  return n as NotificationNotice;
}

/** Newest first; keyset pagination by id (ids are increasing integers, sent as strings). */
export async function listNotifications(
  db: D1Database,
  input: { accountId: string; before?: string; limit: number; unread: 'true' | 'false' | 'any' },
): Promise<{ notifications: Notification[]; nextBefore: string | null }> {
  const unread = input.unread === 'true' ? raw('AND n.read_at IS NULL') : input.unread === 'false' ? raw('AND n.read_at IS NOT NULL') : raw('');
  const { results } = await prepare(
    db,
    sql`SELECT n.*, COALESCE(n.track_title, t.title) AS title_then FROM notifications n JOIN tracks t ON t.id = n.track_id
        WHERE n.recipient_id = ${input.accountId} ${input.before ? sql`AND n.id < ${Number(input.before)}` : raw('')} ${unread}
        ORDER BY n.id DESC LIMIT ${input.limit + 1}`,
  ).all<NotificationRow>();
  const page = results.slice(0, input.limit);
  return {
    notifications: page.map((r) => ({
      id: String(r.id),
      kind: r.kind,
      trackId: r.track_id,
      trackTitle: r.title_then, // as it was when the notification was sent
      actor: { id: r.actor_id, name: r.actor_name },
      via: r.via,
      read: r.read_at !== null,
      createdAt: r.created_at,
      ...(() => {
        const notice = noticeOf(r.notice);
        return notice ? { notice, headsUp: notice.headsUp ?? null } : {};
      })(),
    })),
    nextBefore: results.length > input.limit ? String(page[page.length - 1].id) : null,
  };
}

export async function unreadCount(db: D1Database, accountId: string): Promise<number> {
  const row = await prepare(db, sql`SELECT count(*) AS n FROM notifications WHERE recipient_id = ${accountId} AND read_at IS NULL`).first<{
    n: number;
  }>();
  return row?.n ?? 0;
}

/** Marks some (ids) or all of the account's notifications read; other people's ids are ignored. */
export async function markRead(
  db: D1Database,
  input: { accountId: string; ids?: string[]; all?: boolean },
): Promise<{ marked: number; unread: number }> {
  const now = new Date().toISOString();
  const which = input.all ? raw('') : sql`AND id IN (SELECT CAST(value AS INTEGER) FROM json_each(${JSON.stringify(input.ids ?? [])}))`;
  const [update, count] = await db.batch([
    prepare(db, sql`UPDATE notifications SET read_at = ${now} WHERE recipient_id = ${input.accountId} AND read_at IS NULL ${which}`),
    prepare(db, sql`SELECT count(*) AS n FROM notifications WHERE recipient_id = ${input.accountId} AND read_at IS NULL`),
  ]);
  return { marked: update.meta.changes ?? 0, unread: (count.results[0] as { n: number }).n };
}
