// Confirming reads: one Dropbox answer that would end access for people (invalid_id = "no such shared folder") or
// settle a change as moot is checked with a second, different read before PD acts on it. Both reads must agree.
import type { DropboxClient } from './client.ts';
import { classifyDropboxError, tagPath } from './errors.ts';

export type FolderState =
  /** Dropbox no longer knows the folder as shared (unshared, or deleted) — confirmed by get_folder_metadata. */
  | { state: 'unshared' }
  /** The folder is shared and the caller can see it. */
  | { state: 'shared' }
  /** The caller's own standing ended (access_error/not_a_member, invalid_member, unmounted …): the tag says which. */
  | { state: 'caller'; tag: string };

/**
 * Reads sharing/get_folder_metadata with this client. Its error union is the bare SharedFolderAccessError
 * (invalid_id, not_a_member, invalid_member, unmounted), so a route error here is about the folder or the caller.
 * Other failures (429/5xx/network) are thrown: the caller retries later.
 */
export async function readFolderState(client: DropboxClient, sharedFolderId: string): Promise<FolderState> {
  try {
    await client.call((d) => d.sharingGetFolderMetadata({ shared_folder_id: sharedFolderId }));
    return { state: 'shared' };
  } catch (e) {
    const err = classifyDropboxError(e);
    if (err.kind !== 'route') throw err;
    const tag = tagPath(err.error);
    if (tag === 'invalid_id') return { state: 'unshared' };
    return { state: 'caller', tag };
  }
}

/** A Dropbox AccessLevel as PD's two levels; null for one PD has no level for (owner, traverse, no_access). */
export const levelOf = (access: string): 'editor' | 'viewer' | null =>
  access === 'editor' ? 'editor' : access === 'viewer' || access === 'viewer_no_comment' ? 'viewer' : null;

export interface MemberState {
  /** The folder as the caller sees it. */
  folder: 'shared' | 'unshared';
  /** The person's standing: an explicit member (with their access level), invited, or not in the folder at all. */
  member:
    | { kind: 'user'; accountId: string; accessLevel: string; inherited: boolean }
    | { kind: 'invitee'; accessLevel: string }
    | { kind: 'absent' };
}

/**
 * Where one person stands in a shared folder, from sharing/list_folder_members (paginated; users, groups and
 * invitees are separate lists). An invalid_id from the member list is confirmed with get_folder_metadata before
 * the folder counts as unshared; a disagreement is thrown as retryable (Dropbox answered inconsistently).
 */
export async function readMemberState(
  client: DropboxClient,
  sharedFolderId: string,
  who: { dropboxId?: string | null; email?: string | null },
): Promise<MemberState> {
  const email = who.email?.toLowerCase() ?? null;
  try {
    let page = await client.call((d) => d.sharingListFolderMembers({ shared_folder_id: sharedFolderId, limit: 1000 }));
    for (;;) {
      const user = page.users.find((u) => (who.dropboxId && u.user.account_id === who.dropboxId) || (email && u.user.email?.toLowerCase() === email));
      if (user) {
        return {
          folder: 'shared',
          member: { kind: 'user', accountId: user.user.account_id, accessLevel: user.access_type['.tag'], inherited: !!user.is_inherited },
        };
      }
      const invitee = email ? page.invitees.find((i) => i.invitee['.tag'] === 'email' && i.invitee.email.toLowerCase() === email) : undefined;
      if (invitee) return { folder: 'shared', member: { kind: 'invitee', accessLevel: invitee.access_type['.tag'] } };
      if (!page.cursor) return { folder: 'shared', member: { kind: 'absent' } };
      const cursor = page.cursor;
      page = await client.call((d) => d.sharingListFolderMembersContinue({ cursor }));
    }
  } catch (e) {
    const err = classifyDropboxError(e);
    const tag = err.kind === 'route' ? tagPath(err.error) : '';
    // list_folder_members answers the bare union; its /continue wraps it in access_error.
    if (tag !== 'invalid_id' && tag !== 'access_error/invalid_id') throw err;
    const confirm = await readFolderState(client, sharedFolderId);
    if (confirm.state === 'unshared') return { folder: 'unshared', member: { kind: 'absent' } };
    throw new UnconfirmedError(
      `list_folder_members said ${tag} but get_folder_metadata disagrees (${confirm.state === 'caller' ? confirm.tag : 'shared'})`,
    );
  }
}

/** Two Dropbox reads disagreed: act on neither, look again later. */
export class UnconfirmedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnconfirmedError';
  }
}
