// Issue 8, item 8: one rule for every stored name or title (shared/src/text.ts): NUL and other control characters,
// invisible zero-width characters and bidi overrides/isolates are refused, not stored — a title with U+202E could
// make "evil.mp3" read as "3pm.live" in a collaborator's library. Emoji (with ZWJ), ZWNJ and RTL scripts are fine.
import { describe, expect, it } from 'vitest';
import { cleanName, hasUnsafeNameChars } from '@pd/shared';
import { call, dump, person, trackOf } from '../core/helpers.ts';

const UNSAFE = ['\u0000', '\u0007', '\n', '\u007F', '\u0085', '\u200B', '\u2060', '\uFEFF', '\u00AD', '\u202A', '\u202E', '\u2066', '\u2069'];

describe('the name rule', () => {
  it('is refused in every stored name or title (400 validation_failed), and nothing is stored', async () => {
    const olivia = await person('Olivia Names');
    const trackId = await trackOf(olivia, 'Names');
    const before = await dump();
    const problems: string[] = [];
    for (const ch of UNSAFE) {
      const bad = `mix${ch}down`;
      for (const [method, path, body] of [
        ['POST', '/tracks', { dropboxSharedFolderId: '12345', title: bad }],
        ['PATCH', `/tracks/${trackId}`, { title: bad }],
        ['PATCH', `/tracks/${trackId}`, { tags: ['ok', bad] }],
        ['PATCH', `/tracks/${trackId}`, { key: `C${ch}m` }],
        ['PUT', `/tracks/${trackId}/placement`, { project: bad }],
        ['POST', `/tracks/${trackId}/invitations`, { email: 'new@example.test', displayName: bad }],
        ['POST', `/tracks/${trackId}/invitations`, { email: 'new@example.test', role: bad }],
      ] as const) {
        const res = await call(olivia.token, method, path, body);
        if (res.status !== 400 || res.body?.error?.code !== 'validation_failed')
          problems.push(`${JSON.stringify(ch)} ${method} ${path}: ${res.status} ${JSON.stringify(res.body).slice(0, 100)}`);
      }
    }
    expect(problems).toEqual([]);
    expect(await dump()).toBe(before);
  });

  it('keeps what real names need: emoji sequences (ZWJ), ZWNJ, right-to-left scripts, directional marks', async () => {
    const olivia = await person('Olivia Scripts');
    const trackId = await trackOf(olivia, 'Scripts');
    const title = '👩‍👩‍👧 שלום می\u200Cخواهم \u200Fmix';
    const res = await olivia.patch(`/tracks/${trackId}`, { title });
    expect([res.status, res.body.track.title]).toEqual([200, title]);
  });

  it('names coming from Dropbox (folder and display names) are cleaned by the same rule, not refused', () => {
    expect(cleanName('\u202Eevil\u200B.mp3\u0000 ')).toBe('evil.mp3');
    expect(hasUnsafeNameChars(cleanName(UNSAFE.join('x')))).toBe(false);
    expect(cleanName('👩‍👩‍👧 Demo')).toBe('👩‍👩‍👧 Demo');
  });
});
