// Hostile data coming from Dropbox's side: folder names, display names and file names full of RTL marks,
// zero-width characters, emoji at the 200-character cut, markup, whitespace only, very long. Import,
// reconciliation of uploads and a member leaving in Dropbox must all go through: no 5xx, no job retried forever,
// nothing stored that is not well-formed text, and the names shown as Dropbox gave them (cut to the title limit).
import { env } from 'cloudflare:test';
import { cleanName, hasUnsafeNameChars } from '@pd/shared';
import { beforeAll, describe, expect, it } from 'vitest';
import { Harness, control } from '../dropbox/harness.ts';
import { everyStoredValue } from './db-state.ts';

const h = new Harness();
const OWNER = 'olivia.hostile@pd.test';
const MEMBER = 'ben.hostile@pd.test';

const EMOJI_AT_CUT = `${'a'.repeat(199)}😀tail`; // the emoji's two halves straddle character 200
const NAMES = [
  '\u202Egnp.exe\u202C Mix',
  'Zero\u200Bwidth\u200D\uFEFF',
  `${'é'.repeat(250)}`,
  EMOJI_AT_CUT,
  '<img src=x onerror=alert(1)>',
  '   spaced   ',
  'שלום 🎧 مرحبا',
];

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

let owner: { session: string; account: { id: string } };
let member: { session: string };
let seeded: { folders: { shared_folder_id: string; name: string }[] };

beforeAll(async () => {
  seeded = await h.reset({
    accounts: [
      { email: OWNER, display_name: '\u202EOlivia\u202C 👩‍🎤' },
      { email: MEMBER, display_name: '<b>Ben</b>\u200B' },
    ],
    folders: NAMES.map((name, i) => ({
      name,
      owner: OWNER,
      path: `/PD/${i}-${name.trim() || 'x'}`,
      members: [{ account: MEMBER, access_level: 'editor' as const }],
    })),
  });
  owner = await h.signIn(OWNER);
  member = await h.signIn(MEMBER);
  await h.drain();
});

describe('hostile names from Dropbox', () => {
  it('import makes every folder a track, titles as Dropbox named them (cleaned by the name rule, cut at 200 characters, never mid-character)', async () => {
    const res = await h.fetch('/api/v1/dropbox/import', { method: 'POST', session: owner.session, json: {} });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { imported: { title: string; sharedFolderId: string }[]; skipped: unknown[] };
    expect(body.skipped).toEqual([]);
    expect(body.imported).toHaveLength(NAMES.length);
    for (const t of body.imported) {
      const name = seeded.folders.find((f) => f.shared_folder_id === t.sharedFolderId)!.name;
      expect(loneSurrogate.test(t.title)).toBe(false);
      expect(t.title.length).toBeLessThanOrEqual(200);
      // The name rule (shared/src/text.ts) strips control, invisible and bidi-override characters from Dropbox names.
      expect(cleanName(name).startsWith(t.title.trim().slice(0, 50))).toBe(true);
      expect(hasUnsafeNameChars(t.title)).toBe(false);
    }
    await h.drain();
  });

  it('uploads with hostile file names and a member leaving in Dropbox are reconciled; no job is retried forever', async () => {
    for (const f of seeded.folders.slice(0, 3)) {
      await h.act({
        as: MEMBER,
        action: 'upload_file',
        shared_folder_id: f.shared_folder_id,
        path: `Stems/\u202Ekick\u202C 😀 ${'x'.repeat(120)}.wav`,
        size: 10,
      });
    }
    await h.act({ as: MEMBER, action: 'leave_folder', shared_folder_id: seeded.folders[3].shared_folder_id });
    await h.deliverWebhooks();
    const delivered = await h.drain({ maxRounds: 30 });
    expect(h.queued).toEqual([]); // drained: nothing keeps failing
    expect(delivered.filter((d) => d.outcome === 'retry')).toEqual([]);
    const lib = await h.json<{ items: { track: { title: string } }[] }>('/api/v1/library?archived=any&hidden=any', { session: member.session });
    expect(lib.items).toHaveLength(NAMES.length - 1);
  });

  it('nothing stored in D1 is ill-formed text, and every read of the tracks answers 200', async () => {
    const bad = (await everyStoredValue()).filter((v) => loneSurrogate.test(v.value)).map((v) => `${v.table}.${v.column}`);
    expect(bad).toEqual([]);
    const { results } = await env.DB.prepare('SELECT id FROM tracks').all<{ id: string }>();
    for (const { id } of results) {
      for (const path of [`/api/v1/tracks/${id}`, `/api/v1/tracks/${id}/history`, `/api/v1/tracks/${id}/comments`]) {
        const res = await h.fetch(path, { session: owner.session });
        expect([path, res.status]).toEqual([path, 200]);
        await res.arrayBuffer();
      }
    }
  });
});

void control;
