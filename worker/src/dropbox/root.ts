// Where a Dropbox account's paths start (common.stone RootInfo, users/get_current_account's root_info).
// A personal account: root namespace = home namespace. A Dropbox Business member with a team space: the root
// namespace is the team space, and their home folder is one folder in it (home_path, e.g. "/Rio Park"). API paths are
// relative to the home namespace unless a request carries `Dropbox-API-Path-Root: {".tag":"root","root":<id>}`.
// The web UI names team-space folders /work/<team>/<path from the team root>, so those lookups need the header.
// PD's walks and imports stay home-relative (no header): a member's own shared folders live in their home folder, and
// every path PD stores (mount paths, list_folder cursors) is of that one namespace.
import { DropboxClient } from './client.ts';
import { classifyDropboxError } from './errors.ts';

export interface DropboxRoot {
  rootNamespaceId: string;
  homeNamespaceId: string;
  /** The home folder under the team root (TeamRootInfo.home_path); null when root = home. */
  homePath: string | null;
  /** FullAccount.team.name for a team member; null for a personal account. */
  teamName: string | null;
  /** FullAccount.is_paired: the person also has a personal (or work) account. */
  isPaired: boolean;
}

interface CurrentAccount {
  root_info?: { '.tag'?: string; root_namespace_id?: string; home_namespace_id?: string; home_path?: string };
  team?: { name?: string } | null;
  is_paired?: boolean;
}

/** The root facts of a users/get_current_account answer (null when Dropbox sent no root_info). */
export function rootFromAccount(me: CurrentAccount): DropboxRoot | null {
  const r = me.root_info;
  if (!r?.root_namespace_id || !r.home_namespace_id) return null;
  return {
    rootNamespaceId: r.root_namespace_id,
    homeNamespaceId: r.home_namespace_id,
    homePath: r.root_namespace_id !== r.home_namespace_id ? (r.home_path ?? null) : null,
    teamName: me.team?.name ?? null,
    isPaired: me.is_paired === true,
  };
}

/** The root info as a 422 invalid_root carries it (the latest RootInfo, without team or is_paired). */
export function rootFromInvalidRoot(error: unknown, before: DropboxRoot): DropboxRoot | null {
  const info = (error as { invalid_root?: CurrentAccount['root_info'] } | null)?.invalid_root;
  const r = rootFromAccount({ root_info: info, team: before.teamName ? { name: before.teamName } : null, is_paired: before.isPaired });
  return r && r.rootNamespaceId !== before.rootNamespaceId ? r : null;
}

export function saveRootStatement(db: D1Database, accountId: string, root: DropboxRoot): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE accounts SET dropbox_root_namespace_id = ?, dropbox_home_namespace_id = ?, dropbox_home_path = ?, dropbox_team_name = ?,
         dropbox_is_paired = ? WHERE id = ?`,
    )
    .bind(root.rootNamespaceId, root.homeNamespaceId, root.homePath, root.teamName, root.isPaired ? 1 : 0, accountId);
}

/** The account's stored root; read from Dropbox (and stored) when it was never read (signed in before it was kept). */
export async function rootOf(db: D1Database, client: DropboxClient, accountId: string): Promise<DropboxRoot> {
  const row = await db
    .prepare(
      'SELECT dropbox_root_namespace_id, dropbox_home_namespace_id, dropbox_home_path, dropbox_team_name, dropbox_is_paired FROM accounts WHERE id = ?',
    )
    .bind(accountId)
    .first<{
      dropbox_root_namespace_id: string | null;
      dropbox_home_namespace_id: string | null;
      dropbox_home_path: string | null;
      dropbox_team_name: string | null;
      dropbox_is_paired: number;
    }>();
  if (row?.dropbox_root_namespace_id && row.dropbox_home_namespace_id) {
    return {
      rootNamespaceId: row.dropbox_root_namespace_id,
      homeNamespaceId: row.dropbox_home_namespace_id,
      homePath: row.dropbox_home_path,
      teamName: row.dropbox_team_name,
      isPaired: row.dropbox_is_paired === 1,
    };
  }
  const me = (await client.call((d) => d.usersGetCurrentAccount())) as CurrentAccount;
  const root = rootFromAccount(me);
  if (!root) throw classifyDropboxError(new Error('users/get_current_account answered without root_info'));
  await saveRootStatement(db, accountId, root).run();
  return root;
}

/** The Dropbox-API-Path-Root value for paths relative to the account's root namespace (the team space). */
export const rootPathRoot = (root: DropboxRoot): string => JSON.stringify({ '.tag': 'root', root: root.rootNamespaceId });
