import type { DropboxErrorCode } from '@pd/shared';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export const DROPBOX_STATUS: Record<DropboxErrorCode, ContentfulStatusCode> = {
  dropbox_auth_failed: 400,
  dropbox_offline_access_required: 400,
  dropbox_reauth_required: 409,
  dropbox_not_linked: 409,
  dropbox_unavailable: 503,
  dropbox_path_not_found: 404,
  not_a_shared_folder: 404,
  not_a_pd_track: 404,
  dropbox_change_not_found: 404,
  dropbox_change_not_failed: 409,
  dropbox_other_account: 409,
};

/** A Dropbox-route error, answered in the API's one error shape. */
export class DropboxApiError extends Error {
  constructor(
    readonly code: DropboxErrorCode,
    message: string,
    readonly status: ContentfulStatusCode = DROPBOX_STATUS[code],
  ) {
    super(message);
  }
}

export const dropboxErrorResponse = (c: Context, e: DropboxApiError) => c.json({ error: { code: e.code, message: e.message } }, e.status);
