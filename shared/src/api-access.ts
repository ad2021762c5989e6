// Issue 12 contract: expiring access, heads-ups before a revoke, and the owner's stale-access review.
// Documented in worker/API.md ("Expiring access and heads-ups", "Stale-access review").
import { z } from 'zod';
import { IsoDateTime, type AccessLevel, type Collaborator, type HeadsUp, type Stage } from './api.ts';
import { noteText } from './text.ts';

import { HEADS_UP_ENDS_IN, HEADS_UP_NOTE_MAX } from './limits.ts';

export { HEADS_UP_ENDS_IN, HEADS_UP_NOTE_MAX, MAX_EXPIRY_YEARS } from './limits.ts';

export const HeadsUpEndsIn = z.enum(HEADS_UP_ENDS_IN);
export type HeadsUpEndsIn = z.infer<typeof HeadsUpEndsIn>;
export const HEADS_UP_MS: Record<HeadsUpEndsIn, number> = { now: 0, '24h': 86_400_000, '48h': 2 * 86_400_000, '7d': 7 * 86_400_000 };

const Id = z.string().min(1).max(64);

/**
 * PUT /tracks/:trackId/collaborators/:collaboratorId/expiry and PUT /sharing/:personKey/expiry — owner.
 * A date sets or changes the end of access; null removes it (and cancels a heads-up).
 */
export const SetExpiryBody = z.object({ accessExpiresAt: IsoDateTime.nullable() });
export type SetExpiryBody = z.input<typeof SetExpiryBody>;

/** POST /tracks/:trackId/collaborators/:collaboratorId/heads-up and POST /sharing/:personKey/heads-up — owner. */
export const HeadsUpBody = z.object({
  note: noteText(HEADS_UP_NOTE_MAX).nullable().optional(),
  endsIn: HeadsUpEndsIn,
});
export type HeadsUpBody = z.input<typeof HeadsUpBody>;

/** Answer of the per-collaborator expiry and heads-up routes. */
export interface ScheduleResponse {
  /** false when the call changed nothing (same date again, nothing to cancel…). */
  changed: boolean;
  collaborator: Collaborator;
}

/** Answer of the per-person routes (every track of the owner shared with that person, invited or active). */
export interface PersonScheduleResponse {
  changedCount: number;
  trackIds: string[];
  /** Heads-ups with endsIn "now": the tracks whose access ended at once. */
  endedCount?: number;
}

/**
 * POST /sharing/review/actions — owner: one action on a selection of collaborator records of the owner's tracks
 * (from the review). Set-based: one request whatever the selection's size (≤ 1,000).
 */
export const ReviewActionBody = z.discriminatedUnion('action', [
  z.object({ action: z.literal('revoke'), collaboratorIds: z.array(Id).min(1).max(1000) }),
  z.object({ action: z.literal('downgrade'), collaboratorIds: z.array(Id).min(1).max(1000) }),
  z.object({ action: z.literal('expiry'), collaboratorIds: z.array(Id).min(1).max(1000), accessExpiresAt: IsoDateTime.nullable() }),
  z.object({
    action: z.literal('heads_up'),
    collaboratorIds: z.array(Id).min(1).max(1000),
    note: noteText(HEADS_UP_NOTE_MAX).nullable().optional(),
    endsIn: HeadsUpEndsIn,
  }),
]);
export type ReviewActionBody = z.input<typeof ReviewActionBody>;
export interface ReviewActionResponse {
  action: ReviewActionBody['action'];
  /** Records the action changed (the rest were not yours, already ended, already Viewer…). */
  changedCount: number;
  trackIds: string[];
}

/** PUT /sharing/review/settings — owner: the idle threshold of the weekly digest (days). */
export const ReviewSettingsBody = z.object({ idleDays: z.number().int().min(1).max(365) });
export type ReviewSettingsBody = z.input<typeof ReviewSettingsBody>;
export interface ReviewSettings {
  idleDays: number;
  /** When the last weekly digest was sent (null: never). */
  lastDigestAt: string | null;
}

export interface ReviewTrack {
  trackId: string;
  title: string;
  stage: Stage;
  released: boolean;
  collaboratorId: string;
  status: 'invited' | 'active';
  accessLevel: AccessLevel;
  /** Their last comment or edit/upload on this track, or when they joined (invited: null). */
  lastActivityAt: string | null;
  /** Whole days since lastActivityAt (or since they were invited). */
  idleDays: number;
  accessExpiresAt: string | null;
  headsUp: HeadsUp | null;
  /** Idle Editor access to an unreleased track for more than the owner's threshold. */
  stale: boolean;
}

export interface ReviewPerson {
  personKey: string;
  displayName: string;
  email: string;
  accountId: string | null;
  /** The latest of: their comments and edits on your tracks, uploads, and their last sign-in PD saw. */
  lastActivityAt: string | null;
  lastSignInAt: string | null;
  idleDays: number;
  unreleasedCount: number;
  editorCount: number;
  staleCount: number;
  /** Riskiest first: unreleased, Editor, longest idle. */
  tracks: ReviewTrack[];
}

/** GET /sharing/review — owner: everyone with access to your tracks, riskiest first (issue 12 item 3). */
export interface ReviewResponse {
  people: ReviewPerson[];
  settings: ReviewSettings;
  generatedAt: string;
}
