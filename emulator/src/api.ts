/** The Dropbox API v2 routes the project uses: users, files (listing + cursors), sharing (members, async jobs). */
import type { Hono } from 'hono';
import { accessLevel, memberSelector, optBool, optInt, optString, reqBool, reqString, SHARED_FOLDER_ID } from './args.ts';
import type { EmulatorContext } from './context.ts';
import { BadRequest, RouteError } from './errors.ts';
import { rpc } from './rpc.ts';
import { accountTypeOf, wrapAccess, type Account, type Entry } from './state.ts';
import { decodeCursor, encodeCursor, lower, parentOf, randomToken } from './util.ts';
import { rootInfo, viewOf, type PathView } from './path-root.ts';

interface ListCursor {
  k: 'lf';
  a: string;
  p: string;
  r: boolean;
  s: number;
  e: number;
  l: number;
  m: boolean;
  pg?: string;
  /** the Dropbox-API-Path-Root view the cursor was taken under (stored path of its namespace) */
  v?: string;
}
interface PageCursor {
  k: 'sf' | 'fm';
  a: string;
  o: number;
  l: number;
  f?: string;
}

const LIST_PATH = /^(\/(.|[\r\n])*)?$|^id:.*$|^(ns:[0-9]+(\/.*)?)$/;
const META_PATH = /^(\/(.|[\r\n])*|id:.*)$|^(rev:[0-9a-f]{9,})$|^(ns:[0-9]+(\/.*)?)$/;

function inScope(pathLower: string, scope: string, recursive: boolean): boolean {
  if (recursive) return scope === '' || pathLower === scope || pathLower.startsWith(scope + '/');
  return parentOf(pathLower) === scope;
}

export function registerApi(app: Hono, ctx: EmulatorContext) {
  const st = () => ctx.state;

  // ---------- users ----------
  rpc(
    app,
    ctx,
    'users/get_current_account',
    ({ acc }) => ({
      ...teamFields(acc),
      account_id: acc.account_id,
      name: {
        given_name: acc.given_name,
        surname: acc.surname,
        familiar_name: acc.given_name,
        display_name: acc.display_name,
        abbreviated_name: initials(acc),
      },
      email: acc.email,
      email_verified: acc.email_verified,
      disabled: false,
      country: 'US',
      locale: 'en',
      referral_link: `https://www.dropbox.com/referrals/${acc.account_id.slice(5, 20)}`,
      is_paired: !!acc.paired_with,
      account_type: { '.tag': st().teamOf(acc) ? 'business' : accountTypeOf(acc.plan) },
      root_info: rootInfo(st(), acc),
    }),
    { noArgs: true },
  );

  /** FullAccount.team / team_member_id for a team member (users.stone FullTeam). */
  function teamFields(acc: Account): Record<string, unknown> {
    const team = st().teamOf(acc);
    if (!team) return {};
    return {
      team: {
        id: team.team_id,
        name: team.name,
        sharing_policies: {
          shared_folder_member_policy: { '.tag': 'anyone' },
          shared_folder_join_policy: { '.tag': 'from_anyone' },
          shared_link_create_policy: { '.tag': 'default_public' },
          group_creation_policy: { '.tag': 'admins_only' },
          shared_folder_link_restriction_policy: { '.tag': 'anyone' },
          enforce_link_password_policy: { '.tag': 'optional' },
          default_link_expiration_days_policy: { '.tag': 'none' },
          shared_link_default_permissions_policy: { '.tag': 'default' },
        },
        office_addin_policy: { '.tag': 'enabled' },
        top_level_content_policy: { '.tag': 'admin_only' },
      },
      team_member_id: acc.team_member_id,
    };
  }

  const basicAccount = (a: Account) => ({
    account_id: a.account_id,
    name: { given_name: a.given_name, surname: a.surname, familiar_name: a.given_name, display_name: a.display_name, abbreviated_name: initials(a) },
    email: a.email,
    email_verified: a.email_verified,
    disabled: false,
    is_teammate: false,
  });

  rpc(app, ctx, 'users/get_account', ({ args }) => {
    const id = reqString(args, 'account_id');
    if (id.length !== 40) throw new BadRequest(`request body: account_id: '${id}' must be at least 40 characters, got ${id.length}`);
    const a = st().accounts.get(id);
    if (!a) throw RouteError.of('no_account');
    return basicAccount(a);
  });

  rpc(app, ctx, 'users/get_account_batch', ({ args }) => {
    const ids = args.account_ids;
    if (!Array.isArray(ids)) throw new BadRequest(`request body: missing required field 'account_ids'`);
    return ids.map((id) => {
      const a = typeof id === 'string' ? st().accounts.get(id) : undefined;
      if (!a) throw new RouteError({ '.tag': 'no_account', no_account: String(id) });
      return basicAccount(a);
    });
  });

  rpc(
    app,
    ctx,
    'auth/token/revoke',
    ({ token }) => {
      token.revoked = true;
      if (token.refreshToken) {
        const r = ctx.refreshTokens.get(token.refreshToken);
        if (r) r.revoked = true;
      }
      return null;
    },
    { noArgs: true },
  );

  // ---------- files ----------
  /** The stored path_lower a listing covers ('' = the account's root). Paths are relative to the call's view. */
  function resolveScope(acc: Account, path: string, view: PathView): string {
    if (path === '/') throw new BadRequest(`request body: path: Specify the root folder as an empty string rather than as "/".`);
    if (path === '') return lower(view.prefix);
    const e = st().lookup(acc, view.toStored(path));
    if (!e || (view.prefix && view.path(e.path_display) === null)) throw RouteError.of('path', 'not_found');
    if (e['.tag'] !== 'folder') throw RouteError.of('path', 'not_folder');
    return e.path_lower;
  }

  function listArgs(acc: Account, args: Record<string, unknown>, view: PathView) {
    const path = reqString(args, 'path', LIST_PATH);
    const recursive = optBool(args, 'recursive', false);
    optBool(args, 'include_deleted', false);
    const mounted = optBool(args, 'include_mounted_folders', true);
    const limit = optInt(args, 'limit', 2000, 1, 2000);
    return { scope: resolveScope(acc, path, view), recursive, mounted, limit };
  }

  /** Entries as the view sees them (those outside its namespace are left out). */
  const seen = (view: PathView, entries: Entry[]): Entry[] => entries.flatMap((e) => view.entry(e) ?? []);

  function visible(acc: Account, e: Entry, mounted: boolean): boolean {
    if (mounted) return true;
    for (const mp of acc.mounts.values()) {
      const l = lower(mp);
      if (e.path_lower === l || e.path_lower.startsWith(l + '/')) return false;
    }
    return true;
  }

  rpc(app, ctx, 'files/list_folder', ({ acc, args, view }) => {
    const { scope, recursive, mounted, limit } = listArgs(acc, args, view);
    const all = seen(
      view,
      st()
        .snapshot(acc)
        .filter((e) => inScope(e.path_lower, scope, recursive) && visible(acc, e, mounted)),
    );
    const base: ListCursor = {
      k: 'lf',
      a: acc.account_id,
      p: scope,
      r: recursive,
      s: st().seq,
      e: acc.cursorEpoch,
      l: limit,
      m: mounted,
      ...(view.prefix ? { v: view.prefix } : {}),
    };
    const entries = all.slice(0, limit);
    const rest = all.slice(limit);
    if (rest.length) {
      const pg = randomToken(16);
      st().listPages.set(pg, rest);
      return { entries, cursor: encodeCursor({ ...base, pg }), has_more: true };
    }
    return { entries, cursor: encodeCursor(base), has_more: false };
  });

  rpc(app, ctx, 'files/list_folder/get_latest_cursor', ({ acc, args, view }) => {
    const { scope, recursive, mounted, limit } = listArgs(acc, args, view);
    const c: ListCursor = {
      k: 'lf',
      a: acc.account_id,
      p: scope,
      r: recursive,
      s: st().seq,
      e: acc.cursorEpoch,
      l: limit,
      m: mounted,
      ...(view.prefix ? { v: view.prefix } : {}),
    };
    return { cursor: encodeCursor(c) };
  });

  rpc(app, ctx, 'files/list_folder/continue', ({ acc, args }) => {
    const raw = reqString(args, 'cursor');
    const c = decodeCursor<ListCursor>(raw);
    if (!c || c.k !== 'lf' || c.a !== acc.account_id || c.e !== acc.cursorEpoch) throw RouteError.of('reset');
    if (c.pg) {
      const page = st().listPages.get(c.pg);
      if (!page) throw RouteError.of('reset');
      const entries = page.slice(0, c.l); // already as the cursor's view saw them
      const rest = page.slice(c.l);
      if (rest.length) {
        st().listPages.set(c.pg, rest);
        return { entries, cursor: encodeCursor(c), has_more: true };
      }
      st().listPages.delete(c.pg);
      const { pg: _drop, ...done } = c;
      void _drop;
      return { entries, cursor: encodeCursor(done), has_more: false };
    }
    // the log is ordered by seq: start after the cursor's position
    let lo = 0;
    let hi = acc.log.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (acc.log[mid].seq <= c.s) lo = mid + 1;
      else hi = mid;
    }
    const pending: typeof acc.log = [];
    for (let i = lo; i < acc.log.length && pending.length <= c.l; i++) {
      const x = acc.log[i];
      if (inScope(x.entry.path_lower, c.p, c.r) && visible(acc, x.entry, c.m)) pending.push(x);
    }
    const taken = pending.slice(0, c.l);
    const hasMore = pending.length > taken.length;
    const s = hasMore ? taken[taken.length - 1].seq : st().seq;
    // Entries as the view the cursor was taken under sees them (a cursor keeps its Path-Root).
    return {
      entries: seen(
        viewOf(c.v ?? ''),
        taken.map((x) => x.entry),
      ),
      cursor: encodeCursor({ ...c, s }),
      has_more: hasMore,
    };
  });

  rpc(app, ctx, 'files/get_metadata', ({ acc, args, view }) => {
    const path = reqString(args, 'path', META_PATH);
    if (path === '' || path === '/') throw new BadRequest('request body: path: The root folder is unsupported.');
    const includeDeleted = optBool(args, 'include_deleted', false);
    const stored = view.toStored(path);
    const e = st().lookup(acc, stored);
    const mine = e && view.entry(e);
    if (mine) return mine;
    if (includeDeleted && !path.startsWith('id:') && !path.startsWith('ns:')) {
      const l = lower(stored);
      const del = [...acc.log].reverse().find((x) => x.entry.path_lower === l && x.entry['.tag'] === 'deleted');
      const gone = del && view.entry(del.entry);
      if (gone) return gone;
    }
    throw RouteError.of('path', 'not_found');
  });

  rpc(
    app,
    ctx,
    'files/upload',
    ({ acc, args, body, view }) => {
      const path = reqString(args, 'path', /^\/(.|[\r\n])+$/);
      const written = view.entry(st().writeFile(acc, view.toStored(path), body?.byteLength ?? 0));
      if (!written) throw RouteError.of('path', 'malformed_path');
      const { '.tag': _tag, ...meta } = written;
      void _tag;
      return meta;
    },
    { upload: true },
  );

  // ---------- sharing ----------
  const sfid = (args: Record<string, unknown>) => reqString(args, 'shared_folder_id', SHARED_FOLDER_ID);

  rpc(app, ctx, 'sharing/list_folders', ({ acc, args, view }) => {
    const limit = optInt(args, 'limit', 1000, 1, 1000);
    return foldersPage(acc, 0, limit, view);
  });

  rpc(app, ctx, 'sharing/list_folders/continue', ({ acc, args, view }) => {
    const c = decodeCursor<PageCursor>(reqString(args, 'cursor'));
    if (!c || c.k !== 'sf' || c.a !== acc.account_id) throw RouteError.of('invalid_cursor');
    return foldersPage(acc, c.o, c.l, view);
  });

  /** SharedFolderMetadata with path_lower/path_display as the call's view names the mount (none outside it). */
  function folderMeta(folder: Parameters<ReturnType<typeof st>['sharedFolderMetadata']>[0], acc: Account, view: PathView) {
    const m = st().sharedFolderMetadata(folder, acc);
    if (typeof m.path_display === 'string' && view.prefix) {
      const p = view.path(m.path_display);
      if (p === null) {
        delete m.path_lower;
        delete m.path_display;
      } else {
        m.path_display = p;
        m.path_lower = lower(p);
      }
    }
    return m;
  }

  function foldersPage(acc: Account, offset: number, limit: number, view: PathView) {
    const all = [...st().folders.values()]
      .filter((f) => !f.unshared && st().hasAccess(f, acc.account_id))
      .sort((a, b) => a.created - b.created || (a.shared_folder_id < b.shared_folder_id ? -1 : 1));
    const entries = all.slice(offset, offset + limit).map((f) => folderMeta(f, acc, view));
    const out: Record<string, unknown> = { entries };
    if (offset + limit < all.length) out.cursor = encodeCursor({ k: 'sf', a: acc.account_id, o: offset + limit, l: limit } satisfies PageCursor);
    return out;
  }

  rpc(app, ctx, 'sharing/get_folder_metadata', ({ acc, args, view }) => {
    const id = sfid(args);
    const invited = st().folders.get(id);
    // Someone invited (not yet a member) can see the folder's metadata too: no path, since nothing is mounted.
    if (invited && !invited.unshared && !st().hasAccess(invited, acc.account_id) && st().inviteeOf(invited, acc))
      return folderMeta(invited, acc, view);
    const folder = st().folderFor(acc, id);
    return folderMeta(folder, acc, view);
  });

  function membersPage(acc: Account, folderId: string, offset: number, limit: number) {
    const folder = st().folderFor(acc, folderId);
    const { users, groups, invitees } = st().memberList(folder);
    const all = [...users.map((u) => ['u', u] as const), ...groups.map((g) => ['g', g] as const), ...invitees.map((i) => ['i', i] as const)];
    const page = all.slice(offset, offset + limit);
    const out: Record<string, unknown> = {
      users: page.filter((x) => x[0] === 'u').map((x) => x[1]),
      groups: page.filter((x) => x[0] === 'g').map((x) => x[1]),
      invitees: page.filter((x) => x[0] === 'i').map((x) => x[1]),
    };
    if (offset + limit < all.length)
      out.cursor = encodeCursor({ k: 'fm', a: acc.account_id, f: folder.shared_folder_id, o: offset + limit, l: limit } satisfies PageCursor);
    return out;
  }

  rpc(app, ctx, 'sharing/list_folder_members', ({ acc, args }) => {
    const id = sfid(args);
    const limit = optInt(args, 'limit', 1000, 1, 1000);
    return membersPage(acc, id, 0, limit);
  });

  rpc(app, ctx, 'sharing/list_folder_members/continue', ({ acc, args }) => {
    const c = decodeCursor<PageCursor>(reqString(args, 'cursor'));
    if (!c || c.k !== 'fm' || c.a !== acc.account_id || !c.f) throw RouteError.of('invalid_cursor');
    return wrapAccess(() => membersPage(acc, c.f!, c.o, c.l));
  });

  rpc(app, ctx, 'sharing/add_folder_member', ({ acc, args }) => {
    const id = sfid(args);
    const list = args.members;
    if (list === undefined) throw new BadRequest(`request body: missing required field 'members'`);
    if (!Array.isArray(list)) throw new BadRequest(`request body: members: expected list`);
    const members = list.map((m, i) => {
      if (!m || typeof m !== 'object') throw new BadRequest(`request body: members[${i}]: expected object`);
      const o = m as Record<string, unknown>;
      const member = memberSelector(o.member, `members[${i}].member`);
      const level = o.access_level === undefined ? 'viewer' : accessLevel(o.access_level, `members[${i}].access_level`);
      if (level === 'owner') throw new BadRequest(`request body: members[${i}].access_level: owner is not allowed`);
      return { member, access_level: level };
    });
    optBool(args, 'quiet', false);
    optString(args, 'custom_message');
    st().addFolderMembers(acc, id, members);
    return null;
  });

  // The member's own token: accepts the invitation (or re-mounts an unmounted copy); the folder appears in their tree.
  rpc(app, ctx, 'sharing/mount_folder', ({ acc, args, view }) => {
    const folder = st().mountFolder(acc, sfid(args));
    return folderMeta(folder, acc, view);
  });

  rpc(
    app,
    ctx,
    'sharing/remove_folder_member',
    ({ acc, args, jobFailure }) => {
      const id = sfid(args);
      const member = memberSelector(args.member ?? missing('member'), 'member');
      const leaveACopy = reqBool(args, 'leave_a_copy');
      const jobId = st().removeFolderMember(acc, id, member, leaveACopy, jobFailure);
      return { '.tag': 'async_job_id', async_job_id: jobId };
    },
    { jobs: true },
  );

  rpc(app, ctx, 'sharing/check_remove_member_job_status', ({ args }) => {
    return st().pollJob(reqString(args, 'async_job_id'), 'remove_member');
  });

  rpc(
    app,
    ctx,
    'sharing/relinquish_folder_membership',
    ({ acc, args, jobFailure }) => {
      const id = sfid(args);
      const leaveACopy = optBool(args, 'leave_a_copy', false);
      const jobId = st().relinquish(acc, id, leaveACopy, jobFailure);
      return jobId ? { '.tag': 'async_job_id', async_job_id: jobId } : { '.tag': 'complete' };
    },
    { jobs: true },
  );

  rpc(app, ctx, 'sharing/check_job_status', ({ args }) => {
    return st().pollJob(reqString(args, 'async_job_id'), 'other');
  });

  rpc(app, ctx, 'sharing/update_folder_member', ({ acc, args }) => {
    const id = sfid(args);
    const member = memberSelector(args.member ?? missing('member'), 'member');
    const level = accessLevel(args.access_level ?? missing('access_level'), 'access_level');
    if (level === 'owner') throw new BadRequest(`request body: access_level: owner is not allowed`);
    st().updateFolderMember(acc, id, member, level);
    return {};
  });

  // The member's own copy leaves their tree; they stay a member (relinquish_folder_membership ends that).
  rpc(app, ctx, 'sharing/unmount_folder', ({ acc, args }) => {
    const folder = wrapAccess(() => st().folderFor(acc, sfid(args)));
    if (folder.owner === acc.account_id) throw RouteError.of('no_permission');
    if (!acc.mounts.has(folder.shared_folder_id)) throw RouteError.of('access_error', 'unmounted');
    st().unmount(acc, folder, false);
    return null;
  });

  rpc(
    app,
    ctx,
    'sharing/unshare_folder',
    ({ acc, args, jobFailure }) => {
      const id = sfid(args);
      const leaveACopy = optBool(args, 'leave_a_copy', false);
      const jobId = st().unshareFolder(acc, id, leaveACopy, jobFailure);
      return { '.tag': 'async_job_id', async_job_id: jobId };
    },
    { jobs: true },
  );
}

function missing(field: string): never {
  throw new BadRequest(`request body: missing required field '${field}'`);
}

function initials(acc: Account): string {
  return (acc.given_name[0] ?? '') + (acc.surname[0] ?? '');
}
