// The routes that talk to Dropbox, fuzzed against the Dropbox emulator with signed-in people: sign-in (hostile
// bodies, real authorization codes with the wrong verifier / redirect / reused), import (hostile folder ids) and
// lookup by web path (hostile paths, Unicode, lone surrogates, traversal, whole URLs). Same property as the API
// fuzz: a 2xx, or a 4xx with { error: { code, message } } that wrote nothing — never a 5xx.
//
// Requests go through the worker's fetch handler with the test harness (test/dropbox/harness.ts) rather than
// SELF.fetch: it waits for every waitUntil and records queue messages instead of consuming them, so no
// background reconciliation writes to D1 while a request is being judged.
//
// Reproduce a run: VITE_FUZZ_SEED=<seed printed below> npx vitest run --project dropbox test/fuzz
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness, REDIRECT_URI, control } from '../dropbox/harness.ts';
import { contentType, encodeAny, extraHeaders, fuzzSeed, hostileBody, hostileString, toHeaderValue } from './arbitraries.ts';
import { writesSoFar } from './db-state.ts';
import { judge } from './judge.ts';

const SEED = fuzzSeed();
const RUNS = 40;
const h = new Harness();
const OWNER = 'olivia.fuzz@pd.test';
const MEMBER = 'ben.fuzz@pd.test';
let owner: { session: string };
let member: { session: string };
let sharedFolderId: string;
/** Owned by the owner too, but not imported: the one folder a create can succeed on. */
let otherFolderId: string;
const counts: Record<string, Record<string, number>> = {};

beforeAll(async () => {
  const seeded = await h.reset({
    accounts: [
      { email: OWNER, display_name: 'Olivia Fuzz' },
      { email: MEMBER, display_name: 'Ben Fuzz' },
    ],
    folders: [
      {
        name: 'Fuzz Track',
        owner: OWNER,
        path: '/PD/Fuzz Track',
        members: [{ account: MEMBER, access_level: 'editor' }],
        files: [{ path: 'mix v1.wav', size: 10, by: OWNER }],
      },
      { name: 'Ünïcødé ✓ 🎧', owner: OWNER, path: '/PD/Ünïcødé ✓ 🎧', members: [] },
    ],
  });
  sharedFolderId = seeded.folders[0].shared_folder_id;
  otherFolderId = seeded.folders[1].shared_folder_id;
  owner = await h.signIn(OWNER);
  member = await h.signIn(MEMBER);
  await h.drain();
  await h.json('/api/v1/dropbox/import', { method: 'POST', session: owner.session, json: { sharedFolderIds: [sharedFolderId] } });
  await h.drain();
  console.log(
    `Dropbox routes fuzz: seed ${SEED}, ${RUNS} cases per route (reproduce: VITE_FUZZ_SEED=${SEED} npx vitest run --project dropbox test/fuzz)`,
  );
});

afterAll(() => {
  const lines = Object.entries(counts).map(([route, c]) => {
    const total = Object.values(c).reduce((a, b) => a + b, 0);
    return `${String(total).padStart(5)}  ${route.padEnd(36)} ${Object.entries(c)
      .sort()
      .map(([s, k]) => `${s}×${k}`)
      .join(' ')}`;
  });
  console.log(`Dropbox routes fuzz (seed ${SEED})\n${lines.join('\n')}`);
});

const b64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

/** Sends one request, checks the answer; throws with the request described if the property does not hold. */
async function check(route: string, path: string, init: RequestInit & { session?: string }, what: string) {
  const tally = (counts[route] ??= {});
  const before = await writesSoFar();
  const res = await h.fetch(path, init);
  tally[res.status] = (tally[res.status] ?? 0) + 1;
  const problem = await judge(res, async () => {
    const n = (await writesSoFar()) - before;
    return n ? [`${n} rows written`] : [];
  });
  h.queued.length = 0; // accepted sign-ins queue a first reconcile: recorded, not run
  if (problem) throw new Error(`${problem}\n  ${route} ${path.slice(0, 300)}\n  ${what}`);
}

describe('Dropbox routes fuzz (against the emulator)', () => {
  it('POST /api/v1/auth/dropbox: hostile bodies and real codes used wrongly', { timeout: 60_000 }, async () => {
    type Flaw = 'none' | 'wrong-verifier' | 'wrong-redirect' | 'reused' | 'unknown-code' | 'hostile';
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<Flaw>('none', 'wrong-verifier', 'wrong-redirect', 'reused', 'unknown-code', 'hostile', 'hostile'),
        hostileBody,
        hostileString,
        contentType,
        async (flaw, hostile, junk, ct) => {
          let body: string | Uint8Array;
          if (flaw === 'hostile') {
            body = hostile;
          } else {
            const verifier = b64url(crypto.getRandomValues(new Uint8Array(48)));
            const challenge = b64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
            const { code } = await control<{ code: string }>('authorize', {
              account: MEMBER,
              client_id: 'pd-local-app-key',
              redirect_uri: REDIRECT_URI,
              code_challenge: challenge,
              code_challenge_method: 'S256',
              token_access_type: 'offline',
            });
            if (flaw === 'reused') {
              const first = await h.fetch('/api/v1/auth/dropbox', {
                method: 'POST',
                json: { code, codeVerifier: verifier, redirectUri: REDIRECT_URI },
              });
              await first.arrayBuffer();
              h.queued.length = 0;
            }
            body = JSON.stringify({
              code: flaw === 'unknown-code' ? `${code}${junk}`.slice(0, 2048) || 'x' : code,
              codeVerifier: flaw === 'wrong-verifier' ? b64url(crypto.getRandomValues(new Uint8Array(48))) : verifier,
              redirectUri: flaw === 'wrong-redirect' ? 'https://evil.example/callback' : REDIRECT_URI,
            });
          }
          const headers = new Headers(await fc.sample(extraHeaders, 1)[0]);
          if (ct !== null && flaw === 'hostile') headers.set('Content-Type', ct);
          else headers.set('Content-Type', 'application/json');
          await check(
            'POST /api/v1/auth/dropbox',
            '/api/v1/auth/dropbox',
            { method: 'POST', body, headers },
            `flaw=${flaw} body=${JSON.stringify(typeof body === 'string' ? body.slice(0, 200) : `${body.length} bytes`)}`,
          );
        },
      ),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
  });

  it('sign-in with ill-formed Unicode (lone surrogates) in the code or redirect URI is the client’s error (400), not a Dropbox outage', async () => {
    const verifier = 'v'.repeat(50);
    for (const json of [
      { code: 'abc\uD800', codeVerifier: verifier, redirectUri: REDIRECT_URI },
      { code: '\uDFFFx', codeVerifier: verifier, redirectUri: REDIRECT_URI },
      { code: 'abc', codeVerifier: verifier, redirectUri: 'https://pd-test.chromiumapp.org/\uD800' },
    ]) {
      const res = await h.fetch('/api/v1/auth/dropbox', { method: 'POST', json });
      const body = (await res.json()) as { error: { code: string } };
      expect([JSON.stringify(json), res.status, body.error.code]).toEqual([JSON.stringify(json), 400, 'validation_failed']);
    }
  });

  it('GET /api/v1/tracks/by-dropbox-path: hostile web paths', { timeout: 60_000 }, async () => {
    const segment = fc.oneof(
      { arbitrary: fc.constantFrom('PD', 'Fuzz Track', 'Fuzz%20Track', 'mix v1.wav', 'Ünïcødé ✓ 🎧', 'pd', 'FUZZ TRACK'), weight: 3 },
      { arbitrary: hostileString.filter((s) => s.length > 0 && s.length < 300), weight: 2 },
    );
    const REAL_PATHS = fc.constantFrom(
      '/home/PD/Fuzz%20Track',
      '/home/PD/Fuzz Track/mix v1.wav',
      'https://www.dropbox.com/home/pd/fuzz%20track?preview=mix+v1.wav',
      `/home/PD/${encodeURIComponent('Ünïcødé ✓ 🎧')}`,
      '/home/PD/Fuzz%20Track/../Fuzz%20Track',
    );
    const webPath = fc
      .tuple(
        fc.array(segment, { minLength: 0, maxLength: 4 }),
        fc.constantFrom('/home', 'https://www.dropbox.com/home', '/HOME', 'home', '/work', ''),
        fc.constantFrom('', '?preview=mix+v1.wav', '#x', '/'),
      )
      .map(([segs, prefix, tail]) => `${prefix}/${segs.map(encodeAny).join('/')}${tail}`);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof({ arbitrary: REAL_PATHS, weight: 1 }, { arbitrary: webPath, weight: 3 }, { arbitrary: hostileString, weight: 1 }),
        fc.boolean(),
        fc.constantFrom('owner', 'member'),
        async (p, encodeQuery, who) => {
          const q = encodeQuery ? encodeAny(p) : toHeaderValue(p).replace(/[#&\s]/g, '');
          await check(
            'GET /api/v1/tracks/by-dropbox-path',
            `/api/v1/tracks/by-dropbox-path?path=${q}`,
            { session: (who === 'owner' ? owner : member).session },
            `who=${who} path=${JSON.stringify(p.slice(0, 200))}`,
          );
        },
      ),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
  });

  it('POST /api/v1/tracks (signed in with Dropbox): only the folder’s owner may claim it, whatever the body', { timeout: 60_000 }, async () => {
    const BIG = JSON.stringify({ dropboxSharedFolderId: sharedFolderId, title: 'x'.repeat(1024 * 1024) });
    const folder = fc.oneof(fc.constant(sharedFolderId), fc.constant(otherFolderId), fc.integer({ min: 0, max: 1e12 }).map(String), hostileString);
    const body = fc.oneof(
      {
        arbitrary: fc.record({ dropboxSharedFolderId: folder, title: fc.oneof(fc.constant('Claimed'), hostileString) }).map((b) => JSON.stringify(b)),
        weight: 4,
      },
      { arbitrary: hostileBody, weight: 2 },
      { arbitrary: fc.constant(BIG), weight: 1 },
    );
    await fc.assert(
      fc.asyncProperty(body, contentType, fc.constantFrom('owner', 'member'), async (b, ct, who) => {
        const headers: Record<string, string> = ct === null ? {} : { 'Content-Type': ct };
        const route = 'POST /api/v1/tracks';
        const tally = (counts[route] ??= {});
        const before = await writesSoFar();
        const res = await h.fetch('/api/v1/tracks', { method: 'POST', body: b, headers, session: (who === 'owner' ? owner : member).session });
        tally[res.status] = (tally[res.status] ?? 0) + 1;
        const what = `who=${who} body=${JSON.stringify(typeof b === 'string' ? b.slice(0, 200) : `${b.length} bytes`)}`;
        if (res.status < 300 && who === 'member') throw new Error(`a folder member who is not its owner created a track\n  ${what}`);
        const problem = await judge(res, async () => {
          const n = (await writesSoFar()) - before;
          return n ? [`${n} rows written`] : [];
        });
        if (problem) throw new Error(`${problem}\n  ${what}`);
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
  });

  it('POST /api/v1/dropbox/import: hostile folder id lists', { timeout: 60_000 }, async () => {
    const ids = fc.array(fc.oneof(fc.constant(sharedFolderId), fc.constant('0'), fc.integer({ min: 0, max: 1e12 }).map(String), hostileString), {
      minLength: 1,
      maxLength: 6,
    });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          ids.map((sharedFolderIds) => JSON.stringify({ sharedFolderIds })),
          hostileBody,
        ),
        fc.constantFrom('owner', 'member'),
        async (body, who) => {
          await check(
            'POST /api/v1/dropbox/import',
            '/api/v1/dropbox/import',
            { method: 'POST', body, headers: { 'Content-Type': 'application/json' }, session: (who === 'owner' ? owner : member).session },
            `who=${who} body=${JSON.stringify(typeof body === 'string' ? body.slice(0, 200) : `${body.length} bytes`)}`,
          );
        },
      ),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
  });
});
