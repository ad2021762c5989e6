// Keeps the PD panel in the right place on Dropbox's single-page app: follows in-page navigation
// (wxt:locationchange + a MutationObserver), asks the background to resolve the folder on screen (cached), and
// re-attaches the panel when Dropbox re-renders its header. It only ever inserts, moves or removes its own host
// node, and it never lets an error escape into the page.
import type { PanelModel } from '../components/Panel';
import type { PathResolution } from '../utils/messaging';
import { findPanelPlacement, type PanelPlacement } from './selectors';
import { isTrackCandidate, parseDropboxUrl, type DropboxFolderLocation } from './url';
import { t } from '../utils/i18n';

export type PlacementKind = PanelPlacement['kind'];

/** Puts the host where it belongs (after the header, after the share toolbar, or floating at the end of body).
 *  Does nothing when it is already there, so the observer that calls it cannot loop. */
export function placeHost(host: HTMLElement, doc: Document): PlacementKind {
  const placement = findPanelPlacement(doc);
  if (placement.kind === 'floating' || !placement.anchor.parentElement) {
    if (host.parentElement !== doc.body && doc.body) doc.body.append(host);
    return 'floating';
  }
  const anchor = placement.anchor;
  if (host.previousElementSibling !== anchor || host.parentElement !== anchor.parentElement) anchor.after(host);
  return placement.kind;
}

export interface PanelControllerOptions {
  doc: Document;
  /** Where the URL comes from (window.location in the page). */
  getHref: () => string;
  host: HTMLElement;
  /** Resolves the folder on screen (by its web path: /home/…, /personal/…, /work/<team>/…). */
  resolve: (location: DropboxFolderLocation, fresh: boolean) => Promise<PathResolution>;
  render: (model: PanelModel | null, placement: PlacementKind) => void;
  signal?: AbortSignal;
  /** Called with a mark name when the panel first shows a resolved track (benchmarks). */
  onShown?: (path: string, state: PathResolution['state']) => void;
  log?: (message: string, err?: unknown) => void;
}

export interface PanelController {
  /** Re-read the URL and the page: call on navigation; the observer calls it on DOM changes. */
  check(): void;
  /** Resolve the current folder again, bypassing caches (after an action). */
  refresh(): void;
  /** A push said these tracks changed (null: anything may have): re-read the folder on screen if it concerns it. */
  revalidate(trackIds: string[] | null): void;
  stop(): void;
  readonly model: PanelModel | null;
  readonly placement: PlacementKind | null;
}

export function startPanelController(opts: PanelControllerOptions): PanelController {
  const { doc, host } = opts;
  const log = opts.log ?? ((m, e) => console.warn(`[Producer Dashboard] ${m} (page: ${opts.getHref()})`, e ?? ''));
  /** Last answer per folder in this tab: shown at once when the user navigates back, then refreshed. */
  const seen = new Map<string, PathResolution>();
  let model: PanelModel | null = null;
  let placement: PlacementKind | null = null;
  let lastHref = '';
  let seq = 0;
  let stopped = false;
  let scheduled = false;

  const render = () => {
    try {
      opts.render(model, placement ?? 'floating');
    } catch (err) {
      log('render failed', err);
    }
  };

  const lookup = (fresh: boolean) => {
    if (!model) return;
    const mine = ++seq;
    const path = model.location.webPath;
    opts
      .resolve(model.location, fresh)
      .catch((err: unknown): PathResolution => {
        const message = err instanceof Error ? err.message : String(err);
        return /receiving end does not exist|context invalidated/i.test(message)
          ? { state: 'error', message: t('ext_updated_reload') }
          : { state: 'error', message };
      })
      .then((resolution) => {
        if (stopped || mine !== seq || !model || model.location.webPath !== path) return;
        seen.set(path, resolution);
        model = { ...model, resolution };
        render();
        opts.onShown?.(path, resolution.state);
      });
  };

  const check = () => {
    if (stopped) return;
    try {
      const href = opts.getHref();
      const location = parseDropboxUrl(href);
      if (!isTrackCandidate(location)) {
        if (model || host.isConnected) {
          model = null;
          placement = null;
          seq++;
          host.remove(); // our own node only
          render();
        }
        lastHref = href;
        return;
      }
      let changed = false;
      if (!model || model.location.webPath !== location.webPath) {
        model = { location, resolution: seen.get(location.webPath) ?? null };
        changed = true;
        lookup(false);
      } else if (href !== lastHref) {
        model = { ...model, location };
        changed = true;
      }
      lastHref = href;
      const where = placeHost(host, doc);
      if (where !== placement) {
        placement = where;
        changed = true;
      }
      if (changed) render();
    } catch (err) {
      log('could not place the panel', err);
    }
  };

  const observer = new MutationObserver(() => {
    // Coalesce bursts of Dropbox re-renders into one check per task.
    if (scheduled) return;
    scheduled = true;
    setTimeout(() => {
      scheduled = false;
      check();
    }, 0);
  });
  observer.observe(doc.documentElement, { childList: true, subtree: true });

  const stop = () => {
    stopped = true;
    observer.disconnect();
  };
  opts.signal?.addEventListener('abort', stop);

  check();

  return {
    check,
    refresh: () => {
      if (model) {
        seen.delete(model.location.webPath);
        lookup(true);
      }
    },
    revalidate: (trackIds) => {
      if (!model) return;
      const r = model.resolution;
      // Not a track (yet), access ended, an error: any change may be the one that matters here.
      if (trackIds === null || r?.state !== 'track' || trackIds.includes(r.detail.track.id)) lookup(false);
    },
    stop,
    get model() {
      return model;
    },
    get placement() {
      return placement;
    },
  };
}
