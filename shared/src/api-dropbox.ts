// Sign-in with Dropbox, Dropbox import/lookup and pending-Dropbox-change contract (issue 3).
// Zod schemas of request bodies/queries and the TypeScript types of responses, used by the worker and the
// extension. Errors use the same shape as the core API: { "error": { "code": DropboxErrorCode, "message" } }.
import { z } from 'zod';
import type { Account, DropboxChangeSummary, MyRole, TrackSummary } from './api.ts';

/** Error codes of the Dropbox routes (in addition to the core ERROR_CODES such as validation_failed, unauthenticated). */
export const DROPBOX_ERROR_CODES = [
  'dropbox_auth_failed', // 400: Dropbox rejected the authorization code (expired, used, wrong verifier or redirect URI)
  'dropbox_offline_access_required', // 400: the authorization did not grant a refresh token (token_access_type=offline)
  'dropbox_reauth_required', // 409: Dropbox no longer accepts this account's sign-in: sign in with Dropbox again
  'dropbox_not_linked', // 409: this account has never signed in with Dropbox
  'dropbox_unavailable', // 502/503: Dropbox failed or rate-limited us; try again later
  'dropbox_path_not_found', // 404: nothing at this path in your Dropbox
  'not_a_shared_folder', // 404: the path is not (inside) a Dropbox shared folder
  'not_a_pd_track', // 404: the shared folder is not a PD track you are part of
  'dropbox_change_not_found', // 404
  'dropbox_change_not_failed', // 409: only a failed change can be retried
  'dropbox_other_account', // 409: the page is another Dropbox than PD is signed in with (work team space vs personal)
] as const;
export type DropboxErrorCode = (typeof DROPBOX_ERROR_CODES)[number];

// ---------------------------------------------------------------------------------------------------------------
// Sign in with Dropbox (OAuth 2 authorization code + PKCE; the app secret never leaves the worker)

/**
 * GET /api/v1/auth/config — what the extension needs to build the authorize URL:
 * `${authorizeUrl}?client_id=…&response_type=code&token_access_type=offline&code_challenge=…&code_challenge_method=S256&redirect_uri=…&state=…`
 */
export interface AuthConfigResponse {
  clientId: string;
  authorizeUrl: string;
  tokenAccessType: 'offline';
  codeChallengeMethod: 'S256';
}

/** RFC 7636: 43–128 characters of [A-Za-z0-9-._~]. */
export const CodeVerifier = z.string().regex(/^[A-Za-z0-9\-._~]{43,128}$/, 'codeVerifier must be 43–128 characters of A–Z a–z 0–9 - . _ ~');

/** POST /api/v1/auth/dropbox — exchange the authorization code (no session needed). */
/** No lone UTF-16 surrogates: such a string cannot be URL-encoded for the token request (it is the caller's error). */
const wellFormed = (s: string) => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);

export const DropboxSignInBody = z.object({
  // Dropbox's authorization codes are short printable ASCII; anything else (e.g. a code padded with zero-width spaces,
  // ~18 KB once percent-encoded) can only be the caller's error — refused here, never sent to Dropbox as a 503.
  code: z
    .string()
    .trim()
    .min(1)
    .max(2048)
    .regex(/^[\x21-\x7e]+$/, 'code must be the authorization code Dropbox returned (printable ASCII, no spaces)'),
  codeVerifier: CodeVerifier,
  /** Exactly the redirect_uri used for the authorize request. */
  redirectUri: z.url().max(2048).refine(wellFormed, 'redirectUri must be well-formed Unicode'),
});
export type DropboxSignInBody = z.input<typeof DropboxSignInBody>;

export interface DropboxSignInResponse {
  /** Bearer token for every other call. Shown once; only its hash is stored. */
  session: string;
  /** When the session ends if unused (sliding; never past the absolute cap). */
  expiresAt: string;
  account: Account;
  /**
   * A second secret of this session that can only end it: the extension puts
   * `${workerUrl}/api/v1/auth/uninstalled?token=<uninstallToken>` in runtime.setUninstallURL so uninstalling signs out.
   */
  uninstallToken: string;
}

/** POST /api/v1/auth/signout — ends the caller's session. No body. */
export interface SignOutResponse {
  signedOut: true;
}

/** POST /api/v1/auth/signout-everywhere — ends every session of the caller's account (all browsers). No body. */
export interface SignOutEverywhereResponse {
  signedOut: true;
  /** How many sessions were ended, the caller's own included. */
  sessionsEnded: number;
}

/** GET /api/v1/auth/uninstalled?token=… — opened by the browser after the extension is uninstalled; ends that session. */
export const UninstalledQuery = z.object({ token: z.string().min(1).max(200) });

/** GET /api/v1/dropbox/status — whether PD can act in the caller's Dropbox. */
export interface DropboxStatusResponse {
  linked: boolean;
  /** Dropbox rejected the stored sign-in (revoked app, changed password…): sign in with Dropbox again. */
  needsReauth: boolean;
  reason: string | null;
  /** When the caller's Dropbox changes were last read (webhook / reconciliation), ISO time or null. */
  lastReconciledAt: string | null;
}

// ---------------------------------------------------------------------------------------------------------------
// Import and lookup

/** POST /api/v1/dropbox/import — import the caller's own Dropbox shared folders as tracks. Safe to repeat. */
export const DropboxImportBody = z.object({
  /** Only these shared folders (default: every shared folder the caller owns). */
  sharedFolderIds: z.array(z.string().trim().min(1).max(64)).min(1).max(500).optional(),
});
export type DropboxImportBody = z.input<typeof DropboxImportBody>;

export interface ImportedTrack {
  trackId: string;
  sharedFolderId: string;
  title: string;
  /** true: created by this call; false: the folder was already a PD track (its members are re-checked from the queue). */
  created: boolean;
  /** Dropbox members now on the track as collaborators (active) and pending Dropbox invitees (invited). */
  collaborators: { email: string; displayName: string; accessLevel: 'editor' | 'viewer'; status: 'active' | 'invited' }[];
}
export interface DropboxImportResponse {
  imported: ImportedTrack[];
  /** Shared folders not imported, with why (e.g. "owned by someone else", "team folder"). */
  skipped: { sharedFolderId: string; name: string; reason: string }[];
  /** Owned folders left for another call (at most 100 new tracks per call): call again until 0. */
  remaining: number;
}

/**
 * GET /api/v1/tracks/by-dropbox-path?path=/home/My%20Music/Track — the folder the caller is looking at in the
 * Dropbox web UI (the URL path after the host, still URL-encoded: /home/…, /personal/… or /work/<team>/…) → its track.
 * Resolved through files/get_metadata → sharing_info.shared_folder_id with the caller's own token: never by name.
 */
export const ByDropboxPathQuery = z.object({ path: z.string().min(1).max(4096) });
export type ByDropboxPathQuery = z.input<typeof ByDropboxPathQuery>;

export interface ByDropboxPathResponse {
  track: TrackSummary;
  myRole: MyRole;
  sharedFolderId: string;
  /** 'root': the track's folder itself; 'inside': a folder or file inside it. */
  position: 'root' | 'inside';
  /**
   * false: the owner's folder is no longer shared in Dropbox (unshared there); the PD track, its credits and history
   * stay, and the owner can invite people again (which needs the folder shared in Dropbox again).
   */
  sharedInDropbox?: boolean;
}

// ---------------------------------------------------------------------------------------------------------------
// Pending Dropbox changes

/** POST /api/v1/dropbox-changes/:changeId/retry — owner only; re-queues a failed change. No body. */
export const DropboxChangeParams = z.object({ changeId: z.coerce.number().int().min(1) });
export interface RetryDropboxChangeResponse {
  change: DropboxChangeSummary;
}
