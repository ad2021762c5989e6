// Everything the extension keeps, as versioned WXT storage items.
import { storage } from 'wxt/utils/storage';

export const DEFAULT_WORKER_URL: string = import.meta.env.WXT_PD_WORKER_URL || 'http://localhost:8787';
/** A development build (its worker is on this machine; see build-settings.ts): only it shows development-only
 *  settings such as the Dropbox authorize-URL override. Set by wxt.config.ts; unset (tests) counts as development. */
export const DEVELOPMENT_BUILD: boolean = String(import.meta.env.WXT_PD_DEVELOPMENT ?? 'true') === 'true';

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

/**
 * The secret half of a sign-in: the PD bearer token, the uninstall token (it can only end this session), and the
 * worker that issued them — the token is only ever sent there. Read and written by the background only.
 */
export interface Session {
  token: string;
  account: SessionAccount;
  /** The effective worker URL at sign-in. If the user points the extension at another worker, the session ends. */
  workerUrl: string;
  uninstallToken: string | null;
}

/**
 * Where the secret lives while the browser runs: storage.session, with access level TRUSTED_CONTEXTS (set by the
 * background; Chrome's default, and Firefox never exposes storage.session to content scripts): the background and
 * the popup can read it, a content script cannot, and its storage.onChanged never hears of it. It is gone when the
 * browser stops; background/session-store.ts keeps a sealed copy in storage.local for the next start.
 */
export const sessionItem = storage.defineItem<Session | null>('session:session', { fallback: null });

/** The persisted copy of the session, AES-GCM-encrypted with a non-extractable key kept in the background's
 *  IndexedDB (the extension's origin; a content script runs in the page's origin and cannot open it). */
export interface SealedSession {
  v: 1;
  iv: string;
  data: string;
}
export const sealedSessionItem = storage.defineItem<SealedSession | null>('local:sealedSession', { fallback: null });

/** Before issue 8 the token was kept here in clear, readable by content scripts: migrated once, then removed. */
export const legacySessionItem = storage.defineItem<{ token: string; account: SessionAccount } | null>('local:session', { fallback: null });

/** Who is signed in — public, no secret: the popup and the panel (content script) show it and follow its changes. */
export const accountItem = storage.defineItem<SessionAccount | null>('local:account', { fallback: null, version: 1 });

/** Why the extension signed out by itself (the worker ended the session, the worker URL changed…): shown by the
 *  popup and the panel until the next sign-in. Null after a sign-out the user asked for. */
export const signedOutReasonItem = storage.defineItem<string | null>('local:signedOutReason', { fallback: null, version: 1 });

export { PUBLIC_SESSION_KEYS } from './session-keys';

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

/** Where the panel is on each Dropbox page (by URL, the last 50 reports), as content scripts report it: the popup
 *  says it. In storage.session: it lives as long as the browser session, and the background's restarts keep it. */
export const panelStatusItem = storage.defineItem<import('./messaging').PanelStatus[]>('session:panelStatus', { fallback: [] });
