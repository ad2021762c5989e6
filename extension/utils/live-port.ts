// A panel or popup holds the background's live socket by keeping a port open (background/live.ts): the background
// only keeps a socket while someone is looking. The background tells each port which tracks changed, after it has
// caught up (sync), so a re-read right away sees the change.
import { browser } from 'wxt/browser';

export const LIVE_PORT = 'pd-live';

/** Background → panel/popup: these tracks changed (null: re-read everything on screen). */
export interface LiveMessage {
  type: 'changed';
  trackIds: string[] | null;
}

export type LiveListener = (trackIds: string[] | null) => void;

/** Subscribes a view to pushes; the function it returns lets go. Tests and non-extension hosts pass their own. */
export type LiveSubscribe = (listener: LiveListener) => () => void;

/**
 * Holds a port to the background while subscribed. If the background restarts (an MV3 service worker is stopped
 * when idle), the port breaks: it is opened again after `retryMs`, which also starts a new socket there, and the
 * view re-reads (null) since pushes may have been missed meanwhile.
 */
export function holdLive(listener: LiveListener, retryMs = 1000): () => void {
  let released = false;
  let port: ReturnType<typeof browser.runtime.connect> | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const open = (reconnected: boolean) => {
    if (released) return;
    try {
      port = browser.runtime.connect({ name: LIVE_PORT });
    } catch {
      // The extension was reloaded: this page's script is orphaned; nothing to hold.
      return;
    }
    port.onMessage.addListener((m: unknown) => {
      const msg = m as LiveMessage;
      if (msg && msg.type === 'changed') listener(Array.isArray(msg.trackIds) ? msg.trackIds : null);
    });
    port.onDisconnect.addListener(() => {
      port = null;
      if (!released) timer = setTimeout(() => open(true), retryMs);
    });
    if (reconnected) listener(null);
  };
  open(false);
  return () => {
    released = true;
    if (timer) clearTimeout(timer);
    try {
      port?.disconnect();
    } catch {
      // already gone
    }
    port = null;
  };
}

/**
 * One port for a whole page (the popup): listeners come and go with the views on screen; the port is held while at
 * least one listens, and each push reaches every listener.
 */
export function createLiveHub(hold: (listener: LiveListener) => () => void = holdLive): LiveSubscribe {
  const listeners = new Set<LiveListener>();
  let release: (() => void) | null = null;
  return (listener) => {
    listeners.add(listener);
    release ??= hold((trackIds) => {
      for (const l of [...listeners]) l(trackIds);
    });
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0 && release) {
        release();
        release = null;
      }
    };
  };
}
