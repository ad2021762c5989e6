// Where the panel is and why, in one sentence for the user (the popup shows it; the floating panel too), in the
// reader's language. Kept out of selectors.ts, which the emulator's tests import without the extension's APIs.
import { type MessageKey, t } from '../utils/i18n';
import type { PanelPlacement } from './selectors';

const PLACEMENT_KEYS = {
  header: 'placement_header',
  share: 'placement_share',
  floating: 'placement_floating',
  none: 'placement_none',
} as const satisfies Record<PanelPlacement['kind'] | 'none', MessageKey>;
export type PlacementKind = keyof typeof PLACEMENT_KEYS;

export function placementMessage(kind: PlacementKind): string {
  return t(PLACEMENT_KEYS[kind]);
}
