// /tracks/:trackId/comments: list, add, pin/unpin.
import { CommentParams, CreateCommentBody, PinCommentBody, TrackParams, type CommentResponse, type CommentsResponse } from '@pd/shared';
import { Hono } from 'hono';
import { addComment, listComments, setCommentPinned } from '../domain/index.ts';
import { db, validate, type AppEnv } from './http.ts';

export const comments = new Hono<AppEnv>()
  .get('/:trackId/comments', validate('param', TrackParams), async (c) => {
    const { trackId } = c.req.valid('param');
    return c.json<CommentsResponse>({ comments: await listComments(db(c), trackId, c.var.account.id) });
  })
  .post('/:trackId/comments', validate('param', TrackParams), validate('json', CreateCommentBody), async (c) => {
    const { trackId } = c.req.valid('param');
    const comment = await addComment(db(c), { trackId, authorId: c.var.account.id, body: c.req.valid('json').body });
    return c.json<CommentResponse>({ comment }, 201);
  })
  .post('/:trackId/comments/:commentId/pin', validate('param', CommentParams), validate('json', PinCommentBody), async (c) => {
    const { trackId, commentId } = c.req.valid('param');
    const { comment } = await setCommentPinned(db(c), {
      trackId,
      commentId,
      actorId: c.var.account.id,
      pinned: c.req.valid('json').pinned,
      via: 'app',
    });
    return c.json<CommentResponse>({ comment });
  });
