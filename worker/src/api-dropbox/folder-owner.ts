// Making a Dropbox shared folder a PD track claims it: only the folder's owner in Dropbox may. Without this check a
// member of the folder (or anyone who learned its id) could create the track first, become its PD owner, lock the
// real owner out of importing it, and have reconciliation attach the folder's members and uploads to their track.
// Called by POST /tracks after the body is parsed, on the exact id that will be stored (issue 8: a check on the raw
// value let " ".repeat(60) + id through), with the caller's own Dropbox token. What cannot be checked is refused.
import { DomainError } from '../domain/index.ts';
import { clientForAccount, type ClientEnv } from '../dropbox/client.ts';
import { classifyDropboxError } from '../dropbox/errors.ts';
import { asApiError } from './dropbox-errors.ts';

interface FolderMeta {
  access_type?: { '.tag'?: string };
  is_team_folder?: boolean;
  is_inside_team_folder?: boolean;
}

/**
 * Resolves if `accountId` owns the shared folder `sharedFolderId` in Dropbox (and it is not a team folder).
 * Throws DomainError owner_only otherwise, DropboxApiError dropbox_not_linked / dropbox_reauth_required when the
 * account's Dropbox cannot be asked, dropbox_unavailable when Dropbox fails.
 */
export async function assertOwnsSharedFolder(env: ClientEnv, accountId: string, sharedFolderId: string): Promise<void> {
  let meta: FolderMeta;
  try {
    const client = await clientForAccount(env, accountId);
    meta = (await client.call((d) => d.sharingGetFolderMetadata({ shared_folder_id: sharedFolderId }))) as FolderMeta;
  } catch (e) {
    const err = e && typeof e === 'object' && 'status' in e ? classifyDropboxError(e) : null;
    // Not a member, no such folder, or an id Dropbox rejects: the caller does not own it.
    if (err?.kind === 'route' || err?.kind === 'bad_request') throw notOwner();
    throw asApiError(e) ?? e;
  }
  if (meta.access_type?.['.tag'] !== 'owner') throw notOwner();
  if (meta.is_team_folder || meta.is_inside_team_folder) {
    throw new DomainError('validation_failed', 'dropboxSharedFolderId: team folders cannot be tracks.');
  }
}

const notOwner = () => new DomainError('owner_only', 'Only the owner of this Dropbox shared folder can make it a track.');
