// The rules of Producer Dashboard's sharing, revoking and leaving. Free of HTTP and of Dropbox:
// the API (worker/src/api) and Dropbox reconciliation (worker/src/jobs) both call these functions.
//
// Mutations come in two forms: `planX(db, input)` returns the D1 statements (to run in one `db.batch`, possibly
// together with other statements), and `x(db, input)` runs them. Every mutation takes `via: 'app' | 'dropbox'`:
// with 'dropbox' no pending Dropbox change is recorded (Dropbox already did it) and history says so.
export { DomainError, isDomainError } from './errors.ts';
export { applied, countRoundTrips, newId, nowIso, runPlan, type Plan, type RoundTrips, type Via } from './db.ts';
export { findAccountByDropboxId, getAccount, upsertAccount, type UpsertAccountInput } from './accounts.ts';
export {
  createSession,
  endAllSessions,
  endSession,
  endSessionByUninstallToken,
  hashToken,
  resolveSession,
  type SessionResolution,
} from './sessions.ts';
export { trackAccess, type TrackAccess } from './access.ts';
export {
  createTrack,
  findTrackByDropboxSharedFolderId,
  getTrack,
  getTrackDetail,
  listCollaborators,
  planCreateTrack,
  planSetArchived,
  planSetPlacement,
  planUpdateSplits,
  planUpdateTrack,
  setArchived,
  setPlacement,
  updateSplits,
  updateTrack,
  type CreateTrackInput,
  type SetArchivedInput,
  type SetPlacementInput,
  type UpdateSplitsInput,
  type UpdateTrackInput,
} from './tracks.ts';
export {
  acceptInvitation,
  declineInvitation,
  getInvitation,
  invite,
  leaveTrack,
  listInvitations,
  memberAddedInDropbox,
  planAcceptInvitation,
  planDeclineInvitation,
  planInvite,
  planLeaveTrack,
  planMemberAddedInDropbox,
  planRevokeAll,
  planAccessEndedInDropbox,
  planRevokeCollaborator,
  planSetAccessLevel,
  revokeAll,
  revokeCollaborator,
  setAccessLevel,
  setRole,
  planSetRole,
  sharingPanel,
  type InviteInput,
  type LeaveInput,
  type MemberAddedInput,
  type RespondInput,
  type RevokeAllInput,
  type RevokeInput,
  type SetAccessLevelInput,
} from './sharing.ts';
export { addComment, listComments, planAddComment, planSetCommentPinned, setCommentPinned } from './comments.ts';
export { listHistory, planRecordFileUpload, recordFileUpload, type RecordFileUploadInput } from './history.ts';
export { listNotifications, markRead, unreadCount } from './notifications.ts';
export { cursorQuery, libraryQuery, listLibrary, sync, syncQuery, type LibraryFilter } from './library.ts';
export {
  checkExpiry,
  endCollaboratorNow,
  expireDue,
  headsUpCollaborator,
  inviteUntil,
  reviewAction,
  schedulePerson,
  sendExpiryReminders,
  setCollaboratorExpiry,
} from './expiry.ts';
export { sendStaleAccessDigests, setReviewSettings, stalenessReview } from './review.ts';
