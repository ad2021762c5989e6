import type { MeResponse } from '@pd/shared';
import { Hono } from 'hono';
import type { AppEnv } from './http.ts';

export const me = new Hono<AppEnv>().get('/', (c) => c.json<MeResponse>({ account: c.var.account }));
