import { createContext } from 'preact';
import { useContext, useEffect, useRef } from 'preact/hooks';
import type { LiveListener, LiveSubscribe } from '../utils/live-port';

/** Pushes from the background's live socket (utils/live-port.ts). Without a provider (component tests): none. */
export const LiveContext = createContext<LiveSubscribe>(() => () => {});

/** Calls `listener` with the ids of tracks that changed (null: anything may have) while the component is shown. */
export function useLivePush(listener: LiveListener): void {
  const subscribe = useContext(LiveContext);
  const latest = useRef(listener);
  latest.current = listener;
  useEffect(() => subscribe((ids) => latest.current(ids)), [subscribe]);
}

/** Whether a push about `trackIds` concerns the track on screen. */
export const concerns = (trackIds: string[] | null, trackId: string | null | undefined): boolean =>
  trackIds === null || !trackId || trackIds.includes(trackId);
