// THE selectors module: every element of Dropbox's page the extension looks for is named here, once.
// Dropbox's DOM is undocumented and changes; each target is a list tried in order, stable hooks first
// (data-testid, ARIA roles and labels), and never hashed or versioned class names (`_sl-…_1iaob_86`, `dig-…_5-7-0`).
// When Dropbox drops a hook, add the new one on top and keep the old one with a dated TODO until it is gone.

export const SELECTORS = {
  /** The folder header above the file list: title and breadcrumb. The PD panel goes right after it. */
  folderHeader: [
    '[data-testid="page-header"]',
    '[data-testid="browse-header"]',
    '[role="main"] header',
    'main header',
    // Breadcrumb alone, when Dropbox renders no header landmark around it.
    'nav[aria-label="Breadcrumb"]',
    'nav[aria-label="breadcrumb"]',
    '[role="navigation"][aria-label="Breadcrumb"]',
  ],
  /** The page-level Share control of the open folder (not the per-row ones). The panel goes after its toolbar. */
  shareButton: [
    '[data-testid="action-bar-share-button"]',
    '[data-testid="share-button"]',
    '[data-testid="shareButton"]',
    'button[aria-label="Share"]',
    'button[aria-label="Share folder"]',
    'button[aria-label^="Share "]',
  ],
  /** Dropbox's own Download control (used by "download the files first" before leaving). */
  downloadButton: [
    '[data-testid="action-bar-download-button"]',
    '#fvsdk-mount-point button[aria-label="Download"]',
    'button[aria-label="Download"]',
  ],
} as const satisfies Record<string, readonly string[]>;

export type SelectorTarget = keyof typeof SELECTORS;

/** Per-row controls (file list rows) are never page anchors. */
const ROW_CONTAINERS = '[role="row"], [role="gridcell"], tr, li[role="option"]';

function isUsable(el: Element): boolean {
  if (el.closest(ROW_CONTAINERS)) return false;
  if (el.closest('[hidden], [aria-hidden="true"]')) return false;
  return true;
}

/** First element matching the target's selectors, in priority order. Invalid selectors are skipped, never thrown. */
export function findFirst(root: ParentNode, target: SelectorTarget): HTMLElement | null {
  for (const selector of SELECTORS[target]) {
    let matches: NodeListOf<Element>;
    try {
      matches = root.querySelectorAll(selector);
    } catch {
      continue;
    }
    for (const el of matches) if (isUsable(el)) return el as HTMLElement;
  }
  return null;
}

export type PanelPlacement =
  | { kind: 'header'; anchor: HTMLElement }
  | { kind: 'share'; anchor: HTMLElement }
  | { kind: 'floating'; anchor: null };

/** Where the PD panel goes: after the folder header, else after the share controls, else floating. */
export function findPanelPlacement(root: ParentNode): PanelPlacement {
  const header = findFirst(root, 'folderHeader');
  if (header) return { kind: 'header', anchor: header };
  const share = findFirst(root, 'shareButton');
  if (share) {
    // Sit after the whole toolbar the Share button lives in, not inside it.
    const toolbar = (share.closest('[role="toolbar"]') as HTMLElement | null) ?? share.parentElement ?? share;
    return { kind: 'share', anchor: toolbar };
  }
  return { kind: 'floating', anchor: null };
}
