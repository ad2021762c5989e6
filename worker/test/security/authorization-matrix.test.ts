// Security review: who may call what. Every route the worker serves × every kind of caller, as one table.
// Beyond test/core/authorization.test.ts (core routes × signed-in roles), this adds the invited-not-accepted
// person, an expired session (expiry moved into the past in D1), a well-formed but unknown token, the Dropbox
// routes, and checks that every refused call wrote nothing to the database.
import { env } from 'cloudflare:test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATUS } from '../../src/api/http.ts';
import { DROPBOX_STATUS } from '../../src/api-dropbox/errors.ts';
import { createSession } from '../../src/domain/index.ts';
import { call } from '../core/helpers.ts';
import { writesSoFar } from '../fuzz/db-state.ts';
import { buildWorld, expiredSession, quiesce, type Role, type World } from '../fuzz/fixture.ts';
import { servedRoutes } from '../fuzz/routes.ts';

type Caller = Role | 'no session' | 'expired' | 'garbage';
const CALLERS: Caller[] = ['stranger', 'left', 'revoked', 'invited', 'viewer', 'editor', 'owner', 'no session', 'expired', 'garbage'];

/** 'ok' = any 2xx; otherwise the error code (its status comes from the worker's own table). */
type Want = 'ok' | string;
const statusOf = (code: string) => (STATUS as Record<string, number>)[code] ?? (DROPBOX_STATUS as Record<string, number>)[code];

interface Row {
  method: string;
  path: (w: World) => string;
  body?: (w: World, who: Caller) => unknown;
  /** Owner, editor, viewer, invited, revoked, left, stranger. */
  roles: [Want, Want, Want, Want, Want, Want, Want];
  /** Without a valid session; default: the session is required. */
  signedOut?: 'public' | 'session';
  /** Needs a world of its own (the call changes someone's membership). */
  fresh?: boolean;
}

const ALL_OK: Row['roles'] = ['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok'];
const NF = 'track_not_found';
const END = 'access_ended';

// prettier-ignore
const MATRIX: Record<string, Row> = {
  //                                                                                         owner         editor            viewer            invited  revoked  left   stranger
  'GET /api/v1/me': { method: 'GET', path: () => '/me', roles: ALL_OK },
  'GET /api/v1/library': { method: 'GET', path: () => '/library', roles: ALL_OK },
  'GET /api/v1/sync': { method: 'GET', path: () => '/sync?cursor=0', roles: ALL_OK },
  // Creating a track claims a Dropbox shared folder: checked in the caller's own Dropbox, which nobody here linked
  // (the owner's side with Dropbox: track-ownership.dropbox.test.ts).
  'POST /api/v1/tracks': {
    method: 'POST',
    path: () => '/tracks',
    body: () => ({ dropboxSharedFolderId: `sf:${crypto.randomUUID()}`, title: 'Mine' }),
    roles: [
      'dropbox_not_linked',
      'dropbox_not_linked',
      'dropbox_not_linked',
      'dropbox_not_linked',
      'dropbox_not_linked',
      'dropbox_not_linked',
      'dropbox_not_linked',
    ],
  },
  'GET /api/v1/tracks/:trackId': { method: 'GET', path: (w) => `/tracks/${w.trackId}`, roles: ['ok', 'ok', 'ok', NF, END, END, NF] },
  'PATCH /api/v1/tracks/:trackId': {
    method: 'PATCH',
    path: (w) => `/tracks/${w.trackId}`,
    body: () => ({ stage: 'mixing' }),
    roles: ['ok', 'ok', 'editor_required', NF, END, END, NF],
  },
  'PUT /api/v1/tracks/:trackId/splits': {
    method: 'PUT',
    path: (w) => `/tracks/${w.trackId}/splits`,
    body: () => ({ owner: { master: 60, publishing: 60, writer: 60 } }),
    roles: ['ok', 'ok', 'editor_required', NF, END, END, NF],
  },
  'POST /api/v1/tracks/:trackId/archive': {
    method: 'POST',
    path: (w) => `/tracks/${w.trackId}/archive`,
    body: () => ({ archived: false }),
    roles: ['ok', 'ok', 'editor_required', NF, END, END, NF],
  },
  'PUT /api/v1/tracks/:trackId/placement': {
    method: 'PUT',
    path: (w) => `/tracks/${w.trackId}/placement`,
    body: () => ({ project: 'Later' }),
    roles: ['ok', 'ok', 'ok', NF, END, END, NF],
  },
  'GET /api/v1/tracks/:trackId/history': { method: 'GET', path: (w) => `/tracks/${w.trackId}/history`, roles: ['ok', 'ok', 'ok', NF, END, END, NF] },
  'POST /api/v1/tracks/:trackId/invitations': {
    method: 'POST',
    path: (w) => `/tracks/${w.trackId}/invitations`,
    body: (_w, who) => ({ email: `new.${who.replace(' ', '-')}.${crypto.randomUUID()}@example.test` }),
    roles: ['ok', 'owner_only', 'owner_only', NF, END, END, NF],
  },
  'POST /api/v1/tracks/:trackId/collaborators/:collaboratorId/revoke': {
    method: 'POST',
    path: (w) => `/tracks/${w.trackId}/collaborators/${w.targetId}/revoke`,
    fresh: true,
    roles: ['ok', 'owner_only', 'owner_only', NF, END, END, NF],
  },
  'PATCH /api/v1/tracks/:trackId/collaborators/:collaboratorId': {
    method: 'PATCH',
    path: (w) => `/tracks/${w.trackId}/collaborators/${w.targetId}`,
    body: () => ({ accessLevel: 'editor' }),
    roles: ['ok', 'owner_only', 'owner_only', NF, END, END, NF],
  },
  'PUT /api/v1/tracks/:trackId/collaborators/:collaboratorId/role': {
    method: 'PUT',
    path: (w) => `/tracks/${w.trackId}/collaborators/${w.targetId}/role`,
    body: () => ({ role: 'Vocalist' }),
    roles: ['ok', 'owner_only', 'owner_only', NF, END, END, NF],
  },
  'POST /api/v1/tracks/:trackId/leave': {
    method: 'POST',
    path: (w) => `/tracks/${w.trackId}/leave`,
    fresh: true,
    roles: ['owner_cannot_leave', 'ok', 'ok', NF, END, END, NF],
  },
  'GET /api/v1/tracks/:trackId/comments': {
    method: 'GET',
    path: (w) => `/tracks/${w.trackId}/comments`,
    roles: ['ok', 'ok', 'ok', NF, END, END, NF],
  },
  'POST /api/v1/tracks/:trackId/comments': {
    method: 'POST',
    path: (w) => `/tracks/${w.trackId}/comments`,
    body: () => ({ body: 'Nice kick.' }),
    roles: ['ok', 'ok', 'ok', NF, END, END, NF],
  },
  'POST /api/v1/tracks/:trackId/comments/:commentId/pin': {
    method: 'POST',
    path: (w) => `/tracks/${w.trackId}/comments/${w.commentId}/pin`,
    body: () => ({ pinned: true }),
    roles: ['ok', 'ok', 'editor_required', NF, END, END, NF],
  },
  'GET /api/v1/invitations': { method: 'GET', path: () => '/invitations', roles: ALL_OK },
  // Somebody else's invitation (the invitee is none of the callers) …
  'POST /api/v1/invitations/:invitationId/accept': {
    method: 'POST',
    path: (w) => `/invitations/${w.inviteeInvitationId}/accept`,
    roles: [
      'invitation_not_yours',
      'invitation_not_yours',
      'invitation_not_yours',
      'invitation_not_yours',
      'invitation_not_yours',
      'invitation_not_yours',
      'invitation_not_yours',
    ],
  },
  'POST /api/v1/invitations/:invitationId/decline': {
    method: 'POST',
    path: (w) => `/invitations/${w.inviteeInvitationId}/decline`,
    roles: [
      'invitation_not_yours',
      'invitation_not_yours',
      'invitation_not_yours',
      'invitation_not_yours',
      'invitation_not_yours',
      'invitation_not_yours',
      'invitation_not_yours',
    ],
  },
  // … and the invited person's own one: only they may answer it.
  'POST /api/v1/invitations/:own/accept': {
    method: 'POST',
    path: (w) => `/invitations/${w.invitedInvitationId}/accept`,
    fresh: true,
    roles: [
      'invitation_not_yours',
      'invitation_not_yours',
      'invitation_not_yours',
      'ok',
      'invitation_not_yours',
      'invitation_not_yours',
      'invitation_not_yours',
    ],
  },
  'POST /api/v1/invitations/:own/decline': {
    method: 'POST',
    path: (w) => `/invitations/${w.invitedInvitationId}/decline`,
    fresh: true,
    roles: [
      'invitation_not_yours',
      'invitation_not_yours',
      'invitation_not_yours',
      'ok',
      'invitation_not_yours',
      'invitation_not_yours',
      'invitation_not_yours',
    ],
  },
  'GET /api/v1/sharing': { method: 'GET', path: () => '/sharing', roles: ALL_OK },
  'POST /api/v1/sharing/:personKey/revoke-all': {
    method: 'POST',
    path: (w) => `/sharing/${encodeURIComponent(w.people.target.email)}/revoke-all`,
    fresh: true,
    roles: ['ok', 'person_not_found', 'person_not_found', 'person_not_found', 'person_not_found', 'person_not_found', 'person_not_found'],
  },
  // Issue 12: when access ends (owner only), and the owner's review (everyone has their own, empty when they own nothing).
  'PUT /api/v1/tracks/:trackId/collaborators/:collaboratorId/expiry': {
    method: 'PUT',
    path: (w) => `/tracks/${w.trackId}/collaborators/${w.targetId}/expiry`,
    body: () => ({ accessExpiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString() }),
    roles: ['ok', 'owner_only', 'owner_only', NF, END, END, NF],
  },
  'POST /api/v1/tracks/:trackId/collaborators/:collaboratorId/heads-up': {
    method: 'POST',
    path: (w) => `/tracks/${w.trackId}/collaborators/${w.targetId}/heads-up`,
    body: () => ({ note: 'Wrapping up soon.', endsIn: '7d' }),
    roles: ['ok', 'owner_only', 'owner_only', NF, END, END, NF],
  },
  // Nothing is scheduled for the target in a fresh world: the owner is told so, and nothing ends.
  'POST /api/v1/tracks/:trackId/collaborators/:collaboratorId/expiry/end-now': {
    method: 'POST',
    path: (w) => `/tracks/${w.trackId}/collaborators/${w.targetId}/expiry/end-now`,
    fresh: true,
    roles: ['no_schedule', 'owner_only', 'owner_only', NF, END, END, NF],
  },
  'GET /api/v1/sharing/review': { method: 'GET', path: () => '/sharing/review', roles: ALL_OK },
  'PUT /api/v1/sharing/review/settings': { method: 'PUT', path: () => '/sharing/review/settings', body: () => ({ idleDays: 45 }), roles: ALL_OK },
  // A selection acts only on the caller's own tracks' records: for everyone else it changes nothing (changedCount 0).
  'POST /api/v1/sharing/review/actions': {
    method: 'POST',
    path: () => '/sharing/review/actions',
    body: (w) => ({ action: 'expiry', collaboratorIds: [w.targetId], accessExpiresAt: new Date(Date.now() + 20 * 86_400_000).toISOString() }),
    roles: ALL_OK,
  },
  'PUT /api/v1/sharing/:personKey/expiry': {
    method: 'PUT',
    path: (w) => `/sharing/${encodeURIComponent(w.people.target.email)}/expiry`,
    body: () => ({ accessExpiresAt: new Date(Date.now() + 40 * 86_400_000).toISOString() }),
    roles: ['ok', 'person_not_found', 'person_not_found', 'person_not_found', 'person_not_found', 'person_not_found', 'person_not_found'],
  },
  'POST /api/v1/sharing/:personKey/heads-up': {
    method: 'POST',
    path: (w) => `/sharing/${encodeURIComponent(w.people.target.email)}/heads-up`,
    body: () => ({ endsIn: '7d' }),
    roles: ['ok', 'person_not_found', 'person_not_found', 'person_not_found', 'person_not_found', 'person_not_found', 'person_not_found'],
  },
  'GET /api/v1/notifications': { method: 'GET', path: () => '/notifications', roles: ALL_OK },
  'GET /api/v1/notifications/unread-count': { method: 'GET', path: () => '/notifications/unread-count', roles: ALL_OK },
  'POST /api/v1/notifications/read': { method: 'POST', path: () => '/notifications/read', body: () => ({ all: true }), roles: ALL_OK },
  // Dropbox routes. Sign-in itself and its configuration are public; nobody here has linked Dropbox.
  'GET /api/v1/auth/config': { method: 'GET', path: () => '/auth/config', roles: ALL_OK, signedOut: 'public' },
  'POST /api/v1/auth/dropbox': {
    method: 'POST',
    path: () => '/auth/dropbox',
    body: () => ({ code: '' }),
    signedOut: 'public',
    roles: [
      'validation_failed',
      'validation_failed',
      'validation_failed',
      'validation_failed',
      'validation_failed',
      'validation_failed',
      'validation_failed',
    ],
  },
  'POST /api/v1/auth/signout': { method: 'POST', path: () => '/auth/signout', roles: ALL_OK },
  'POST /api/v1/auth/signout-everywhere': { method: 'POST', path: () => '/auth/signout-everywhere', fresh: true, roles: ALL_OK },
  // Opened by the browser after an uninstall: authorized by its own token (sessions.test.ts), the same page for all.
  'GET /api/v1/auth/uninstalled': {
    method: 'GET',
    path: () => '/auth/uninstalled?token=not-a-real-uninstall-token',
    roles: ALL_OK,
    signedOut: 'public',
  },
  'GET /api/v1/dropbox/status': { method: 'GET', path: () => '/dropbox/status', roles: ALL_OK },
  'POST /api/v1/dropbox/import': {
    method: 'POST',
    path: () => '/dropbox/import',
    body: () => ({}),
    roles: [
      'dropbox_not_linked',
      'dropbox_not_linked',
      'dropbox_not_linked',
      'dropbox_not_linked',
      'dropbox_not_linked',
      'dropbox_not_linked',
      'dropbox_not_linked',
    ],
  },
  'GET /api/v1/tracks/by-dropbox-path': {
    method: 'GET',
    path: () => '/tracks/by-dropbox-path?path=%2Fhome%2FPD%2FTrack',
    roles: [
      'dropbox_not_linked',
      'dropbox_not_linked',
      'dropbox_not_linked',
      'dropbox_not_linked',
      'dropbox_not_linked',
      'dropbox_not_linked',
      'dropbox_not_linked',
    ],
  },
  'POST /api/v1/dropbox-changes/:changeId/retry': {
    method: 'POST',
    path: (w) => `/dropbox-changes/${w.failedChangeId}/retry`,
    roles: [
      'ok',
      'dropbox_change_not_found',
      'dropbox_change_not_found',
      'dropbox_change_not_found',
      'dropbox_change_not_found',
      'dropbox_change_not_found',
      'dropbox_change_not_found',
    ],
  },
};

/** Routes not behind a PD session: the Dropbox webhook is authorized by its signature (test/security/webhook-checklist.test.ts). */
const NOT_SESSION_ROUTES = ['GET /dropbox/webhook', 'POST /dropbox/webhook'];

const ROLE_ORDER: Role[] = ['owner', 'editor', 'viewer', 'invited', 'revoked', 'left', 'stranger'];

function expected(row: Row, who: Caller): Want {
  if (who === 'no session' || who === 'garbage' || who === 'expired') {
    if (row.signedOut === 'public') return row.roles[0];
    return who === 'expired' ? 'session_expired' : 'unauthenticated';
  }
  return row.roles[ROLE_ORDER.indexOf(who)];
}

async function tokenOf(w: World, who: Caller, row: Row): Promise<string | null> {
  if (who === 'no session') return null;
  if (who === 'expired') return expiredSession(w.people.owner);
  if (who === 'garbage')
    return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '');
  // Sign-out ends the session it is called with: give each caller a session of their own for it.
  if (row.path(w) === '/auth/signout' || row.path(w) === '/auth/signout-everywhere')
    return (await createSession(env.DB, w.people[who].account.id)).token;
  return w.people[who].token;
}

let shared: World;
const printed: string[] = [];

beforeAll(async () => {
  shared = await buildWorld('Matrix');
});

afterAll(() => {
  const head = `${'route'.padEnd(68)}${CALLERS.map((c) => c.padEnd(12)).join('')}`;
  console.log(`Authorization matrix (ok = 2xx, else the status answered)\n${head}\n${printed.join('\n')}`);
});

describe('authorization matrix: every route × every caller', () => {
  it('has a row for every route the worker serves', () => {
    const rows = new Set(Object.keys(MATRIX).map((k) => k.replace('/:own/', '/:invitationId/')));
    expect(servedRoutes().filter((r) => !rows.has(r) && !NOT_SESSION_ROUTES.includes(r))).toEqual([]);
  });

  for (const [name, row] of Object.entries(MATRIX)) {
    it(name, async () => {
      const w = row.fresh ? await buildWorld('MatrixFresh') : shared;
      const got: Record<string, string> = {};
      const want: Record<string, string> = {};
      const wrote: string[] = [];
      // Refused callers first, so a permitted change (someone leaving, accepting) never alters a later cell.
      const order = [...CALLERS].sort((a, b) => Number(expected(row, a) === 'ok') - Number(expected(row, b) === 'ok'));
      for (const who of order) {
        const token = await tokenOf(w, who, row);
        const before = await writesSoFar();
        const res = await call(token, row.method, row.path(w), row.body?.(w, who));
        const e = expected(row, who);
        got[who] = res.status < 300 ? 'ok' : `${res.status} ${res.body?.error?.code}`;
        want[who] = e === 'ok' ? 'ok' : `${statusOf(e)} ${e}`;
        if (res.status >= 400) {
          const n = (await writesSoFar()) - before;
          if (n) wrote.push(`${who}: refused (${got[who]}) but wrote ${n} rows`);
        } else {
          await quiesce(w);
        }
      }
      printed.push(`${name.padEnd(68)}${CALLERS.map((c) => (got[c] === 'ok' ? 'ok' : got[c].split(' ')[0]).padEnd(12)).join('')}`);
      expect(got).toEqual(want);
      expect(wrote).toEqual([]);
    });
  }
});
