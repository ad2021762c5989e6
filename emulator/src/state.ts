/**
 * The in-memory "Dropbox": accounts, shared folders, per-account mounts, files, change logs and async jobs.
 * Every mutation goes through this class so the API routes and the control API (acting as a user in the
 * Dropbox UI) produce the same change-log entries and the same webhook notifications.
 */
import { RouteError, tagChain, type Tagged } from './errors.ts';
import { accountIdFor, baseName, dbxTime, hexDigest, lower, randomToken, uidFor } from './util.ts';

export type AccessLevel = 'owner' | 'editor' | 'viewer' | 'viewer_no_comment' | 'traverse' | 'no_access';
export const ACCESS_LEVELS: AccessLevel[] = ['owner', 'editor', 'viewer', 'viewer_no_comment', 'traverse', 'no_access'];

export type Entry = { '.tag': 'file' | 'folder' | 'deleted'; name: string; path_lower: string; path_display: string; [k: string]: unknown };

export interface PrivateItem {
  tag: 'folder' | 'file';
  id: string;
  path_display: string;
  size?: number;
  rev?: string;
  server_modified?: number;
  content_hash?: string;
}

export interface Account {
  account_id: string;
  uid: number;
  email: string;
  display_name: string;
  given_name: string;
  surname: string;
  /** true once the account has authorized this app (only linked accounts get webhooks, like Dropbox). */
  linked: boolean;
  /** false: the email address is unconfirmed (users/get_current_account says email_verified: false). */
  email_verified: boolean;
  /** Dropbox plan. Basic cannot add view-only members or make an editor a viewer (insufficient_plan). */
  plan: Plan;
  /** Space in bytes; mounting a folder that does not fit answers insufficient_quota. Undefined: unlimited. */
  quota_bytes?: number;
  /** The person accepts folder invitations in Dropbox as soon as they arrive (a modelled user habit; default false). */
  auto_accept: boolean;
  /** Private (non-shared) items by path_lower. */
  items: Map<string, PrivateItem>;
  /** shared_folder_id -> where this account has it mounted (path_display). Per account: renames are per user. */
  mounts: Map<string, string>;
  /** Change log read by files/list_folder/continue. */
  log: { seq: number; entry: Entry }[];
  /** Bumped by cursors/invalidate: older cursors answer 409 reset. */
  cursorEpoch: number;
  /** users/get_current_account root_info: the home namespace, and the root namespace (the team space's for a team
   *  member with a team space, else the same as home). */
  home_namespace_id: string;
  root_namespace_id: string;
  /** Team member with a team space: their home folder's path in the team space ("/Rio Park"); '' otherwise.
   *  A team member's items and mounts are stored at team-space (root) paths, under this folder: an API call without
   *  Dropbox-API-Path-Root sees only what is under it, relative to it (see path-root.ts). */
  home_path: string;
  /** The team (Dropbox Business) this account belongs to. */
  team_id?: string;
  team_member_id?: string;
  /** The other account of a paired personal + work pair (users/get_current_account is_paired). */
  paired_with?: string;
}

/** A Dropbox Business team with a team space: a root namespace above its members' home folders. */
export interface Team {
  team_id: string;
  name: string;
  root_namespace_id: string;
  /** Team-space content outside the members' folders (team folders), by path_lower at the team root. */
  items: Map<string, PrivateItem>;
}

export interface Member {
  access_type: AccessLevel;
  time_invited: number;
  /** Access that comes from a parent folder (list_folder_members: is_inherited). Not removable here. */
  inherited?: boolean;
}

export interface Invitee {
  email: string;
  access_type: AccessLevel;
  time_invited: number;
  /** The Dropbox account this invitation is tied to (InviteeMembershipInfo.user), when the e-mail has one. */
  account_id?: string;
}

export type Plan = 'basic' | 'plus' | 'professional' | 'business';
export const PLANS: Plan[] = ['basic', 'plus', 'professional', 'business'];
/** users/get_current_account's AccountType (users_common.stone: basic, pro, business). */
export const accountTypeOf = (p: Plan): 'basic' | 'pro' | 'business' => (p === 'basic' ? 'basic' : p === 'business' ? 'business' : 'pro');

/** A Dropbox group (team_common.GroupSummary): its members get the folder access the group has. */
export interface Group {
  group_id: string;
  group_name: string;
  members: Set<string>;
}

export interface FileRec {
  id: string;
  /** path relative to the shared folder root, display case, no leading slash ("Stems/kick.wav") */
  rel: string;
  size: number;
  rev: string;
  server_modified: number;
  content_hash: string;
  modified_by?: string;
}

export interface SharedFolder {
  shared_folder_id: string;
  folder_id: string;
  name: string;
  owner: string;
  acl_update_policy: 'owner' | 'editors';
  members: Map<string, Member>;
  invitees: Map<string, Invitee>;
  /** group_id -> the access the group has on this folder */
  groups: Map<string, { access_type: AccessLevel; time_invited: number }>;
  files: Map<string, FileRec>;
  subfolderIds: Map<string, string>;
  unshared: boolean;
  created: number;
}

export type JobKind = 'remove_member' | 'relinquish' | 'unshare';
export interface Job {
  id: string;
  kind: JobKind;
  /** polls that still answer in_progress */
  pendingPolls: number;
  result: Tagged;
}

export type MemberSelector = { '.tag': 'dropbox_id'; dropbox_id: string } | { '.tag': 'email'; email: string };

const READ_ONLY: AccessLevel[] = ['viewer', 'viewer_no_comment', 'traverse', 'no_access'];

export class DropboxState {
  accounts = new Map<string, Account>();
  folders = new Map<string, SharedFolder>();
  groups = new Map<string, Group>();
  teams = new Map<string, Team>();
  jobs = new Map<string, Job>();
  /** remaining entries of first list_folder pages, by page id */
  listPages = new Map<string, Entry[]>();
  seq = 0;
  private folderNum = 0;
  private idNum = 0;
  /** how many polls of an async job answer in_progress before the final status */
  jobPendingPolls = 1;
  /** when > 0, tree changes are logged but not announced (seeding) */
  private quiet = 0;

  constructor(
    public now: () => number,
    private onTreeChanged: (accountIds: string[]) => void,
  ) {}

  // ---------- identities ----------

  addAccount(spec: {
    email: string;
    display_name?: string;
    given_name?: string;
    surname?: string;
    account_id?: string;
    uid?: number;
    linked?: boolean;
    email_verified?: boolean;
    plan?: Plan;
    quota_bytes?: number;
    auto_accept?: boolean;
  }): Account {
    const existing = this.findAccount(spec.email);
    if (existing) return existing;
    const display = spec.display_name ?? spec.email.split('@')[0];
    const [given, ...rest] = display.split(' ');
    const acc: Account = {
      account_id: spec.account_id ?? accountIdFor(spec.email),
      uid: spec.uid ?? uidFor(spec.email),
      email: spec.email,
      display_name: display,
      given_name: spec.given_name ?? given,
      surname: spec.surname ?? rest.join(' '),
      linked: spec.linked ?? false,
      email_verified: spec.email_verified ?? true,
      plan: spec.plan ?? 'plus',
      quota_bytes: spec.quota_bytes,
      auto_accept: spec.auto_accept ?? false,
      items: new Map(),
      mounts: new Map(),
      log: [],
      cursorEpoch: 1,
      home_namespace_id: String((spec.uid ?? uidFor(spec.email)) * 10 + 1),
      root_namespace_id: String((spec.uid ?? uidFor(spec.email)) * 10 + 1),
      home_path: '',
    };
    if (acc.account_id.length !== 40) throw new Error(`account_id must be 40 characters: ${acc.account_id}`);
    this.accounts.set(acc.account_id, acc);
    return acc;
  }

  /** by account_id, email (case-insensitive) or uid */
  findAccount(ref: string | number | undefined): Account | undefined {
    if (ref === undefined || ref === null) return undefined;
    const s = String(ref);
    const direct = this.accounts.get(s);
    if (direct) return direct;
    const l = s.toLowerCase();
    for (const a of this.accounts.values()) if (a.email.toLowerCase() === l || String(a.uid) === s) return a;
    return undefined;
  }

  requireAccount(ref: string | number | undefined): Account {
    const a = this.findAccount(ref);
    if (!a) throw new RouteError(tagChain('no_account'), `No account ${String(ref)}`);
    return a;
  }

  // ---------- teams (team spaces) and paired accounts ----------

  createTeam(name: string, teamId?: string): Team {
    for (const t of this.teams.values()) if (t.name.toLowerCase() === name.toLowerCase()) return t;
    const team_id = teamId ?? 'dbtid:' + hexDigest('team' + name).slice(0, 38);
    const team: Team = { team_id, name, root_namespace_id: String(7_000_000_000 + this.teams.size * 13 + 7), items: new Map() };
    this.teams.set(team_id, team);
    return team;
  }

  teamOf(acc: Account): Team | undefined {
    return acc.team_id ? this.teams.get(acc.team_id) : undefined;
  }

  /** The account joins a team with a team space: its root namespace becomes the team's, and its home folder is
   *  "/<display name>" in the team space. Whatever it had moves under that folder. */
  joinTeam(acc: Account, team: Team) {
    if (acc.team_id === team.team_id) return;
    if (acc.items.size || acc.mounts.size) throw new Error(`${acc.email}: join the team before anything is in the account`);
    acc.team_id = team.team_id;
    acc.team_member_id = 'dbmid:' + hexDigest('member' + acc.account_id).slice(0, 32);
    acc.root_namespace_id = team.root_namespace_id;
    acc.home_path = '/' + acc.display_name.replace(/\//g, '-');
    acc.items.set(lower(acc.home_path), { tag: 'folder', id: this.newId(), path_display: acc.home_path });
  }

  /** A folder (or file, with size) in the team space, outside every member's folder (a team folder). */
  addTeamItem(team: Team, path: string, size?: number) {
    const display = normalizeDisplayPath(path);
    const parts = display.split('/').filter(Boolean);
    for (let i = 1; i < parts.length; i++) {
      const p = '/' + parts.slice(0, i).join('/');
      if (!team.items.has(lower(p))) team.items.set(lower(p), { tag: 'folder', id: this.newId(), path_display: p });
    }
    team.items.set(
      lower(display),
      size === undefined
        ? { tag: 'folder', id: this.newId(), path_display: display }
        : {
            tag: 'file',
            id: this.newId(),
            path_display: display,
            size,
            rev: this.newRev(),
            server_modified: this.now(),
            content_hash: hexDigest('team' + display + size),
          },
    );
  }

  pair(a: Account, b: Account) {
    a.paired_with = b.account_id;
    b.paired_with = a.account_id;
  }

  /** A path as an API call without Dropbox-API-Path-Root means it (relative to the home folder) → where it is stored. */
  homeToStored(acc: Account, path: string): string {
    return acc.home_path + normalizeDisplayPath(path);
  }

  newId(): string {
    this.idNum++;
    return 'id:' + hexDigest('id' + this.idNum).slice(0, 22);
  }

  private newRev(): string {
    this.idNum++;
    return hexDigest('rev' + this.idNum).slice(0, 9) + '0' + String(this.idNum).padStart(8, '0');
  }

  newJobId(): string {
    return 'dbjid:' + randomToken(58);
  }

  // ---------- tree: snapshot + lookups ----------

  static readOnly(level: AccessLevel): boolean {
    return READ_ONLY.includes(level);
  }

  /** Explicit (or inherited) membership first, else the best access a group of theirs has. */
  accessOf(folder: SharedFolder, accountId: string): AccessLevel | undefined {
    return folder.members.get(accountId)?.access_type ?? this.groupAccess(folder, accountId)?.access_type;
  }

  /** The group through which this account has access to the folder (the most permissive one), if any. */
  groupAccess(folder: SharedFolder, accountId: string): { group: Group; access_type: AccessLevel } | undefined {
    let best: { group: Group; access_type: AccessLevel } | undefined;
    for (const [gid, g] of folder.groups) {
      const group = this.groups.get(gid);
      if (!group?.members.has(accountId)) continue;
      if (!best || ACCESS_LEVELS.indexOf(g.access_type) < ACCESS_LEVELS.indexOf(best.access_type)) best = { group, access_type: g.access_type };
    }
    return best;
  }

  /** A member of the folder: explicitly, by inheritance, or through a group. */
  hasAccess(folder: SharedFolder, accountId: string): boolean {
    return folder.members.has(accountId) || this.groupAccess(folder, accountId) !== undefined;
  }

  /** The pending invitation of this account (tied to its account id, or sent to its e-mail). */
  inviteeOf(folder: SharedFolder, acc: Account): Invitee | undefined {
    const byEmail = folder.invitees.get(acc.email.toLowerCase());
    if (byEmail) return byEmail;
    for (const i of folder.invitees.values()) if (i.account_id === acc.account_id) return i;
    return undefined;
  }

  private mountEntry(acc: Account, folder: SharedFolder, mountPath: string): Entry {
    const ro = DropboxState.readOnly(this.accessOf(folder, acc.account_id) ?? 'viewer');
    return {
      '.tag': 'folder',
      name: baseName(mountPath),
      path_lower: lower(mountPath),
      path_display: mountPath,
      id: folder.folder_id,
      shared_folder_id: folder.shared_folder_id,
      sharing_info: { read_only: ro, shared_folder_id: folder.shared_folder_id, traverse_only: false, no_access: false },
    };
  }

  private subEntries(acc: Account, folder: SharedFolder, mountPath: string): Entry[] {
    const ro = DropboxState.readOnly(this.accessOf(folder, acc.account_id) ?? 'viewer');
    const out: Entry[] = [];
    const subfolders = new Map<string, string>();
    for (const f of folder.files.values()) {
      const parts = f.rel.split('/');
      for (let i = 1; i < parts.length; i++) {
        const relDir = parts.slice(0, i).join('/');
        if (!subfolders.has(lower(relDir))) subfolders.set(lower(relDir), relDir);
      }
    }
    for (const [relLower, relDir] of subfolders) {
      let id = folder.subfolderIds.get(relLower);
      if (!id) {
        id = this.newId();
        folder.subfolderIds.set(relLower, id);
      }
      const p = mountPath + '/' + relDir;
      out.push({
        '.tag': 'folder',
        name: baseName(relDir),
        path_lower: lower(p),
        path_display: p,
        parent_shared_folder_id: folder.shared_folder_id,
        id,
        sharing_info: { read_only: ro, parent_shared_folder_id: folder.shared_folder_id, traverse_only: false, no_access: false },
      });
    }
    for (const f of folder.files.values()) out.push(this.fileEntry(acc, folder, f, mountPath));
    return out;
  }

  private fileEntry(acc: Account, folder: SharedFolder, f: FileRec, mountPath: string): Entry {
    const ro = DropboxState.readOnly(this.accessOf(folder, acc.account_id) ?? 'viewer');
    const p = mountPath + '/' + f.rel;
    const sharing_info: Record<string, unknown> = { read_only: ro, parent_shared_folder_id: folder.shared_folder_id };
    if (f.modified_by) sharing_info.modified_by = f.modified_by;
    return {
      '.tag': 'file',
      name: baseName(f.rel),
      path_lower: lower(p),
      path_display: p,
      parent_shared_folder_id: folder.shared_folder_id,
      id: f.id,
      client_modified: dbxTime(f.server_modified),
      server_modified: dbxTime(f.server_modified),
      rev: f.rev,
      size: f.size,
      sharing_info,
      is_downloadable: true,
      content_hash: f.content_hash,
    };
  }

  private privateEntry(it: PrivateItem): Entry {
    const e: Entry = {
      '.tag': it.tag,
      name: baseName(it.path_display),
      path_lower: lower(it.path_display),
      path_display: it.path_display,
      id: it.id,
    };
    if (it.tag === 'file') {
      Object.assign(e, {
        client_modified: dbxTime(it.server_modified ?? 0),
        server_modified: dbxTime(it.server_modified ?? 0),
        rev: it.rev,
        size: it.size ?? 0,
        is_downloadable: true,
        content_hash: it.content_hash,
      });
    }
    return e;
  }

  /** Everything in the account's tree (private items, mounted shared folders and their contents), sorted by path. */
  snapshot(acc: Account): Entry[] {
    const out: Entry[] = [];
    for (const it of acc.items.values()) out.push(this.privateEntry(it));
    for (const it of this.teamOf(acc)?.items.values() ?? []) out.push(this.privateEntry(it));
    for (const [sfid, mountPath] of acc.mounts) {
      const folder = this.folders.get(sfid);
      if (!folder) continue;
      out.push(this.mountEntry(acc, folder, mountPath), ...this.subEntries(acc, folder, mountPath));
    }
    out.sort((a, b) => (a.path_lower < b.path_lower ? -1 : a.path_lower > b.path_lower ? 1 : 0));
    return out;
  }

  /** The entry at a path (display or lower), `id:…`, or `ns:<shared_folder_id>[/rest]`, or undefined. */
  lookup(acc: Account, pathOrId: string): Entry | undefined {
    if (pathOrId.startsWith('id:')) return this.snapshot(acc).find((e) => e.id === pathOrId);
    if (pathOrId.startsWith('ns:')) {
      const [ns, ...rest] = pathOrId.slice(3).split('/');
      const mount = acc.mounts.get(ns);
      if (mount === undefined) return undefined;
      return this.entryAt(acc, lower(mount + (rest.length ? '/' + rest.join('/') : '')));
    }
    return this.entryAt(acc, lower(pathOrId));
  }

  /** Direct lookup by path_lower without building the whole tree. */
  entryAt(acc: Account, pathLower: string): Entry | undefined {
    const it = acc.items.get(pathLower) ?? this.teamOf(acc)?.items.get(pathLower);
    if (it) return this.privateEntry(it);
    for (const [sfid, mountPath] of acc.mounts) {
      const ml = lower(mountPath);
      if (pathLower !== ml && !pathLower.startsWith(ml + '/')) continue;
      const folder = this.folders.get(sfid);
      if (!folder) return undefined;
      if (pathLower === ml) return this.mountEntry(acc, folder, mountPath);
      const rel = pathLower.slice(ml.length + 1);
      const f = folder.files.get(rel);
      if (f) return this.fileEntry(acc, folder, f, mountPath);
      return this.subEntries(acc, folder, mountPath).find((e) => e.path_lower === pathLower);
    }
    return undefined;
  }

  private pathTaken(acc: Account, pathLower: string): boolean {
    return this.entryAt(acc, pathLower) !== undefined;
  }

  /** "Name", "Name (1)", "Name (2)"… like Dropbox when a mount would collide */
  private freePath(acc: Account, desired: string): string {
    if (!this.pathTaken(acc, lower(desired))) return desired;
    for (let i = 1; ; i++) {
      const p = `${desired} (${i})`;
      if (!this.pathTaken(acc, lower(p))) return p;
    }
  }

  private ensureParents(acc: Account, path: string): Entry[] {
    const created: Entry[] = [];
    const parts = path.split('/').filter(Boolean);
    for (let i = 1; i < parts.length; i++) {
      const p = '/' + parts.slice(0, i).join('/');
      if (acc.items.has(lower(p))) continue;
      if (this.pathTaken(acc, lower(p))) continue; // inside a mount: nested shares are not modelled
      const it: PrivateItem = { tag: 'folder', id: this.newId(), path_display: p };
      acc.items.set(lower(p), it);
      created.push(this.privateEntry(it));
    }
    return created;
  }

  // ---------- change log + notifications ----------

  private record(acc: Account, entries: Entry[]) {
    if (!entries.length) return;
    for (const entry of entries) acc.log.push({ seq: ++this.seq, entry });
  }

  private announce(accountIds: string[]) {
    if (this.quiet > 0 || !accountIds.length) return;
    this.onTreeChanged([...new Set(accountIds)]);
  }

  /** Run fn with webhooks suppressed (seeding): changes are logged but not announced. */
  quietly<T>(fn: () => T): T {
    this.quiet++;
    try {
      return fn();
    } finally {
      this.quiet--;
    }
  }

  invalidateCursors(acc: Account) {
    acc.cursorEpoch++;
  }

  // ---------- primitive mutations (no permission checks) ----------

  createSharedFolder(
    owner: Account,
    name: string,
    ownerPath?: string,
    opts: { acl_update_policy?: 'owner' | 'editors'; shared_folder_id?: string } = {},
  ): SharedFolder {
    this.folderNum++;
    const folder: SharedFolder = {
      shared_folder_id: opts.shared_folder_id ?? String(84_528_192_000 + this.folderNum * 7 + (this.folderNum % 5)),
      folder_id: this.newId(),
      name,
      owner: owner.account_id,
      acl_update_policy: opts.acl_update_policy ?? 'owner',
      members: new Map([[owner.account_id, { access_type: 'owner', time_invited: this.now() }]]),
      invitees: new Map(),
      groups: new Map(),
      files: new Map(),
      subfolderIds: new Map(),
      unshared: false,
      created: this.now(),
    };
    this.folders.set(folder.shared_folder_id, folder);
    this.mount(owner, folder, ownerPath ?? '/' + name);
    return folder;
  }

  /** Mount a shared folder in an account's tree: logs the folder (with sharing_info) and its contents. */
  mount(acc: Account, folder: SharedFolder, desiredPath?: string): string {
    const existing = acc.mounts.get(folder.shared_folder_id);
    if (existing) return existing;
    // Desired paths are home-relative (as an API call without Dropbox-API-Path-Root names them).
    const want = this.homeToStored(acc, desiredPath ?? '/' + folder.name);
    this.refuseNesting(acc, want);
    const parents = this.ensureParents(acc, want);
    const path = this.freePath(acc, want);
    acc.mounts.set(folder.shared_folder_id, path);
    this.record(acc, [...parents, this.mountEntry(acc, folder, path), ...this.subEntries(acc, folder, path)]);
    this.announce([acc.account_id]);
    return path;
  }

  /** Dropbox does not allow a shared folder inside another shared folder. */
  /** `tag`: MountFolderError's inside_shared_folder when mounting; a move of the mount (files/move) answers RelocationError's. */
  private refuseNesting(
    acc: Account,
    path: string,
    except?: string,
    tag: 'inside_shared_folder' | 'cant_nest_shared_folder' = 'inside_shared_folder',
  ) {
    const l = lower(path);
    for (const [sfid, mp] of acc.mounts) {
      if (sfid === except) continue;
      if (l.startsWith(lower(mp) + '/')) throw RouteError.of(tag);
    }
  }

  /** Remove the mount from the account's tree: a `deleted` entry for the mount path (and a private copy if asked). */
  unmount(acc: Account, folder: SharedFolder, leaveACopy: boolean) {
    const path = acc.mounts.get(folder.shared_folder_id);
    if (path === undefined) return;
    const copySnapshot = leaveACopy ? this.subEntries(acc, folder, path) : [];
    acc.mounts.delete(folder.shared_folder_id);
    const entries: Entry[] = [{ '.tag': 'deleted', name: baseName(path), path_lower: lower(path), path_display: path }];
    if (leaveACopy) {
      const root: PrivateItem = { tag: 'folder', id: this.newId(), path_display: path };
      acc.items.set(lower(path), root);
      entries.push(this.privateEntry(root));
      for (const e of copySnapshot) {
        const it: PrivateItem =
          e['.tag'] === 'file'
            ? {
                tag: 'file',
                id: this.newId(),
                path_display: e.path_display,
                size: e.size as number,
                rev: this.newRev(),
                server_modified: this.now(),
                content_hash: e.content_hash as string,
              }
            : { tag: 'folder', id: this.newId(), path_display: e.path_display };
        acc.items.set(e.path_lower, it);
        entries.push(this.privateEntry(it));
      }
    }
    this.record(acc, entries);
    this.announce([acc.account_id]);
  }

  /** mountPath null: a member whose copy is not mounted (e.g. unmounted it). */
  addMember(folder: SharedFolder, acc: Account, level: AccessLevel, mountPath?: string | null) {
    const cur = folder.members.get(acc.account_id);
    if (cur) {
      if (cur.access_type !== level && cur.access_type !== 'owner') this.setAccess(folder, acc, level);
      return;
    }
    const inv = this.inviteeOf(folder, acc);
    if (inv) folder.invitees.delete(inv.email.toLowerCase());
    folder.members.set(acc.account_id, { access_type: level, time_invited: inv?.time_invited ?? this.now() });
    if (mountPath === null) return;
    try {
      this.mount(acc, folder, mountPath);
    } catch (e) {
      // Mounting would put a shared folder inside another: the member is added but left unmounted (the add itself
      // succeeds; AddFolderMemberError has no tag for this).
      if (!(e instanceof RouteError)) throw e;
    }
  }

  /** A pending invitation; tied to the account when the e-mail (or dropbox_id) belongs to one. */
  invite(folder: SharedFolder, email: string, level: AccessLevel, accountId?: string) {
    const acc = accountId ? this.accounts.get(accountId) : this.findAccount(email);
    folder.invitees.set(email.toLowerCase(), { email, access_type: level, time_invited: this.now(), ...(acc ? { account_id: acc.account_id } : {}) });
  }

  /** Ends the explicit membership; the mount stays if the person still has access through a group. */
  removeMember(folder: SharedFolder, acc: Account, leaveACopy: boolean) {
    folder.members.delete(acc.account_id);
    if (!this.groupAccess(folder, acc.account_id)) this.unmount(acc, folder, leaveACopy);
  }

  /**
   * sharing/mount_folder (or accepting the invitation in Dropbox's web UI): an invitee becomes a member and the
   * folder appears in their tree; a member whose copy is unmounted gets it back.
   */
  mountFolder(actor: Account, sharedFolderId: string): SharedFolder {
    const folder = this.folders.get(String(sharedFolderId));
    if (!folder || folder.unshared) throw RouteError.of('access_error', 'invalid_id');
    if (actor.mounts.has(folder.shared_folder_id)) throw RouteError.of('already_mounted');
    const inv = this.hasAccess(folder, actor.account_id) ? undefined : this.inviteeOf(folder, actor);
    if (!inv && !this.hasAccess(folder, actor.account_id)) throw RouteError.of('access_error', 'not_a_member');
    if (actor.quota_bytes !== undefined) {
      const needed = [...folder.files.values()].reduce((n, f) => n + f.size, 0);
      const left = Math.max(0, actor.quota_bytes - this.usedBytes(actor));
      if (needed > left) {
        throw new RouteError({
          '.tag': 'insufficient_quota',
          insufficient_quota: { space_needed: needed, space_shortage: needed - left, space_left: left },
        });
      }
    }
    if (inv) this.addMember(folder, actor, inv.access_type);
    else this.mount(actor, folder);
    return folder;
  }

  /** Bytes in the account's tree: its own files and every mounted shared folder (like Dropbox's quota). */
  usedBytes(acc: Account): number {
    let n = 0;
    for (const it of acc.items.values()) n += it.size ?? 0;
    for (const sfid of acc.mounts.keys()) for (const f of this.folders.get(sfid)?.files.values() ?? []) n += f.size;
    return n;
  }

  /** A group gets access to the folder; its members see the folder in their tree at once (team groups auto-mount). */
  addGroup(folder: SharedFolder, group: Group, level: AccessLevel) {
    folder.groups.set(group.group_id, { access_type: level, time_invited: this.now() });
    for (const id of group.members) {
      const acc = this.accounts.get(id);
      if (acc && id !== folder.owner && !acc.mounts.has(folder.shared_folder_id)) this.mount(acc, folder);
    }
  }

  createGroup(name: string, memberIds: string[], groupId?: string): Group {
    const g: Group = {
      group_id: groupId ?? 'g:' + hexDigest('group' + name + this.groups.size).slice(0, 32),
      group_name: name,
      members: new Set(memberIds),
    };
    this.groups.set(g.group_id, g);
    return g;
  }

  setAccess(folder: SharedFolder, acc: Account, level: AccessLevel) {
    const m = folder.members.get(acc.account_id);
    if (!m || m.access_type === level) return;
    const wasRo = DropboxState.readOnly(m.access_type);
    m.access_type = level;
    const path = acc.mounts.get(folder.shared_folder_id);
    if (path !== undefined && wasRo !== DropboxState.readOnly(level)) {
      // sharing_info.read_only changed for everything in the member's copy of the folder
      this.record(acc, [this.mountEntry(acc, folder, path), ...this.subEntries(acc, folder, path)]);
      this.announce([acc.account_id]);
    }
  }

  /** Owner unshares: members lose the mount; the owner keeps a plain (unshared) folder at the same path. */
  unshare(folder: SharedFolder, leaveACopy: boolean) {
    const owner = this.accounts.get(folder.owner)!;
    for (const id of [...folder.members.keys()]) {
      if (id === folder.owner) continue;
      const acc = this.accounts.get(id);
      folder.members.delete(id);
      if (acc) this.unmount(acc, folder, leaveACopy);
    }
    folder.groups.clear();
    for (const acc of this.accounts.values()) {
      if (acc.account_id !== folder.owner && acc.mounts.has(folder.shared_folder_id)) this.unmount(acc, folder, leaveACopy);
    }
    folder.invitees.clear();
    const path = owner.mounts.get(folder.shared_folder_id);
    if (path !== undefined) {
      const contents = this.subEntries(owner, folder, path);
      owner.mounts.delete(folder.shared_folder_id);
      const root: PrivateItem = { tag: 'folder', id: folder.folder_id, path_display: path };
      owner.items.set(lower(path), root);
      const entries: Entry[] = [this.privateEntry(root)];
      for (const e of contents) {
        const it: PrivateItem =
          e['.tag'] === 'file'
            ? {
                tag: 'file',
                id: e.id as string,
                path_display: e.path_display,
                size: e.size as number,
                rev: e.rev as string,
                server_modified: this.now(),
                content_hash: e.content_hash as string,
              }
            : { tag: 'folder', id: e.id as string, path_display: e.path_display };
        owner.items.set(e.path_lower, it);
        entries.push(this.privateEntry(it));
      }
      // The owner's folder loses its sharing_info: logged (seen on the owner's next continue) but, like other
      // membership changes, not announced to the owner.
      this.record(owner, entries);
    }
    folder.members.clear();
    folder.unshared = true;
  }

  /** Add or replace a file in a shared folder: a `file` entry for every account that has the folder mounted. */
  upload(folder: SharedFolder, relPath: string, size: number, by?: Account): FileRec {
    const rel = relPath.replace(/^\/+/, '');
    const existing = folder.files.get(lower(rel));
    const mountedBefore = [...this.accounts.values()].filter((a) => a.mounts.has(folder.shared_folder_id));
    const before = new Map(
      mountedBefore.map((a) => [a.account_id, new Set(this.subEntries(a, folder, a.mounts.get(folder.shared_folder_id)!).map((e) => e.path_lower))]),
    );
    const f: FileRec = {
      id: existing?.id ?? this.newId(),
      rel,
      size,
      rev: this.newRev(),
      server_modified: this.now(),
      content_hash: hexDigest('content' + rel + this.seq + size),
      modified_by: by?.account_id,
    };
    folder.files.set(lower(rel), f);
    for (const acc of mountedBefore) {
      const mountPath = acc.mounts.get(folder.shared_folder_id)!;
      const had = before.get(acc.account_id)!;
      const newFolders = this.subEntries(acc, folder, mountPath).filter((e) => e['.tag'] === 'folder' && !had.has(e.path_lower));
      this.record(acc, [...newFolders, this.fileEntry(acc, folder, f, mountPath)]);
    }
    this.announce(mountedBefore.map((a) => a.account_id));
    return f;
  }

  /** A file written into the account's own (unshared) space: only that account's tree changes. */
  uploadPrivate(acc: Account, path: string, size: number): Entry {
    const display = normalizeDisplayPath(path);
    const parents = this.ensureParents(acc, display);
    const existing = acc.items.get(lower(display));
    const it: PrivateItem = {
      tag: 'file',
      id: existing?.id ?? this.newId(),
      path_display: display,
      size,
      rev: this.newRev(),
      server_modified: this.now(),
      content_hash: hexDigest('content' + display + this.seq + size),
    };
    acc.items.set(lower(display), it);
    const entry = this.privateEntry(it);
    this.record(acc, [...parents, entry]);
    this.announce([acc.account_id]);
    return entry;
  }

  /** Write a file at an absolute path of the account's tree: inside a mounted shared folder (everyone with it
   *  mounted sees it) or in the account's own space. Read-only members get path/no_write_permission. */
  writeFile(acc: Account, path: string, size: number): Entry {
    const display = normalizeDisplayPath(path);
    const l = lower(display);
    for (const [sfid, mountPath] of acc.mounts) {
      const ml = lower(mountPath);
      if (l === ml)
        throw new RouteError({ '.tag': 'path', path: { reason: { '.tag': 'conflict', conflict: { '.tag': 'folder' } }, upload_session_id: '' } });
      if (!l.startsWith(ml + '/')) continue;
      const folder = this.folders.get(sfid)!;
      if (DropboxState.readOnly(this.accessOf(folder, acc.account_id) ?? 'viewer')) {
        throw new RouteError({ '.tag': 'path', path: { reason: { '.tag': 'no_write_permission' }, upload_session_id: '' } });
      }
      const f = this.upload(folder, display.slice(mountPath.length + 1), size, acc);
      return this.fileEntry(acc, folder, f, mountPath);
    }
    const existing = acc.items.get(l);
    if (existing && existing.tag === 'folder')
      throw new RouteError({ '.tag': 'path', path: { reason: { '.tag': 'conflict', conflict: { '.tag': 'folder' } }, upload_session_id: '' } });
    return this.uploadPrivate(acc, display, size);
  }

  /** A user renames/moves their own mount of a shared folder (affects only that user). */
  renameMount(acc: Account, folder: SharedFolder, newPath: string): string {
    const old = acc.mounts.get(folder.shared_folder_id);
    if (old === undefined) throw new RouteError(tagChain('access_error', 'unmounted'));
    const want = this.homeToStored(acc, newPath);
    if (lower(want) === lower(old)) {
      acc.mounts.set(folder.shared_folder_id, want);
      this.record(acc, [this.mountEntry(acc, folder, want)]);
      this.announce([acc.account_id]);
      return want;
    }
    this.refuseNesting(acc, want, folder.shared_folder_id, 'cant_nest_shared_folder');
    acc.mounts.delete(folder.shared_folder_id);
    const parents = this.ensureParents(acc, want);
    const path = this.freePath(acc, want);
    acc.mounts.set(folder.shared_folder_id, path);
    this.record(acc, [
      { '.tag': 'deleted', name: baseName(old), path_lower: lower(old), path_display: old },
      ...parents,
      this.mountEntry(acc, folder, path),
      ...this.subEntries(acc, folder, path),
    ]);
    this.announce([acc.account_id]);
    return path;
  }

  // ---------- sharing operations with Dropbox's permission checks (used by routes and by control "act") ----------

  /** SharedFolderAccessError checks; throws the bare tag (callers wrap it in access_error where the route does). */
  folderFor(actor: Account, sharedFolderId: string): SharedFolder {
    const folder = this.folders.get(String(sharedFolderId));
    if (!folder || folder.unshared) throw RouteError.of('invalid_id');
    if (!this.hasAccess(folder, actor.account_id)) throw RouteError.of('not_a_member');
    return folder;
  }

  canManageMembers(folder: SharedFolder, actor: Account): boolean {
    const lvl = this.accessOf(folder, actor.account_id);
    return lvl === 'owner' || (lvl === 'editor' && folder.acl_update_policy === 'editors');
  }

  resolveSelector(sel: MemberSelector): { account?: Account; email?: string; invalidId?: boolean } {
    if (sel['.tag'] === 'dropbox_id') {
      const a = this.accounts.get(sel.dropbox_id);
      return a ? { account: a } : { invalidId: true };
    }
    const a = this.findAccount(sel.email);
    return a ? { account: a, email: sel.email } : { email: sel.email };
  }

  /** sharing/remove_folder_member: validates synchronously, applies, returns the async job id. */
  removeFolderMember(actor: Account, sharedFolderId: string, sel: MemberSelector, leaveACopy: boolean, failWith?: Tagged): string {
    const folder = wrapAccess(() => this.folderFor(actor, sharedFolderId));
    if (!this.canManageMembers(folder, actor)) throw RouteError.of('no_permission');
    const target = this.resolveSelector(sel);
    if (target.invalidId) throw RouteError.of('member_error', 'invalid_dropbox_id');
    const isMember = target.account && folder.members.has(target.account.account_id);
    const invitee = target.account ? this.inviteeOf(folder, target.account) : folder.invitees.get((target.email ?? '').toLowerCase());
    const viaGroup = target.account ? this.groupAccess(folder, target.account.account_id) : undefined;
    if (!isMember && viaGroup && !invitee) throw RouteError.of('group_access');
    if (!isMember && !invitee) throw RouteError.of('member_error', 'not_a_member');
    if (isMember && target.account!.account_id === folder.owner) throw RouteError.of('folder_owner');
    const m = isMember ? folder.members.get(target.account!.account_id)! : undefined;
    if (m?.inherited) {
      throw new RouteError({
        '.tag': 'member_error',
        member_error: { '.tag': 'no_explicit_access', no_explicit_access: { access_level: { '.tag': m.access_type } } },
      });
    }
    const job: Job = { id: this.newJobId(), kind: 'remove_member', pendingPolls: this.jobPendingPolls, result: { '.tag': 'complete' } };
    if (isMember && viaGroup) {
      // MemberAccessLevelResult: the member keeps another form of access.
      job.result = {
        '.tag': 'complete',
        access_level: { '.tag': viaGroup.access_type },
        warning: `${target.account!.display_name} still has access to this folder through the group "${viaGroup.group.group_name}".`,
      };
    }
    if (failWith) job.result = { '.tag': 'failed', failed: failWith };
    else if (isMember) this.removeMember(folder, target.account!, leaveACopy);
    else folder.invitees.delete(invitee!.email.toLowerCase());
    this.jobs.set(job.id, job);
    return job.id;
  }

  /** sharing/relinquish_folder_membership. Returns null when done synchronously, else a job id. */
  relinquish(actor: Account, sharedFolderId: string, leaveACopy: boolean, failWith?: Tagged): string | null {
    const folder = wrapAccess(() => this.folderFor(actor, sharedFolderId));
    if (folder.owner === actor.account_id) throw RouteError.of('folder_owner');
    const own = folder.members.get(actor.account_id);
    if (!own) throw RouteError.of('group_access');
    if (own.inherited) throw RouteError.of('no_explicit_access');
    if (failWith) {
      if (!leaveACopy) throw new RouteError(failWith);
      const job: Job = {
        id: this.newJobId(),
        kind: 'relinquish',
        pendingPolls: this.jobPendingPolls,
        result: { '.tag': 'failed', failed: { '.tag': 'relinquish_folder_membership_error', relinquish_folder_membership_error: failWith } },
      };
      this.jobs.set(job.id, job);
      return job.id;
    }
    this.removeMember(folder, actor, leaveACopy);
    if (!leaveACopy) return null;
    const job: Job = { id: this.newJobId(), kind: 'relinquish', pendingPolls: this.jobPendingPolls, result: { '.tag': 'complete' } };
    this.jobs.set(job.id, job);
    return job.id;
  }

  /** sharing/unshare_folder: owner only; returns a job id for check_job_status. */
  unshareFolder(actor: Account, sharedFolderId: string, leaveACopy: boolean, failWith?: Tagged): string {
    const folder = wrapAccess(() => this.folderFor(actor, sharedFolderId));
    if (folder.owner !== actor.account_id) throw RouteError.of('no_permission');
    const job: Job = { id: this.newJobId(), kind: 'unshare', pendingPolls: this.jobPendingPolls, result: { '.tag': 'complete' } };
    if (failWith) job.result = { '.tag': 'failed', failed: { '.tag': 'unshare_folder_error', unshare_folder_error: failWith } };
    else this.unshare(folder, leaveACopy);
    this.jobs.set(job.id, job);
    return job.id;
  }

  /** sharing/add_folder_member: existing accounts become members at once and get the folder mounted at their root. */
  addFolderMembers(actor: Account, sharedFolderId: string, members: { member: MemberSelector; access_level?: AccessLevel }[]) {
    const folder = wrapAccess(() => this.folderFor(actor, sharedFolderId));
    if (!this.canManageMembers(folder, actor)) throw RouteError.of('no_permission');
    const resolved = members.map((m) => {
      const r = this.resolveSelector(m.member);
      if (r.invalidId) throw new RouteError(tagChain('bad_member', 'invalid_dropbox_id'));
      if (r.email !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(r.email)) {
        throw new RouteError({ '.tag': 'bad_member', bad_member: { '.tag': 'invalid_email', invalid_email: r.email } });
      }
      return { ...r, level: m.access_level ?? 'viewer' };
    });
    // Basic accounts cannot add read-only members (AddFolderMemberError.insufficient_plan); nothing is added.
    if (actor.plan === 'basic' && resolved.some((r) => DropboxState.readOnly(r.level))) throw RouteError.of('insufficient_plan');
    for (const r of resolved) {
      if (r.account) {
        if (r.account.account_id === folder.owner) continue;
        if (folder.members.has(r.account.account_id)) this.addMember(folder, r.account, r.level);
        // Dropbox sends an invitation: nothing is in their Dropbox until they accept (or an app calls mount_folder
        // with their token). auto_accept models someone who accepts at once.
        else if (r.account.auto_accept) this.addMember(folder, r.account, r.level);
        else this.invite(folder, r.account.email, r.level, r.account.account_id);
      } else if (r.email) this.invite(folder, r.email, r.level);
    }
  }

  /** sharing/update_folder_member */
  updateFolderMember(actor: Account, sharedFolderId: string, sel: MemberSelector, level: AccessLevel) {
    const folder = wrapAccess(() => this.folderFor(actor, sharedFolderId));
    if (sel['.tag'] !== 'dropbox_id') throw RouteError.of('member_error', 'invalid_dropbox_id');
    if (!this.canManageMembers(folder, actor)) throw RouteError.of('no_permission');
    const target = this.accounts.get(sel.dropbox_id);
    if (!target) throw RouteError.of('member_error', 'invalid_dropbox_id');
    if (target.account_id === folder.owner) throw RouteError.of('no_permission');
    const downgrade = (from: AccessLevel | undefined) =>
      actor.plan === 'basic' && DropboxState.readOnly(level) && !!from && !DropboxState.readOnly(from);
    const invitee = folder.members.has(target.account_id) ? undefined : this.inviteeOf(folder, target);
    if (invitee) {
      if (actor.plan === 'basic' && DropboxState.readOnly(level)) throw RouteError.of('insufficient_plan');
      invitee.access_type = level;
      return;
    }
    const m = folder.members.get(target.account_id);
    if (!m || m.inherited) {
      const via = this.groupAccess(folder, target.account_id);
      if (!m && !via) throw RouteError.of('member_error', 'not_a_member');
      // Only inherited/group access: Dropbox adds them explicitly, and that add can fail like add_folder_member.
      if (actor.plan === 'basic' && DropboxState.readOnly(level))
        throw new RouteError({ '.tag': 'no_explicit_access', no_explicit_access: { '.tag': 'insufficient_plan' } });
      folder.members.set(target.account_id, { access_type: level, time_invited: this.now() });
      return;
    }
    if (downgrade(m.access_type)) throw RouteError.of('insufficient_plan');
    this.setAccess(folder, target, level);
  }

  /** check_remove_member_job_status takes only remove jobs; check_job_status only the others (gotcha 9). */
  pollJob(jobId: string, expect: 'remove_member' | 'other'): Tagged {
    const job = this.jobs.get(jobId);
    if (!job || (expect === 'remove_member') !== (job.kind === 'remove_member')) throw RouteError.of('invalid_async_job_id');
    if (job.pendingPolls > 0) {
      job.pendingPolls--;
      return { '.tag': 'in_progress' };
    }
    return job.result;
  }

  // ---------- views for sharing routes ----------

  sharedFolderMetadata(folder: SharedFolder, viewer: Account): Record<string, unknown> {
    const owner = this.accounts.get(folder.owner);
    const level = this.accessOf(folder, viewer.account_id) ?? this.inviteeOf(folder, viewer)?.access_type ?? 'viewer';
    const m: Record<string, unknown> = {
      access_type: { '.tag': level },
      is_inside_team_folder: false,
      is_team_folder: false,
      owner_display_names: owner ? [owner.display_name] : [],
      name: folder.name,
      policy: {
        acl_update_policy: { '.tag': folder.acl_update_policy },
        shared_link_policy: { '.tag': 'anyone' },
        member_policy: { '.tag': 'anyone' },
        resolved_member_policy: { '.tag': 'anyone' },
        viewer_info_policy: { '.tag': 'enabled' },
      },
      preview_url: `https://www.dropbox.com/scl/fo/${hexDigest('pv' + folder.shared_folder_id).slice(0, 21)}/${hexDigest('h' + folder.shared_folder_id).slice(0, 21)}?dl=0`,
      shared_folder_id: folder.shared_folder_id,
      time_invited: dbxTime(folder.members.get(viewer.account_id)?.time_invited ?? folder.created),
      access_inheritance: { '.tag': 'inherit' },
      folder_id: folder.folder_id,
    };
    const mount = viewer.mounts.get(folder.shared_folder_id);
    if (mount !== undefined) {
      m.path_lower = lower(mount);
      m.path_display = mount;
    }
    return m;
  }

  /** Members for list_folder_members: owner first, then by time added. */
  memberList(folder: SharedFolder): { users: Record<string, unknown>[]; groups: Record<string, unknown>[]; invitees: Record<string, unknown>[] } {
    const users = [...folder.members.entries()]
      .sort((a, b) => (a[1].access_type === 'owner' ? -1 : b[1].access_type === 'owner' ? 1 : a[1].time_invited - b[1].time_invited))
      .map(([id, m]) => {
        const a = this.accounts.get(id)!;
        return {
          access_type: { '.tag': m.access_type },
          is_inherited: !!m.inherited,
          user: { account_id: a.account_id, email: a.email, display_name: a.display_name, same_team: false },
          permissions: [],
        };
      });
    // Group members are not in `users`: only the group is listed (GroupMembershipInfo).
    const groups = [...folder.groups.entries()].flatMap(([gid, g]) => {
      const group = this.groups.get(gid);
      if (!group) return [];
      return [
        {
          access_type: { '.tag': g.access_type },
          is_inherited: false,
          permissions: [],
          group: {
            group_name: group.group_name,
            group_id: group.group_id,
            group_management_type: { '.tag': 'user_managed' },
            group_type: { '.tag': 'user_managed' },
            member_count: group.members.size,
            is_member: false,
            is_owner: false,
            same_team: false,
          },
        },
      ];
    });
    const invitees = [...folder.invitees.values()].map((i) => {
      const a = i.account_id ? this.accounts.get(i.account_id) : undefined;
      return {
        access_type: { '.tag': i.access_type },
        is_inherited: false,
        invitee: { '.tag': 'email', email: i.email },
        ...(a ? { user: { account_id: a.account_id, email: a.email, display_name: a.display_name, same_team: false } } : {}),
        permissions: [],
      };
    });
    return { users, groups, invitees };
  }
}

/** Routes whose error union wraps SharedFolderAccessError as `access_error`. */
export function wrapAccess<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof RouteError && (e.error['.tag'] === 'invalid_id' || e.error['.tag'] === 'not_a_member')) {
      throw new RouteError({ '.tag': 'access_error', access_error: e.error });
    }
    throw e;
  }
}

export function normalizeDisplayPath(p: string): string {
  const parts = p.split('/').filter(Boolean);
  return '/' + parts.join('/');
}
