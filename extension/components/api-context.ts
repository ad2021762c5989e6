import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { PdApi } from '../utils/messaging';

/** The background API as the UI sees it; tests provide a fake. */
export const ApiContext = createContext<PdApi | null>(null);

export function useApi(): PdApi {
  const api = useContext(ApiContext);
  if (!api) throw new Error('ApiContext is missing');
  return api;
}
