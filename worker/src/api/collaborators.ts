// A track's collaborators: invite, revoke, change access level, and leave (the collaborator themselves).
import {
  CollaboratorParams,
  InviteBody,
  SetAccessLevelBody,
  SetRoleBody,
  TrackParams,
  type InviteResponse,
  type LeaveResponse,
  type RevokeResponse,
  type SetAccessLevelResponse,
  type SetRoleResponse,
} from '@pd/shared';
import { Hono } from 'hono';
import { invite, inviteUntil, leaveTrack, revokeCollaborator, setAccessLevel, setRole } from '../domain/index.ts';
import { db, validate, type AppEnv } from './http.ts';

export const collaborators = new Hono<AppEnv>()
  .post('/:trackId/invitations', validate('param', TrackParams), validate('json', InviteBody), async (c) => {
    const { trackId } = c.req.valid('param');
    const { accessExpiresAt, ...body } = c.req.valid('json');
    const input = { ...body, trackId, actorId: c.var.account.id, via: 'app' as const };
    // Issue 12: access until a date, set in the same batch as the invitation.
    const result = accessExpiresAt ? await inviteUntil(db(c), { ...input, accessExpiresAt }) : await invite(db(c), input);
    return c.json<InviteResponse>(result, 201);
  })
  .post('/:trackId/collaborators/:collaboratorId/revoke', validate('param', CollaboratorParams), async (c) => {
    const { trackId, collaboratorId } = c.req.valid('param');
    const result = await revokeCollaborator(db(c), { trackId, collaboratorId, actorId: c.var.account.id, via: 'app' });
    return c.json<RevokeResponse>(result);
  })
  .patch('/:trackId/collaborators/:collaboratorId', validate('param', CollaboratorParams), validate('json', SetAccessLevelBody), async (c) => {
    const { trackId, collaboratorId } = c.req.valid('param');
    const { accessLevel } = c.req.valid('json');
    const result = await setAccessLevel(db(c), { trackId, collaboratorId, accessLevel, actorId: c.var.account.id, via: 'app' });
    return c.json<SetAccessLevelResponse>(result);
  })
  .put('/:trackId/collaborators/:collaboratorId/role', validate('param', CollaboratorParams), validate('json', SetRoleBody), async (c) => {
    const { trackId, collaboratorId } = c.req.valid('param');
    const { role } = c.req.valid('json');
    const result = await setRole(db(c), { trackId, collaboratorId, role: role || null, actorId: c.var.account.id });
    return c.json<SetRoleResponse>(result);
  })
  .post('/:trackId/leave', validate('param', TrackParams), async (c) => {
    const { trackId } = c.req.valid('param');
    const result = await leaveTrack(db(c), { trackId, accountId: c.var.account.id, via: 'app' });
    return c.json<LeaveResponse>({ changed: result.changed, trackId, status: result.status });
  });
