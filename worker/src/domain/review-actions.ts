// Downgrade to Viewer on a selection of collaborator records (from the stale-access review, issue 12): the same
// effects as sharing.ts's planSetAccessLevel for each record — history, notification, library change, Dropbox
// change — as a constant number of set-based statements over the stamped records.
import { newId, nowIso, type Plan } from './db.ts';
import { accessLevelEffects } from './sharing.ts';
import { accountNo, historyTime, kindCode, trackNo } from './history.ts';
import { prepare, raw, sql, type Sql } from './sql.ts';

export function planDowngrade(db: D1Database, input: { which: Sql; ownerId: string }): Plan {
  const eventId = newId('evt');
  const now = nowIso();
  const stamped = sql`c.event_id = ${eventId}`;
  const qs: Sql[] = [
    sql`UPDATE collaborators SET access_level = 'viewer', dropbox_access_level = NULL, event_id = ${eventId}, updated_at = ${now}
        WHERE ${input.which} AND status IN ('active', 'invited') AND access_level <> 'viewer' RETURNING id`,
    sql`UPDATE invitations SET access_level = 'viewer'
        WHERE status = 'pending' AND collaborator_id IN (SELECT id FROM collaborators c WHERE ${stamped})`,
    sql`INSERT INTO track_history (track_no, kind, actor_no, actor_name, via, collaborator_id, details, created_at)
        SELECT ${trackNo(raw('c.track_id'))}, ${kindCode('access_level_changed')}, ${accountNo(input.ownerId)}, (SELECT display_name FROM accounts WHERE id = ${input.ownerId}), 'app', c.id,
               json_object('collaborator', c.display_name, 'from', 'editor', 'to', 'viewer'), ${historyTime(now)}
        FROM collaborators c WHERE ${stamped}`,
    ...accessLevelEffects(eventId, now, input.ownerId, 'app'),
    sql`SELECT DISTINCT track_id FROM collaborators WHERE event_id = ${eventId} ORDER BY track_id`,
  ];
  return { eventId, statements: qs.map((q) => prepare(db, q)) };
}
