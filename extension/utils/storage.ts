// Everything the extension keeps, as versioned WXT storage items.
import { storage } from 'wxt/utils/storage';

export const DEFAULT_WORKER_URL: string = import.meta.env.WXT_PD_WORKER_URL || 'http://localhost:8787';

export interface Settings {
  /** Empty = the build's default worker. */
  workerUrl: string;
  /** Empty = the authorize URL the worker announces in /auth/config. */
  authorizeUrl: string;
}

export const settingsItem = storage.defineItem<Settings>('local:settings', {
  fallback: { workerUrl: '', authorizeUrl: '' },
  version: 1,
});

export interface SessionAccount {
  id: string;
  email: string;
  displayName: string;
}

export interface Session {
  token: string;
  account: SessionAccount;
}

/** The PD session token from the worker's Dropbox sign-in. Cleared on sign-out or when the worker says 401. */
export const sessionItem = storage.defineItem<Session | null>('local:session', { fallback: null, version: 1 });

/** Cursor of GET /sync: the last library change this browser has seen. */
export const syncCursorItem = storage.defineItem<number | null>('local:syncCursor', { fallback: null, version: 1 });

/** Ids of PD notifications already shown as browser notifications (bounded). */
export const announcedItem = storage.defineItem<string[]>('local:announcedNotifications', { fallback: [], version: 1 });

export interface SyncStatus {
  at: number;
  ok: boolean;
  message?: string;
}
export const lastSyncItem = storage.defineItem<SyncStatus | null>('local:lastSync', { fallback: null, version: 1 });

export async function effectiveWorkerUrl(): Promise<string> {
  const s = await settingsItem.getValue();
  return (s.workerUrl.trim() || DEFAULT_WORKER_URL).replace(/\/+$/, '');
}
