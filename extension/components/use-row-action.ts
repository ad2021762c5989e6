import { useEffect, useRef, useState } from 'preact/hooks';
import type { TrackContext } from '../features/types';
import { errorMessage } from '../utils/messaging';

/**
 * Runs an action on a track's row (revoke, downgrade, invite again, leave…). When it fails, the row is read again
 * from the worker and the failure is said once, where the view says things (issue 11 item 4): a stale row never
 * stays next to an error that contradicts it ("Active" beside "their access has ended"). `onFail` closes the
 * action's own dialog first, so the message is not shown twice.
 */
export function useRowAction(ctx: Pick<TrackContext, 'notify' | 'refresh'>) {
  const [busy, setBusy] = useState(false);
  const alive = useRef(true);
  useEffect(
    () => () => {
      alive.current = false;
    },
    [],
  );
  const run = async <T>(fn: () => Promise<T>, onFail?: () => void): Promise<T | undefined> => {
    setBusy(true);
    try {
      return await fn();
    } catch (err) {
      onFail?.();
      ctx.notify(errorMessage(err), 'error');
      ctx.refresh();
      return undefined;
    } finally {
      if (alive.current) setBusy(false);
    }
  };
  return { busy, run };
}
