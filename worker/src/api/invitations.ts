// /invitations: the caller's pending invitations; accept or decline one.
import { InvitationParams, type AcceptInvitationResponse, type DeclineInvitationResponse, type InvitationsResponse } from '@pd/shared';
import { Hono } from 'hono';
import { acceptInvitation, declineInvitation, getTrackDetail, listInvitations } from '../domain/index.ts';
import { db, validate, type AppEnv } from './http.ts';

export const invitations = new Hono<AppEnv>()
  .get('/', async (c) => c.json<InvitationsResponse>({ invitations: await listInvitations(db(c), c.var.account.id) }))
  .post('/:invitationId/accept', validate('param', InvitationParams), async (c) => {
    const { invitationId } = c.req.valid('param');
    const result = await acceptInvitation(db(c), { invitationId, accountId: c.var.account.id, via: 'app' });
    const track = await getTrackDetail(db(c), result.trackId, c.var.account.id);
    return c.json<AcceptInvitationResponse>({ invitation: result.invitation, track });
  })
  .post('/:invitationId/decline', validate('param', InvitationParams), async (c) => {
    const { invitationId } = c.req.valid('param');
    return c.json<DeclineInvitationResponse>(await declineInvitation(db(c), { invitationId, accountId: c.var.account.id, via: 'app' }));
  });
