// Issue 8, item 7: the repository publishes local secrets (scripts/local.mjs, worker/vitest.config.ts, wrangler.toml's
// app key). Deployed against real Dropbox with any of them, anyone could forge webhook signatures or decrypt stored
// Dropbox tokens: the worker refuses every request (503 unsafe_configuration, logged), every queue batch and cron tick.
import { createExecutionContext, createMessageBatch, createScheduledController, env, getQueueResult, waitOnExecutionContext } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import worker from '../../src/index.ts';
import { PUBLISHED_LOCAL_DEFAULTS } from '../../src/dropbox/origins.ts';
import type { Job } from '../../src/jobs/messages.ts';
import { person } from '../core/helpers.ts';

const REAL = { DROPBOX_API_ORIGIN: 'https://api.dropboxapi.com', DROPBOX_WEB_ORIGIN: 'https://www.dropbox.com' };
const PRODUCTION = {
  ...REAL,
  DROPBOX_APP_KEY: 'a1b2c3d4e5f6g7h',
  DROPBOX_APP_SECRET: 'a-real-app-secret-nobody-published',
  TOKEN_ENCRYPTION_KEY: btoa(String.fromCharCode(...new Uint8Array(32).fill(42))),
};

async function fetchWith(extra: Record<string, string>, path: string, init: RequestInit = {}) {
  const ctx = createExecutionContext();
  const res = await worker.fetch!(
    new Request(`http://pd.test${path}`, init) as Request<unknown, IncomingRequestCfProperties>,
    { ...env, ...extra } as Env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

afterEach(() => vi.restoreAllMocks());

describe('published local defaults with real Dropbox origins', () => {
  const cases: [string, Record<string, string>][] = [
    ['the local app secret', { ...PRODUCTION, DROPBOX_APP_SECRET: 'pd-local-app-secret' }],
    ['the test app secret', { ...PRODUCTION, DROPBOX_APP_SECRET: 'test-app-secret' }],
    ['the local token key', { ...PRODUCTION, TOKEN_ENCRYPTION_KEY: PUBLISHED_LOCAL_DEFAULTS.TOKEN_ENCRYPTION_KEY[0] }],
    ['the test token key', { ...PRODUCTION, TOKEN_ENCRYPTION_KEY: PUBLISHED_LOCAL_DEFAULTS.TOKEN_ENCRYPTION_KEY[1] }],
    ['the local token key as the previous key', { ...PRODUCTION, TOKEN_ENCRYPTION_KEY_PREVIOUS: PUBLISHED_LOCAL_DEFAULTS.TOKEN_ENCRYPTION_KEY[0] }],
    ['the local app key (wrangler.toml’s default)', { ...PRODUCTION, DROPBOX_APP_KEY: 'pd-local-app-key' }],
    ['no app secret', { ...PRODUCTION, DROPBOX_APP_SECRET: '' }],
    ['only the web origin real', { ...PRODUCTION, DROPBOX_API_ORIGIN: 'http://127.0.0.1:9', DROPBOX_APP_SECRET: 'pd-local-app-secret' }],
  ];

  for (const [what, config] of cases) {
    it(`${what}: every request answers 503 unsafe_configuration naming the setting, and it is logged`, async () => {
      const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
      const p = await person('Config');
      for (const [path, init] of [
        ['/health', {}],
        ['/api/v1/me', { headers: { Authorization: `Bearer ${p.token}` } }],
        ['/api/v1/auth/config', {}],
        ['/api/v1/auth/dropbox', { method: 'POST', body: '{}', headers: { 'Content-Type': 'application/json' } }],
        ['/dropbox/webhook?challenge=abc', {}],
        ['/dropbox/webhook', { method: 'POST', body: '{}' }],
      ] as [string, RequestInit][]) {
        const res = await fetchWith(config, path, init);
        const body = (await res.json()) as { error: { code: string; message: string } };
        expect([path, res.status, body.error.code]).toEqual([path, 503, 'unsafe_configuration']);
        expect(body.error.message).toMatch(/DROPBOX_APP_KEY|DROPBOX_APP_SECRET|TOKEN_ENCRYPTION_KEY/);
      }
      expect(logged.mock.calls.some((c) => /unsafe configuration/.test(String(c[0])))).toBe(true);
    });
  }

  it('the queue is not processed (messages retried later, nothing lost) and the cron does nothing', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const config = { ...PRODUCTION, DROPBOX_APP_SECRET: 'pd-local-app-secret' };
    const batch = createMessageBatch<Job>('pd-jobs', [
      { id: 'm1', timestamp: new Date(), attempts: 1, body: { kind: 'reconcile-account', dropboxAccountId: 'dbid:x', at: 1 } },
    ]);
    const ctx = createExecutionContext();
    await worker.queue!(batch, { ...env, ...config } as Env, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.retryBatch.retry || result.retryMessages.length === 1).toBe(true);
    expect(result.explicitAcks).toEqual([]);
    const sctx = createExecutionContext();
    await worker.scheduled!(createScheduledController({ cron: '* * * * *', scheduledTime: Date.now() }), { ...env, ...config } as Env, sctx);
    await waitOnExecutionContext(sctx);
    expect(logged.mock.calls.filter((c) => /unsafe configuration/.test(String(c[0]))).length).toBe(2);
  });

  it('real secrets with real Dropbox run normally; published ones run against a local Dropbox (development)', async () => {
    expect((await fetchWith(PRODUCTION, '/health')).status).toBe(200);
    const local = {
      DROPBOX_API_ORIGIN: 'http://localhost:8788',
      DROPBOX_WEB_ORIGIN: 'http://localhost:8788',
      DROPBOX_APP_KEY: 'pd-local-app-key',
      DROPBOX_APP_SECRET: 'pd-local-app-secret',
    };
    expect((await fetchWith(local, '/health')).status).toBe(200);
  });
});
