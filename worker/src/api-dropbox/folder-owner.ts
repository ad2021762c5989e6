// Making a Dropbox shared folder a PD track claims it: only the folder's owner in Dropbox may. Without this check a
// member of the folder (or anyone who learned its id) could create the track first, become its PD owner, lock the
// real owner out of importing it, and have reconciliation attach the folder's members and uploads to their track.
// Runs in front of the core's POST /tracks (src/index.ts mounts the Dropbox routes first), with the caller's token.
import type { MiddlewareHandler } from 'hono';
import { apiError, db, type AppEnv } from '../api/http.ts';
import { clientForAccount, NotLinkedError } from '../dropbox/client.ts';
import { classifyDropboxError } from '../dropbox/errors.ts';
import { asApiError } from './dropbox-errors.ts';
import { dropboxErrorResponse } from './errors.ts';

export const requireFolderOwner: MiddlewareHandler<AppEnv> = async (c, next) => {
  let client;
  try {
    client = await clientForAccount({ ...c.env, DB: db(c) }, c.var.account.id);
  } catch (e) {
    // Every account made by the Dropbox sign-in is linked; one that never linked Dropbox has no folder to check
    // (accounts made directly through the domain, as the core tests do).
    if (e instanceof NotLinkedError && e.reason === 'no_tokens') return next();
    const mapped = asApiError(e);
    if (mapped) return dropboxErrorResponse(c, mapped);
    throw e;
  }

  let folderId: unknown;
  try {
    // A copy of the body: the core route reads (and size-limits) the original.
    folderId = ((await c.req.raw.clone().json()) as { dropboxSharedFolderId?: unknown } | null)?.dropboxSharedFolderId;
  } catch {
    return next(); // not JSON (or too large): the core route answers invalid_json / payload_too_large
  }
  if (typeof folderId !== 'string' || !folderId.trim() || folderId.length > 64) return next(); // the core validates it

  try {
    const meta = await client.call((d) => d.sharingGetFolderMetadata({ shared_folder_id: folderId.trim() }));
    if ((meta as { access_type?: { '.tag'?: string } }).access_type?.['.tag'] === 'owner') return next();
  } catch (e) {
    const err = e && typeof e === 'object' && 'status' in e ? classifyDropboxError(e) : null;
    // Not a member, no such folder, or an id Dropbox rejects: the caller does not own it.
    if (!(err?.kind === 'route' || err?.kind === 'bad_request')) {
      const mapped = asApiError(e);
      if (mapped) return dropboxErrorResponse(c, mapped);
      throw e;
    }
  }
  return apiError(c, 'owner_only', 'Only the owner of this Dropbox shared folder can make it a track.');
};
