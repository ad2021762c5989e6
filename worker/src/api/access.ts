// Issue 12 routes: when access ends (expiry, heads-up, ending one early) per collaborator and per person, and the
// owner's stale-access review with its actions and settings. Owner only; documented in worker/API.md.
import {
  CollaboratorParams,
  HeadsUpBody,
  PersonParams,
  ReviewActionBody,
  ReviewSettingsBody,
  SetExpiryBody,
  type PersonScheduleResponse,
  type ReviewActionResponse,
  type ReviewResponse,
  type ReviewSettings,
  type ScheduleResponse,
} from '@pd/shared';
import { Hono } from 'hono';
import {
  endCollaboratorNow,
  headsUpCollaborator,
  reviewAction,
  schedulePerson,
  setCollaboratorExpiry,
  setReviewSettings,
  stalenessReview,
} from '../domain/index.ts';
import { db, validate, type AppEnv } from './http.ts';

/** Mounted at /tracks. */
export const trackSchedules = new Hono<AppEnv>()
  .put('/:trackId/collaborators/:collaboratorId/expiry', validate('param', CollaboratorParams), validate('json', SetExpiryBody), async (c) => {
    const p = c.req.valid('param');
    const result = await setCollaboratorExpiry(db(c), { ...p, ownerId: c.var.account.id, accessExpiresAt: c.req.valid('json').accessExpiresAt });
    return c.json<ScheduleResponse>(result);
  })
  .post('/:trackId/collaborators/:collaboratorId/expiry/end-now', validate('param', CollaboratorParams), async (c) => {
    const p = c.req.valid('param');
    return c.json<ScheduleResponse>(await endCollaboratorNow(db(c), { ...p, ownerId: c.var.account.id }));
  })
  .post('/:trackId/collaborators/:collaboratorId/heads-up', validate('param', CollaboratorParams), validate('json', HeadsUpBody), async (c) => {
    const p = c.req.valid('param');
    const { note, endsIn } = c.req.valid('json');
    return c.json<ScheduleResponse>(await headsUpCollaborator(db(c), { ...p, ownerId: c.var.account.id, note: note || null, endsIn }));
  });

/** Mounted at /sharing. */
export const personSchedules = new Hono<AppEnv>()
  .get('/review', async (c) => c.json<ReviewResponse>(await stalenessReview(db(c), c.var.account.id)))
  .put('/review/settings', validate('json', ReviewSettingsBody), async (c) =>
    c.json<ReviewSettings>(await setReviewSettings(db(c), c.var.account.id, c.req.valid('json').idleDays)),
  )
  .post('/review/actions', validate('json', ReviewActionBody), async (c) =>
    c.json<ReviewActionResponse>(await reviewAction(db(c), c.var.account.id, c.req.valid('json'))),
  )
  .put('/:personKey/expiry', validate('param', PersonParams), validate('json', SetExpiryBody), async (c) => {
    const { personKey } = c.req.valid('param');
    const change = { accessExpiresAt: c.req.valid('json').accessExpiresAt };
    return c.json<PersonScheduleResponse>(await schedulePerson(db(c), { ownerId: c.var.account.id, personKey, change }));
  })
  .post('/:personKey/heads-up', validate('param', PersonParams), validate('json', HeadsUpBody), async (c) => {
    const { personKey } = c.req.valid('param');
    const { note, endsIn } = c.req.valid('json');
    return c.json<PersonScheduleResponse>(
      await schedulePerson(db(c), { ownerId: c.var.account.id, personKey, change: { note: note || null, endsIn } }),
    );
  });
