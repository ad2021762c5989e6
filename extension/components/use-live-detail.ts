import { useEffect, useState } from 'preact/hooks';
import type { TrackDetail } from '@pd/shared';
import type { PdApi } from '../utils/messaging';

/** While a Dropbox change of this track is pending or running, re-read the track (a cheap PD read, no Dropbox
 *  call) so the user sees it finish — or fail, with Retry — without reloading. */
export function useLiveDetail(detail: TrackDetail, api: PdApi, intervalMs = 2000): TrackDetail {
  const [live, setLive] = useState(detail);
  useEffect(() => setLive(detail), [detail]);
  const waiting = live.dropboxChanges.some((c) => c.status === 'pending' || c.status === 'running');
  useEffect(() => {
    if (!waiting) return;
    let cancelled = false;
    const timer = setTimeout(() => {
      api
        .getTrack({ trackId: live.track.id })
        .then((next) => {
          if (!cancelled) setLive(next);
        })
        .catch(() => {
          // The next refresh or the user's Retry will tell; a failed poll is not worth an alarm.
        });
    }, intervalMs);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [live, waiting, api, intervalMs]);
  return live;
}
