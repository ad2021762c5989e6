// No user-facing English left in the views: a lint-style scan of the extension's UI sources for JSX text, for
// string literals given to user-facing attributes (aria-label, title, placeholder, alt, label) and for sentence-like
// string literals anywhere in the UI code. Words go through t()/tn() from public/_locales; what is left here is a
// short, explained allow-list (symbols, the product's logo letters, console messages for maintainers).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const UI_DIRS = ['components', 'features', 'entrypoints', 'background', 'dropbox-page', 'utils'];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|tsx)$/.test(name) ? [p] : [];
  });
}

/** Source without comments (line and block), keeping string contents. */
function stripComments(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

interface Finding {
  file: string;
  line: number;
  text: string;
}

function lineOf(src: string, index: number): number {
  return src.slice(0, index).split('\n').length;
}

/** Allowed on purpose, each with its reason. */
const ALLOWED: Array<{ file: RegExp; text: RegExp; why: string }> = [
  { file: /./, text: /^PD$/, why: 'the logo letters, aria-hidden' },
  { file: /./, text: /^\[Producer Dashboard\]/, why: 'console messages for maintainers and bug reports, not shown in the UI' },
  { file: /dropbox-page\/selectors\.ts$/, text: /Share/, why: "Dropbox's own (English) button labels, matched as fallbacks" },
];

function scan(file: string): Finding[] {
  const src = stripComments(readFileSync(file, 'utf8'));
  const out: Finding[] = [];
  const add = (index: number, text: string) => {
    const t = text.trim();
    if (ALLOWED.some((a) => a.file.test(file) && a.text.test(t))) return;
    out.push({ file: relative(ROOT, file), line: lineOf(src, index), text: t });
  };
  if (/\.tsx(\.txt)?$/.test(file)) {
    // JSX text: between a tag's end and the next tag or expression, with at least one word.
    for (const m of src.matchAll(/>([^<>{}()=;|&`'"]*[A-Za-z]{2,}[^<>{}()=;|&`'"]*)(?=<|\{)/g)) {
      // Skip TypeScript generics and arrows (`=> x`), which are not JSX text.
      const before = src.slice(Math.max(0, m.index - 1), m.index + 1);
      if (before.startsWith('=')) continue;
      add(m.index + 1, m[1]!);
    }
    // User-facing attributes given a string literal or a template with words.
    for (const m of src.matchAll(/\b(aria-label|title|placeholder|alt|label)=(?:"([^"]*[A-Za-z]{2,}[^"]*)"|\{`([^`]*[A-Za-z]{2,}[^`]*)`\})/g)) {
      add(m.index, m[2] ?? m[3]!);
    }
  }
  // A capitalised word chosen by a ternary (`busy ? 'Saving…' : 'Save'`), the usual shape of a button's label.
  for (const m of src.matchAll(/[?:]\s*(['"])([A-Z][a-z]+[^'"]*)\1/g)) add(m.index, m[2]!);
  // Sentence-like string literals (a capital, words, spaces): what used to be passed to notify(), setMessage()…
  for (const m of src.matchAll(/(['"`])([A-Z][a-z’']+(?: [A-Za-z’',.:!?…—-]+){2,}[.!?…]?)\1/g)) {
    add(m.index, m[2]!);
  }
  return out;
}

describe('no user-facing English literal in the UI sources', () => {
  it('finds none outside the allow-list', () => {
    const findings = UI_DIRS.flatMap((d) => files(resolve(ROOT, d))).flatMap(scan);
    expect(findings).toEqual([]);
  });

  it('the scan catches what it is meant to catch (JSX text, aria-label, title, placeholder, sentences)', () => {
    const probe = resolve(ROOT, 'test/fixtures/english-literals.tsx.txt');
    const found = scan(probe).map((f) => f.text);
    expect(found).toEqual(
      expect.arrayContaining([
        'Revoke access',
        'Revoke Leo',
        'Pinned by Maya',
        'e.g. Finished',
        'Access ends immediately. On their next sync:',
        'Saving…',
        'Save',
      ]),
    );
  });
});
