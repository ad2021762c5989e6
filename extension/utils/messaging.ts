// The one message protocol between the background (which owns every call to the worker) and the popup / content
// script. Typed end to end with @webext-core/messaging; errors thrown in the background arrive as Error objects
// with the worker's stable `code` (see PdError).
import { defineExtensionMessaging } from '@webext-core/messaging';
import type {
  AcceptInvitationResponse,
  DeclineInvitationResponse,
  InvitationsResponse,
  InviteResponse,
  LibraryResponse,
  LeaveResponse,
  MarkReadBody,
  MarkReadResponse,
  NotificationsResponse,
  RevokeAllResponse,
  RevokeResponse,
  SetAccessLevelResponse,
  SharingResponse,
  SignOutEverywhereResponse,
  TrackDetail,
  AccessLevel,
  HeadsUpEndsIn,
  PersonScheduleResponse,
  ReviewActionBody,
  ReviewActionResponse,
  ReviewResponse,
  ReviewSettings,
  ScheduleResponse,
  HistoryResponse,
  SetRoleResponse,
  Splits,
  UpdateSplitsResponse,
} from '@pd/shared';
import type { SessionAccount, SyncStatus } from './storage';
import { t } from './i18n';

/** What the panel / popup shows for a Dropbox folder. */
export type PathResolution =
  /** unsharedInDropbox: the owner's folder is no longer shared in Dropbox; the PD track stays theirs. */
  | { state: 'track'; detail: TrackDetail; unsharedInDropbox?: boolean }
  | { state: 'not_track' }
  /** message: why the extension signed out by itself (session ended by the worker, worker URL changed), if it did. */
  | { state: 'signed_out'; message?: string }
  | { state: 'unreachable'; message: string }
  | { state: 'access_ended'; message: string }
  | { state: 'error'; message: string };

/** Where the panel is on a Dropbox page, as the content script reports it (issue 9 item 7): the popup says it, so
 *  a changed Dropbox page is noticed instead of silently breaking. */
export interface PanelStatus {
  /** The page (href) the report is about. */
  url: string;
  /** header: right after Dropbox's folder header · share: below the folder's Share toolbar · floating: no anchor
   *  found, the panel floats at the bottom right · none: this page is not a folder view (no panel). */
  placement: 'header' | 'share' | 'floating' | 'none';
  /** One sentence for the user: where the panel is and why. */
  message: string;
  /** When it was reported (ms since epoch). */
  at: number;
}

export interface ExtensionStatus {
  signedIn: boolean;
  account: SessionAccount | null;
  /** Why the extension signed out by itself, shown until the next sign-in; null after a sign-out the user asked for. */
  signedOutReason: string | null;
  workerUrl: string;
  unread: number;
  lastSync: SyncStatus | null;
}

export interface ProtocolMap {
  getStatus(): ExtensionStatus;
  signIn(): SessionAccount;
  signOut(): void;
  /** Ends every session of my account, in every browser (this one included). */
  signOutEverywhere(): SignOutEverywhereResponse;
  /** Resolve the Dropbox folder on screen to a PD track (cached). `webPath` (/home/…, /personal/…, /work/<team>/…)
   *  names it; without it `path` is a decoded /home path. */
  resolvePath(data: { path: string; webPath?: string; fresh?: boolean }): PathResolution;
  /** The content script tells where its panel is on the page. */
  reportPanelStatus(data: Omit<PanelStatus, 'at'>): void;
  /** What the content script last reported for this page (null: nothing reported, e.g. it did not run). */
  getPanelStatus(data: { url: string }): PanelStatus | null;
  getTrack(data: { trackId: string }): TrackDetail;
  /** A page of the track's history, newest first (only one collaborator's entries with collaboratorId). */
  getHistory(data: { trackId: string; before?: number | null; limit?: number; collaboratorId?: string }): HistoryResponse;
  /** Owner: a collaborator's creative role (null clears it: "Role not set"). */
  setRole(data: { trackId: string; collaboratorId: string; role: string | null }): SetRoleResponse;
  /** Owner or Editor: splits of some people on the track. */
  setSplits(data: { trackId: string; owner?: Splits; collaborators?: Array<Splits & { collaboratorId: string }> }): UpdateSplitsResponse;
  revoke(data: { trackId: string; collaboratorId: string }): RevokeResponse;
  setAccessLevel(data: { trackId: string; collaboratorId: string; accessLevel: AccessLevel }): SetAccessLevelResponse;
  revokeAll(data: { personKey: string }): RevokeAllResponse;
  leave(data: { trackId: string }): LeaveResponse;
  archive(data: { trackId: string; archived: boolean }): TrackDetail;
  setPlacement(data: { trackId: string; project?: string | null; hidden?: boolean }): TrackDetail;
  retryDropboxChange(data: { changeId: number }): void;
  getLibrary(): LibraryResponse;
  getSharing(): SharingResponse;
  getNotifications(): NotificationsResponse;
  markNotificationsRead(data: MarkReadBody): MarkReadResponse;
  syncNow(): SyncStatus;
  /** Pending invitations sent to me. */
  getInvitations(): InvitationsResponse;
  /** Accept: the track enters my library (the background syncs right away). */
  acceptInvitation(data: { invitationId: string }): AcceptInvitationResponse;
  declineInvitation(data: { invitationId: string }): DeclineInvitationResponse;
  /** Owner: invite someone (also the way to share again after a revoke, a leave or a decline). */
  invite(data: { trackId: string; email: string; displayName?: string; role?: string | null; accessLevel: AccessLevel }): InviteResponse;
  // Issue 12: when access ends, heads-ups, and the stale-access review (owner).
  /** A date sets or changes the end of one collaborator's access; null removes it (and cancels a heads-up). */
  setExpiry(data: { trackId: string; collaboratorId: string; accessExpiresAt: string | null }): ScheduleResponse;
  /** Ends a scheduled end (expiry or heads-up) now. */
  endAccessNow(data: { trackId: string; collaboratorId: string }): ScheduleResponse;
  headsUp(data: { trackId: string; collaboratorId: string; note: string | null; endsIn: HeadsUpEndsIn }): ScheduleResponse;
  /** The same for every track of mine shared with one person. */
  setPersonExpiry(data: { personKey: string; accessExpiresAt: string | null }): PersonScheduleResponse;
  headsUpPerson(data: { personKey: string; note: string | null; endsIn: HeadsUpEndsIn }): PersonScheduleResponse;
  getReview(): ReviewResponse;
  reviewAction(data: ReviewActionBody): ReviewActionResponse;
  setReviewSettings(data: { idleDays: number }): ReviewSettings;
}

export const messaging = defineExtensionMessaging<ProtocolMap>();

/** The API the UI talks to: the background over messages in the extension, a fake in component tests. */
export type PdApi = {
  [K in keyof ProtocolMap]: (...args: Parameters<ProtocolMap[K]>) => Promise<ReturnType<ProtocolMap[K]>>;
};

export function messagingApi(): PdApi {
  const call =
    <K extends keyof ProtocolMap>(type: K) =>
    (...args: Parameters<ProtocolMap[K]>) =>
      // The messenger's overloads want the data argument only when the message has one.
      (messaging.sendMessage as (t: K, d?: unknown) => Promise<ReturnType<ProtocolMap[K]>>)(type, args[0]);
  return {
    getStatus: call('getStatus'),
    signIn: call('signIn'),
    signOut: call('signOut'),
    signOutEverywhere: call('signOutEverywhere'),
    resolvePath: call('resolvePath'),
    reportPanelStatus: call('reportPanelStatus'),
    getPanelStatus: call('getPanelStatus'),
    getTrack: call('getTrack'),
    getHistory: call('getHistory'),
    setRole: call('setRole'),
    setSplits: call('setSplits'),
    revoke: call('revoke'),
    setAccessLevel: call('setAccessLevel'),
    revokeAll: call('revokeAll'),
    leave: call('leave'),
    archive: call('archive'),
    setPlacement: call('setPlacement'),
    retryDropboxChange: call('retryDropboxChange'),
    getLibrary: call('getLibrary'),
    getSharing: call('getSharing'),
    getNotifications: call('getNotifications'),
    markNotificationsRead: call('markNotificationsRead'),
    syncNow: call('syncNow'),
    getInvitations: call('getInvitations'),
    acceptInvitation: call('acceptInvitation'),
    declineInvitation: call('declineInvitation'),
    invite: call('invite'),
    setExpiry: call('setExpiry'),
    endAccessNow: call('endAccessNow'),
    headsUp: call('headsUp'),
    setPersonExpiry: call('setPersonExpiry'),
    headsUpPerson: call('headsUpPerson'),
    getReview: call('getReview'),
    reviewAction: call('reviewAction'),
    setReviewSettings: call('setReviewSettings'),
  };
}

/** A message for the user out of anything thrown (worker errors carry a human sentence already). */
export function errorMessage(err: unknown): string {
  if (err instanceof Error && err.message) return err.message;
  if (typeof err === 'object' && err && 'message' in err && typeof err.message === 'string') return err.message;
  return t('common_something_wrong');
}

export function errorCode(err: unknown): string | null {
  if (typeof err === 'object' && err && 'code' in err && typeof err.code === 'string') return err.code;
  return null;
}
