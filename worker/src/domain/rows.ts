// Row shapes of the core tables and their mapping to the API types of @pd/shared.
import type {
  Collaborator,
  Comment,
  DropboxChangeSummary,
  HeadsUp,
  EndedEvidence,
  Invitation,
  MyRole,
  Splits,
  SplitTotals,
  Track,
  TrackSummary,
} from '@pd/shared';
import { fromBp } from './db.ts';

export interface TrackRow {
  id: string;
  owner_id: string;
  owner_name: string;
  dropbox_shared_folder_id: string;
  title: string;
  stage: Track['stage'];
  bpm: number | null;
  musical_key: string | null;
  tags: string;
  archived: number;
  owner_master_bp: number;
  owner_publishing_bp: number;
  owner_writer_bp: number;
  event_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface CollaboratorRow {
  id: string;
  track_id: string;
  account_id: string | null;
  email: string;
  email_lower: string;
  display_name: string;
  role: string | null;
  access_level: 'editor' | 'viewer';
  master_bp: number;
  publishing_bp: number;
  writer_bp: number;
  status: Collaborator['status'];
  previous_status: string | null;
  invited_at: string;
  invited_by: string | null;
  joined_at: string | null;
  ended_at: string | null;
  ended_by: string | null;
  ended_via: 'app' | 'dropbox' | null;
  ended_evidence?: EndedEvidence | null;
  event_id: string | null;
  updated_at: string;
  dropbox_state?: 'invited' | 'member' | 'refused' | null;
  dropbox_access_level?: 'editor' | 'viewer' | null;
  dropbox_group?: string | null;
  /** Issue 12 (0022): the scheduled end of access, a heads-up's note, reminders sent, what ended it. */
  access_expires_at?: string | null;
  expiry_heads_up?: number;
  expiry_note?: string | null;
  expiry_set_at?: string | null;
  expiry_reminded?: number;
  ended_by_schedule?: 'expiry' | 'heads_up' | null;
}

export interface CommentRow {
  id: string;
  author_id: string;
  author_name: string;
  body: string;
  pinned: number;
  pinned_by: string | null;
  pinned_by_name: string | null;
  pinned_at: string | null;
  created_at: string;
}

export interface InvitationRow {
  id: string;
  track_id: string;
  track_title: string;
  collaborator_id: string;
  email: string;
  email_lower: string;
  access_level: 'editor' | 'viewer';
  status: Invitation['status'];
  invited_by: string;
  invited_by_name: string;
  created_at: string;
  responded_at: string | null;
}

export interface DropboxChangeRow {
  id: number;
  track_id: string;
  collaborator_id: string | null;
  kind: DropboxChangeSummary['kind'];
  status: DropboxChangeSummary['status'];
  attempts: number;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

export const toTrackSummary = (r: TrackRow): TrackSummary => ({
  id: r.id,
  title: r.title,
  stage: r.stage,
  bpm: r.bpm,
  key: r.musical_key,
  tags: JSON.parse(r.tags) as string[],
  archived: r.archived === 1,
  ownerId: r.owner_id,
  ownerName: r.owner_name,
  dropboxSharedFolderId: r.dropbox_shared_folder_id,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export const ownerSplits = (r: TrackRow): Splits => ({
  master: fromBp(r.owner_master_bp),
  publishing: fromBp(r.owner_publishing_bp),
  writer: fromBp(r.owner_writer_bp),
});

export const toTrack = (r: TrackRow): Track => ({ ...toTrackSummary(r), ownerSplits: ownerSplits(r) });

export const toCollaborator = (r: CollaboratorRow): Collaborator => ({
  id: r.id,
  accountId: r.account_id,
  displayName: r.display_name,
  email: r.email,
  role: r.role,
  accessLevel: r.access_level,
  splits: { master: fromBp(r.master_bp), publishing: fromBp(r.publishing_bp), writer: fromBp(r.writer_bp) },
  status: r.status,
  invitedAt: r.invited_at,
  joinedAt: r.joined_at,
  endedAt: r.status === 'active' || r.status === 'invited' ? null : r.ended_at,
  endedVia: r.status === 'active' || r.status === 'invited' ? null : r.ended_via,
  endedEvidence: r.status === 'active' || r.status === 'invited' ? null : (r.ended_evidence ?? null),
  dropbox: {
    state: r.status === 'active' || r.status === 'invited' ? (r.dropbox_state ?? null) : null,
    accessLevel:
      (r.status === 'active' || r.status === 'invited') && r.dropbox_access_level && r.dropbox_access_level !== r.access_level
        ? r.dropbox_access_level
        : null,
    group: r.status === 'active' || r.status === 'invited' || r.status === 'revoked' || r.status === 'left' ? (r.dropbox_group ?? null) : null,
  },
  ...scheduleOf(r),
  endedBySchedule: r.status === 'revoked' ? (r.ended_by_schedule ?? null) : null,
});

/** The scheduled end of a record while its access lasts (issue 12; src/domain/expiry.ts). */
export function scheduleOf(r: CollaboratorRow): { accessExpiresAt: string | null; headsUp: HeadsUp | null } {
  const current = (r.status === 'active' || r.status === 'invited') && !!r.access_expires_at;
  if (!current) return { accessExpiresAt: null, headsUp: null };
  return {
    accessExpiresAt: r.access_expires_at!,
    headsUp:
      r.expiry_heads_up === 1 ? { note: r.expiry_note ?? null, accessEndsAt: r.access_expires_at!, sentAt: r.expiry_set_at ?? r.updated_at } : null,
  };
}

export const toComment = (r: CommentRow): Comment => ({
  id: r.id,
  authorId: r.author_id,
  authorName: r.author_name,
  body: r.body,
  pinned: r.pinned === 1,
  pinnedBy: r.pinned === 1 && r.pinned_by ? { id: r.pinned_by, name: r.pinned_by_name ?? '' } : null,
  pinnedAt: r.pinned === 1 ? r.pinned_at : null,
  createdAt: r.created_at,
});

export const toInvitation = (r: InvitationRow): Invitation => ({
  id: r.id,
  trackId: r.track_id,
  trackTitle: r.track_title,
  collaboratorId: r.collaborator_id,
  email: r.email,
  accessLevel: r.access_level,
  status: r.status,
  invitedBy: { id: r.invited_by, name: r.invited_by_name },
  createdAt: r.created_at,
  respondedAt: r.responded_at,
});

export const toDropboxChange = (r: DropboxChangeRow): DropboxChangeSummary => ({
  id: r.id,
  kind: r.kind,
  status: r.status,
  collaboratorId: r.collaborator_id,
  attempts: r.attempts,
  lastError: r.last_error,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** Whose splits count toward the totals: everyone on the track now, and everyone who ever joined (credits stay). */
export const countsForCredits = (c: CollaboratorRow): boolean => c.status === 'active' || c.status === 'invited' || c.joined_at !== null;

export function splitTotals(track: TrackRow, collaborators: CollaboratorRow[]): SplitTotals {
  const credited = collaborators.filter(countsForCredits);
  const total = (own: number, pick: (c: CollaboratorRow) => number) => {
    const bp = own + credited.reduce((sum, c) => sum + pick(c), 0);
    return { total: fromBp(bp), overAllocated: bp > 10_000 };
  };
  return {
    master: total(track.owner_master_bp, (c) => c.master_bp),
    publishing: total(track.owner_publishing_bp, (c) => c.publishing_bp),
    writer: total(track.owner_writer_bp, (c) => c.writer_bp),
  };
}

export const roleOf = (c: CollaboratorRow): MyRole => c.access_level;
