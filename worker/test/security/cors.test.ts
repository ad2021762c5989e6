// CORS: the worker answers browsers only for the extension's own origins (chrome-extension://, moz-extension://)
// and the operator's ALLOWED_ORIGINS. With real Dropbox (production) only the published ids in EXTENSION_IDS; any
// extension id only in development (local Dropbox origins, as in this test project), see "pinned ids" below — never "*", never an arbitrary web page, and never with cookies/credentials
// (the API authenticates with a bearer token the extension holds, so a web page has nothing to ride on).
import { SELF, createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../src/index.ts';
import { person } from '../core/helpers.ts';
import { fillPath, paramsOf, servedRoutes } from '../fuzz/routes.ts';

const EXTENSION_ORIGINS = [
  'chrome-extension://oaiaeejnfngjihimhhifgbedfocmgghg', // the development build's pinned id
  'chrome-extension://abcdefghijklmnopabcdefghijklmnop',
  'moz-extension://6f1d1d3e-8e2a-4f5b-9c1a-2b3c4d5e6f70', // Firefox: a random UUID per install
];

const FOREIGN_ORIGINS = [
  'https://evil.example',
  'http://evil.example',
  'https://www.dropbox.com', // the page the content script runs in: it must go through the background
  'https://dropbox.com',
  'http://localhost:8787',
  'http://localhost',
  'null',
  'file://',
  'chrome-extension://',
  'chrome-extension://abc/evil',
  'chrome-extension://abc.evil.example',
  'chrome-extension://abc@evil.example',
  'chrome-extension://abc evil',
  'chrome-extension://abc\tevil',
  'https://chrome-extension://abc',
  'safari-web-extension://abc',
  'ms-browser-extension://abc',
  'moz-extension://abc:443',
  'https://pd.example.evil.example', // tricks against ALLOWED_ORIGINS = https://pd.example
  'https://evil.example/https://pd.example',
  'https://pd.example.',
  'https://pd.example:444',
  'http://pd.example',
  'HTTPS://PD.EXAMPLE.EVIL',
];

/** Every served route with placeholder ids, and the method it is served with. */
const routes = () =>
  servedRoutes().map((r) => {
    const [method, template] = r.split(' ');
    const path = fillPath(template, Object.fromEntries(paramsOf(template).map((p) => [p, p === 'changeId' ? '1' : 'x'])));
    return { name: r, method, path };
  });

async function viaWorker(req: Request, extraEnv: Record<string, string> = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch!(req as Request<unknown, IncomingRequestCfProperties>, { ...env, ...extraEnv } as Env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

const preflight = (path: string, origin: string, method: string) =>
  new Request(`http://pd.test${path}`, {
    method: 'OPTIONS',
    headers: { Origin: origin, 'Access-Control-Request-Method': method, 'Access-Control-Request-Headers': 'authorization, content-type' },
  });

const actual = (path: string, origin: string, method: string) =>
  new Request(`http://pd.test${path}`, {
    method,
    headers: { Origin: origin, 'Content-Type': 'application/json' },
    body: method === 'GET' ? undefined : '{}',
  });

describe('CORS', () => {
  it('preflight from the extension is allowed on every /api/v1 route, for exactly that origin, without credentials', async () => {
    const problems: string[] = [];
    for (const r of routes().filter((x) => x.path.startsWith('/api/v1'))) {
      for (const origin of EXTENSION_ORIGINS) {
        const res = await SELF.fetch(preflight(r.path, origin, r.method));
        const h = res.headers;
        const allowMethods = (h.get('access-control-allow-methods') ?? '').split(',').map((m) => m.trim());
        const allowHeaders = (h.get('access-control-allow-headers') ?? '').toLowerCase();
        if (res.status >= 300) problems.push(`${r.name} ${origin}: preflight answered ${res.status}`);
        if (h.get('access-control-allow-origin') !== origin)
          problems.push(`${r.name} ${origin}: allow-origin ${h.get('access-control-allow-origin')}`);
        if (!allowMethods.includes(r.method)) problems.push(`${r.name} ${origin}: ${r.method} not in allow-methods ${allowMethods}`);
        if (!allowHeaders.includes('authorization') || !allowHeaders.includes('content-type'))
          problems.push(`${r.name}: allow-headers ${allowHeaders}`);
        if (h.get('access-control-allow-credentials') !== null)
          problems.push(`${r.name}: allow-credentials ${h.get('access-control-allow-credentials')}`);
        if (!/\borigin\b/i.test(h.get('vary') ?? '')) problems.push(`${r.name}: no Vary: Origin on the preflight`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('actual answers (success and error alike) carry the extension origin, Vary: Origin, and expose no credentials', async () => {
    const me = await person('Cors Me');
    const problems: string[] = [];
    for (const r of routes().filter((x) => x.path.startsWith('/api/v1'))) {
      for (const origin of EXTENSION_ORIGINS) {
        const req = actual(r.path, origin, r.method);
        if (r.name === 'GET /api/v1/me') req.headers.set('Authorization', `Bearer ${me.token}`);
        const res = await SELF.fetch(req);
        await res.arrayBuffer();
        if (res.status >= 500) problems.push(`${r.name}: ${res.status}`);
        if (res.headers.get('access-control-allow-origin') !== origin)
          problems.push(`${r.name} ${res.status} ${origin}: allow-origin ${res.headers.get('access-control-allow-origin')}`);
        if (res.headers.get('access-control-allow-credentials') !== null) problems.push(`${r.name}: allow-credentials`);
        if (!/\borigin\b/i.test(res.headers.get('vary') ?? '')) problems.push(`${r.name} ${res.status}: no Vary: Origin`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('never answers "*" and never allows a web page or a look-alike origin (preflight or actual, any route)', async () => {
    const problems: string[] = [];
    for (const r of routes()) {
      for (const origin of FOREIGN_ORIGINS) {
        for (const req of [preflight(r.path, origin, r.method), actual(r.path, origin, r.method)]) {
          let res: Response;
          try {
            res = await viaWorker(req, { ALLOWED_ORIGINS: 'https://pd.example' });
          } catch (e) {
            problems.push(`${r.name} ${req.method} ${origin}: threw ${e}`);
            continue;
          }
          await res.arrayBuffer();
          const acao = res.headers.get('access-control-allow-origin');
          if (acao !== null) problems.push(`${r.name} ${req.method} from ${origin}: allow-origin ${acao}`);
          if (res.headers.get('access-control-allow-credentials') !== null) problems.push(`${r.name} ${req.method}: allow-credentials`);
          if (res.status >= 500) problems.push(`${r.name} ${req.method} from ${origin}: ${res.status}`);
        }
      }
    }
    expect(problems).toEqual([]);
  }, 60_000); // every route × 12 origins × 2 requests: grows with the routes (issue 12 added 8); 5 s is too tight on 2 loaded cores

  it('no Origin header at all (server to server, curl): no CORS headers', async () => {
    const res = await SELF.fetch('http://pd.test/api/v1/auth/config');
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('ALLOWED_ORIGINS adds exactly the listed origins (comma separated, spaces ignored), nothing that merely resembles them', async () => {
    const extra = { ALLOWED_ORIGINS: ' https://pd.example , https://admin.pd.example:8443 ' };
    for (const origin of ['https://pd.example', 'https://admin.pd.example:8443']) {
      const pre = await viaWorker(preflight('/api/v1/me', origin, 'GET'), extra);
      expect(pre.headers.get('access-control-allow-origin')).toBe(origin);
      const res = await viaWorker(actual('/api/v1/me', origin, 'GET'), extra);
      expect([res.status, res.headers.get('access-control-allow-origin')]).toEqual([401, origin]);
    }
    // The deployed default (wrangler.toml) lists none: a web origin gets nothing.
    const none = await SELF.fetch(preflight('/api/v1/me', 'https://pd.example', 'GET'));
    expect(none.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('the Dropbox webhook is server to server: no CORS for anyone, not even the extension', async () => {
    for (const origin of [...EXTENSION_ORIGINS, 'https://evil.example']) {
      for (const req of [
        preflight('/dropbox/webhook', origin, 'POST'),
        actual('/dropbox/webhook?challenge=abc', origin, 'GET'),
        actual('/dropbox/webhook', origin, 'POST'),
      ]) {
        const res = await SELF.fetch(req);
        await res.arrayBuffer();
        expect(res.headers.get('access-control-allow-origin')).toBeNull();
      }
    }
  });
});

describe('CORS in production: pinned extension ids (issue 8)', () => {
  const PROD = {
    DROPBOX_API_ORIGIN: 'https://api.dropboxapi.com',
    DROPBOX_WEB_ORIGIN: 'https://www.dropbox.com',
    DROPBOX_APP_KEY: 'a1b2c3d4e5f6g7h',
    DROPBOX_APP_SECRET: 'a-real-app-secret-nobody-published',
    TOKEN_ENCRYPTION_KEY: btoa(String.fromCharCode(...new Uint8Array(32).fill(42))),
    EXTENSION_IDS: 'oaiaeejnfngjihimhhifgbedfocmgghg, moz-extension://6f1d1d3e-8e2a-4f5b-9c1a-2b3c4d5e6f70',
  };

  it('only the published ids get CORS; any other extension (another Chrome id, another Firefox install) gets nothing', async () => {
    const pinned = ['chrome-extension://oaiaeejnfngjihimhhifgbedfocmgghg', 'moz-extension://6f1d1d3e-8e2a-4f5b-9c1a-2b3c4d5e6f70'];
    const others = [
      'chrome-extension://abcdefghijklmnopabcdefghijklmnop',
      'moz-extension://00000000-0000-4000-8000-000000000000',
      'chrome-extension://oaiaeejnfngjihimhhifgbedfocmgghh',
    ];
    for (const origin of pinned) {
      const res = await viaWorker(preflight('/api/v1/me', origin, 'GET'), PROD);
      expect([origin, res.headers.get('access-control-allow-origin')]).toEqual([origin, origin]);
    }
    for (const origin of others) {
      for (const req of [preflight('/api/v1/me', origin, 'GET'), actual('/api/v1/auth/config', origin, 'GET')]) {
        const res = await viaWorker(req, PROD);
        await res.arrayBuffer();
        expect([origin, req.method, res.headers.get('access-control-allow-origin')]).toEqual([origin, req.method, null]);
      }
    }
  });

  it('with no EXTENSION_IDS configured, no extension origin at all', async () => {
    const res = await viaWorker(preflight('/api/v1/me', 'chrome-extension://oaiaeejnfngjihimhhifgbedfocmgghg', 'GET'), {
      ...PROD,
      EXTENSION_IDS: '',
    });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});
