// Property: whatever a client sends to any route — hostile ids, query strings, headers, content types, bodies
// (Unicode, lone surrogates, over-long strings, non-JSON, deep nesting, out-of-range numbers, prototype-pollution
// keys) — the answer is a 2xx, or a 4xx with { error: { code, message } }; never a 5xx. And a rejected request
// leaves every table of the database exactly as it was.
//
// Reproduce a run: VITE_FUZZ_SEED=<seed printed below> npx vitest run test/fuzz
import { SELF } from 'cloudflare:test';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession } from '../../src/domain/index.ts';
import { env } from 'cloudflare:test';
import {
  contentType,
  extraHeaders,
  fuzzSeed,
  hostileBody,
  hostileString,
  mutated,
  pathSegment,
  queryString,
  toHeaderValue,
  validText,
} from './arbitraries.ts';
import { dbState, diffState, writesSoFar } from './db-state.ts';
import { judge } from './judge.ts';
import { buildWorld, expiredSession, quiesce, type World } from './fixture.ts';
import { person } from '../core/helpers.ts';
import { fillPath, paramsOf, servedRoutes } from './routes.ts';

const SEED = fuzzSeed();
/** Cases per route. ~35 routes × this stays well under a minute on 2 cores. */
const RUNS = 45;

// ---------------------------------------------------------------------------------------------------------------
// What each route accepts, so that part of the generated requests get past validation and reach the domain.

type Ids = World;
const pct = fc.oneof({ arbitrary: fc.integer({ min: 0, max: 100 }), weight: 4 }, { arbitrary: fc.constantFrom(12.5, 33.33, 0.01, 99.99), weight: 1 });
const splits = fc.record({ master: pct, publishing: pct, writer: pct });
const stage = fc.constantFrom('idea', 'writing', 'production', 'mixing', 'mastering', 'released');
const level = fc.constantFrom('editor', 'viewer');
const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const strip = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined));

interface FuzzRoute {
  query?: string[];
  /** A body the route accepts (the fuzz also sends it mutated, and sends hostile bodies). */
  body?: (w: Ids) => fc.Arbitrary<unknown>;
  /** Real ids for each path parameter. */
  ids?: (w: Ids) => Record<string, string[]>;
  /** Ends the session it is called with: use a fresh one per case. */
  endsSession?: boolean;
  /** Ends every session of the caller's account: a fresh person per case (the world's people keep theirs). */
  endsAllSessions?: boolean;
}

const trackIds = (w: Ids) => ({ trackId: [w.trackId, w.trackId, w.otherTrackId] });
const collabIds = (w: Ids) => ({ ...trackIds(w), collaboratorId: [w.targetId, w.editorCollaboratorId] });

const DAY_MS = 86_400_000;
/** Expiry dates: future, past, beyond 5 years, with offsets, not ISO, null (remove). */
const expiryDate = fc.oneof(
  fc.integer({ min: -400, max: 2200 }).map((d) => new Date(Date.now() + d * DAY_MS).toISOString()),
  fc.integer({ min: 1, max: 1000 }).map((d) => new Date(Date.now() + d * DAY_MS).toISOString().replace('Z', '+05:30')),
  fc.constantFrom('2027-01-31', 'tomorrow', '2027-13-01T00:00:00Z', '9999-12-31T23:59:59Z', ''),
  fc.constant(null),
);
const headsUpBody = fc
  .record({ note: opt(fc.option(fc.oneof(validText(1000), fc.constant('line one\nline two')))), endsIn: fc.constantFrom('24h', '48h', '7d', 'now') })
  .map(strip);
const personKeys = (w: Ids) => ({ personKey: [w.people.target.email.toLowerCase(), w.people.editor.email.toUpperCase(), 'nobody@example.test'] });

const ROUTES: Record<string, FuzzRoute> = {
  'GET /api/v1/me': {},
  'GET /api/v1/library': { query: ['project', 'stage', 'archived', 'hidden', 'limit', 'before'] },
  'GET /api/v1/sync': { query: ['cursor', 'limit'] },
  'POST /api/v1/tracks': {
    body: () =>
      fc
        .record({
          dropboxSharedFolderId: fc.uuid().map((u) => `sf:${u}`),
          title: validText(200),
          stage: opt(stage),
          bpm: opt(fc.integer({ min: 1, max: 999 })),
          key: opt(validText(16)),
          tags: opt(fc.array(validText(40), { maxLength: 5 })),
          project: opt(validText(100)),
        })
        .map(strip),
  },
  'GET /api/v1/tracks/:trackId': { ids: trackIds },
  'PATCH /api/v1/tracks/:trackId': {
    ids: trackIds,
    body: () =>
      fc
        .record({
          title: validText(200),
          stage: opt(stage),
          bpm: opt(fc.option(fc.double({ min: 1, max: 999, noNaN: true }))),
          key: opt(validText(16)),
          tags: opt(fc.array(validText(40), { maxLength: 5 })),
        })
        .map(strip),
  },
  'PUT /api/v1/tracks/:trackId/splits': {
    ids: trackIds,
    body: (w) =>
      fc
        .record({
          owner: opt(splits),
          collaborators: fc.array(
            fc.tuple(splits, fc.constantFrom(w.targetId, w.editorCollaboratorId)).map(([s, collaboratorId]) => ({ ...s, collaboratorId })),
            { minLength: 1, maxLength: 2 },
          ),
        })
        .map(strip),
  },
  'POST /api/v1/tracks/:trackId/archive': { ids: trackIds, body: () => fc.record({ archived: fc.boolean() }) },
  'PUT /api/v1/tracks/:trackId/placement': {
    ids: trackIds,
    body: () => fc.record({ project: fc.option(validText(100)), hidden: opt(fc.boolean()) }).map(strip),
  },
  'GET /api/v1/tracks/:trackId/history': { ids: trackIds, query: ['before', 'limit'] },
  'POST /api/v1/tracks/:trackId/invitations': {
    ids: trackIds,
    body: () =>
      fc
        .record({
          email: fc
            .tuple(fc.stringMatching(/^[a-z0-9][a-z0-9._+-]{0,20}$/), fc.constantFrom('example.test', 'pd.test', 'EXAMPLE.TEST'))
            .map(([l, d]) => `${l.replace(/[._+-]+$/, '')}@${d}`),
          displayName: opt(validText(100)),
          role: opt(fc.option(validText(50))),
          accessLevel: opt(level),
          splits: opt(splits),
        })
        .map(strip),
  },
  'POST /api/v1/tracks/:trackId/collaborators/:collaboratorId/revoke': { ids: collabIds },
  'PATCH /api/v1/tracks/:trackId/collaborators/:collaboratorId': { ids: collabIds, body: () => fc.record({ accessLevel: level }) },
  'PUT /api/v1/tracks/:trackId/collaborators/:collaboratorId/role': { ids: collabIds, body: () => fc.record({ role: fc.option(validText(50)) }) },
  'POST /api/v1/tracks/:trackId/leave': { ids: trackIds },
  'GET /api/v1/tracks/:trackId/comments': { ids: trackIds },
  'POST /api/v1/tracks/:trackId/comments': {
    ids: trackIds,
    body: () => fc.record({ body: fc.oneof(validText(5000), fc.constant('é'.repeat(5000))) }),
  },
  'POST /api/v1/tracks/:trackId/comments/:commentId/pin': {
    ids: (w) => ({ ...trackIds(w), commentId: [w.commentId] }),
    body: () => fc.record({ pinned: fc.boolean() }),
  },
  'GET /api/v1/invitations': {},
  'POST /api/v1/invitations/:invitationId/accept': { ids: (w) => ({ invitationId: [w.inviteeInvitationId, w.invitedInvitationId] }) },
  'POST /api/v1/invitations/:invitationId/decline': { ids: (w) => ({ invitationId: [w.inviteeInvitationId, w.invitedInvitationId] }) },
  'GET /api/v1/sharing': {},
  'POST /api/v1/sharing/:personKey/revoke-all': {
    ids: (w) => ({ personKey: [w.people.target.email.toLowerCase(), w.people.editor.email.toUpperCase(), w.people.owner.email] }),
  },
  // Issue 12: dates around now (past, future, > 5 years, with offsets), notes, selections.
  'PUT /api/v1/tracks/:trackId/collaborators/:collaboratorId/expiry': { ids: collabIds, body: () => fc.record({ accessExpiresAt: expiryDate }) },
  'POST /api/v1/tracks/:trackId/collaborators/:collaboratorId/heads-up': { ids: collabIds, body: () => headsUpBody },
  'POST /api/v1/tracks/:trackId/collaborators/:collaboratorId/expiry/end-now': { ids: collabIds },
  'GET /api/v1/sharing/review': {},
  'PUT /api/v1/sharing/review/settings': { body: () => fc.record({ idleDays: fc.integer({ min: -5, max: 400 }) }) },
  'POST /api/v1/sharing/review/actions': {
    body: (w) =>
      fc.oneof(
        fc.record({
          action: fc.constantFrom('revoke', 'downgrade'),
          collaboratorIds: fc.array(fc.constantFrom(w.targetId, w.editorCollaboratorId, 'col_x'), { minLength: 1, maxLength: 3 }),
        }),
        fc.record({
          action: fc.constant('expiry'),
          collaboratorIds: fc.array(fc.constantFrom(w.targetId, 'col_x'), { minLength: 1, maxLength: 2 }),
          accessExpiresAt: expiryDate,
        }),
        headsUpBody.map((b) => ({ ...b, action: 'heads_up', collaboratorIds: [w.targetId] })),
      ),
  },
  'PUT /api/v1/sharing/:personKey/expiry': { ids: personKeys, body: () => fc.record({ accessExpiresAt: expiryDate }) },
  'POST /api/v1/sharing/:personKey/heads-up': { ids: personKeys, body: () => headsUpBody },
  'GET /api/v1/notifications': { query: ['before', 'limit', 'unread'] },
  'GET /api/v1/notifications/unread-count': {},
  'POST /api/v1/notifications/read': {
    body: () =>
      fc.oneof(
        fc.record({ ids: fc.array(fc.oneof(fc.constant('ntf_x'), validText(64)), { minLength: 1, maxLength: 5 }) }),
        fc.constant({ all: true }),
      ),
  },
  // Dropbox routes. Nobody here has signed in with Dropbox, so the ones that would call Dropbox stop at
  // dropbox_not_linked; they are fuzzed against the emulator, signed in, in dropbox-routes.dropbox.test.ts.
  'GET /api/v1/auth/config': {},
  'POST /api/v1/auth/signout': { endsSession: true },
  'POST /api/v1/auth/signout-everywhere': { endsAllSessions: true },
  'GET /api/v1/auth/uninstalled': { query: ['token'] },
  'GET /api/v1/dropbox/status': {},
  'POST /api/v1/dropbox/import': {
    body: () => fc.record({ sharedFolderIds: opt(fc.array(validText(64), { minLength: 1, maxLength: 5 })) }).map(strip),
  },
  'GET /api/v1/tracks/by-dropbox-path': { query: ['path'] },
  'POST /api/v1/dropbox-changes/:changeId/retry': { ids: (w) => ({ changeId: [String(w.failedChangeId), String(w.failedChangeId), '1'] }) },
};

/** Routes fuzzed in other files. */
const ELSEWHERE = new Set([
  'POST /api/v1/auth/dropbox', // needs Dropbox (the emulator): dropbox-routes.dropbox.test.ts
  'GET /dropbox/webhook', // webhook.fuzz.test.ts
  'POST /dropbox/webhook',
]);

// ---------------------------------------------------------------------------------------------------------------

type Auth = 'owner' | 'editor' | 'viewer' | 'invited' | 'revoked' | 'left' | 'stranger' | 'none' | 'expired' | 'garbage' | 'malformed';
const auth = fc.constantFrom<Auth>(
  'owner',
  'owner',
  'owner',
  'owner',
  'editor',
  'editor',
  'viewer',
  'invited',
  'revoked',
  'left',
  'stranger',
  'none',
  'expired',
  'garbage',
  'malformed',
);

const BIG = JSON.stringify({ body: 'x'.repeat(1024 * 1024 + 1) });

interface Case {
  auth: Auth;
  garbage: string;
  params: Record<string, string>;
  query: string;
  contentType: string | null;
  body: string | Uint8Array | null;
  headers: Record<string, string>;
}

function caseArb(method: string, template: string, spec: FuzzRoute, w: World): fc.Arbitrary<Case> {
  const ids = spec.ids?.(w) ?? {};
  const params = Object.fromEntries(paramsOf(template).map((p) => [p, pathSegment(ids[p] ?? ['x'])]));
  const valid = spec.body ? spec.body(w) : fc.constant({});
  const validish = fc.oneof({ arbitrary: valid, weight: 2 }, { arbitrary: mutated(valid), weight: 1 }).map((b) => JSON.stringify(b) ?? 'null');
  const polluted = (spec.body ? spec.body(w) : fc.constant({})).map((b) =>
    `{"__proto__":{"polluted":true,"owner_id":"${w.people.stranger.account.id}"},"constructor":{"prototype":{"x":1}},${JSON.stringify(b).slice(1)}`.replace(
      /,}$/,
      '}',
    ),
  );
  const body: fc.Arbitrary<string | Uint8Array | null> =
    method === 'GET'
      ? fc.constant(null)
      : fc.oneof(
          { arbitrary: validish, weight: 8 },
          { arbitrary: hostileBody, weight: 5 },
          { arbitrary: polluted, weight: 1 },
          { arbitrary: fc.constant(null), weight: 1 },
          { arbitrary: fc.constant(BIG), weight: 1 },
        );
  return fc.record({
    auth,
    garbage: hostileString.map(toHeaderValue),
    params: fc.record(params),
    query: fc.oneof({ arbitrary: fc.constant(''), weight: 1 }, { arbitrary: queryString(spec.query ?? []), weight: 2 }),
    contentType,
    body,
    headers: extraHeaders,
  });
}

async function tokenFor(c: Case, w: World, spec: FuzzRoute): Promise<string | null> {
  switch (c.auth) {
    case 'none':
      return null;
    case 'expired':
      return `Bearer ${await expiredSession(w.people.owner)}`;
    case 'garbage':
      return `Bearer ${c.garbage.replace(/\s/g, '') || 'x'}`;
    case 'malformed':
      return [
        'Basic b3duZXI6cHc=',
        'Bearer',
        'Bearer  ',
        `Token ${w.people.owner.token}`,
        w.people.owner.token,
        `Bearer ${w.people.owner.token} ${w.people.owner.token}`,
        `Bearer ${w.people.owner.token}x`,
        c.garbage,
      ][c.garbage.length % 8];
    default: {
      const who = w.people[c.auth];
      if (spec.endsAllSessions) return `Bearer ${(await person(`Everywhere ${c.auth}`)).token}`;
      return `Bearer ${spec.endsSession ? (await createSession(env.DB, who.account.id)).token : who.token}`;
    }
  }
}

const describeCase = (method: string, url: string, c: Case) =>
  `${method} ${url.length > 300 ? url.slice(0, 300) + '…' : url}\n  auth=${c.auth} content-type=${JSON.stringify(c.contentType)} headers=${JSON.stringify(c.headers).slice(0, 200)}\n  body=${
    c.body === null
      ? 'none'
      : typeof c.body === 'string'
        ? JSON.stringify(c.body.slice(0, 300)) + (c.body.length > 300 ? `… (${c.body.length} chars)` : '')
        : `${c.body.length} bytes`
  }`;

// ---------------------------------------------------------------------------------------------------------------

const counts: Record<string, Record<string, number>> = {};
let shared: World | undefined;
let caseNo = 0;
const DEEP_EVERY = 5;

beforeAll(() => {
  console.log(`API fuzz: seed ${SEED}, ${RUNS} cases per route (reproduce: VITE_FUZZ_SEED=${SEED} npx vitest run test/fuzz)`);
});

afterAll(() => {
  const rows = Object.entries(counts).map(([route, c]) => {
    const total = Object.values(c).reduce((a, b) => a + b, 0);
    const statuses = Object.entries(c)
      .sort()
      .map(([s, k]) => `${s}×${k}`)
      .join(' ');
    return `${String(total).padStart(5)}  ${route.padEnd(62)} ${statuses}`;
  });
  const total = Object.values(counts)
    .flatMap((c) => Object.values(c))
    .reduce((a, b) => a + b, 0);
  console.log(`API fuzz (seed ${SEED}): ${total} requests over ${rows.length} routes\n${rows.join('\n')}`);
});

describe('API fuzz: never a 5xx, rejected requests change nothing', () => {
  it('covers every route the worker serves', () => {
    expect(servedRoutes().filter((r) => !(r in ROUTES) && !ELSEWHERE.has(r))).toEqual([]);
    expect(Object.keys(ROUTES).filter((r) => !servedRoutes().includes(r))).toEqual([]);
  });

  it('the database check notices a single changed value, added row or deleted row (so "unchanged" means something)', async () => {
    const w = await buildWorld('Check');
    for (const write of [
      env.DB.prepare('UPDATE tracks SET title = title || ? WHERE id = ?').bind('!', w.trackId),
      env.DB.prepare(`INSERT INTO library_changes (account_id, track_id, change, reason, created_at) VALUES (?, ?, 'updated', 'metadata', 'x')`).bind(
        w.people.viewer.account.id,
        w.trackId,
      ),
      env.DB.prepare('DELETE FROM sessions WHERE account_id = ?').bind(w.people.stranger.account.id),
    ]) {
      const before = await dbState();
      const writes = await writesSoFar();
      await write.run();
      expect((await writesSoFar()) - writes).toBeGreaterThan(0);
      expect(diffState(before, await dbState()).length).toBe(1);
    }
  });

  for (const [key, spec] of Object.entries(ROUTES)) {
    const [method, template] = key.split(' ');
    it(key, { timeout: 30_000 }, async () => {
      // Reads share one world; every mutating route gets its own, so earlier routes' changes do not narrow it.
      const w = method === 'GET' ? (shared ??= await buildWorld('FuzzRead')) : await buildWorld('Fuzz');
      const tally = (counts[key] = {} as Record<string, number>);
      await fc.assert(
        fc.asyncProperty(caseArb(method, template, spec, w), async (c) => {
          const url = `http://pd.test${fillPath(template, c.params)}${c.query ? `?${c.query}` : ''}`;
          const headers = new Headers(c.headers);
          const authorization = await tokenFor(c, w, spec);
          if (authorization !== null) headers.set('Authorization', toHeaderValue(authorization));
          if (c.contentType !== null) headers.set('Content-Type', c.contentType);
          // Every case: SQLite's total_changes() before and after, so a rejected request that wrote any row of any
          // table fails. Every DEEP_EVERY-th case also compares row counts and checksums of every table.
          const before = caseNo++ % DEEP_EVERY === 0 ? await dbState() : null;
          const writes = await writesSoFar();
          const res = await SELF.fetch(url, { method, headers, body: c.body });
          tally[res.status] = (tally[res.status] ?? 0) + 1;
          const problem = await judge(res, async () => {
            const wrote = (await writesSoFar()) - writes;
            const changed = before ? diffState(before, await dbState()) : [];
            return wrote || changed.length ? [`${wrote} rows written`, ...changed] : [];
          });
          if (problem) throw new Error(`${problem}\n  ${describeCase(method, url, c)}`);
          if (res.status < 300 && method !== 'GET') await quiesce(w);
        }),
        { seed: SEED, numRuns: RUNS, endOnFailure: true },
      );
    });
  }
});
