// The authorization matrix: every core route × owner, editor, viewer, revoked, left, stranger, no session.
// One fresh track per route; roles run in an order where a permitted change never affects a later role's case.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import * as domain from '../../src/domain/index.ts';
import { call, person, type Person } from './helpers.ts';

type Role = 'none' | 'stranger' | 'revoked' | 'left' | 'viewer' | 'editor' | 'owner';
const ROLES: Role[] = ['none', 'stranger', 'revoked', 'left', 'viewer', 'editor', 'owner'];
type Expect = 'ok' | string; // 'ok' = 2xx, else the error code

const STATUS: Record<string, number> = {
  unauthenticated: 401,
  access_ended: 403,
  owner_only: 403,
  editor_required: 403,
  invitation_not_yours: 403,
  track_not_found: 404,
  person_not_found: 404,
  owner_cannot_leave: 409,
  dropbox_not_linked: 409,
};

interface Fixture {
  trackId: string;
  targetId: string; // an active viewer collaborator (target of revoke / access changes)
  commentId: string;
  invitationId: string; // pending, for the invitee
}

let people: Record<Role | 'target' | 'invitee', Person | null>;

async function fixture(): Promise<Fixture> {
  const db = env.DB;
  const owner = people.owner!;
  const track = await domain.createTrack(db, {
    ownerId: owner.account.id,
    dropboxSharedFolderId: `sf:${crypto.randomUUID()}`,
    title: 'Matrix',
    via: 'app',
  });
  const join = async (p: Person, accessLevel: 'editor' | 'viewer') => {
    const r = await domain.invite(db, { trackId: track.id, actorId: owner.account.id, email: p.email, accessLevel, via: 'app' });
    await domain.acceptInvitation(db, { invitationId: r.invitation.id, accountId: p.account.id, via: 'app' });
    return r.collaborator.id;
  };
  await join(people.editor!, 'editor');
  await join(people.viewer!, 'viewer');
  const targetId = await join(people.target!, 'viewer');
  const revokedId = await join(people.revoked!, 'editor');
  await domain.revokeCollaborator(db, { trackId: track.id, collaboratorId: revokedId, actorId: owner.account.id, via: 'app' });
  await join(people.left!, 'editor');
  await domain.leaveTrack(db, { trackId: track.id, accountId: people.left!.account.id, via: 'app' });
  const comment = await domain.addComment(db, { trackId: track.id, authorId: owner.account.id, body: 'hello' });
  const inv = await domain.invite(db, {
    trackId: track.id,
    actorId: owner.account.id,
    email: people.invitee!.email,
    accessLevel: 'viewer',
    via: 'app',
  });
  return { trackId: track.id, targetId, commentId: comment.id, invitationId: inv.invitation.id };
}

interface Route {
  method: string;
  path: (f: Fixture) => string;
  body?: (f: Fixture, role: Role) => unknown;
  expect: Partial<Record<Role, Expect>>;
}

// Defaults for track routes: revoked/left → access_ended, stranger → track_not_found, none → unauthenticated.
const track = (method: string, path: Route['path'], owner: Expect, editor: Expect, viewer: Expect, body?: Route['body']): Route => ({
  method,
  path,
  body,
  expect: { owner, editor, viewer, revoked: 'access_ended', left: 'access_ended', stranger: 'track_not_found', none: 'unauthenticated' },
});
const signedIn = (method: string, path: Route['path'], body?: Route['body'], overrides: Partial<Record<Role, Expect>> = {}): Route => ({
  method,
  path,
  body,
  expect: { owner: 'ok', editor: 'ok', viewer: 'ok', revoked: 'ok', left: 'ok', stranger: 'ok', none: 'unauthenticated', ...overrides },
});

const ROUTES: Record<string, Route> = {
  'GET /tracks/:id': track('GET', (f) => `/tracks/${f.trackId}`, 'ok', 'ok', 'ok'),
  'PATCH /tracks/:id': track(
    'PATCH',
    (f) => `/tracks/${f.trackId}`,
    'ok',
    'ok',
    'editor_required',
    () => ({ stage: 'mixing' }),
  ),
  'PUT /tracks/:id/splits': track(
    'PUT',
    (f) => `/tracks/${f.trackId}/splits`,
    'ok',
    'ok',
    'editor_required',
    () => ({ owner: { master: 50, publishing: 50, writer: 50 } }),
  ),
  'POST /tracks/:id/archive': track(
    'POST',
    (f) => `/tracks/${f.trackId}/archive`,
    'ok',
    'ok',
    'editor_required',
    () => ({ archived: true }),
  ),
  'PUT /tracks/:id/placement': track(
    'PUT',
    (f) => `/tracks/${f.trackId}/placement`,
    'ok',
    'ok',
    'ok',
    () => ({ project: 'Mine', hidden: true }),
  ),
  'GET /tracks/:id/history': track('GET', (f) => `/tracks/${f.trackId}/history`, 'ok', 'ok', 'ok'),
  'POST /tracks/:id/invitations': track(
    'POST',
    (f) => `/tracks/${f.trackId}/invitations`,
    'ok',
    'owner_only',
    'owner_only',
    (_f, role) => ({ email: `new-${role}@example.test`, accessLevel: 'viewer' }),
  ),
  'POST /tracks/:id/collaborators/:cid/revoke': track(
    'POST',
    (f) => `/tracks/${f.trackId}/collaborators/${f.targetId}/revoke`,
    'ok',
    'owner_only',
    'owner_only',
    () => ({}),
  ),
  'PATCH /tracks/:id/collaborators/:cid': track(
    'PATCH',
    (f) => `/tracks/${f.trackId}/collaborators/${f.targetId}`,
    'ok',
    'owner_only',
    'owner_only',
    () => ({ accessLevel: 'editor' }),
  ),
  'POST /tracks/:id/leave': track(
    'POST',
    (f) => `/tracks/${f.trackId}/leave`,
    'owner_cannot_leave',
    'ok',
    'ok',
    () => ({}),
  ),
  'GET /tracks/:id/comments': track('GET', (f) => `/tracks/${f.trackId}/comments`, 'ok', 'ok', 'ok'),
  'POST /tracks/:id/comments': track(
    'POST',
    (f) => `/tracks/${f.trackId}/comments`,
    'ok',
    'ok',
    'ok',
    () => ({ body: 'hi' }),
  ),
  'POST /tracks/:id/comments/:cid/pin': track(
    'POST',
    (f) => `/tracks/${f.trackId}/comments/${f.commentId}/pin`,
    'ok',
    'ok',
    'editor_required',
    () => ({ pinned: true }),
  ),
  'GET /tracks/:unknown': {
    method: 'GET',
    path: () => '/tracks/trk_doesnotexist',
    expect: {
      owner: 'track_not_found',
      editor: 'track_not_found',
      viewer: 'track_not_found',
      revoked: 'track_not_found',
      left: 'track_not_found',
      stranger: 'track_not_found',
      none: 'unauthenticated',
    },
  },
  'GET /me': signedIn('GET', () => '/me'),
  'GET /library': signedIn('GET', () => '/library'),
  'GET /sync': signedIn('GET', () => '/sync?cursor=0'),
  'GET /invitations': signedIn('GET', () => '/invitations'),
  'GET /sharing': signedIn('GET', () => '/sharing'),
  'GET /notifications': signedIn('GET', () => '/notifications'),
  'GET /notifications/unread-count': signedIn('GET', () => '/notifications/unread-count'),
  'POST /notifications/read': signedIn(
    'POST',
    () => '/notifications/read',
    () => ({ all: true }),
  ),
  // Nobody here has linked Dropbox, so nobody can prove they own a shared folder (with Dropbox:
  // test/security/track-ownership.dropbox.test.ts).
  'POST /tracks': signedIn(
    'POST',
    () => '/tracks',
    () => ({ dropboxSharedFolderId: `sf:${crypto.randomUUID()}`, title: 'New' }),
    {
      owner: 'dropbox_not_linked',
      editor: 'dropbox_not_linked',
      viewer: 'dropbox_not_linked',
      revoked: 'dropbox_not_linked',
      left: 'dropbox_not_linked',
      stranger: 'dropbox_not_linked',
    },
  ),
  'POST /sharing/:personKey/revoke-all': signedIn(
    'POST',
    () => `/sharing/${encodeURIComponent(people.target!.email)}/revoke-all`,
    () => ({}),
    {
      stranger: 'person_not_found',
      revoked: 'person_not_found',
      left: 'person_not_found',
      viewer: 'person_not_found',
      editor: 'person_not_found',
    },
  ),
  'POST /invitations/:id/accept': signedIn(
    'POST',
    (f) => `/invitations/${f.invitationId}/accept`,
    () => ({}),
    {
      owner: 'invitation_not_yours',
      editor: 'invitation_not_yours',
      viewer: 'invitation_not_yours',
      revoked: 'invitation_not_yours',
      left: 'invitation_not_yours',
      stranger: 'invitation_not_yours',
    },
  ),
  'POST /invitations/:id/decline': signedIn(
    'POST',
    (f) => `/invitations/${f.invitationId}/decline`,
    () => ({}),
    {
      owner: 'invitation_not_yours',
      editor: 'invitation_not_yours',
      viewer: 'invitation_not_yours',
      revoked: 'invitation_not_yours',
      left: 'invitation_not_yours',
      stranger: 'invitation_not_yours',
    },
  ),
};

beforeAll(async () => {
  people = {
    none: null,
    owner: await person('Owner'),
    editor: await person('Editor'),
    viewer: await person('Viewer'),
    revoked: await person('Revoked'),
    left: await person('Left'),
    stranger: await person('Stranger'),
    target: await person('Target'),
    invitee: await person('Invitee'),
  };
});

describe('authorization matrix', () => {
  for (const [name, route] of Object.entries(ROUTES)) {
    it(name, async () => {
      const f = await fixture();
      const outcomes: Record<string, string> = {};
      const expected: Record<string, string> = {};
      for (const role of ROLES) {
        const want = route.expect[role]!;
        const who = people[role];
        const res = await call(who?.token ?? null, route.method, route.path(f), route.body?.(f, role));
        outcomes[role] = res.status < 300 ? 'ok' : `${res.status} ${res.body?.error?.code}`;
        expected[role] = want === 'ok' ? 'ok' : `${STATUS[want]} ${want}`;
      }
      expect(outcomes).toEqual(expected);
    });
  }

  it('the invitee (and only the invitee) can accept', async () => {
    const f = await fixture();
    const res = await call(people.invitee!.token, 'POST', `/invitations/${f.invitationId}/accept`, {});
    expect(res.status).toBe(200);
  });

  it('an expired session → 401 session_expired; a garbage token → 401 unauthenticated', async () => {
    const p = people.owner!;
    const expired = await domain.createSession(env.DB, p.account.id, { days: -1 });
    const res = await call(expired.token, 'GET', '/me');
    expect([res.status, res.body.error.code]).toEqual([401, 'session_expired']);
    const bad = await call('not-a-token', 'GET', '/me');
    expect([bad.status, bad.body.error.code]).toEqual([401, 'unauthenticated']);
    const basic = await call(null, 'GET', '/me', undefined, { Authorization: 'Basic abc' });
    expect([basic.status, basic.body.error.code]).toEqual([401, 'unauthenticated']);
  });
});
