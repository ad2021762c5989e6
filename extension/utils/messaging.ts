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
} from '@pd/shared';
import type { SessionAccount, SyncStatus } from './storage';

/** What the panel / popup shows for a Dropbox folder. */
export type PathResolution =
  | { state: 'track'; detail: TrackDetail }
  | { state: 'not_track' }
  /** message: why the extension signed out by itself (session ended by the worker, worker URL changed), if it did. */
  | { state: 'signed_out'; message?: string }
  | { state: 'unreachable'; message: string }
  | { state: 'access_ended'; message: string }
  | { state: 'error'; message: string };

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
  /** Resolve the Dropbox folder path on screen to a PD track (cached). */
  resolvePath(data: { path: string; fresh?: boolean }): PathResolution;
  getTrack(data: { trackId: string }): TrackDetail;
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
    getTrack: call('getTrack'),
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
  return 'Something went wrong. Try again.';
}

export function errorCode(err: unknown): string | null {
  if (typeof err === 'object' && err && 'code' in err && typeof err.code === 'string') return err.code;
  return null;
}
