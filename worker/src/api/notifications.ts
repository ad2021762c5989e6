// /notifications: list, unread count, mark read.
import { MarkReadBody, NotificationsQuery, type MarkReadResponse, type NotificationsResponse, type UnreadCountResponse } from '@pd/shared';
import { Hono } from 'hono';
import { listNotifications, markRead, unreadCount } from '../domain/index.ts';
import { db, validate, type AppEnv } from './http.ts';

export const notifications = new Hono<AppEnv>()
  .get('/', validate('query', NotificationsQuery), async (c) => {
    const q = c.req.valid('query');
    return c.json<NotificationsResponse>(await listNotifications(db(c), { accountId: c.var.account.id, ...q }));
  })
  .get('/unread-count', async (c) => c.json<UnreadCountResponse>({ unread: await unreadCount(db(c), c.var.account.id) }))
  .post('/read', validate('json', MarkReadBody), async (c) => {
    const body = c.req.valid('json');
    const result = await markRead(db(c), {
      accountId: c.var.account.id,
      ...('all' in body ? { all: true } : { ids: body.ids }),
    });
    return c.json<MarkReadResponse>(result);
  });
