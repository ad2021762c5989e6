// GET /library (the caller's library, filtered) and GET /sync (what changed in it since a cursor).
import { LibraryQuery, SyncQuery, type LibraryResponse, type SyncResponse } from '@pd/shared';
import { Hono } from 'hono';
import { listLibrary, sync } from '../domain/index.ts';
import { db, validate, type AppEnv } from './http.ts';

export const library = new Hono<AppEnv>().get('/', validate('query', LibraryQuery), async (c) => {
  const q = c.req.valid('query');
  return c.json<LibraryResponse>(await listLibrary(db(c), { accountId: c.var.account.id, ...q }));
});

export const syncRoute = new Hono<AppEnv>().get('/', validate('query', SyncQuery), async (c) => {
  const q = c.req.valid('query');
  return c.json<SyncResponse>(await sync(db(c), { accountId: c.var.account.id, cursor: q.cursor, limit: q.limit, sessionHash: c.var.sessionHash }));
});
