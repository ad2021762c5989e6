// Bad inputs: answered 4xx with a stable code and a message, never a 500, and nothing in the database changes.
import { SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { call, dump, person, share, trackOf, type Person } from './helpers.ts';

let olivia: Person, ben: Person;
let trackId: string, benId: string, commentId: string;

beforeAll(async () => {
  olivia = await person('Olivia Owner');
  ben = await person('Ben Beats');
  trackId = await trackOf(olivia, 'Inputs');
  benId = await share(olivia, trackId, ben, 'editor');
  commentId = (await olivia.post(`/tracks/${trackId}/comments`, { body: 'c' })).body.comment.id;
});

const long = (n: number) => 'x'.repeat(n);

/** [description, method, path, raw body (string = sent as is), expected status, expected code] */
const cases = (): Array<[string, string, string, unknown, number, string]> => [
  ['malformed JSON (create track)', 'POST', '/tracks', '{"title": "x",', 400, 'invalid_json'],
  ['malformed JSON (edit)', 'PATCH', `/tracks/${trackId}`, '{stage: mixing}', 400, 'invalid_json'],
  ['malformed JSON (invite)', 'POST', `/tracks/${trackId}/invitations`, 'not json at all', 400, 'invalid_json'],
  ['malformed JSON (splits)', 'PUT', `/tracks/${trackId}/splits`, '[1,2', 400, 'invalid_json'],
  ['malformed JSON (comment)', 'POST', `/tracks/${trackId}/comments`, '{"body":', 400, 'invalid_json'],
  ['malformed JSON (mark read)', 'POST', '/notifications/read', '{', 400, 'invalid_json'],
  ['missing title', 'POST', '/tracks', { dropboxSharedFolderId: 'sf:x' }, 400, 'validation_failed'],
  ['title of the wrong type', 'POST', '/tracks', { dropboxSharedFolderId: 'sf:x', title: 42 }, 400, 'validation_failed'],
  ['title too long', 'POST', '/tracks', { dropboxSharedFolderId: 'sf:x', title: long(201) }, 400, 'validation_failed'],
  ['blank title', 'PATCH', `/tracks/${trackId}`, { title: '   ' }, 400, 'validation_failed'],
  ['unknown stage', 'PATCH', `/tracks/${trackId}`, { stage: 'vibing' }, 400, 'validation_failed'],
  ['bpm as a string', 'PATCH', `/tracks/${trackId}`, { bpm: '120' }, 400, 'validation_failed'],
  ['too many tags', 'PATCH', `/tracks/${trackId}`, { tags: Array.from({ length: 51 }, (_, i) => `t${i}`) }, 400, 'validation_failed'],
  ['tag too long', 'PATCH', `/tracks/${trackId}`, { tags: [long(41)] }, 400, 'validation_failed'],
  ['empty edit', 'PATCH', `/tracks/${trackId}`, {}, 400, 'validation_failed'],
  ['body is an array', 'PATCH', `/tracks/${trackId}`, [1, 2], 400, 'validation_failed'],
  ['splits as strings', 'PUT', `/tracks/${trackId}/splits`, { owner: { master: '50', publishing: 50, writer: 50 } }, 400, 'validation_failed'],
  ['split missing a type', 'PUT', `/tracks/${trackId}/splits`, { owner: { master: 50, publishing: 50 } }, 400, 'validation_failed'],
  ['archived not a boolean', 'POST', `/tracks/${trackId}/archive`, { archived: 'yes' }, 400, 'validation_failed'],
  ['project too long', 'PUT', `/tracks/${trackId}/placement`, { project: long(101) }, 400, 'validation_failed'],
  ['invite: not an e-mail', 'POST', `/tracks/${trackId}/invitations`, { email: 'ben at home', accessLevel: 'viewer' }, 400, 'validation_failed'],
  [
    'invite: unknown access level',
    'POST',
    `/tracks/${trackId}/invitations`,
    { email: 'x@example.test', accessLevel: 'owner' },
    400,
    'validation_failed',
  ],
  ['invite: name too long', 'POST', `/tracks/${trackId}/invitations`, { email: 'x@example.test', displayName: long(101) }, 400, 'validation_failed'],
  ['access level: unknown', 'PATCH', `/tracks/${trackId}/collaborators/${benId}`, { accessLevel: 'admin' }, 400, 'validation_failed'],
  ['comment: empty', 'POST', `/tracks/${trackId}/comments`, { body: '  ' }, 400, 'validation_failed'],
  ['comment: too long', 'POST', `/tracks/${trackId}/comments`, { body: long(5001) }, 400, 'validation_failed'],
  ['pin: not a boolean', 'POST', `/tracks/${trackId}/comments/${commentId}/pin`, { pinned: 1 }, 400, 'validation_failed'],
  ['mark read: neither ids nor all', 'POST', '/notifications/read', { some: true }, 400, 'validation_failed'],
  ['mark read: all=false', 'POST', '/notifications/read', { all: false }, 400, 'validation_failed'],
  ['library: bad archived filter', 'GET', '/library?archived=maybe', undefined, 400, 'validation_failed'],
  ['library: limit too high', 'GET', '/library?limit=100000', undefined, 400, 'validation_failed'],
  ['sync: negative cursor', 'GET', '/sync?cursor=-1', undefined, 400, 'validation_failed'],
  ['sync: cursor not a number', 'GET', '/sync?cursor=abc', undefined, 400, 'validation_failed'],
  ['history: bad before', 'GET', `/tracks/${trackId}/history?before=zero`, undefined, 400, 'validation_failed'],
  ['id too long', 'GET', `/tracks/${long(65)}`, undefined, 400, 'validation_failed'],
  ['unknown track', 'PATCH', '/tracks/trk_unknown', { stage: 'mixing' }, 404, 'track_not_found'],
  ['unknown collaborator (revoke)', 'POST', `/tracks/${trackId}/collaborators/col_unknown/revoke`, {}, 404, 'collaborator_not_found'],
  [
    'unknown collaborator (access level)',
    'PATCH',
    `/tracks/${trackId}/collaborators/col_unknown`,
    { accessLevel: 'viewer' },
    404,
    'collaborator_not_found',
  ],
  ['collaborator of another track', 'POST', `/tracks/trk_other/collaborators/${benId}/revoke`, {}, 404, 'track_not_found'],
  ['unknown comment', 'POST', `/tracks/${trackId}/comments/cmt_unknown/pin`, { pinned: true }, 404, 'comment_not_found'],
  ['unknown invitation', 'POST', '/invitations/inv_unknown/accept', {}, 404, 'invitation_not_found'],
  ['unknown person', 'POST', '/sharing/nobody%40example.test/revoke-all', {}, 404, 'person_not_found'],
  ['unknown route', 'GET', '/nothing-here', undefined, 404, 'not_found'],
  ['wrong method', 'DELETE', `/tracks/${trackId}/comments`, undefined, 405, 'method_not_allowed'],
  // Checked after the body is valid, before anything else: without Dropbox, no folder can be shown to be yours.
  ['a folder that cannot be checked in Dropbox', 'POST', '/tracks', { dropboxSharedFolderId: 'DUP', title: 'x' }, 409, 'dropbox_not_linked'],
  [
    'a padded folder id that cannot be checked',
    'POST',
    '/tracks',
    { dropboxSharedFolderId: `${' '.repeat(60)}DUP`, title: 'x' },
    409,
    'dropbox_not_linked',
  ],
];

describe('bad inputs', () => {
  it('each is answered 4xx with its code and a message, and the database is unchanged', async () => {
    await trackOf(olivia, 'Original', { dropboxSharedFolderId: 'DUP' });
    const before = await dump();
    const failures: string[] = [];
    for (const [what, method, path, body, status, code] of cases()) {
      const res = await call(olivia.token, method, path, body);
      if (res.status !== status || res.body?.error?.code !== code || typeof res.body?.error?.message !== 'string') {
        failures.push(`${what}: got ${res.status} ${JSON.stringify(res.body)}`);
      }
    }
    expect(failures).toEqual([]);
    expect(await dump()).toBe(before);
  });

  it('a body over 1 MB → 413 payload_too_large, nothing stored', async () => {
    const before = await dump();
    const big = JSON.stringify({ body: 'x'.repeat(1024 * 1024 + 10) });
    const res = await call(olivia.token, 'POST', `/tracks/${trackId}/comments`, big);
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
    // Also without a Content-Length (streamed body).
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 20; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(64 * 1024)));
        controller.close();
      },
    });
    const streamed = await SELF.fetch(`http://pd.test/api/v1/tracks/${trackId}/comments`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${olivia.token}`, 'Content-Type': 'application/json' },
      body: stream,
      // @ts-expect-error: required by fetch for streamed bodies
      duplex: 'half',
    });
    expect(streamed.status).toBe(413);
    expect(((await streamed.json()) as any).error.code).toBe('payload_too_large');
    expect(await dump()).toBe(before);
  });

  it('a body sent without a JSON content type is treated as empty (validation_failed), not a 500', async () => {
    const res = await SELF.fetch(`http://pd.test/api/v1/tracks/${trackId}/comments`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${olivia.token}`, 'Content-Type': 'text/plain' },
      body: '{"body":"hi"}',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).error.code).toBe('validation_failed');
  });

  it('an over-long or odd bearer token is simply unauthenticated', async () => {
    const res = await call(long(5000), 'GET', '/me');
    expect([res.status, res.body.error.code]).toEqual([401, 'unauthenticated']);
  });
});
