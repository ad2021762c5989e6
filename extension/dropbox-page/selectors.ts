// THE selectors module: every element of Dropbox's page the extension looks for is named here, once.
// Dropbox's DOM is undocumented and changes; each target is a list tried in order, stable hooks first
// (data-testid, ARIA roles and labels), and never hashed or versioned class names (`_sl-…_1iaob_86`, `dig-…_5-7-0`).
// When Dropbox drops a hook, add the new one on top and keep the old one with a dated TODO until it is gone.
// Dropbox is translated: every target has anchors that are not English words (data-testid, ARIA roles and
// structure such as the breadcrumb's aria-current item); English labels are only later fallbacks.

export const SELECTORS = {
  /** The folder header above the file list: title and breadcrumb. The PD panel goes right after it. */
  folderHeader: [
    '[data-testid="page-header"]',
    '[data-testid="browse-header"]',
    '[role="main"] header',
    'main header',
    // Breadcrumb alone, when Dropbox renders no header landmark around it: by structure (the current folder is the
    // aria-current item), whatever the page's language; then by its English label.
    '[role="main"] nav:has(li[aria-current="page"])',
    'main nav:has(li[aria-current="page"])',
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
  /** The folder's action bar, found by role alone (any language): the panel goes after it when the Share button's
   *  hooks are gone. */
  folderToolbar: ['[role="main"] [role="toolbar"]', 'main [role="toolbar"]'],
  /** Dropbox's own Download control (used by "download the files first" before leaving). */
  downloadButton: ['[data-testid="action-bar-download-button"]', '#fvsdk-mount-point button[aria-label="Download"]', 'button[aria-label="Download"]'],
} as const satisfies Record<string, readonly string[]>;

export type SelectorTarget = keyof typeof SELECTORS;

/** Per-row controls (file list rows) are never page anchors. */
const ROW_CONTAINERS = '[role="row"], [role="gridcell"], tr, li[role="option"]';
/** The file list and anything list-like: the panel is never put inside one (an anchor in it, or whose parent is
 *  one, would make the panel a row of Dropbox's list). */
export const FILE_LIST =
  '[role="grid"], [role="treegrid"], [role="table"], [role="rowgroup"], [role="listbox"], [role="list"], table, thead, tbody, ul, ol';

function isUsable(el: Element): boolean {
  if (el.closest(ROW_CONTAINERS)) return false;
  if (el.closest('[hidden], [aria-hidden="true"]')) return false;
  return true;
}

/** True when putting the panel right after `anchor` keeps it out of every file list. */
export function safeAnchor(anchor: Element): boolean {
  const parent = anchor.parentElement;
  return !!parent && isUsable(anchor) && !parent.closest(FILE_LIST);
}

/** A header anchor: outside the file list (not a <thead> or a grid's column header), with a safe place after it. */
function headerAnchor(el: Element): boolean {
  return !el.closest(FILE_LIST) && safeAnchor(el);
}

/** First element matching the target's selectors, in priority order, that `accept`s (default: usable). Invalid
 *  selectors (e.g. :has() where a browser lacks it) are skipped, never thrown. */
export function findFirst(root: ParentNode, target: SelectorTarget, accept: (el: Element) => boolean = isUsable): HTMLElement | null {
  for (const selector of SELECTORS[target]) {
    let matches: NodeListOf<Element>;
    try {
      matches = root.querySelectorAll(selector);
    } catch {
      continue;
    }
    for (const el of matches) if (isUsable(el) && accept(el)) return el as HTMLElement;
  }
  return null;
}

export type PanelPlacement = { kind: 'header'; anchor: HTMLElement } | { kind: 'share'; anchor: HTMLElement } | { kind: 'floating'; anchor: null };

/** Where the PD panel goes: after the folder header, else after the share controls (or the folder's toolbar),
 *  else floating. Never inside the file list. */
export function findPanelPlacement(root: ParentNode): PanelPlacement {
  const header = findFirst(root, 'folderHeader', headerAnchor);
  if (header) return { kind: 'header', anchor: header };
  const share = findFirst(root, 'shareButton');
  // Sit after the whole toolbar the Share button lives in, not inside it.
  const toolbar = share
    ? ((share.closest('[role="toolbar"]') as HTMLElement | null) ?? share.parentElement ?? share)
    : findFirst(root, 'folderToolbar', safeAnchor);
  if (toolbar && safeAnchor(toolbar)) return { kind: 'share', anchor: toolbar };
  return { kind: 'floating', anchor: null };
}
