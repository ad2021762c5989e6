// The browser's i18n for unit tests (WXT's fake browser leaves browser.i18n unimplemented): the same lookup as
// Chrome and Firefox — the chosen locale's messages.json, then the default locale's ("en"), $1…$9 substituted and
// $$ read as "$". English unless a test picks another language with setTestLocale().
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fakeBrowser } from 'wxt/testing/fake-browser';

type Messages = Record<string, { message: string }>;
const cache = new Map<string, Messages>();
function messages(lang: string): Messages {
  let m = cache.get(lang);
  if (!m) {
    const file = resolve(import.meta.dirname, '../../public/_locales', lang, 'messages.json');
    m = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Messages) : {};
    cache.set(lang, m);
  }
  return m;
}

let uiLanguage = 'en-US';
/** The browser's UI language for the next renders, e.g. "es-ES" or "ja" (messages: its base language). */
export function setTestLocale(lang: string): void {
  uiLanguage = lang;
}

export function substitute(message: string, subs: string[]): string {
  return message.replace(/\$(\$|[1-9])/g, (_, d: string) => (d === '$' ? '$' : (subs[Number(d) - 1] ?? '')));
}

function getMessage(key: string, substitutions?: string | string[]): string {
  const lang = uiLanguage.split(/[-_]/)[0] ?? 'en';
  const entry = messages(lang)[key] ?? messages('en')[key];
  if (!entry) return '';
  const subs = substitutions === undefined ? [] : Array.isArray(substitutions) ? substitutions : [substitutions];
  return substitute(entry.message, subs);
}

const i18n = fakeBrowser.i18n as unknown as Record<string, unknown>;
i18n.getMessage = getMessage;
i18n.getUILanguage = () => uiLanguage;
