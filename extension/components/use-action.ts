import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { errorMessage } from '../utils/messaging';

/** Runs one user action: busy while it runs, and its error kept as a sentence to show. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const alive = useRef(true);
  const run = useCallback(async <T>(fn: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(null);
    try {
      return await fn();
    } catch (err) {
      if (alive.current) setError(errorMessage(err));
      return undefined;
    } finally {
      if (alive.current) setBusy(false);
    }
  }, []);
  return { busy, error, setError, run };
}

/**
 * Loads what a view shows: the data (null until the first answer), the last failure as a sentence (cleared by the
 * next success), and `reload()`. `deps` are the loader's inputs, as for useCallback.
 */
export function useLoad<T>(loader: () => Promise<T>, deps: readonly unknown[]) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(async () => {
    try {
      setData(await loader());
      setError(null);
    } catch (err) {
      setError(errorMessage(err));
    }
  }, deps);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { data, error, reload };
}
