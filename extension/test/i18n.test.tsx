// The translations stay whole: every locale has exactly English's keys, with the same placeholders, plural pairs
// complete, nothing left in English by mistake; and a Spanish, German or Japanese browser gets its own words,
// plurals, dates and numbers in the panel.
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, screen, within } from '@testing-library/preact';
import { formatDateTime, formatNumber, formatPercent, formatRelative, t, tn } from '../utils/i18n';
import { splitsText } from '../components/ui';
import { describeNotification } from '../background/notify';
import { setTestLocale } from './helpers/i18n-setup';
import { userClick } from './helpers/user-gesture';
import { Panel } from '../components/Panel';
import { parseDropboxUrl } from '../dropbox-page/url';
import { startBackground } from './helpers/background';
import { FakeWorker, LEO, MAYA, SAM } from './helpers/fake-worker';
import { renderWithApi } from './helpers/render';

const LOCALES_DIR = resolve(import.meta.dirname, '../public/_locales');
type Messages = Record<string, { message: string; description?: string }>;
const read = (lang: string) => JSON.parse(readFileSync(resolve(LOCALES_DIR, lang, 'messages.json'), 'utf8')) as Messages;
const LOCALES = readdirSync(LOCALES_DIR).sort();
const en = read('en');
const placeholders = (m: string) => [...m.matchAll(/\$([1-9])/g)].map((x) => x[1]).sort();

/** Keys that read the same as English on purpose: product names, symbols and formats everywhere, and words a
 *  language shares with English ("Editor" in Spanish, "Master" in German, "Producer Dashboard for Dropbox" in Japan). */
const SAME_AS_ENGLISH = [
  'app_name',
  'ext_action_title',
  'panel_label',
  'popup_tabs_label',
  'field_bpm',
  'track_split_over_item',
  'credits_split_field',
  'hist_field_change',
  'hist_unknown_kind',
];
const SAME_IN: Record<string, string[]> = {
  es: ['access_editor', 'stage_idea', 'hist_tags'],
  de: ['split_master', 'stage_mixing', 'stage_mastering', 'where_dropbox', 'where_pd', 'hist_tags'],
  ja: ['ext_name'],
};

afterEach(() => {
  cleanup();
  setTestLocale('en-US');
});

/** Maya's panel on "Midnight Drive" (Leo editor, Sam viewer), on the real background and the in-memory worker. */
async function renderOwnerPanel() {
  const worker = new FakeWorker();
  const path = '/PRODUCER-DASHBOARD/Night Sessions/Midnight Drive';
  worker.addTrack({
    title: 'Midnight Drive',
    owner: MAYA,
    path,
    collaborators: [
      { account: LEO, accessLevel: 'editor', role: 'vocalist' },
      { account: SAM, accessLevel: 'viewer', role: 'engineer' },
    ],
  });
  const bg = await startBackground(worker);
  await bg.signInAs(MAYA);
  const resolution = await bg.api.resolvePath({ path, fresh: true });
  const location = parseDropboxUrl('https://www.dropbox.com/home/PRODUCER-DASHBOARD/Night%20Sessions/Midnight%20Drive')!;
  const { container } = renderWithApi(<Panel model={{ location, resolution }} placement="header" onRefresh={() => {}} />, bg.api);
  return within(container as HTMLElement);
}

describe('the locales', () => {
  it('ships English, Spanish, German and Japanese', () => {
    expect(LOCALES).toEqual(['de', 'en', 'es', 'ja']);
  });

  it('every locale has exactly the keys English has, no more, no fewer', () => {
    for (const lang of LOCALES) {
      const keys = Object.keys(read(lang)).sort();
      const missing = Object.keys(en).filter((k) => !keys.includes(k));
      const extra = keys.filter((k) => !(k in en));
      expect({ lang, missing, extra }).toEqual({ lang, missing: [], extra: [] });
    }
  });

  it('keeps every placeholder: the same $1…$9 as English, in every message', () => {
    for (const lang of LOCALES) {
      const messages = read(lang);
      const wrong = Object.keys(en).filter((k) => placeholders(messages[k]?.message ?? '').join() !== placeholders(en[k]!.message).join());
      expect({ lang, wrong }).toEqual({ lang, wrong: [] });
    }
  });

  it('has no empty message, no stray $ (a named placeholder nobody declared), and only keys the browsers accept', () => {
    for (const lang of LOCALES) {
      for (const [key, { message }] of Object.entries(read(lang))) {
        expect(key, `${lang}: ${key}`).toMatch(/^[A-Za-z0-9_]+$/);
        expect(message.trim(), `${lang}: ${key}`).not.toBe('');
        expect(message.replace(/\$[1-9$]/g, ''), `${lang}: ${key}`).not.toContain('$');
      }
    }
  });

  it('every plural comes as a pair (_one and _other)', () => {
    const keys = Object.keys(en);
    for (const k of keys.filter((x) => x.endsWith('_one'))) expect(keys, k).toContain(k.replace(/_one$/, '_other'));
    for (const k of keys.filter((x) => x.endsWith('_other'))) expect(keys, k).toContain(k.replace(/_other$/, '_one'));
  });

  it('nothing is left in English by mistake: every message but a short list of names and symbols is translated', () => {
    for (const lang of LOCALES.filter((l) => l !== 'en')) {
      const messages = read(lang);
      const allowed = new Set([...SAME_AS_ENGLISH, ...(SAME_IN[lang] ?? [])]);
      const untranslated = Object.keys(en).filter((k) => !allowed.has(k) && messages[k]?.message === en[k]!.message);
      expect({ lang, untranslated }).toEqual({ lang, untranslated: [] });
    }
  });

  it('names its own language in locale_code (the plural rules are that language’s)', () => {
    for (const lang of LOCALES) expect(read(lang).locale_code?.message).toBe(lang);
  });

  it('translates the manifest: name and description are messages that exist', () => {
    const config = readFileSync(resolve(import.meta.dirname, '../wxt.config.ts'), 'utf8');
    const used = [...config.matchAll(/__MSG_(\w+)__/g)].map((m) => m[1]!);
    expect(used).toEqual(expect.arrayContaining(['ext_name', 'ext_description']));
    for (const k of used) expect(en, k).toHaveProperty(k);
    expect(config).toContain("default_locale: 'en'");
    // Chrome Web Store: the name at most 75 characters, the description at most 132, in every language.
    for (const lang of LOCALES) {
      expect(read(lang).ext_name!.message.length).toBeLessThanOrEqual(75);
      expect(read(lang).ext_description!.message.length).toBeLessThanOrEqual(132);
    }
  });
});

describe('t / tn and the formatters, by the browser language', () => {
  it('plural forms follow the message language', () => {
    expect(tn('tracks_count', 1)).toBe('1 track');
    expect(tn('tracks_count', 3)).toBe('3 tracks');
    setTestLocale('es-ES');
    expect(tn('tracks_count', 1)).toBe('1 tema');
    expect(tn('tracks_count', 3)).toBe('3 temas');
    setTestLocale('de');
    expect(tn('tracks_count', 1250)).toBe('1.250 Tracks');
    setTestLocale('ja');
    expect(tn('tracks_count', 1)).toBe('1 曲');
    expect(tn('collaborators_count', 2)).toBe('コラボレーター 2 人');
  });

  it('substitutes names and titles into the sentence where each language puts them', () => {
    setTestLocale('ja');
    expect(t('revoke_title', 'Leo Vance', 'Midnight Drive')).toBe('Leo Vance の「Midnight Drive」へのアクセスを取り消しますか?');
    setTestLocale('de');
    expect(t('revoke_title', 'Leo Vance', 'Midnight Drive')).toBe('Leo Vance den Zugriff auf „Midnight Drive“ entziehen?');
  });

  it('a language without a translation falls back to English text (the default_locale), formatted for its own locale', () => {
    setTestLocale('fr-FR');
    expect(t('revoke_button')).toBe('Revoke');
    expect(formatPercent(12.5)).toBe(new Intl.NumberFormat('fr-FR', { style: 'percent', maximumFractionDigits: 2 }).format(0.125));
    expect(formatPercent(12.5)).toMatch(/^12,5\s%$/);
  });

  it('numbers, percentages, dates and relative times in the browser’s language', () => {
    const at = '2026-11-30T10:15:00Z';
    setTestLocale('en-US');
    expect(formatNumber(1250.5)).toBe('1,250.5');
    expect(formatPercent(12.5)).toBe('12.5%');
    expect(splitsText({ master: 12.5, publishing: 25, writer: 0 })).toBe('Master 12.5% · Publishing 25% · Writer 0%');
    setTestLocale('es-ES');
    expect(formatNumber(1250.5)).toBe('1250,5');
    expect(formatPercent(12.5)).toBe('12,5\u00a0%');
    expect(splitsText({ master: 12.5, publishing: 25, writer: 0 })).toBe('Máster 12,5\u00a0% · Editorial 25\u00a0% · Autoría 0\u00a0%');
    expect(formatDateTime(at)).toBe(new Intl.DateTimeFormat('es-ES', { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(at)));
    expect(formatDateTime(at)).toMatch(/30 nov 2026/);
    expect(formatRelative(Date.parse(at) - 3 * 86_400_000, Date.parse(at))).toBe('hace 3 días');
    setTestLocale('de-DE');
    expect(formatNumber(1250.5)).toBe('1.250,5');
    expect(formatDateTime(at)).toMatch(/^30\.11\.2026/);
    expect(formatRelative(Date.parse(at) + 2 * 3_600_000, Date.parse(at))).toBe('in 2 Stunden');
    setTestLocale('ja');
    expect(formatDateTime(at)).toMatch(/^2026\/11\/30/);
    expect(formatRelative(Date.parse(at) - 86_400_000, Date.parse(at))).toBe('昨日');
  });

  it('notifications speak the reader’s language, with the date in its format', () => {
    setTestLocale('es-ES');
    const text = describeNotification({
      kind: 'heads_up',
      trackTitle: 'Midnight Drive',
      actor: { id: 'acc_maya', name: 'Maya Reyes' },
      via: 'pd',
      notice: null,
      headsUp: { accessEndsAt: '2026-12-02T10:15:00Z', note: 'Gracias por todo' },
    } as never);
    expect(text).toMatch(/^Aviso de Maya Reyes: tu acceso a «Midnight Drive» termina el 2 dic 2026/);
    expect(text).toMatch(/«Gracias por todo»$/);
  });
});

describe('the panel in Spanish and Japanese', () => {
  it('Spanish: the owner’s panel, its counts, and the Revoke confirmation (title, body, buttons)', async () => {
    setTestLocale('es-ES');
    const panel = await renderOwnerPanel();
    expect(panel.getByRole('region', { name: 'Producer Dashboard' })).toBeTruthy();
    expect(panel.getByText('Este tema es tuyo · 2 colaboradores')).toBeTruthy();
    expect(panel.getAllByText('Activo')).toHaveLength(2);
    expect(panel.getAllByText(/^Máster \d+ % · Editorial \d+ % · Autoría \d+ %$/)).toHaveLength(2);
    userClick(panel.getByRole('button', { name: 'Revocar a Leo Vance' }));
    const dialog = await panel.findByRole('dialog', { name: '¿Revocar el acceso de Leo Vance a «Midnight Drive»?' });
    expect(within(dialog).getByText('El acceso termina de inmediato. En su próxima sincronización:')).toBeTruthy();
    expect(within(dialog).getByRole('button', { name: 'Cancelar' })).toBeTruthy();
    expect(within(dialog).getByRole('button', { name: 'Cambiar a Lector' })).toBeTruthy();
    expect(within(dialog).getByRole('button', { name: 'Revocar acceso' })).toBeTruthy();
    // The gentler choice keeps its <strong> where Spanish puts it.
    expect(within(dialog).getByText('Cambiar a Lector', { selector: 'strong' })).toBeTruthy();
  });

  it('Japanese: the same panel and dialog in Japanese', async () => {
    setTestLocale('ja');
    const panel = await renderOwnerPanel();
    expect(panel.getByText('あなたがオーナーのトラック · コラボレーター 2 人')).toBeTruthy();
    userClick(panel.getByRole('button', { name: 'Leo Vance を取り消す' }));
    const dialog = await panel.findByRole('dialog', { name: 'Leo Vance の「Midnight Drive」へのアクセスを取り消しますか?' });
    expect(within(dialog).getByRole('button', { name: 'アクセスを取り消す' })).toBeTruthy();
    expect(screen.queryByText(/Revoke access/)).toBeNull();
  });
});
