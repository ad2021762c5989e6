// Text PD cannot store faithfully is refused, not silently changed. A lone UTF-16 surrogate is valid in JSON
// ("\ud800") but not in UTF-8: D1 would store it as U+FFFD replacement characters — a 200-character title came back
// as 600 characters of "�", past the contract's limit. Emoji, RTL scripts, ZWJ and ZWNJ are fine.
import { beforeAll, describe, expect, it } from 'vitest';
import { call, dump, person, share, trackOf, type Person } from '../core/helpers.ts';

let olivia: Person, ben: Person;
let trackId: string, benId: string;

beforeAll(async () => {
  olivia = await person('Olivia Text');
  ben = await person('Ben Text');
  trackId = await trackOf(olivia, 'Text');
  benId = await share(olivia, trackId, ben, 'editor');
});

describe('ill-formed Unicode in request text', () => {
  it('is refused with 400 validation_failed everywhere text is accepted, and nothing is stored', async () => {
    const before = await dump();
    const bad = 'mix\uD800';
    for (const [method, path, body] of [
      ['POST', '/tracks', { dropboxSharedFolderId: `sf:${crypto.randomUUID()}`, title: bad }],
      ['POST', '/tracks', { dropboxSharedFolderId: `sf:\uDC00${crypto.randomUUID()}`, title: 'Fine' }],
      ['PATCH', `/tracks/${trackId}`, { title: '\uD800'.repeat(200) }],
      ['PATCH', `/tracks/${trackId}`, { tags: ['ok', `tag\uDFFF`] }],
      ['PATCH', `/tracks/${trackId}`, { key: `C\uD83D` }],
      ['PUT', `/tracks/${trackId}/placement`, { project: `Later\uDBFF` }],
      ['POST', `/tracks/${trackId}/comments`, { body: `a\uDC00b` }],
      ['POST', `/tracks/${trackId}/invitations`, { email: 'new@example.test', displayName: `New\uD800` }],
      ['POST', `/tracks/${trackId}/invitations`, { email: 'new@example.test', role: `\uDC00vocals` }],
    ] as const) {
      const res = await call(olivia.token, method, path, body);
      expect([method, path, JSON.stringify(body).slice(0, 60), res.status, res.body?.error?.code]).toEqual([
        method,
        path,
        JSON.stringify(body).slice(0, 60),
        400,
        'validation_failed',
      ]);
    }
    expect(await dump()).toBe(before);
  });

  it('a sign-in code padded with zero-width spaces is the caller’s error (400), never sent to Dropbox as a 503 (fuzz seeds 9–11)', async () => {
    const verifier = 'v'.repeat(64);
    for (const code of ['abc' + '\u200B'.repeat(2000), 'abc def', 'código']) {
      const res = await call(null, 'POST', '/auth/dropbox', { code, codeVerifier: verifier, redirectUri: 'https://abc.chromiumapp.org/' });
      expect([code.slice(0, 8), res.status, res.body?.error?.code]).toEqual([code.slice(0, 8), 400, 'validation_failed']);
    }
  });

  it('well-formed text of every script, emoji included, is stored exactly as sent', async () => {
    // Bidi overrides and zero-width spaces are refused by the name rule (name-rule.test.ts); ZWJ (inside the
    // family emoji), ZWNJ (Persian) and right-to-left scripts are not.
    const title = '🎧 שלום mix می\u200Cخواهم 👩‍👩‍👧‍👦';
    const res = await ben.patch(`/tracks/${trackId}`, { title });
    expect(res.status).toBe(200);
    expect(res.body.track.title).toBe(title);
    const c = await ben.post(`/tracks/${trackId}/comments`, { body: '😀'.repeat(2500) });
    expect(c.status).toBe(201);
    expect(c.body.comment.body).toBe('😀'.repeat(2500));
    void benId;
  });
});
