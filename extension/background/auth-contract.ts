// The sign-in and Dropbox-lookup routes of the worker (issue 3), as the background uses them.
export type {
  AuthConfigResponse as AuthConfig,
  DropboxSignInResponse as SignInResult,
  ByDropboxPathResponse as ByPathResult,
} from '@pd/shared';

/** Errors of GET /tracks/by-dropbox-path that mean "this folder is not a PD track (of yours)". */
export const NOT_A_TRACK_CODES: ReadonlySet<string> = new Set(['dropbox_path_not_found', 'not_a_shared_folder', 'not_a_pd_track', 'track_not_found']);
