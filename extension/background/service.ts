// The background's work, as plain functions: every call to the worker, sign-in, sync, notifications, badge.
// entrypoints/background.ts only wires these to messages, alarms and browser events.
import { browser } from 'wxt/browser';
import type {
  AcceptInvitationResponse,
  DeclineInvitationResponse,
  InvitationsResponse,
  InviteBody,
  InviteResponse,
  LeaveResponse,
  LibraryResponse,
  MarkReadBody,
  MarkReadResponse,
  NotificationsResponse,
  RevokeAllResponse,
  RevokeResponse,
  SetAccessLevelResponse,
  SharingResponse,
  SignOutEverywhereResponse,
  SyncResponse,
  TrackDetail,
  UnreadCountResponse,
  AccessLevel,
  PersonScheduleResponse,
  ReviewActionResponse,
  ReviewResponse,
  ReviewSettings,
  ScheduleResponse,
  HistoryResponse,
  SetRoleResponse,
  UpdateSplitsBody,
  UpdateSplitsResponse,
} from '@pd/shared';
import { PdError, UNREACHABLE, WorkerClient } from '../utils/worker-client';
import {
  accountItem,
  announcedItem,
  effectiveWorkerUrl,
  lastSyncItem,
  panelStatusItem,
  settingsItem,
  signedOutReasonItem,
  syncCursorItem,
  type Session,
  type SessionAccount,
  type SyncStatus,
} from '../utils/storage';
import { createSessionStore, takeLegacySession, type KeyStore } from './session-store';
import type { ExtensionStatus, PanelStatus, PathResolution, ProtocolMap } from '../utils/messaging';
import { buildAuthorizeUrl, codeChallengeS256, createCodeVerifier, createState, parseAuthorizeRedirect, SignInError } from '../utils/pkce';
import { folderUrlOf } from '../dropbox-page/url';
import { NOT_A_TRACK_CODES, type AuthConfig, type ByPathResult, type SignInResult } from './auth-contract';
import { ANNOUNCED_KINDS, setBadge, showBrowserNotification } from './notify';
import { createLiveSocket, LIVE_PROTOCOL, LIVE_TOKEN_PREFIX, liveUrlOf, type LivePush, type SocketLike } from './live';
import type { LiveMessage } from '../utils/live-port';
import { type MessageKey, t } from '../utils/i18n';

export const SYNC_ALARM = 'pd-sync';
const PATH_CACHE_TTL_MS = 5 * 60_000;
const ANNOUNCED_LIMIT = 500;

export interface BackgroundOptions {
  fetch?: typeof fetch;
  now?: () => number;
  /** Where the key sealing the persisted session lives (IndexedDB in the extension; in memory in unit tests). */
  keyStore?: KeyStore;
  /** Opens the live socket (WebSocket in the extension; a fake in unit tests). */
  createSocket?: (url: string, protocols: string[]) => SocketLike;
  /** Live socket timings (unit tests shorten them). */
  live?: { backoffMs?: number; maxBackoffMs?: number; pingMs?: number; lingerMs?: number; random?: () => number };
}

/** The part of a runtime port the background uses (a panel's or popup's hold on the live socket). */
export interface LivePortLike {
  postMessage(message: LiveMessage): void;
  onDisconnect: { addListener(cb: () => void): void };
}

/** Worker errors that mean the session is over: the extension signs out and says why. */
const SESSION_ENDED: Record<string, MessageKey> = {
  unauthenticated: 'session_unauthenticated',
  session_expired: 'session_expired',
  dropbox_reauth_required: 'session_dropbox_reauth',
};

export function workerChangedReason(workerUrl: string): string {
  return t('session_worker_changed', workerUrl);
}

/** The page the browser opens after the extension is uninstalled: it ends this session (GET /auth/uninstalled). */
export function uninstallUrlOf(session: Pick<Session, 'workerUrl' | 'uninstallToken'>): string {
  return session.uninstallToken ? `${session.workerUrl}/api/v1/auth/uninstalled?token=${encodeURIComponent(session.uninstallToken)}` : '';
}

type Handlers = { [K in keyof ProtocolMap]: (data: Parameters<ProtocolMap[K]>[0]) => Promise<ReturnType<ProtocolMap[K]>> };

export function createBackground(opts: BackgroundOptions = {}) {
  const fetchImpl = opts.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const now = opts.now ?? (() => Date.now());
  const store = createSessionStore(opts.keyStore);
  /**
   * Folder path → which track it is (or why it is none), per signed-in account: the by-path lookup asks Dropbox, so it
   * is kept for a while. A track's detail is never cached: every page load, popup and push re-reads it (a cheap PD
   * read), so no cache can outlive a change the extension was told about. "Not a track" / "access ended" answers
   * are dropped by every push and every sync that saw a change; all of it by the user's own changes.
   */
  const pathCache = new Map<string, { at: number; hit: { trackId: string; unshared?: boolean } | { resolution: PathResolution } }>();
  let syncing: Promise<SyncStatus> | null = null;

  async function anonymousClient(): Promise<WorkerClient> {
    return new WorkerClient({ baseUrl: await effectiveWorkerUrl(), fetch: fetchImpl });
  }

  /**
   * The session, if any — and only for the worker that issued it: when the worker URL setting points elsewhere, the
   * session ends here (the old worker is told) and the bearer token is never sent to the new address.
   */
  async function currentSession(): Promise<Session | null> {
    const session = await store.get();
    if (!session) return null;
    const workerUrl = await effectiveWorkerUrl();
    if (session.workerUrl !== workerUrl) {
      await tellWorkerSignOut(session);
      await endSession(workerChangedReason(workerUrl));
      return null;
    }
    return session;
  }

  async function tellWorkerSignOut(session: Session): Promise<void> {
    const client = new WorkerClient({ baseUrl: session.workerUrl, token: session.token, fetch: fetchImpl, timeoutMs: 5_000 });
    await client.post('/auth/signout').catch(() => {});
  }

  async function signedOutError(): Promise<PdError> {
    const reason = await signedOutReasonItem.getValue();
    return new PdError('signed_out', reason ?? t('session_sign_in_first'));
  }

  /** Runs a worker call as the signed-in user; a session the worker ended signs the extension out, with the reason. */
  async function authed<T>(fn: (c: WorkerClient) => Promise<T>): Promise<T> {
    const session = await currentSession();
    if (!session) throw await signedOutError();
    const client = new WorkerClient({ baseUrl: session.workerUrl, token: session.token, fetch: fetchImpl });
    try {
      return await fn(client);
    } catch (err) {
      const key = err instanceof PdError ? SESSION_ENDED[err.code] : undefined;
      const reason = key ? t(key) : undefined;
      if (reason) {
        // Only if it is still this session (a sign-in meanwhile must not be undone by a late 401 of the old one).
        if ((await store.get())?.token === session.token) await endSession(reason);
        throw new PdError('signed_out', reason);
      }
      throw err;
    }
  }

  async function setUninstallUrl(url: string): Promise<void> {
    // Chrome and Firefox: an empty string means "open nothing". The fake browser of unit tests may lack it.
    await Promise.resolve()
      .then(() => browser.runtime.setUninstallURL(url))
      .catch(() => {});
  }

  async function clearSession(): Promise<void> {
    await store.clear();
    await accountItem.setValue(null);
    await syncCursorItem.setValue(null);
    pathCache.clear();
    live.restart();
    await setBadge(0).catch(() => {});
    await setUninstallUrl('');
  }

  /** Signed out without the user asking: the popup and the panel say why until the next sign-in. */
  async function endSession(reason: string): Promise<void> {
    // The reason first: whoever follows the public keys (the panel) reads it when the account disappears.
    await signedOutReasonItem.setValue(reason);
    await clearSession();
  }

  function invalidate(): void {
    pathCache.clear();
  }

  /** Drops the answers a change elsewhere may have made wrong (a folder that is a track now, access given again). */
  function invalidateNonTracks(): void {
    for (const [key, entry] of pathCache) if (!('trackId' in entry.hit)) pathCache.delete(key);
  }

  async function resolvePath(path: string, fresh = false, givenWebPath?: string): Promise<PathResolution> {
    const session = await currentSession();
    if (!session) return signedOutResolution();
    // The worker takes the web path (/home/…, /personal/…, /work/<team>/…) and resolves it with the caller's own
    // Dropbox token (a team space with Dropbox-API-Path-Root).
    const webPath = givenWebPath ?? new URL(folderUrlOf(path)).pathname;
    const key = `${session.account.id}|${webPath}`;
    const cached = pathCache.get(key);
    const hit = !fresh && cached && now() - cached.at < PATH_CACHE_TTL_MS ? cached.hit : null;
    if (hit && 'resolution' in hit) return hit.resolution;
    let found: { trackId: string; unshared: boolean } | null = hit && 'trackId' in hit ? { trackId: hit.trackId, unshared: !!hit.unshared } : null;
    let value: PathResolution;
    try {
      if (!found) {
        const r = await authed((c) => c.get<ByPathResult>('/tracks/by-dropbox-path', { path: webPath }));
        found = { trackId: r.track.id, unshared: r.sharedInDropbox === false };
      }
      const id = found.trackId;
      // The detail is never cached: every page load and every push re-reads it.
      const detail = await authed((c) => c.get<TrackDetail>(`/tracks/${encodeURIComponent(id)}`));
      value = { state: 'track', detail, ...(found.unshared ? { unsharedInDropbox: true } : {}) };
    } catch (err) {
      value = err instanceof PdError && err.code === 'signed_out' ? await signedOutResolution() : resolutionFromError(err);
    }
    // Failures are not cached: "worker unreachable" must clear as soon as it is reachable again.
    if (value.state === 'track') {
      if (!hit) pathCache.set(key, { at: now(), hit: { trackId: value.detail.track.id, unshared: !!value.unsharedInDropbox } });
    } else if (value.state === 'not_track' || value.state === 'access_ended') {
      pathCache.set(key, { at: now(), hit: { resolution: value } });
    }
    return value;
  }

  async function announce(notifications: NotificationsResponse['notifications'], show: boolean): Promise<void> {
    const announced = await announcedItem.getValue();
    const seen = new Set(announced);
    const fresh = notifications.filter((n) => !seen.has(n.id));
    if (fresh.length === 0) return;
    if (show) {
      for (const n of fresh.slice().reverse()) {
        if (!n.read && ANNOUNCED_KINDS.has(n.kind)) await showBrowserNotification(n).catch(() => {});
      }
    }
    await announcedItem.setValue([...fresh.map((n) => n.id), ...announced].slice(0, ANNOUNCED_LIMIT));
  }

  async function refreshBadge(): Promise<number> {
    const { unread } = await authed((c) => c.get<UnreadCountResponse>('/notifications/unread-count'));
    await setBadge(unread);
    return unread;
  }

  /**
   * One sync: library changes since the cursor (a revoked track leaves the caches), then new notifications become
   * browser notifications, then the badge. The first sync after sign-in only records where we are.
   */
  async function runSync(): Promise<SyncStatus> {
    const session = await currentSession();
    if (!session) return { at: now(), ok: false, message: t('session_signed_out') };
    try {
      let cursor = await syncCursorItem.getValue();
      const firstSync = cursor === null;
      if (cursor === null) {
        cursor = (await authed((c) => c.get<LibraryResponse>('/library', { limit: 1 }))).cursor;
      } else {
        for (let page = 0; page < 20; page++) {
          const res: SyncResponse = await authed((c) => c.get<SyncResponse>('/sync', { cursor: cursor ?? 0 }));
          if (res.changes.length > 0) invalidateNonTracks();
          cursor = res.cursor;
          if (!res.hasMore) break;
        }
      }
      await syncCursorItem.setValue(cursor);
      const { notifications } = await authed((c) => c.get<NotificationsResponse>('/notifications', { unread: 'true', limit: 50 }));
      await announce(notifications, !firstSync);
      await refreshBadge();
      const status: SyncStatus = { at: now(), ok: true };
      await lastSyncItem.setValue(status);
      return status;
    } catch (err) {
      const status: SyncStatus = { at: now(), ok: false, message: err instanceof Error ? err.message : String(err) };
      await lastSyncItem.setValue(status);
      return status;
    }
  }

  function sync(): Promise<SyncStatus> {
    // One sync at a time: the alarm and a popup opening may ask together.
    syncing ??= runSync().finally(() => {
      syncing = null;
    });
    return syncing;
  }

  // ---- Live: a socket to the worker while a panel or popup is open (background/live.ts) ----

  const livePorts = new Set<LivePortLike>();
  const live = createLiveSocket({
    target: async () => {
      const session = await currentSession();
      return session ? { url: liveUrlOf(session.workerUrl), protocols: [LIVE_PROTOCOL, `${LIVE_TOKEN_PREFIX}${session.token}`] } : null;
    },
    onPush: (push) => void onLivePush(push),
    createSocket: opts.createSocket,
    ...opts.live,
  });

  function tellPorts(trackIds: string[] | null): void {
    for (const port of livePorts) {
      try {
        port.postMessage({ type: 'changed', trackIds });
      } catch {
        livePorts.delete(port);
      }
    }
  }

  /**
   * A push (or a reconnect, null): the open views re-read the tracks named at once (their detail is never cached), and
   * a sync catches up the cursor, notifications and badge alongside. A sync already running may have read before the
   * change, so a push whose cursor is ahead of ours syncs again.
   */
  async function onLivePush(push: LivePush | null): Promise<void> {
    invalidateNonTracks();
    tellPorts(push?.trackIds ?? null);
    if (syncing) await syncing.catch(() => undefined);
    const cursor = await syncCursorItem.getValue();
    if (push === null || cursor === null || push.cursor > cursor) await sync();
  }

  /** A panel or popup opened its port: hold the socket until it disconnects. */
  function attachLivePort(port: LivePortLike): void {
    livePorts.add(port);
    live.retain();
    let released = false;
    port.onDisconnect.addListener(() => {
      if (released) return;
      released = true;
      livePorts.delete(port);
      live.release();
    });
  }

  async function signIn(): Promise<SessionAccount> {
    const client = await anonymousClient();
    const config = await client.get<AuthConfig>('/auth/config');
    const settings = await settingsItem.getValue();
    const authorizeUrl = settings.authorizeUrl.trim() || config.authorizeUrl;
    const redirectUri = browser.identity.getRedirectURL();
    // The verifier lives only in this function's scope for the length of the flow.
    const verifier = createCodeVerifier();
    const state = createState();
    const url = buildAuthorizeUrl({
      authorizeUrl,
      clientId: config.clientId,
      redirectUri,
      codeChallenge: await codeChallengeS256(verifier),
      state,
    });
    let redirectedTo: string | undefined;
    try {
      redirectedTo = await browser.identity.launchWebAuthFlow({ url, interactive: true });
    } catch (err) {
      const detail = err instanceof Error ? err.message : '';
      throw new PdError('sign_in_cancelled', detail ? t('sign_in_not_finished_detail', detail) : t('sign_in_not_finished'));
    }
    if (!redirectedTo) throw new PdError('sign_in_cancelled', t('sign_in_not_finished'));
    let code: string;
    try {
      code = parseAuthorizeRedirect(redirectedTo, state);
    } catch (err) {
      if (err instanceof SignInError) throw new PdError(err.code, err.message);
      throw err;
    }
    const result = await client.post<SignInResult>('/auth/dropbox', { code, codeVerifier: verifier, redirectUri });
    return completeSignIn(result, client.baseUrl);
  }

  /** Stores the session from the worker's sign-in answer and takes a first sync as the starting point. */
  async function completeSignIn(result: SignInResult, workerUrl?: string): Promise<SessionAccount> {
    const token = result.session;
    if (!token || !result.account) throw new PdError('sign_in_failed', t('sign_in_no_session'));
    const account: SessionAccount = { id: result.account.id, email: result.account.email, displayName: result.account.displayName };
    const session: Session = {
      token,
      account,
      workerUrl: workerUrl ?? (await effectiveWorkerUrl()),
      uninstallToken: result.uninstallToken ?? null,
    };
    await store.set(session);
    await accountItem.setValue(account);
    await signedOutReasonItem.setValue(null);
    await syncCursorItem.setValue(null);
    pathCache.clear();
    live.restart();
    // Uninstalling the extension opens this URL, which ends the session on the worker.
    await setUninstallUrl(uninstallUrlOf(session));
    await sync();
    return account;
  }

  async function signOut(): Promise<void> {
    const session = await store.get();
    if (session) await tellWorkerSignOut(session);
    await clearSession();
    await signedOutReasonItem.setValue(null);
  }

  /** Ends every session of this account (every browser), this one included. Stays signed in if the worker refuses. */
  async function signOutEverywhere(): Promise<SignOutEverywhereResponse> {
    const res = await authed((c) => c.post<SignOutEverywhereResponse>('/auth/signout-everywhere'));
    await clearSession();
    await signedOutReasonItem.setValue(null);
    return res;
  }

  async function signedOutResolution(): Promise<PathResolution> {
    const reason = await signedOutReasonItem.getValue();
    return reason ? { state: 'signed_out', message: reason } : { state: 'signed_out' };
  }

  /** Background start: moves a token an older version kept in clear, and re-applies the uninstall URL. */
  async function start(): Promise<void> {
    const legacy = await takeLegacySession();
    if (legacy && !(await store.get())) {
      const session: Session = { ...legacy, workerUrl: await effectiveWorkerUrl(), uninstallToken: null };
      await store.set(session);
      await accountItem.setValue(legacy.account);
    }
    const session = await currentSession();
    await setUninstallUrl(session ? uninstallUrlOf(session) : '');
  }

  async function status(): Promise<ExtensionStatus> {
    const session = await currentSession();
    let unread = 0;
    if (session) {
      try {
        unread = await refreshBadge();
      } catch {
        unread = 0;
      }
    }
    const after = await store.get();
    return {
      signedIn: !!after,
      account: after?.account ?? null,
      signedOutReason: after ? null : await signedOutReasonItem.getValue(),
      workerUrl: await effectiveWorkerUrl(),
      unread,
      lastSync: await lastSyncItem.getValue(),
    };
  }

  /** Mutations: call, then forget cached lookups so every view re-reads the new state. */
  async function mutate<T>(fn: (c: WorkerClient) => Promise<T>): Promise<T> {
    try {
      return await authed(fn);
    } finally {
      invalidate();
    }
  }

  const track = (id: string) => `/tracks/${encodeURIComponent(id)}`;
  const collaborator = (trackId: string, collaboratorId: string) => `${track(trackId)}/collaborators/${encodeURIComponent(collaboratorId)}`;

  const handlers: Handlers = {
    getStatus: () => status(),
    signIn: () => signIn(),
    signOut: () => signOut(),
    signOutEverywhere: () => signOutEverywhere(),
    resolvePath: (d) => resolvePath(d.path, d.fresh, d.webPath),
    reportPanelStatus: async (d) => {
      const report: PanelStatus = { url: String(d.url), placement: d.placement, message: String(d.message).slice(0, 300), at: now() };
      const kept = (await panelStatusItem.getValue()).filter((r) => r.url !== report.url);
      await panelStatusItem.setValue([report, ...kept].slice(0, 50));
    },
    getPanelStatus: async (d) => (await panelStatusItem.getValue()).find((r) => r.url === d.url) ?? null,
    getTrack: (d) => authed((c) => c.get<TrackDetail>(track(d.trackId))),
    getHistory: (d) => {
      const q: Record<string, string | number> = { limit: d.limit ?? 20 };
      if (d.before) q.before = d.before;
      if (d.collaboratorId) q.collaboratorId = d.collaboratorId;
      return authed((c) => c.get<HistoryResponse>(`${track(d.trackId)}/history`, q));
    },
    setRole: (d) =>
      mutate((c) => c.put<SetRoleResponse>(`${track(d.trackId)}/collaborators/${encodeURIComponent(d.collaboratorId)}/role`, { role: d.role })),
    setSplits: (d) => {
      const body: UpdateSplitsBody = {};
      if (d.owner) body.owner = d.owner;
      if (d.collaborators) body.collaborators = d.collaborators;
      return mutate((c) => c.put<UpdateSplitsResponse>(`${track(d.trackId)}/splits`, body));
    },
    revoke: (d) => mutate((c) => c.post<RevokeResponse>(`${track(d.trackId)}/collaborators/${encodeURIComponent(d.collaboratorId)}/revoke`)),
    setAccessLevel: (d) =>
      mutate((c) =>
        c.patch<SetAccessLevelResponse>(`${track(d.trackId)}/collaborators/${encodeURIComponent(d.collaboratorId)}`, {
          accessLevel: d.accessLevel satisfies AccessLevel,
        }),
      ),
    revokeAll: (d) => mutate((c) => c.post<RevokeAllResponse>(`/sharing/${encodeURIComponent(d.personKey)}/revoke-all`)),
    leave: (d) => mutate((c) => c.post<LeaveResponse>(`${track(d.trackId)}/leave`)),
    archive: (d) => mutate((c) => c.post<TrackDetail>(`${track(d.trackId)}/archive`, { archived: d.archived })),
    setPlacement: (d) => {
      const body: { project?: string | null; hidden?: boolean } = {};
      if (d.project !== undefined) body.project = d.project;
      if (d.hidden !== undefined) body.hidden = d.hidden;
      return mutate((c) => c.put<TrackDetail>(`${track(d.trackId)}/placement`, body));
    },
    retryDropboxChange: async (d) => {
      await mutate((c) => c.post<unknown>(`/dropbox-changes/${encodeURIComponent(String(d.changeId))}/retry`));
    },
    getLibrary: () => authed((c) => c.get<LibraryResponse>('/library', { hidden: 'any', limit: 200 })),
    getSharing: () => authed((c) => c.get<SharingResponse>('/sharing')),
    getNotifications: () => authed((c) => c.get<NotificationsResponse>('/notifications', { limit: 30 })),
    markNotificationsRead: async (d: MarkReadBody) => {
      const res = await authed((c) => c.post<MarkReadResponse>('/notifications/read', d));
      await setBadge(res.unread);
      return res;
    },
    syncNow: () => sync(),
    getInvitations: () => authed((c) => c.get<InvitationsResponse>('/invitations')),
    acceptInvitation: async (d) => {
      const res = await mutate((c) => c.post<AcceptInvitationResponse>(`/invitations/${encodeURIComponent(d.invitationId)}/accept`));
      // The track is in my library now: sync so every view (and the badge) sees it at once. A sync already under way
      // may have read the library before the accept, so wait for it and run a fresh one.
      if (syncing) await syncing;
      await sync();
      return res;
    },
    declineInvitation: (d) => mutate((c) => c.post<DeclineInvitationResponse>(`/invitations/${encodeURIComponent(d.invitationId)}/decline`)),
    invite: (d) => {
      const body: InviteBody = { email: d.email, accessLevel: d.accessLevel };
      if (d.displayName !== undefined) body.displayName = d.displayName;
      if (d.role !== undefined) body.role = d.role;
      return mutate((c) => c.post<InviteResponse>(`${track(d.trackId)}/invitations`, body));
    },
    setExpiry: (d) =>
      mutate((c) => c.put<ScheduleResponse>(`${collaborator(d.trackId, d.collaboratorId)}/expiry`, { accessExpiresAt: d.accessExpiresAt })),
    endAccessNow: (d) => mutate((c) => c.post<ScheduleResponse>(`${collaborator(d.trackId, d.collaboratorId)}/expiry/end-now`)),
    headsUp: (d) =>
      mutate((c) => c.post<ScheduleResponse>(`${collaborator(d.trackId, d.collaboratorId)}/heads-up`, { note: d.note, endsIn: d.endsIn })),
    setPersonExpiry: (d) =>
      mutate((c) => c.put<PersonScheduleResponse>(`/sharing/${encodeURIComponent(d.personKey)}/expiry`, { accessExpiresAt: d.accessExpiresAt })),
    headsUpPerson: (d) =>
      mutate((c) => c.post<PersonScheduleResponse>(`/sharing/${encodeURIComponent(d.personKey)}/heads-up`, { note: d.note, endsIn: d.endsIn })),
    getReview: () => authed((c) => c.get<ReviewResponse>('/sharing/review')),
    reviewAction: (d) => mutate((c) => c.post<ReviewActionResponse>('/sharing/review/actions', d)),
    setReviewSettings: (d) => authed((c) => c.put<ReviewSettings>('/sharing/review/settings', { idleDays: d.idleDays })),
  };

  return {
    handlers,
    sync,
    signIn,
    completeSignIn,
    signOut,
    signOutEverywhere,
    resolvePath,
    invalidate,
    start,
    attachLivePort,
    live,
    /** Re-checks the session against the worker URL setting (called when the settings change). */
    checkWorkerUrl: async () => {
      await currentSession();
    },
    session: () => store.get(),
  };
}

export type Background = ReturnType<typeof createBackground>;

function resolutionFromError(err: unknown): PathResolution {
  if (err instanceof PdError) {
    if (err.code === 'signed_out') return { state: 'signed_out' };
    if (err.code === UNREACHABLE) return { state: 'unreachable', message: err.message };
    if (NOT_A_TRACK_CODES.has(err.code)) return { state: 'not_track' };
    if (err.code === 'access_ended') return { state: 'access_ended', message: err.message };
    return { state: 'error', message: err.message };
  }
  return { state: 'error', message: err instanceof Error ? err.message : t('common_something_wrong') };
}
