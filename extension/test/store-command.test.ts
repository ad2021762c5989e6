// npm run zip:store refuses, before building anything, a worker URL that would make a development build or send the
// session token in clear.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SCRIPT = join(import.meta.dirname, '..', 'scripts', 'store.mjs');
const run = (...args: string[]) => spawnSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8', timeout: 20_000 });

describe('store packages command', () => {
  it.each([
    ['http://localhost:8787', /on this machine: that makes a development build/],
    ['https://127.0.0.1:8787', /on this machine/],
    ['https://pd.localhost', /on this machine/],
    ['http://pd.example.com', /must be https:\/\//],
    ['https://pd.example.com/api', /must be an origin only/],
    ['not a url', /is not a URL/],
  ])('refuses --worker-url %s', (url, message) => {
    const r = run('--worker-url', url);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(message);
  });

  it('asks for the worker URL when none is given', () => {
    const r = run();
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('--worker-url https://pd.example.com');
  });
});
