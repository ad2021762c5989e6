import { useCallback, useRef, useState } from 'preact/hooks';
import { errorMessage } from '../utils/messaging';

/** Runs one user action: busy while it runs, and its error kept as a sentence to show. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const alive = useRef(true);
  const run = useCallback(async <T,>(fn: () => Promise<T>): Promise<T | undefined> => {
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
