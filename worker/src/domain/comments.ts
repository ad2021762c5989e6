// Comments: added by the owner and active collaborators, pinned by the owner and Editors.
// They are never deleted when the author's access ends, and keep the author's name as written.
import type { Comment } from '@pd/shared';
import { canEditSql, isMemberSql, requireEditor, trackAccess } from './access.ts';
import { applied, newId, nowIso, runPlan, type Plan, type Via } from './db.ts';
import { DomainError } from './errors.ts';
import { accountNo, insertHistory, trackNo } from './history.ts';
import { toComment, type CommentRow } from './rows.ts';
import { prepare, raw, sql, type Sql } from './sql.ts';

export async function listComments(db: D1Database, trackId: string, accountId: string): Promise<Comment[]> {
  await trackAccess(db, trackId, accountId);
  const { results } = await prepare(db, commentRowsSql(trackId)).all<CommentRow>();
  return results.map(toComment);
}

/** A track's comments as CommentRows, oldest first, or only the one named `only`. The table keeps the track and the
 *  author by number (migration 0027); the row gives the author's account id back. */
export const commentRowsSql = (trackId: string, only?: string): Sql =>
  sql`SELECT c.id, a.id AS author_id, c.author_name, c.body, c.pinned, c.pinned_by, c.pinned_by_name, c.pinned_at, c.created_at
      FROM comments c JOIN accounts a ON a.no = c.author_no
      WHERE c.track_no = ${trackNo(trackId)}${only === undefined ? raw('') : sql` AND c.id = ${only}`} ORDER BY c.id`;

export interface AddCommentInput {
  trackId: string;
  authorId: string;
  body: string;
}

export async function planAddComment(db: D1Database, input: AddCommentInput): Promise<Plan & { commentId: string }> {
  await trackAccess(db, input.trackId, input.authorId);
  const commentId = newId('cmt');
  const now = nowIso();
  const q = sql`INSERT INTO comments (track_no, id, author_no, author_name, body, pinned, created_at)
    SELECT ${trackNo(input.trackId)}, ${commentId}, ${accountNo(input.authorId)}, (SELECT display_name FROM accounts WHERE id = ${input.authorId}),
           ${input.body.trim()}, 0, ${now}
    WHERE ${isMemberSql(input.trackId, input.authorId)}`;
  return { eventId: commentId, commentId, statements: [prepare(db, q)] };
}

export async function addComment(db: D1Database, input: AddCommentInput): Promise<Comment> {
  const plan = await planAddComment(db, input);
  if (!applied(await runPlan(db, plan))) throw new DomainError('access_ended', 'Your access to this track has ended.');
  return (await getComment(db, input.trackId, plan.commentId))!;
}

async function getComment(db: D1Database, trackId: string, commentId: string): Promise<Comment | null> {
  const row = await prepare(db, commentRowsSql(trackId, commentId)).first<CommentRow>();
  return row ? toComment(row) : null;
}

export interface PinCommentInput {
  trackId: string;
  commentId: string;
  actorId: string;
  pinned: boolean;
  via: Via;
}

export async function planSetCommentPinned(db: D1Database, input: PinCommentInput): Promise<Plan> {
  const access = await trackAccess(db, input.trackId, input.actorId);
  requireEditor(access, input.pinned ? 'pin comments' : 'unpin comments');
  if (!(await getComment(db, input.trackId, input.commentId))) {
    throw new DomainError('comment_not_found', 'No such comment on this track.');
  }
  const eventId = newId('evt');
  const now = nowIso();
  const flag = input.pinned ? 1 : 0;
  const qs = [
    input.pinned
      ? sql`UPDATE comments SET pinned = 1, pinned_by = ${input.actorId},
              pinned_by_name = (SELECT display_name FROM accounts WHERE id = ${input.actorId}), pinned_at = ${now}, event_id = ${eventId}
            WHERE track_no = ${trackNo(input.trackId)} AND id = ${input.commentId} AND pinned = 0 AND ${canEditSql(input.trackId, input.actorId)}`
      : sql`UPDATE comments SET pinned = 0, pinned_by = NULL, pinned_by_name = NULL, pinned_at = NULL, event_id = ${eventId}
            WHERE track_no = ${trackNo(input.trackId)} AND id = ${input.commentId} AND pinned = 1 AND ${canEditSql(input.trackId, input.actorId)}`,
    insertHistory({
      trackId: input.trackId,
      kind: input.pinned ? 'comment_pinned' : 'comment_unpinned',
      actorId: input.actorId,
      via: input.via,
      details: { commentId: input.commentId },
      now,
      when: sql`EXISTS (SELECT 1 FROM comments WHERE track_no = ${trackNo(input.trackId)} AND id = ${input.commentId} AND event_id = ${eventId} AND pinned = ${flag})`,
    }),
  ];
  return { eventId, statements: qs.map((q) => prepare(db, q)) };
}

/** Pin or unpin (owner or Editor). A pinned comment stays pinned after its pinner's access ends. */
export async function setCommentPinned(db: D1Database, input: PinCommentInput): Promise<{ changed: boolean; comment: Comment }> {
  const results = await runPlan(db, await planSetCommentPinned(db, input));
  return { changed: applied(results), comment: (await getComment(db, input.trackId, input.commentId))! };
}
