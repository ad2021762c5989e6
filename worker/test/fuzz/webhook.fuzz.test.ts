// Property-based tests of the Dropbox webhook receiver through SELF.fetch (the real queue behind it):
// - GET: any query → 200 echoing the challenge as text/plain + nosniff, or 400 in the error shape; never a 5xx.
// - POST: any body and any signature header → 200 only when the header is the body's own HMAC; otherwise a 4xx
//   in the error shape; never a 5xx; a refused notification writes nothing to the database.
//
// Reproduce a run: VITE_FUZZ_SEED=<seed printed below> npx vitest run test/fuzz
import { SELF, env } from 'cloudflare:test';
import fc from 'fast-check';
import { afterAll, describe, it } from 'vitest';
import { signBody } from '../../src/dropbox/signature.ts';
import { contentType, extraHeaders, fuzzSeed, hostileBody, hostileString, queryString, toHeaderValue } from './arbitraries.ts';
import { judge } from './judge.ts';
import { writesSoFar } from './db-state.ts';

const SEED = fuzzSeed();
const RUNS = { get: 60, post: 120 };
const counts: Record<string, Record<string, number>> = { 'GET /dropbox/webhook': {}, 'POST /dropbox/webhook': {} };

afterAll(() => {
  const lines = Object.entries(counts).map(([route, c]) => {
    const total = Object.values(c).reduce((a, b) => a + b, 0);
    return `${String(total).padStart(5)}  ${route.padEnd(24)} ${Object.entries(c)
      .sort()
      .map(([s, k]) => `${s}×${k}`)
      .join(' ')}`;
  });
  console.log(`Webhook fuzz (seed ${SEED}, reproduce: VITE_FUZZ_SEED=${SEED} npx vitest run test/fuzz)\n${lines.join('\n')}`);
});

const bytes = (b: string | Uint8Array) => (typeof b === 'string' ? new TextEncoder().encode(b) : b);

/** Notifications shaped like Dropbox's, with hostile account lists. */
const notification = fc
  .record({
    list_folder: fc.oneof(
      fc.record({
        accounts: fc.array(fc.oneof(fc.constant('dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc'), hostileString, fc.integer(), fc.constant(null)), {
          maxLength: 8,
        }),
      }),
      fc.jsonValue({ maxDepth: 2 }),
    ),
    delta: fc.option(fc.record({ users: fc.array(fc.integer()) }), { nil: undefined }),
  })
  .map((n) => JSON.stringify(n));

type SigKind = 'valid' | 'none' | 'garbage' | 'other-body' | 'other-secret' | 'truncated' | 'uppercase' | 'prefixed';

describe('webhook fuzz: never a 5xx, only a correctly signed body is accepted', () => {
  it('GET /dropbox/webhook?challenge=…', { timeout: 30_000 }, async () => {
    const tally = counts['GET /dropbox/webhook'];
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          queryString(['challenge']),
          hostileString.map((s) => `challenge=${encodeURIComponent(s.replace(/[\uD800-\uDFFF]/g, ''))}`),
        ),
        extraHeaders,
        async (query, headers) => {
          const url = `http://pd.test/dropbox/webhook?${query}`;
          const before = await writesSoFar();
          const res = await SELF.fetch(url, { headers });
          tally[res.status] = (tally[res.status] ?? 0) + 1;
          if (res.status === 200) {
            const expected = new URL(url).searchParams.get('challenge');
            // Compare the bytes: Response.text() would drop a leading U+FEFF that the worker did echo.
            const text = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true }).decode(await res.clone().arrayBuffer());
            if (text !== expected)
              throw new Error(`challenge echoed as ${JSON.stringify(text.slice(0, 100))}, sent ${JSON.stringify(expected?.slice(0, 100))}`);
            if (!/^text\/plain/.test(res.headers.get('content-type') ?? '') || res.headers.get('x-content-type-options') !== 'nosniff') {
              throw new Error(`challenge answered as ${res.headers.get('content-type')} without nosniff`);
            }
          }
          const problem = await judge(res, async () => ((await writesSoFar()) === before ? [] : ['wrote to the database']));
          if (problem) throw new Error(`${problem}\n  GET ${url.slice(0, 300)}`);
        },
      ),
      { seed: SEED, numRuns: RUNS.get, endOnFailure: true },
    );
  });

  it('POST /dropbox/webhook', { timeout: 40_000 }, async () => {
    const tally = counts['POST /dropbox/webhook'];
    const sig = fc.constantFrom<SigKind>(
      'valid',
      'valid',
      'valid',
      'none',
      'garbage',
      'other-body',
      'other-secret',
      'truncated',
      'uppercase',
      'prefixed',
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(notification, hostileBody), sig, contentType, extraHeaders, hostileString, async (body, kind, ct, extra, garbage) => {
        const raw = bytes(body);
        const mac = await signBody(env.DROPBOX_APP_SECRET, raw);
        const signature: Record<SigKind, string | null> = {
          valid: mac,
          uppercase: mac.toUpperCase(),
          none: null,
          garbage: toHeaderValue(garbage),
          'other-body': await signBody(env.DROPBOX_APP_SECRET, bytes(`${typeof body === 'string' ? body : ''}x`)),
          'other-secret': await signBody(`${env.DROPBOX_APP_SECRET}!`, raw),
          truncated: mac.slice(0, 63),
          prefixed: `sha256=${mac}`,
        };
        const headers = new Headers(extra);
        headers.delete('X-Dropbox-Signature');
        if (signature[kind] !== null) headers.set('X-Dropbox-Signature', signature[kind]!);
        if (ct !== null) headers.set('Content-Type', ct);
        const before = await writesSoFar();
        const res = await SELF.fetch('http://pd.test/dropbox/webhook', { method: 'POST', body: raw, headers });
        tally[res.status] = (tally[res.status] ?? 0) + 1;
        const signed = kind === 'valid' || kind === 'uppercase';
        const describe = `signature=${kind} body=${JSON.stringify(typeof body === 'string' ? body.slice(0, 200) : `${body.length} bytes`)}`;
        if (!signed && res.status !== 403) throw new Error(`a ${kind} signature answered ${res.status}, not 403\n  ${describe}`);
        if (res.status === 200 && !signed) throw new Error(`accepted without a valid signature\n  ${describe}`);
        const problem = await judge(res, async () => ((await writesSoFar()) === before ? [] : ['wrote to the database']));
        if (problem) throw new Error(`${problem}\n  ${describe}`);
      }),
      { seed: SEED, numRuns: RUNS.post, endOnFailure: true },
    );
  });
});
