// Shapes of the sign-in and Dropbox-lookup routes (issue 3). Kept tolerant: the worker's contract file
// (shared/src/api-dropbox.ts) is the authority; these only read the fields the extension needs.
import type { TrackDetail, MyRole, TrackSummary } from '@pd/shared';

/** GET /api/v1/auth/config */
export interface AuthConfig {
  clientId: string;
  authorizeUrl: string;
}

/** POST /api/v1/auth/dropbox */
export interface SignInResult {
  session?: string;
  token?: string;
  account: { id: string; email: string; displayName: string };
}

/** GET /api/v1/tracks/by-dropbox-path — the full track detail, or at least the track and my role. */
export type ByPathResult = TrackDetail | { track: TrackSummary; myRole: MyRole };

export function isTrackDetail(r: ByPathResult): r is TrackDetail {
  return Array.isArray((r as TrackDetail).collaborators);
}
