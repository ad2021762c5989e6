// One rule for every name and title PD stores (track titles, tags, keys, projects, display names, creative roles),
// used by the worker's schemas, by the worker for names that come from Dropbox, and by the extension.
//
// Refused (from people) or stripped (from Dropbox, whose data we cannot refuse):
// - NUL and every other C0/C1 control character (tabs and line breaks included: a name is one line);
// - invisible characters that make two names look identical: U+200B zero width space, U+2060 word joiner,
//   U+FEFF byte order mark, U+180E Mongolian vowel separator, U+00AD soft hyphen;
// - bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), which can make "evil.mp3" read as
//   "3pm.live" in a list.
// Kept: ZWJ (U+200D, inside emoji such as 👩‍👩‍👧) and ZWNJ (U+200C, needed in Persian and Indic scripts), and the
// plain directional marks (U+200E/U+200F, U+061C), which only hint direction and cannot reorder what follows.
import { z } from 'zod';

// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point of this rule
export const UNSAFE_NAME_CHARS = /[\u0000-\u001F\u007F-\u009F\u00AD\u180E\u200B\u2060\uFEFF\u202A-\u202E\u2066-\u2069]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point of this rule
const UNSAFE_NAME_CHARS_ALL = /[\u0000-\u001F\u007F-\u009F\u00AD\u180E\u200B\u2060\uFEFF\u202A-\u202E\u2066-\u2069]/g;

/** True if `s` holds a character the name rule refuses. */
export const hasUnsafeNameChars = (s: string): boolean => UNSAFE_NAME_CHARS.test(s);

/** The same rule, applied by stripping (for names PD receives from Dropbox); trims the result. */
export const cleanName = (s: string): string => s.replace(UNSAFE_NAME_CHARS_ALL, '').trim();

export const NAME_RULE_MESSAGE = 'must not contain control, invisible (zero-width) or bidi-override characters';

/** A trimmed, single-line, visible name of `min`..`max` characters (zod; refuses what the rule refuses). */
export const nameText = (max: number, min = 1) =>
  z
    .string()
    .trim()
    .min(min)
    .max(max)
    .refine((s) => !hasUnsafeNameChars(s), NAME_RULE_MESSAGE);

// Free text of several lines (a heads-up's note): the same rule as names, except that line breaks are kept
// (CRLF and CR become LF). Tabs and every other control, invisible or bidi-override character are refused.
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point of this rule
const UNSAFE_TEXT_CHARS = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u00AD\u180E\u200B\u2060\uFEFF\u202A-\u202E\u2066-\u2069]/;

export const hasUnsafeTextChars = (s: string): boolean => UNSAFE_TEXT_CHARS.test(s);

/** A trimmed note of up to `max` characters, line breaks allowed (zod; refuses what the name rule refuses, but \n). */
export const noteText = (max: number) =>
  z
    .string()
    .transform((s) => s.replace(/\r\n?/g, '\n').trim())
    .pipe(
      z
        .string()
        .max(max)
        .refine(
          (s) => !hasUnsafeTextChars(s),
          'must not contain control (other than line breaks), invisible (zero-width) or bidi-override characters',
        ),
    );
