// HTTP behaviour of /api/v1: CORS for the extension only, our error shape for unknown routes and methods, /me.
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { allowedOrigin } from '../../src/app.ts';
import { call, person } from './helpers.ts';

describe('CORS', () => {
  it('answers browser extensions (Chrome and Firefox), not web pages', async () => {
    const p = await person('Cors');
    for (const origin of ['chrome-extension://abcdefghijklmnopabcdefghijklmnop', 'moz-extension://0b7e5c1e-1111-4a4a-9b9b-123456789abc']) {
      const res = await SELF.fetch('http://pd.test/api/v1/me', { headers: { Origin: origin, Authorization: `Bearer ${p.token}` } });
      expect(res.headers.get('access-control-allow-origin')).toBe(origin);
      expect(res.headers.get('access-control-expose-headers')).toContain('Server-Timing');
    }
    const evil = await SELF.fetch('http://pd.test/api/v1/me', { headers: { Origin: 'https://evil.example', Authorization: `Bearer ${p.token}` } });
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers preflight requests for the extension', async () => {
    const res = await SELF.fetch('http://pd.test/api/v1/tracks/trk_x/collaborators/col_y/revoke', {
      method: 'OPTIONS',
      headers: {
        Origin: 'chrome-extension://abcdefghijklmnopabcdefghijklmnop',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization,content-type',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('chrome-extension://abcdefghijklmnopabcdefghijklmnop');
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
  });

  it('allows configured origins only', () => {
    expect(allowedOrigin('https://app.example', 'https://app.example, https://other.example')).toBe('https://app.example');
    expect(allowedOrigin('https://app.example', '')).toBeNull();
    expect(allowedOrigin('chrome-extension://x/../evil', '')).toBeNull();
  });
});

describe('errors and routing', () => {
  it('unknown routes → 404 not_found, wrong methods → 405 method_not_allowed with Allow, in our error shape', async () => {
    const p = await person('Routes');
    const missing = await call(p.token, 'GET', '/does/not/exist');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
    const wrong = await call(p.token, 'DELETE', '/tracks/trk_abc');
    expect(wrong.status).toBe(405);
    expect(wrong.body.error.code).toBe('method_not_allowed');
    expect(wrong.headers.get('allow')).toContain('GET');
    expect(wrong.headers.get('allow')).toContain('PATCH');
  });

  it('reports D1 round trips in Server-Timing', async () => {
    const p = await person('Timing');
    const res = await call(p.token, 'GET', '/me');
    expect(res.headers.get('server-timing')).toBe('d1;desc="1 round trips"');
  });

  it('GET /me returns the signed-in account', async () => {
    const p = await person('Me Myself', 'me.myself@example.test');
    const res = await p.get('/me');
    expect(res.body).toEqual({
      account: { id: p.account.id, email: 'me.myself@example.test', displayName: 'Me Myself', dropboxAccountId: p.account.dropboxAccountId },
    });
  });
});
