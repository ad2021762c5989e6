// Every word the extension shows comes from public/_locales/<lang>/messages.json through the browser's own i18n
// (browser.i18n.getMessage: the browser picks the user's language, falling back to "en"). WXT generates the keys'
// types from the English file (.wxt/types/i18n.d.ts), so a misspelt key does not compile.
//
// - t(key, ...subs): one message; $1…$9 in the message are the substitutions (names, titles, formatted numbers).
// - tn(base, count, ...subs): a plural — `${base}_one` / `${base}_other` chosen with Intl.PluralRules of the
//   message language (chrome.i18n has no plurals); $1 is the count, formatted for the reader, the rest follow.
// - Dates, times, relative times, numbers and percentages: formatted for the browser's UI language (one place,
//   below), so a Spanish browser reads "30 nov 2026, 10:15" and "12,5 %".
import { browser } from 'wxt/browser';

export type MessageKey = Parameters<typeof browser.i18n.getMessage>[0];
/** Keys that come as a plural pair: `${base}_one` and `${base}_other`. */
type PluralOf<K> = K extends `${infer B}_other` ? B : never;
export type PluralBase = PluralOf<MessageKey>;

/** One message, with its substitutions. A key missing from every locale shows as itself (never an empty string). */
export function t(key: MessageKey, ...subs: Array<string | number>): string {
  const text = browser.i18n.getMessage(key, subs.length ? subs.map(String) : undefined);
  return text || key;
}

/** The language the messages are in ("en", "es", "de", "ja"): the plural rules must be that language's. */
export function messageLanguage(): string {
  return t('locale_code');
}

const pluralRules = new Map<string, Intl.PluralRules>();
/** A plural message: `${base}_one` or `${base}_other` by the count; $1 is the formatted count. */
export function tn(base: PluralBase, count: number, ...subs: Array<string | number>): string {
  const lang = messageLanguage();
  let rules = pluralRules.get(lang);
  if (!rules) {
    rules = new Intl.PluralRules(lang);
    pluralRules.set(lang, rules);
  }
  // Only "one" and "other" are kept: Japanese says everything with "other", and Spanish's "many" (1 000 000) reads as "other".
  const form = rules.select(count) === 'one' ? 'one' : 'other';
  return t(`${base}_${form}` as MessageKey, formatNumber(count), ...subs);
}

/** The browser's UI language (BCP 47, e.g. "es-ES"), which formats dates and numbers. */
export function uiLocale(): string {
  try {
    const lang = browser.i18n.getUILanguage?.();
    if (lang && Intl.DateTimeFormat.supportedLocalesOf(lang.replace(/_/g, '-')).length) return lang.replace(/_/g, '-');
  } catch {
    // No i18n API here (a page without the extension's APIs): the runtime's own locale.
  }
  return Intl.DateTimeFormat().resolvedOptions().locale;
}

/** A date and time, e.g. "Nov 30, 2026, 10:15 AM" / "30 nov 2026, 10:15" / "2026/11/30 10:15". */
export function formatDateTime(iso: string | number | Date): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return new Intl.DateTimeFormat(uiLocale(), { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

/** A date without the time. */
export function formatDate(iso: string | number | Date): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return new Intl.DateTimeFormat(uiLocale(), { dateStyle: 'medium' }).format(d);
}

const RELATIVE_UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 86_400_000],
  ['month', 30 * 86_400_000],
  ['week', 7 * 86_400_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];
/** How long ago / from now, e.g. "3 days ago", "hace 3 días", "in 2 hours", "3 日前". */
export function formatRelative(iso: string | number | Date, now: number = Date.now()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const diff = d.getTime() - now;
  const rtf = new Intl.RelativeTimeFormat(uiLocale(), { numeric: 'auto' });
  for (const [unit, ms] of RELATIVE_UNITS) {
    if (Math.abs(diff) >= ms) return rtf.format(Math.round(diff / ms), unit);
  }
  return rtf.format(0, 'minute');
}

/** A count or amount, e.g. "1,250" / "1.250" / "1 250". */
export function formatNumber(n: number): string {
  return new Intl.NumberFormat(uiLocale(), { maximumFractionDigits: 2 }).format(n);
}

/** A split or progress percentage given from 0 to 100, e.g. "12.5%" / "12,5 %" / "12.5%". */
export function formatPercent(n: number): string {
  return new Intl.NumberFormat(uiLocale(), { style: 'percent', maximumFractionDigits: 2 }).format(n / 100);
}

/** A list ("a, b and c" / "a, b y c" / "a、b、c"). */
export function formatList(items: string[]): string {
  return new Intl.ListFormat(uiLocale(), { style: 'long', type: 'conjunction' }).format(items);
}

/**
 * A message with elements inside it (a <strong>, a link): $1…$n stand for the given nodes, so each language puts
 * them where its word order wants. Returns the text pieces and the nodes in order, ready to render.
 */
export function tNodes<N>(key: MessageKey, ...nodes: Array<string | N>): Array<string | N> {
  const marks = nodes.map((_, i) => `\u2063${i}\u2063`);
  const text = t(key, ...marks);
  const out: Array<string | N> = [];
  for (const [i, piece] of text.split(/\u2063(\d+)\u2063/).entries()) {
    if (i % 2 === 0) {
      if (piece) out.push(piece);
    } else {
      out.push(nodes[Number(piece)] as string | N);
    }
  }
  return out;
}

/**
 * A worker error as the user reads it: by its stable code (`err_<code>` in public/_locales) when the reader's
 * language is not English and a key exists; otherwise the worker's own sentence, which is English and often more
 * precise (it names the person).
 */
export function workerErrorText(code: string, workerMessage: string): string {
  if (messageLanguage() === 'en' || !/^[a-z0-9_]+$/.test(code)) return workerMessage;
  const text = browser.i18n.getMessage(`err_${code}` as MessageKey);
  return text || workerMessage;
}

/** An extension page in the reader's language: <html lang> (screen readers, hyphenation) and its <title>. */
export function localizeDocument(doc: Document, title?: MessageKey): void {
  doc.documentElement.lang = messageLanguage();
  if (title) doc.title = t(title);
}
