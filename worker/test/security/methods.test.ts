// Every served path called with every method (standard, WebDAV, made-up), signed in and not: never a 5xx, and a
// refused method is answered 4xx in the error shape (HEAD: same status as GET, no body).
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { person } from '../core/helpers.ts';
import { fillPath, paramsOf, servedRoutes } from '../fuzz/routes.ts';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'PROPFIND', 'MKCOL', 'LOCK', 'PURGE', 'QUERY', 'FOO'];

describe('any method on any path', () => {
  it('never a 5xx; refusals in the error shape', async () => {
    const me = await person('Methods');
    const paths = [...new Set(servedRoutes().map((r) => r.split(' ')[1]))].map((t) =>
      fillPath(t, Object.fromEntries(paramsOf(t).map((p) => [p, p === 'changeId' ? '1' : 'x']))),
    );
    const problems: string[] = [];
    const unsendable = new Set<string>();
    let n = 0;
    for (const path of [...paths, '/api/v1', '/api/v1/', '/api/v1/nothing', '/api/v2/me']) {
      for (const method of METHODS) {
        for (const token of [null, me.token]) {
          const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
          const body = ['GET', 'HEAD', 'OPTIONS'].includes(method) ? undefined : '{}';
          if (body) headers['Content-Type'] = 'application/json';
          let res: Response;
          try {
            res = await SELF.fetch(`http://pd.test${path}`, { method, headers, body });
          } catch (e) {
            // The runtime itself refuses to send some methods (workerd knows a fixed list): nothing reaches the worker.
            if (e instanceof TypeError && /method/i.test(e.message)) {
              unsendable.add(method);
              continue;
            }
            throw e;
          }
          const text = await res.text();
          n++;
          const where = `${method} ${path} ${token ? 'signed in' : 'no session'} → ${res.status}`;
          if (res.status >= 500) problems.push(`${where}: ${text.slice(0, 120)}`);
          else if (res.status >= 400 && method !== 'HEAD' && path.startsWith('/api/v1')) {
            let code: unknown;
            try {
              code = JSON.parse(text)?.error?.code;
            } catch {
              /* not JSON */
            }
            if (typeof code !== 'string') problems.push(`${where} without the error shape: ${text.slice(0, 120)}`);
          }
        }
      }
    }
    console.log(
      `methods: ${n} requests over ${paths.length + 4} paths × 2 callers; methods the runtime will not send: ${[...unsendable].join(', ') || 'none'}`,
    );
    expect(unsendable.size).toBeLessThan(METHODS.length / 2);
    expect(problems).toEqual([]);
  }, 60_000); // ~1,000 requests
});
