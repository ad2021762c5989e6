// Dropbox's side of a membership, as the executor meets it (issue 9): invitations that only join the member's
// Dropbox when mounted with THEIR token, plan limits that no retry can overcome, and access that Dropbox keeps
// through a group. Each outcome is written to the collaborator (collaborators.dropbox_*) so PD shows the truth.
import { NotLinkedError, clientForAccount, type DropboxClient } from '../dropbox/client.ts';
import { classifyDropboxError, tagPath } from '../dropbox/errors.ts';
import { type MemberState, levelOf, readFolderState } from '../dropbox/folder-state.ts';
import type { ChangeParams, ChangeRow, ExecEnv } from './execute.ts';

/**
 * The PD account of collaborator row `c`: its own, or for an invitee (no account on the record until they accept in
 * PD) the newest PD account with their e-mail — whose own token can say what they see in Dropbox.
 */
export const OWN_ACCOUNT_OF_C =
  'COALESCE(c.account_id, (SELECT x.id FROM accounts x WHERE x.email_lower = c.email_lower ORDER BY x.created_at DESC LIMIT 1))';

/** A mount whose folder was already in their Dropbox: through a group (or accepted there), not PD's invitation. */
export const ALREADY_MOUNTED = 'already in their Dropbox';

/** A mount that found no invitation: removed or unshared in Dropbox meanwhile. The change is done (nothing to retry),
 *  with this as its note, and the executor checks the track (it found Dropbox changed under PD). */
export const NOTHING_TO_MOUNT = 'no invitation in Dropbox any more (removed or unshared there): nothing to mount';
export class NothingToMount extends Error {
  constructor() {
    super(NOTHING_TO_MOUNT);
  }
}

/** A refusal the person must act on; the executor records it as a failed change with this message. */
export class MountRefused extends Error {}

type DropboxState = 'invited' | 'member' | 'refused';

/**
 * What a change learnt about Dropbox is written only while PD has not moved on: no later add, removal or leave for
 * the same person is queued behind it. (A mount that ran after the person left and was invited again described
 * the old membership: it marked the new invitation "in the folder" — chaos sweep, seed 10.)
 */
const STILL_CURRENT = `NOT EXISTS (SELECT 1 FROM dropbox_changes later WHERE later.collaborator_id = collaborators.id AND later.id > ?
  AND later.kind IN ('add_member', 'remove_member', 'relinquish'))`;

export function setDropboxState(db: D1Database, row: ChangeRow, state: DropboxState): Promise<unknown> {
  if (!row.collaborator_id) return Promise.resolve();
  return db
    .prepare(`UPDATE collaborators SET dropbox_state = ? WHERE id = ? AND dropbox_state IS NOT ? AND ${STILL_CURRENT}`)
    .bind(state, row.collaborator_id, state, row.id)
    .run();
}

/** Note of a removal/leave that Dropbox did, while a group still gives the person access. */
export const GROUP_ACCESS_NOTE = 'Dropbox keeps access through a group';

/** Notes that say a group keeps access become a recorded fact on the collaborator (shown with the revoked row). */
export async function afterRemoval(env: ExecEnv, row: ChangeRow, note: string | undefined): Promise<string | undefined> {
  if (note && /group/i.test(note)) return recordGroupAccess(env, row, groupFromWarning(note));
  return note;
}

const mb = (n: unknown) => (typeof n === 'number' ? `${Math.ceil(n / 1_048_576)} MB` : 'more space');

/**
 * sharing/mount_folder with the member's own token, after they accepted in PD. Returns a note for a change that
 * is done (mounted, already mounted, or nothing PD can do: not linked → they accept in Dropbox too), throws
 * NothingToMount when Dropbox has no invitation any more (done too), MountRefused with what the person should do,
 * or the Dropbox error for the executor's retry rules.
 */
export async function mountForMember(env: ExecEnv, row: ChangeRow, p: ChangeParams): Promise<string | undefined> {
  let client: DropboxClient;
  try {
    client = await clientForAccount(env, p.actor_account_id);
  } catch (e) {
    if (!(e instanceof NotLinkedError)) throw e;
    // Reconciliation marks them a member once the owner's member list shows they accepted in Dropbox.
    return e.reason === 'needs_reauth'
      ? 'their Dropbox sign-in expired: they accept the invitation in Dropbox too (or sign in again)'
      : 'not linked to Dropbox: they accept the invitation in Dropbox too';
  }
  try {
    await client.call((d) => d.sharingMountFolder({ shared_folder_id: p.shared_folder_id }));
  } catch (e) {
    const err = classifyDropboxError(e);
    if (err.kind !== 'route') throw err;
    // MountFolderError at the spec's nesting (the caller's access problems are under access_error).
    const path = tagPath(err.error);
    if (path === 'already_mounted') {
      await setDropboxState(env.DB, row, 'member');
      return ALREADY_MOUNTED;
    }
    if (path === 'inside_shared_folder') {
      throw new MountRefused(
        'Dropbox cannot put this shared folder inside another shared folder of your Dropbox: accept the invitation in Dropbox and choose where it goes, then retry here',
      );
    }
    if (path === 'insufficient_quota') {
      const q = (err.error as { insufficient_quota?: { space_shortage?: number } }).insufficient_quota;
      throw new MountRefused(
        `Your Dropbox is full: the folder needs ${mb(q?.space_shortage)} more. Free up space (or upgrade) in Dropbox, then retry`,
      );
    }
    if (path === 'no_permission' || path === 'not_mountable' || path === 'must_automount') {
      throw new MountRefused('Dropbox does not let this folder be added for you from PD: accept the invitation in Dropbox itself');
    }
    if (path === 'access_error/not_a_member' || path === 'access_error/invalid_id') {
      // Removed or unshared in Dropbox meanwhile: nothing to mount, and no retry can change that; the membership
      // check the executor queues then settles PD (ended in Dropbox / unshared).
      throw new NothingToMount();
    }
    throw err;
  }
  await setDropboxState(env.DB, row, 'member');
  return undefined;
}

/**
 * Dropbox Basic refused a view-only level. Retrying can never work, so the change is done and the collaborator
 * records the truth: for an update, Dropbox keeps them Editor; for an add, they are not in the folder at all —
 * unless Dropbox still holds them there (`held`, read from the member list): a removal PD asked for earlier failed,
 * and this invitation replaced it. Then they are in the folder, or invited, at the level Dropbox keeps (chaos sweep,
 * seed 8), and accepting in PD has nothing to mount. The owner then chooses (make them Editor in PD too, or revoke).
 */
export async function recordPlanRefusal(env: ExecEnv, row: ChangeRow, held?: MemberState['member']): Promise<string> {
  const still = row.kind === 'add_member' && held && held.kind !== 'absent' ? { ...held, level: levelOf(held.accessLevel) ?? 'editor' } : null;
  if (row.collaborator_id) {
    const [sql, args] = still
      ? [
          `UPDATE collaborators SET dropbox_state = ?, dropbox_access_level = ? WHERE id = ? AND ${STILL_CURRENT}`,
          [still.kind === 'user' ? 'member' : 'invited', still.level],
        ]
      : row.kind === 'add_member'
        ? [`UPDATE collaborators SET dropbox_state = 'refused' WHERE id = ? AND ${STILL_CURRENT}`, []]
        : [`UPDATE collaborators SET dropbox_access_level = 'editor' WHERE id = ? AND access_level = 'viewer' AND ${STILL_CURRENT}`, []];
    await env.DB.prepare(sql)
      .bind(...args, row.collaborator_id, row.id)
      .run();
  }
  if (still) {
    return `Dropbox Basic can't add view-only members: they are still ${still.kind === 'user' ? 'in the folder' : 'invited'} in Dropbox as ${still.level === 'editor' ? 'Editor' : 'Viewer'}`;
  }
  return row.kind === 'add_member'
    ? "Dropbox Basic can't add view-only members: not added in Dropbox"
    : "Dropbox Basic can't make someone view-only: they stay Editor in Dropbox";
}

/** After PD's own add/update went through: Dropbox agrees on the level; an add is an invitation until accepted. */
export async function recordAgreement(env: ExecEnv, row: ChangeRow): Promise<void> {
  if (!row.collaborator_id) return;
  if (row.kind === 'add_member') {
    await env.DB.prepare(
      `UPDATE collaborators SET dropbox_state = 'invited', dropbox_access_level = NULL
       WHERE id = ? AND dropbox_state IS NOT 'member' AND ${STILL_CURRENT}`,
    )
      .bind(row.collaborator_id, row.id)
      .run();
  } else if (row.kind === 'update_access') {
    await env.DB.prepare(`UPDATE collaborators SET dropbox_access_level = NULL WHERE id = ? AND ${STILL_CURRENT}`)
      .bind(row.collaborator_id, row.id)
      .run();
  }
}

/**
 * An invitation that replaces a removal Dropbox never carried out (it failed, and the owner invited them again):
 * add_folder_member succeeds whether or not Dropbox still holds them, so the add alone cannot tell "invited" from
 * "never left". `held` is their standing read after the add; a member is recorded as one, at the level Dropbox
 * gives them (chaos sweep, seed 12 at 30%: PD showed "waiting for them to accept in Dropbox" for someone in the
 * folder). Returns the change's note.
 */
export async function recordHeld(env: ExecEnv, row: ChangeRow, held: { accessLevel: string }, wanted: 'editor' | 'viewer'): Promise<string> {
  const level = levelOf(held.accessLevel) ?? 'editor';
  if (row.collaborator_id) {
    await env.DB.prepare(`UPDATE collaborators SET dropbox_state = 'member', dropbox_access_level = ? WHERE id = ? AND ${STILL_CURRENT}`)
      .bind(level === wanted ? null : level, row.collaborator_id, row.id)
      .run();
  }
  return `still in the folder in Dropbox as ${level === 'editor' ? 'Editor' : 'Viewer'} (an earlier removal had failed)`;
}

/**
 * The removal is done in Dropbox but the person keeps access through a group (remove_folder_member answered
 * group_access, or the job completed with the access Dropbox keeps): recorded so PD says so.
 */
export async function recordGroupAccess(env: ExecEnv, row: ChangeRow, group: string): Promise<string> {
  if (row.collaborator_id) {
    await env.DB.prepare(`UPDATE collaborators SET dropbox_group = ? WHERE id = ?`).bind(group.slice(0, 200), row.collaborator_id).run();
  }
  return `Dropbox keeps their access through ${group}: remove them from that group in Dropbox`;
}

/**
 * A removal Dropbox completed without a word may still leave the folder in their Dropbox: when they had never
 * joined through PD's invitation (still only invited there, or PD's mount answered "already in their Dropbox": a
 * group put it there), the owner's removal only withdrew that invitation. Asked with their own token (one call,
 * only in that case and only for someone signed in to PD), so PD says a group keeps it (chaos sweep, seeds 10, 14).
 */
export async function keptAfterRemoval(env: ExecEnv, row: ChangeRow, sharedFolderId: string): Promise<string | undefined> {
  if (!row.collaborator_id) return undefined;
  const who = await env.DB.prepare(
    `SELECT ${OWN_ACCOUNT_OF_C} AS account_id
     FROM collaborators c WHERE c.id = ?1 AND (
       c.dropbox_state IS NULL OR c.dropbox_state = 'invited'
       OR EXISTS (SELECT 1 FROM dropbox_changes m WHERE m.collaborator_id = c.id AND m.kind = 'mount_folder' AND m.status = 'done'
                  AND m.last_error = ?2 AND m.id < ?3))`,
  )
    .bind(row.collaborator_id, ALREADY_MOUNTED, row.id)
    .first<{ account_id: string }>();
  if (!who?.account_id) return undefined;
  let client: DropboxClient;
  try {
    client = await clientForAccount(env, who.account_id);
  } catch (e) {
    if (e instanceof NotLinkedError) return undefined;
    throw e;
  }
  if ((await readFolderState(client, sharedFolderId)).state !== 'shared') return undefined;
  return recordGroupAccess(env, row, 'a group');
}

/** The group named in a completed removal's warning (the emulator and Dropbox put it in quotes), else "a group". */
export function groupFromWarning(warning: unknown): string {
  const m = typeof warning === 'string' ? /group ["“']([^"”']+)["”']/.exec(warning) : null;
  return m ? `the group "${m[1]}"` : 'a group';
}
