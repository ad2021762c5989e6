// Core API contract (owned by the worker-core work): zod schemas of every request body / query of /api/v1,
// and TypeScript types of every response. The worker validates with these schemas; the extension types its calls
// with them. Documented route by route in worker/API.md.
//
// Conventions:
// - Every request carries `Authorization: Bearer <session token>`.
// - Timestamps are ISO-8601 strings in UTC. Ids are opaque strings with a prefix (acc_, trk_, col_, inv_, cmt_, ntf_).
// - Split percentages are numbers from 0 to 100 with at most two decimals.
// - Every error is `{ "error": { "code": ErrorCode, "message": string } }` with a 4xx/5xx status.
import { z } from 'zod';
import { nameText } from './text.ts';

// ---------------------------------------------------------------------------------------------------------------
// Errors

/** Stable error codes. New codes may be added; existing ones never change meaning. */
export const ERROR_CODES = [
  // 400
  'invalid_json', // body is not valid JSON
  'validation_failed', // body / query / path did not match the schema (message names the field)
  'expiry_in_past', // accessExpiresAt is not in the future
  'expiry_too_far', // accessExpiresAt is more than 5 years ahead
  // 401
  'unauthenticated', // no or unknown session token
  'session_expired', // the session token is known but expired: sign in again
  // 403
  'access_ended', // your access to this track was revoked, or you left it
  'owner_only', // only the track owner may do this
  'editor_required', // only the owner or an Editor may do this
  'invitation_not_yours', // the invitation was sent to another email address
  // 404
  'not_found', // no such route
  'track_not_found', // no such track, or you have never been part of it
  'collaborator_not_found',
  'invitation_not_found',
  'comment_not_found',
  'person_not_found', // sharing panel: nobody with this personKey shares a track of yours
  'dropbox_change_not_found',
  // 405
  'method_not_allowed',
  // 409
  'track_exists', // a track already exists for this Dropbox shared folder
  'already_collaborator', // the person is already an active collaborator
  'already_invited', // the person already has a pending invitation
  'invitation_not_pending', // the invitation was already accepted, declined or cancelled
  'collaborator_not_active', // e.g. changing the access level of someone whose access ended
  'owner_cannot_leave', // an owner cannot leave their own track
  'cannot_invite_owner', // the owner is already on the track
  'no_schedule', // cancelling or ending early a heads-up / expiry that is not (or no longer) set
  // 413
  'payload_too_large', // body over 1 MB
  // 429
  'rate_limited', // too many requests from this client or account: wait Retry-After seconds
  // 500
  'internal_error',
  // 503
  'unsafe_configuration', // the server runs with published local secrets against real Dropbox: it refuses to work
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ApiError {
  error: { code: ErrorCode; message: string };
}

// ---------------------------------------------------------------------------------------------------------------
// Shared enums and pieces

export const STAGES = ['idea', 'writing', 'production', 'mixing', 'mastering', 'released'] as const;
export const Stage = z.enum(STAGES);
export type Stage = z.infer<typeof Stage>;

export const AccessLevel = z.enum(['editor', 'viewer']);
export type AccessLevel = z.infer<typeof AccessLevel>;

/** The caller's relation to a track. */
export type MyRole = 'owner' | 'editor' | 'viewer';

export type CollaboratorStatus = 'invited' | 'active' | 'revoked' | 'left' | 'declined';
/** Through what an action was done: this app (PD) or directly in Dropbox (found by reconciliation). */
export type Via = 'app' | 'dropbox';

/** A split percentage: 0..100, at most two decimals. */
export const SplitPercent = z
  .number()
  .min(0, 'A split cannot be negative.')
  .max(100, 'A split cannot be above 100% for one person.')
  .refine((n) => Math.abs(Math.round(n * 100) - n * 100) < 1e-6, 'Splits have at most two decimals.');

export const Splits = z.object({ master: SplitPercent, publishing: SplitPercent, writer: SplitPercent });
export type Splits = z.infer<typeof Splits>;

const Id = z.string().min(1).max(64);
const Title = nameText(200);
const Tag = nameText(40);
const Tags = z.array(Tag).max(50);
const Bpm = z.number().min(1).max(999);
const MusicalKey = nameText(16);
const ProjectName = nameText(100);
const Email = z.email().max(254);
const DisplayName = nameText(100);
const CreativeRole = nameText(50); // producer, vocalist, engineer, writer, ...

/** An ISO-8601 date-time with a zone (Z or ±hh:mm). Whether it is in the future is checked by the domain. */
export const IsoDateTime = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date-time with a time zone, e.g. 2027-01-31T18:00:00Z' });

/** Boolean query filter: "true" | "false" | "any". */
const BoolFilter = z.enum(['true', 'false', 'any']);

// ---------------------------------------------------------------------------------------------------------------
// Path parameters

export const TrackParams = z.object({ trackId: Id });
export const CollaboratorParams = z.object({ trackId: Id, collaboratorId: Id });
export const CommentParams = z.object({ trackId: Id, commentId: Id });
export const InvitationParams = z.object({ invitationId: Id });
export const PersonParams = z.object({ personKey: z.string().min(1).max(254) });

// ---------------------------------------------------------------------------------------------------------------
// Account

export interface Account {
  id: string;
  email: string;
  displayName: string;
  dropboxAccountId: string;
}
/** GET /me */
export interface MeResponse {
  account: Account;
}

// ---------------------------------------------------------------------------------------------------------------
// Tracks and library

export interface TrackSummary {
  id: string;
  title: string;
  stage: Stage;
  bpm: number | null;
  key: string | null;
  tags: string[];
  archived: boolean;
  ownerId: string;
  ownerName: string;
  dropboxSharedFolderId: string;
  createdAt: string;
  updatedAt: string;
}

export interface Track extends TrackSummary {
  /** The owner's own splits (collaborators' splits are on their records). */
  ownerSplits: Splits;
}

/** One track as it sits in the caller's library. */
export interface LibraryItem {
  track: TrackSummary;
  myRole: MyRole;
  /** The caller's own project / bucket for this track (per person). */
  project: string | null;
  /** Hidden from the caller's own library view (per person). Access is unchanged. */
  hidden: boolean;
  /** People the track is shared with right now (active or invited): > 0 shows the "shared" indicator. */
  collaboratorCount: number;
  /** A collaborator's own access end, when the owner set one (expiry or heads-up); null otherwise (issue 12). */
  accessEndsAt?: string | null;
}

/** GET /library — archived and hidden default to "false" (the active library). */
export const LibraryQuery = z.object({
  project: ProjectName.optional(),
  stage: Stage.optional(),
  archived: BoolFilter.default('false'),
  hidden: BoolFilter.default('false'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  /** Keyset pagination: pass the previous response's nextBefore. Newest tracks first. */
  before: Id.optional(),
});
export type LibraryQuery = z.input<typeof LibraryQuery>;
export interface LibraryResponse {
  items: LibraryItem[];
  /** Pass to GET /library as `before` for the next page; null when this was the last page. */
  nextBefore: string | null;
  /** Sync cursor as of this read: pass to GET /sync to get what changed afterwards. */
  cursor: number;
}

/** GET /sync?cursor=N — what changed in the caller's library after cursor N (0 = from the beginning). */
export const SyncQuery = z.object({
  cursor: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(500),
});
export type SyncQuery = z.input<typeof SyncQuery>;

export type LibraryChangeKind = 'added' | 'updated' | 'removed';
export type LibraryChangeReason =
  | 'created' // you created the track
  | 'accepted' // you accepted an invitation
  | 'added_in_dropbox' // you were added to the shared folder directly in Dropbox
  | 'metadata' // title/stage/bpm/key/tags changed
  | 'archived' // archived or unarchived
  | 'placement' // your project/hidden changed
  | 'access_changed' // your access level changed
  | 'revoked' // the owner revoked your access (in PD or in Dropbox)
  | 'left' // you left the track (in PD or in Dropbox)
  | 'ended_in_dropbox'; // your access ended in Dropbox, and Dropbox did not say who ended it

export interface LibraryChange {
  seq: number;
  trackId: string;
  change: LibraryChangeKind;
  reason: LibraryChangeReason;
  /** Current state of the track in your library for added/updated (null if it is no longer there). */
  item: LibraryItem | null;
  at: string;
}
export interface SyncResponse {
  changes: LibraryChange[];
  /** Pass this as the next cursor. Equal to the request's cursor when nothing changed. */
  cursor: number;
  /** More changes are waiting: call again right away with the new cursor. */
  hasMore: boolean;
}

/** POST /tracks — create a PD track for a Dropbox shared folder you own. */
export const CreateTrackBody = z.object({
  dropboxSharedFolderId: z.string().trim().min(1).max(64),
  title: Title,
  stage: Stage.default('idea'),
  bpm: Bpm.nullable().optional(),
  key: MusicalKey.nullable().optional(),
  tags: Tags.default([]),
  project: ProjectName.nullable().optional(),
});
export type CreateTrackBody = z.input<typeof CreateTrackBody>;

/** PATCH /tracks/:trackId — metadata and tags (owner or Editor). At least one field. */
export const UpdateTrackBody = z
  .object({
    title: Title.optional(),
    stage: Stage.optional(),
    bpm: Bpm.nullable().optional(),
    key: MusicalKey.nullable().optional(),
    tags: Tags.optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), 'Nothing to change.');
export type UpdateTrackBody = z.input<typeof UpdateTrackBody>;

/** PUT /tracks/:trackId/splits — owner or Editor. Only the listed people change. */
export const UpdateSplitsBody = z
  .object({
    owner: Splits.optional(),
    collaborators: z
      .array(Splits.extend({ collaboratorId: Id }))
      .max(200)
      .optional(),
  })
  .refine((b) => b.owner !== undefined || (b.collaborators?.length ?? 0) > 0, 'Nothing to change.');
export type UpdateSplitsBody = z.input<typeof UpdateSplitsBody>;

/** POST /tracks/:trackId/archive — owner or Editor. */
export const ArchiveBody = z.object({ archived: z.boolean() });
export type ArchiveBody = z.input<typeof ArchiveBody>;

/** PUT /tracks/:trackId/placement — any member; changes only the caller's own library. */
export const PlacementBody = z
  .object({ project: ProjectName.nullable().optional(), hidden: z.boolean().optional() })
  .refine((b) => b.project !== undefined || b.hidden !== undefined, 'Nothing to change.');
export type PlacementBody = z.input<typeof PlacementBody>;

export interface SplitTotal {
  total: number;
  /** Above 100%: flagged, not blocked. */
  overAllocated: boolean;
}
export interface SplitTotals {
  master: SplitTotal;
  publishing: SplitTotal;
  writer: SplitTotal;
}

export interface Collaborator {
  id: string;
  /** PD account, once the person accepted (or was found as a Dropbox member). */
  accountId: string | null;
  displayName: string;
  email: string;
  /** Creative role: producer, vocalist, engineer, writer, ... */
  role: string | null;
  accessLevel: AccessLevel;
  splits: Splits;
  status: CollaboratorStatus;
  invitedAt: string;
  joinedAt: string | null;
  endedAt: string | null;
  /** Through what the access ended (revoked/left/declined), null while invited/active. */
  endedVia: Via | null;
  /**
   * What PD knows about how the access ended (null while invited/active, and for endings recorded before PD kept
   * it). Evidence starting with `dropbox_` means it ended in Dropbox and Dropbox did not say who did it: PD says
   * "access ended in Dropbox", never "left" or "revoked" (status is then `revoked`).
   */
  endedEvidence?: EndedEvidence | null;
  /** What Dropbox itself says, when it differs from what PD shows or is still on its way (issue 9). */
  dropbox?: CollaboratorInDropbox;
  /**
   * When this access ends by itself (issue 12): an expiry or a heads-up. Shown to the owner and to the collaborator
   * themselves only (others get null). Null when nothing is scheduled or the access already ended.
   */
  accessExpiresAt?: string | null;
  /** The heads-up behind that end, if it is one (its note, when it was sent). */
  headsUp?: HeadsUp | null;
  /** How an ended access ended when a schedule ended it: 'expiry' or 'heads_up' (null otherwise). */
  endedBySchedule?: 'expiry' | 'heads_up' | null;
}

/** A heads-up before a revoke (issue 12): the owner's note and when access ends. */
export interface HeadsUp {
  note: string | null;
  accessEndsAt: string;
  sentAt: string;
}

/** How an access ended (collaborators.ended_evidence; worker/API.md "Departures"). */
export type EndedEvidence =
  | 'pd_revoke' // the owner revoked through PD
  | 'pd_leave' // they left through PD
  | 'dropbox_members' // no longer in the owner's Dropbox member list; Dropbox does not say who removed them
  | 'dropbox_own_folder' // the folder left their own Dropbox; Dropbox does not say whether they left or were removed
  | 'dropbox_unshared'; // the folder was unshared in Dropbox

/**
 * Dropbox's side of a collaborator:
 * - state 'invited': Dropbox's folder invitation is not accepted yet, nothing is in their Dropbox
 *   ("waiting for Leo to accept in Dropbox"); 'member': the folder is in their Dropbox; 'refused': Dropbox refused
 *   to add them (view-only on Dropbox Basic); null: unknown.
 * - accessLevel: the level Dropbox really gives when it refused PD's (Basic keeps an Editor), else null; also while
 *   invited, when Dropbox still holds them at that level (a removal that failed, then a view-only re-invitation).
 * - group: a Dropbox group that (also) gives them access; Dropbox keeps it whatever PD does.
 */
export interface CollaboratorInDropbox {
  state: 'invited' | 'member' | 'refused' | null;
  accessLevel: AccessLevel | null;
  group: string | null;
}

/** users/get_current_account's account_type (users_common.stone). Basic cannot make anyone view-only. */
export type DropboxPlan = 'basic' | 'pro' | 'business';

export interface Comment {
  id: string;
  authorId: string;
  /** The author's name as it was when they wrote it; kept after their access ends. */
  authorName: string;
  body: string;
  pinned: boolean;
  pinnedBy: { id: string; name: string } | null;
  pinnedAt: string | null;
  createdAt: string;
}

export type DropboxChangeKind = 'remove_member' | 'relinquish' | 'update_access' | 'add_member' | 'mount_folder';
export type DropboxChangeStatus = 'pending' | 'running' | 'done' | 'failed';
/** A change PD still has to make in Dropbox (or failed to make), shown as "Dropbox change pending/failed". */
export interface DropboxChangeSummary {
  id: number;
  kind: DropboxChangeKind;
  status: DropboxChangeStatus;
  collaboratorId: string | null;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
}

/** GET /tracks/:trackId (and the response of every track mutation). */
export interface TrackDetail {
  track: Track;
  myRole: MyRole;
  /** The caller's own placement. */
  project: string | null;
  hidden: boolean;
  /** Everyone ever on the track, including people whose access ended (kept for credits). */
  collaborators: Collaborator[];
  splitTotals: SplitTotals;
  /** Oldest first. Comments of departed people stay, with their names. */
  comments: Comment[];
  /** Pending, running or failed Dropbox changes of this track (the owner sees all; others their own). */
  dropboxChanges: DropboxChangeSummary[];
  /** The owner's Dropbox plan, when known (read at their sign-in): on 'basic' Dropbox refuses view-only. */
  ownerPlan?: DropboxPlan | null;
  /** A collaborator's own Dropbox side: 'invited' = the folder is not in their Dropbox yet (accept there too). */
  myDropboxState?: CollaboratorInDropbox['state'];
  /** A collaborator's own access end (expiry or heads-up), null when none (issue 12). */
  myAccessEndsAt?: string | null;
  /** A collaborator's own pending heads-up, if the owner sent one (issue 12). */
  myHeadsUp?: HeadsUp | null;
}
export interface TrackDetailResponse extends TrackDetail {}

/** PUT /tracks/:trackId/splits */
export interface UpdateSplitsResponse extends TrackDetail {
  /** e.g. ["master_over_allocated"]: the totals were saved but exceed 100%. */
  warnings: string[];
}

// ---------------------------------------------------------------------------------------------------------------
// Sharing: invitations, revoke, Revoke All, leave, access level

/** POST /tracks/:trackId/invitations — owner only. Also the way to share again after revoke/leave. */
export const InviteBody = z.object({
  email: Email,
  displayName: DisplayName.optional(),
  role: CreativeRole.nullable().optional(),
  accessLevel: AccessLevel.default('viewer'),
  splits: Splits.optional(),
  /** Issue 12: access until this time (ISO-8601 with a zone; future, ≤ 5 years ahead). */
  accessExpiresAt: IsoDateTime.nullable().optional(),
});
export type InviteBody = z.input<typeof InviteBody>;

export type InvitationStatus = 'pending' | 'accepted' | 'declined' | 'cancelled';
export interface Invitation {
  id: string;
  trackId: string;
  trackTitle: string;
  collaboratorId: string;
  email: string;
  accessLevel: AccessLevel;
  status: InvitationStatus;
  invitedBy: { id: string; name: string };
  createdAt: string;
  respondedAt: string | null;
}
/** POST /tracks/:trackId/invitations */
export interface InviteResponse {
  invitation: Invitation;
  collaborator: Collaborator;
}
/** GET /invitations — pending invitations sent to the caller's email. */
export interface InvitationsResponse {
  invitations: Invitation[];
}
/** POST /invitations/:invitationId/accept */
export interface AcceptInvitationResponse {
  invitation: Invitation;
  track: TrackDetail;
}
/** POST /invitations/:invitationId/decline */
export interface DeclineInvitationResponse {
  invitation: Invitation;
}

/**
 * POST /tracks/:trackId/collaborators/:collaboratorId/revoke — owner only. No body.
 * Repeating it is safe: changed=false and nothing else happens.
 */
export interface RevokeResponse {
  changed: boolean;
  collaborator: Collaborator;
}

/** PATCH /tracks/:trackId/collaborators/:collaboratorId — owner only. */
export const SetAccessLevelBody = z.object({ accessLevel: AccessLevel });
export type SetAccessLevelBody = z.input<typeof SetAccessLevelBody>;
export interface SetAccessLevelResponse {
  changed: boolean;
  collaborator: Collaborator;
}

/** PUT /tracks/:trackId/collaborators/:collaboratorId/role — owner only. null (or "") clears it. */
export const SetRoleBody = z.object({ role: CreativeRole.nullable().or(z.literal('')) });
export type SetRoleBody = z.input<typeof SetRoleBody>;
export interface SetRoleResponse {
  changed: boolean;
  collaborator: Collaborator;
}

/** POST /tracks/:trackId/leave — the collaborator themselves. No body. */
export interface LeaveResponse {
  changed: boolean;
  trackId: string;
  /** Your record's status after the call ("left", or "revoked" if the owner's revoke won a race). */
  status: CollaboratorStatus;
}

export interface SharedTrack {
  trackId: string;
  title: string;
  collaboratorId: string;
  status: 'invited' | 'active';
  accessLevel: AccessLevel;
}
export interface SharingPerson {
  /** Stable key of the person (their lower-cased email). URL-encode it in paths. */
  personKey: string;
  displayName: string;
  email: string;
  accountId: string | null;
  tracks: SharedTrack[];
}
/** GET /sharing — the people the caller shares tracks with (invited or active), each with those tracks. */
export interface SharingResponse {
  people: SharingPerson[];
}
/** POST /sharing/:personKey/revoke-all — owner's Revoke All for one person. No body. Safe to repeat. */
export interface RevokeAllResponse {
  revokedCount: number;
  trackIds: string[];
}

// ---------------------------------------------------------------------------------------------------------------
// Comments

/** POST /tracks/:trackId/comments — owner and active collaborators. */
export const CreateCommentBody = z.object({ body: z.string().trim().min(1).max(5000) });
export type CreateCommentBody = z.input<typeof CreateCommentBody>;
/** POST /tracks/:trackId/comments/:commentId/pin — owner or Editor. */
export const PinCommentBody = z.object({ pinned: z.boolean() });
export type PinCommentBody = z.input<typeof PinCommentBody>;
/** GET /tracks/:trackId/comments */
export interface CommentsResponse {
  comments: Comment[];
}
/** POST /tracks/:trackId/comments and .../pin */
export interface CommentResponse {
  comment: Comment;
}

// ---------------------------------------------------------------------------------------------------------------
// History

export type HistoryKind =
  | 'track_created'
  | 'metadata_changed'
  | 'tags_changed'
  | 'splits_changed'
  | 'archived'
  | 'unarchived'
  | 'file_uploaded'
  | 'collaborator_invited'
  | 'collaborator_joined'
  | 'invitation_declined'
  | 'invitation_cancelled'
  | 'access_revoked'
  | 'collaborator_left'
  | 'access_level_changed'
  | 'comment_pinned'
  | 'comment_unpinned'
  /** Issue 12: an expiry set/changed/removed (details: collaborator, from, to), a heads-up sent/cancelled (details: note,
   * accessEndsAt), and access ended by its schedule (details: collaborator, expiresAt, headsUp note if any). */
  | 'access_expiry_set'
  | 'access_expiry_removed'
  | 'heads_up_sent'
  | 'heads_up_cancelled'
  | 'access_expired'
  /** A pending Dropbox change whose goal Dropbox already met (details: changeId, change, collaboratorId, reason). */
  | 'dropbox_change_moot'
  /** Access ended in Dropbox and Dropbox did not say who ended it (details: collaborator, email, previousStatus, evidence). */
  | 'access_ended_in_dropbox'
  /** The owner set a collaborator's creative role (details: collaborator, from, to). */
  | 'role_changed';

export interface HistoryEntry {
  id: number;
  kind: HistoryKind;
  actor: { id: string | null; name: string };
  via: Via;
  collaboratorId: string | null;
  /** Kind-specific: e.g. { changes: { stage: { from, to } } }, { path }, { from, to }. */
  details: Record<string, unknown>;
  createdAt: string;
}
/** GET /tracks/:trackId/history?before&limit — newest first. */
export const HistoryQuery = z.object({
  before: z.coerce.number().int().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  /** Only this collaborator's entries: their access history (invited, joined, access changes, how it ended). */
  collaboratorId: Id.optional(),
});
export type HistoryQuery = z.input<typeof HistoryQuery>;
export interface HistoryResponse {
  entries: HistoryEntry[];
  nextBefore: number | null;
}

// ---------------------------------------------------------------------------------------------------------------
// Notifications

export type NotificationKind =
  | 'access_revoked' // to the collaborator
  | 'collaborator_left' // to the owner
  | 'invitation_received' // to the invitee (if they have a PD account)
  | 'invitation_accepted' // to the owner
  | 'invitation_declined' // to the owner
  | 'access_level_changed' // to the collaborator
  | 'dropbox_reauth_required' // to someone whose Dropbox sign-in PD can no longer use (app unlinked, token refused)
  // Issue 12 (the details travel in `notice`):
  | 'access_expiry_set' // to the collaborator: their access now ends at notice.accessEndsAt (null: no end any more)
  | 'access_expiring' // to the collaborator: reminder 3 days / 1 day before (notice.accessEndsAt, notice.reminder)
  | 'heads_up' // to the collaborator: notice.headsUp (note, accessEndsAt) — download the files before then
  | 'heads_up_cancelled' // to the collaborator: the owner cancelled the heads-up, access continues
  | 'access_expired' // to both: the access ended on its expiry / heads-up date (not an owner's click)
  | 'stale_access_digest' // to the owner, weekly: notice.digest (people, tracks, idleDays)
  | 'access_ended_in_dropbox' // to the collaborator: your access ended in Dropbox (Dropbox does not say who ended it)
  | 'collaborator_access_ended_in_dropbox'; // to the owner: actor (the collaborator) no longer has access, changed in Dropbox

/** What a notification says beyond its kind (issue 12). */
export interface NotificationNotice {
  accessEndsAt?: string | null;
  headsUp?: HeadsUp;
  /** access_expiring: which reminder. */
  reminder?: '3_days' | '1_day';
  /** access_expired: to the owner, the collaborator whose access ended; and whether it was a heads-up. */
  collaborator?: string;
  endedBy?: 'expiry' | 'heads_up';
  digest?: { people: number; tracks: number; idleDays: number };
}

export interface Notification {
  id: string;
  kind: NotificationKind;
  trackId: string;
  trackTitle: string;
  actor: { id: string | null; name: string };
  via: Via;
  read: boolean;
  createdAt: string;
  /** Issue 12: the heads-up note, access end, reminder or digest, for the kinds that carry one. */
  notice?: NotificationNotice | null;
  /** The heads-up (note and time) of a heads_up notification, also inside notice. */
  headsUp?: HeadsUp | null;
}
/** GET /notifications?before&limit — newest first. */
export const NotificationsQuery = z.object({
  /** The previous page's nextBefore. */
  before: z
    .string()
    .regex(/^\d{1,15}$/, 'Use the nextBefore of the previous page.')
    .optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  unread: BoolFilter.default('any'),
});
export type NotificationsQuery = z.input<typeof NotificationsQuery>;
export interface NotificationsResponse {
  notifications: Notification[];
  nextBefore: string | null;
}
/** GET /notifications/unread-count */
export interface UnreadCountResponse {
  unread: number;
}
/** POST /notifications/read — either some ids or all. */
export const MarkReadBody = z.union([z.object({ ids: z.array(Id).min(1).max(500) }), z.object({ all: z.literal(true) })]);
export type MarkReadBody = z.input<typeof MarkReadBody>;
export interface MarkReadResponse {
  marked: number;
  unread: number;
}
