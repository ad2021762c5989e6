// What changed, newest first. The background opens welcome.html#release-notes when an update changes the version
// (not on a reload of the same version); the page shows the entries newer than the version the user had.
import type { MessageKey } from '../../utils/i18n';

export interface ReleaseNote {
  version: string;
  /** Message keys (public/_locales): the notes are translated like everything else. */
  changes: MessageKey[];
}

export const RELEASE_NOTES: ReleaseNote[] = [
  {
    version: '0.1.0',
    changes: ['notes_0_1_0_a', 'notes_0_1_0_b', 'notes_0_1_0_c', 'notes_0_1_0_d', 'notes_0_1_0_e', 'notes_0_1_0_f'],
  },
];

/** Numeric dotted-version comparison: -1, 0 or 1. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((n) => Number.parseInt(n, 10) || 0);
  const pb = b.split('.').map((n) => Number.parseInt(n, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** The notes a user updating from `previous` has not seen (all of them when unknown). */
export function notesSince(previous: string | null): ReleaseNote[] {
  return previous ? RELEASE_NOTES.filter((n) => compareVersions(n.version, previous) > 0) : RELEASE_NOTES;
}
