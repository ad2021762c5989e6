// The palette in components/pd.css, light and dark: every text colour against the backgrounds it is drawn on keeps
// WCAG's 4.5:1 for normal text. Read from the CSS itself, so a colour changed there is checked here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const css = readFileSync(join(import.meta.dirname, '..', 'components', 'pd.css'), 'utf8');
const palette = new Map<string, { light: string; dark: string }>();
for (const m of css.matchAll(/--pd-([\w-]+):\s*light-dark\((#[0-9a-f]{6}),\s*(#[0-9a-f]{6})\)/gi)) {
  palette.set(m[1]!, { light: m[2]!, dark: m[3]! });
}

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5]
    .map((i) => Number.parseInt(hex.slice(i, i + 2), 16) / 255)
    .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}
function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

/** [text, background] as pd.css draws them. */
const PAIRS: [string, string][] = [
  ['fg', 'bg'],
  ['fg', 'soft'],
  ['muted', 'bg'],
  ['muted', 'soft'],
  ['accent', 'bg'],
  ['accent', 'soft'],
  ['on-accent', 'accent'],
  ['on-accent', 'accent-hover'],
  ['danger', 'bg'],
  ['danger', 'danger-soft'],
  ['on-danger', 'danger'],
  ['on-danger', 'danger-hover'],
  ['warn', 'warn-soft'],
  ['ok', 'ok-soft'],
  ['info', 'info-soft'],
  ['on-badge', 'badge'],
  ['on-logo', 'logo'],
];

describe('colour palette', () => {
  it('the contrast formula matches WCAG (black on white is 21:1, #767676 on white 4.54:1)', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrast('#767676', '#ffffff')).toBeCloseTo(4.54, 2);
  });

  it('every colour has a light and a dark value', () => {
    for (const [text, bg] of PAIRS) {
      expect(palette.has(text), `--pd-${text}`).toBe(true);
      expect(palette.has(bg), `--pd-${bg}`).toBe(true);
    }
  });

  for (const scheme of ['light', 'dark'] as const) {
    it(`${scheme}: every text/background pair is at least 4.5:1`, () => {
      const low = PAIRS.map(([t, b]) => ({ pair: `${t} on ${b}`, ratio: contrast(palette.get(t)![scheme], palette.get(b)![scheme]) })).filter(
        (p) => p.ratio < 4.5,
      );
      expect(low).toEqual([]);
    });
  }

  it('dark is dark: its background is darker than its text (and the light one the other way round)', () => {
    expect(luminance(palette.get('bg')!.dark)).toBeLessThan(luminance(palette.get('fg')!.dark));
    expect(luminance(palette.get('bg')!.light)).toBeGreaterThan(luminance(palette.get('fg')!.light));
  });
});
