// /sharing: the sharing panel (people I share with, each with their tracks) and Revoke All for one person.
import { PersonParams, type RevokeAllResponse, type SharingResponse } from '@pd/shared';
import { Hono } from 'hono';
import { revokeAll, sharingPanel } from '../domain/index.ts';
import { db, validate, type AppEnv } from './http.ts';

export const sharing = new Hono<AppEnv>()
  .get('/', async (c) => c.json<SharingResponse>({ people: await sharingPanel(db(c), c.var.account.id) }))
  .post('/:personKey/revoke-all', validate('param', PersonParams), async (c) => {
    const { personKey } = c.req.valid('param');
    return c.json<RevokeAllResponse>(await revokeAll(db(c), { ownerId: c.var.account.id, personKey, via: 'app' }));
  });
