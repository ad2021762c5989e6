// Reconciliation: what changed directly in Dropbox becomes the same PD state change the app would make
// (through the domain plans, with via 'dropbox', so no Dropbox change is queued back).
//
// Two entry points:
// - reconcileAccount (a webhook named this account): walk its list_folder cursor, one consumer at a time
//   (D1 lease), and turn what moved in its tree into candidates: a track folder's mount vanished, appeared,
//   changed read-only, files appeared. Membership candidates are confirmed with the OWNER's token
//   (sharing/list_folder_members, paginated) before anything changes in PD. The new cursor is saved in the same
//   D1 batch as the statements it caused.
// - checkTrackMembership (cron rotation): owners get no webhook when they change members in Dropbox, so the
//   owner's member list of each track is compared with PD on a schedule.
//
// Who ended it (documented in worker/DROPBOX.md and worker/API.md "Departures"): the Dropbox API does not say who
// removed a member, so PD does not guess "left" or "revoked": a member missing from the owner's list, a person
// whose OWN tree lost the track's mount (confirmed by that list), and everyone of an unshared folder are recorded
// as "access ended in Dropbox" with the evidence that showed it. PD's own revoke and their own Leave through PD
// are recorded by PD when they happen (and their Dropbox changes keep reconciliation away until settled).
import type { AccessLevel } from '@pd/shared';
import type { files } from 'dropbox';
import {
  planAccessEndedInDropbox,
  planInvitationDeclinedInDropbox,
  planMemberAddedInDropbox,
  planSetAccessLevel,
  type AsRead,
} from '../domain/sharing.ts';
import { newId, nowIso } from '../domain/db.ts';
import { historyTime, MAX_UPLOAD_GROUP, UPLOAD_GROUP_KIND, uploadLine } from '../domain/history.ts';
import { prepare, raw, sql } from '../domain/sql.ts';
import { NotLinkedError, clientForAccount, type DropboxClient } from '../dropbox/client.ts';
import { DropboxCallError, classifyDropboxError, tagPath } from '../dropbox/errors.ts';
import { levelOf, readFolderState } from '../dropbox/folder-state.ts';
import { acquireAccountLease, extendLease, fenceStatement, noteNotified, releaseAccountLease } from './lease.ts';
import { backoffSeconds } from './execute.ts';
import { sendJobs, type CheckTrackMembershipJob } from './messages.ts';
import { nextCheckStatement } from './sweep.ts';
import { OWN_ACCOUNT_OF_C } from './membership.ts';

/**
 * Margin between the clocks of the machine that received a webhook and the one that walked the account. A
 * notification is "covered" only if it arrived this much before the walk started; one arriving closer to the walk's
 * start costs one more (cheap) walk instead of risking a missed change.
 */
export const CLOCK_SKEW_MARGIN_MS = 100;

export type ReconcileEnv = Pick<Env, 'DB' | 'JOBS' | 'TOKEN_ENCRYPTION_KEY' | 'DROPBOX_APP_KEY' | 'DROPBOX_API_ORIGIN' | 'DROPBOX_WEB_ORIGIN'>;

export type ReconcileResult =
  /** `more`: stopped at this invocation's budget; a continuation message carries on. */
  | { result: 'done'; pages: number; calls: number; changes: number; more?: boolean }
  | { result: 'baselined'; calls: number; more?: boolean }
  | { result: 'covered' | 'unknown-account' | 'not-linked' | 'busy' | 'lease-lost' }
  | { result: 'retry'; delaySeconds: number; error: string };

// ---------------------------------------------------------------------------------------------------------------
// Reading list_folder pages

interface ListEntry {
  '.tag': 'file' | 'folder' | 'deleted';
  name: string;
  path_lower?: string;
  path_display?: string;
  id?: string;
  rev?: string;
  size?: number;
  server_modified?: string;
  sharing_info?: { read_only?: boolean; shared_folder_id?: string; parent_shared_folder_id?: string; modified_by?: string };
}

interface Upload {
  sharedFolderId: string;
  relPath: string;
  key: string;
  modifiedBy: string | null;
  size: number | null;
  rev: string | null;
  /** When Dropbox stored this revision (whole seconds), if known. */
  serverModified: string | null;
}

export interface PageAnalysis {
  /** Shared folders whose mount vanished from this tree (deleted, moved away, or turned into a plain folder). */
  lost: Set<string>;
  /** Shared folders newly mounted in this tree. */
  joined: Set<string>;
  /** read_only seen on a mount point: what this account's access looks like to Dropbox. */
  readOnly: Map<string, boolean>;
  uploads: Upload[];
}

function mountOf(mounts: Map<string, string>, pathLower: string): [string, string] | null {
  let best: [string, string] | null = null;
  for (const [sfid, mp] of mounts) {
    if (pathLower.startsWith(mp + '/') && (!best || mp.length > best[1].length)) best = [sfid, mp];
  }
  return best;
}

/**
 * Turns one page of entries into candidates, updating `mounts` (shared_folder_id → path_lower in this tree).
 * Every file revision under a mount is handed on: whether it is an upload is decided in one place
 * (revisionStatements), not by which tree showed it or when that tree mounted the folder.
 */
export function analyzeEntries(entries: ListEntry[], mounts: Map<string, string>): PageAnalysis {
  const a: PageAnalysis = { lost: new Set(), joined: new Set(), readOnly: new Map(), uploads: [] };
  for (const e of entries) {
    const path = e.path_lower;
    if (!path) continue;
    if (e['.tag'] === 'deleted') {
      for (const [sfid, mp] of [...mounts]) {
        if (mp === path || mp.startsWith(path + '/')) {
          mounts.delete(sfid);
          a.lost.add(sfid);
          a.joined.delete(sfid); // mounted and gone again within the walk: only the loss matters
          a.readOnly.delete(sfid);
        }
      }
      continue;
    }
    if (e['.tag'] === 'folder') {
      const sfid = e.sharing_info?.shared_folder_id;
      if (sfid) {
        const before = mounts.get(sfid);
        // Another mount can't sit at this path any more.
        for (const [other, mp] of [...mounts]) {
          if (other !== sfid && mp === path) {
            mounts.delete(other);
            a.lost.add(other);
          }
        }
        mounts.set(sfid, path);
        if (before === undefined) a.joined.add(sfid);
        a.lost.delete(sfid);
        if (typeof e.sharing_info?.read_only === 'boolean') a.readOnly.set(sfid, e.sharing_info.read_only);
      } else {
        // A plain folder where a mount was: the share is gone from this tree (left/removed with a copy, or unshared).
        for (const [other, mp] of [...mounts]) {
          if (mp === path) {
            mounts.delete(other);
            a.lost.add(other);
          }
        }
      }
      continue;
    }
    // file
    const m = mountOf(mounts, path);
    if (!m) continue;
    const [sfid, mp] = m;
    const display = e.path_display ?? path;
    a.uploads.push({
      sharedFolderId: sfid,
      relPath: display.slice(mp.length + 1),
      key: e.rev ?? `${e.id ?? path}@${e.server_modified ?? ''}`,
      modifiedBy: e.sharing_info?.modified_by ?? null,
      size: typeof e.size === 'number' ? e.size : null,
      rev: e.rev ?? null,
      serverModified: e.server_modified ?? null,
    });
  }
  return a;
}

// ---------------------------------------------------------------------------------------------------------------
// Owner-side membership: the one place that turns Dropbox's member list into PD changes

interface TrackRef {
  id: string;
  owner_id: string;
  dropbox_shared_folder_id: string;
  /** When the folder became a track (ISO); files stored in Dropbox before that are not uploads. */
  created_at?: string;
}

interface DropboxMember {
  accountId: string;
  email: string;
  displayName: string;
  access: string;
}

export interface MemberSyncOptions {
  /** The PD account whose own tree lost the mount: its evidence is "the folder left their own Dropbox". */
  leftAccountId?: string | null;
  /** Members in Dropbox that PD does not have become collaborators (default true). */
  allowAdds?: boolean;
  /** A member's own token to fall back on when the owner cannot be asked (owner not linked). */
  memberClient?: DropboxClient | null;
  /**
   * How many other people's own tokens may be asked whether a group gives them access (default 0: only the
   * leaver's own token, via memberClient). The cron's per-track check (its own invocation) allows a few; a walk,
   * which may sync many tracks in one invocation, leaves them to it.
   */
  groupCheckBudget?: number;
  /** The PD account whose own tree just gained the folder (a walk's "joined"): if PD shows their access ended and
   *  the owner's list does not name them, a group gives it back — recorded so PD says so. */
  joinedAccountId?: string | null;
}

export interface MemberSyncResult {
  statements: D1PreparedStatement[];
  /** What will change (for logs/tests): e.g. "ended col_…", "access col_… viewer", "added dbid:…". */
  actions: string[];
  calls: number;
  /** false when Dropbox could not be asked (owner not linked): nothing was decided. */
  confirmed: boolean;
  /** Invited in Dropbox (no account yet or not joined), not on the track in PD: e-mail → access level. */
  inviteeEmails?: string[];
  inviteeLevels?: Map<string, AccessLevel>;
  /**
   * Index in `statements` of the conditional UPDATE recording that `leftAccountId` left. If it changes nothing when
   * run, PD changed that person after the read (the decision was stale, AsRead): the caller asks again
   * (requeueStaleLeaves), so a real leave is not lost nor later mistaken for a revoke.
   */
  leaveAt?: number;
}

interface DropboxMembers {
  users: DropboxMember[];
  inviteeEmails: Set<string>;
  inviteeLevels: Map<string, AccessLevel>;
  /** Invitations tied to a Dropbox account (InviteeMembershipInfo.user): added, not yet accepted in Dropbox. */
  inviteeIds: Set<string>;
  /** Groups with access (GroupMembershipInfo): their members are not in `users`. */
  groups: string[];
}

async function listMembers(client: DropboxClient, sharedFolderId: string): Promise<DropboxMembers | 'unshared' | 'not_a_member'> {
  const users: DropboxMember[] = [];
  const inviteeEmails = new Set<string>();
  const inviteeLevels = new Map<string, AccessLevel>();
  const inviteeIds = new Set<string>();
  const groups: string[] = [];
  try {
    let page = await client.call((d) => d.sharingListFolderMembers({ shared_folder_id: sharedFolderId, limit: 1000 }));
    for (;;) {
      for (const u of page.users) {
        users.push({
          accountId: u.user.account_id,
          email: u.user.email ?? '',
          displayName: u.user.display_name ?? u.user.email ?? '',
          access: u.access_type['.tag'],
        });
      }
      for (const i of page.invitees) {
        if (i.invitee['.tag'] === 'email') {
          const email = i.invitee.email.toLowerCase();
          inviteeEmails.add(email);
          inviteeLevels.set(email, levelOf(i.access_type['.tag']) ?? 'viewer');
        }
        if (i.user?.account_id) inviteeIds.add(i.user.account_id);
      }
      for (const g of page.groups ?? []) groups.push(g.group.group_name);
      if (!page.cursor) break;
      const cursor = page.cursor;
      page = await client.call((d) => d.sharingListFolderMembersContinue({ cursor }));
    }
  } catch (e) {
    const err = classifyDropboxError(e);
    // list_folder_members answers SharedFolderAccessError at the root; /continue wraps it in access_error.
    const path = err.kind === 'route' ? tagPath(err.error).replace(/^access_error\//, '') : '';
    if (path === 'invalid_id') {
      // A single invalid_id would revoke everyone: unshared only if a second, different read agrees (else retry).
      const confirm = await readFolderState(client, sharedFolderId);
      if (confirm.state === 'unshared') return 'unshared';
      throw new DropboxCallError(
        'server',
        409,
        `list_folder_members said invalid_id but get_folder_metadata still finds the folder (${confirm.state === 'caller' ? confirm.tag : 'shared'})`,
      );
    }
    if (path === 'not_a_member') return 'not_a_member';
    throw err;
  }
  return { users, inviteeEmails, inviteeLevels, inviteeIds, groups };
}

/** Group access can't be read from the owner's list: ask the person's own token, when they linked Dropbox. */
async function hasOwnAccess(
  env: ReconcileEnv,
  accountId: string | null,
  sharedFolderId: string,
  own?: DropboxClient | null,
): Promise<'yes' | 'no' | 'unknown'> {
  if (!accountId) return 'unknown';
  try {
    const seen = await readFolderState(own ?? (await clientForAccount(env, accountId)), sharedFolderId);
    if (seen.state === 'shared') return 'yes';
    return seen.state === 'unshared' || seen.tag === 'not_a_member' ? 'no' : 'unknown';
  } catch (e) {
    if (e instanceof NotLinkedError) return 'unknown';
    const err = classifyDropboxError(e);
    if (err.retryable) throw err;
    return 'unknown';
  }
}

/** At most this many own-token checks per member sync (each is a Dropbox call, maybe a token refresh). */
const GROUP_CHECKS_PER_SYNC = 20;

interface CollabRow {
  id: string;
  account_id: string | null;
  /** account_id, or for an invitee the PD account with their e-mail (whose own token can say what they see) */
  own_account_id: string | null;
  email_lower: string;
  status: string;
  access_level: AccessLevel;
  dbid: string | null;
  dropbox_state: string | null;
  dropbox_access_level: string | null;
  dropbox_group: string | null;
  /** The record's event id when read: every decision below applies only to the record as read (AsRead). */
  event_id: string | null;
}

const asRead = (c: CollabRow | undefined): AsRead => ({ collaboratorId: c?.id ?? null, eventId: c?.event_id ?? null });

/**
 * Compares the owner's Dropbox member list of one track with PD and returns the domain statements that make
 * PD agree (not run: the caller batches them with its cursor). People with an unsettled PD→Dropbox change
 * (pending/running/failed, or settled while we were reading) are left alone: PD's intent wins until Dropbox
 * has caught up.
 */
export async function syncTrackMembers(env: ReconcileEnv, track: TrackRef, opts: MemberSyncOptions = {}): Promise<MemberSyncResult> {
  const db = env.DB;
  const out: MemberSyncResult = { statements: [], actions: [], calls: 0, confirmed: false };
  const readStart = nowIso();
  let members: Awaited<ReturnType<typeof listMembers>> | null = null;
  try {
    const owner = await clientForAccount(env, track.owner_id);
    try {
      members = await listMembers(owner, track.dropbox_shared_folder_id);
      out.confirmed = true;
    } finally {
      out.calls += owner.calls;
    }
  } catch (e) {
    // The owner cannot be asked (never linked, or Dropbox rejects their sign-in): a member can vouch for themself.
    const ownerUnavailable = e instanceof NotLinkedError || (e instanceof DropboxCallError && e.kind === 'reauth_required');
    if (!ownerUnavailable) throw e;
  }
  if (!members) {
    if (!opts.memberClient) return out;
    const before = opts.memberClient.calls;
    try {
      members = await listMembers(opts.memberClient, track.dropbox_shared_folder_id);
    } finally {
      out.calls += opts.memberClient.calls - before;
    }
  }
  if (members === 'not_a_member' && out.confirmed) return out; // the owner is no longer a member (transferred?): leave PD alone

  const [collabRes, unsettledRes] = await db.batch([
    prepare(
      db,
      sql`SELECT c.id, c.account_id, c.email_lower, c.status, c.access_level, a.dropbox_account_id AS dbid,
                 c.dropbox_state, c.dropbox_access_level, c.dropbox_group, c.event_id,
                 ${raw(OWN_ACCOUNT_OF_C)} AS own_account_id
          FROM collaborators c LEFT JOIN accounts a ON a.id = c.account_id WHERE c.track_id = ${track.id}`,
    ),
    prepare(
      db,
      sql`SELECT DISTINCT collaborator_id, kind FROM dropbox_changes WHERE track_id = ${track.id} AND collaborator_id IS NOT NULL
          AND (status IN ('pending', 'running', 'failed') OR updated_at >= ${readStart})`,
    ),
  ]);
  const collabs = collabRes.results as unknown as CollabRow[];
  const unsettledRows = unsettledRes.results as { collaborator_id: string; kind: string }[];
  const unsettled = new Set(unsettledRows.map((r) => r.collaborator_id));
  // PD is itself adding, mounting, removing or relinquishing their membership: what the list shows now may be the
  // membership PD is about to end (a leave's relinquish still queued ahead of a re-invitation), so it is not noted
  // as the current invitation's state; the executor records the outcome of PD's own change.
  const membershipUnsettled = new Set(unsettledRows.filter((r) => r.kind !== 'update_access').map((r) => r.collaborator_id));

  if (members === 'not_a_member' || (members === 'unshared' && !out.confirmed)) {
    // Only a member's own token was available and it is no longer a member: that member is gone (nobody else is known).
    const me = collabs.find((c) => c.account_id && c.account_id === opts.leftAccountId && c.status === 'active' && !unsettled.has(c.id));
    if (me) {
      // Their own Dropbox says they are no longer a member; it does not say who ended it (issue 11: never "left").
      // Decided on the record as read (AsRead): if it changed meanwhile, a fresh membership check decides again.
      const plan = await planAccessEndedInDropbox(db, {
        trackId: track.id,
        collaboratorId: me.id,
        evidence: 'dropbox_own_folder',
        asRead: asRead(me),
      });
      if (plan.statements.length) out.leaveAt = out.statements.length;
      out.statements.push(...plan.statements);
      if (plan.statements.length) out.actions.push(`ended ${me.id}`);
    }
    return out;
  }

  if (members === 'unshared') {
    // The owner unshared the folder in Dropbox: everyone's access ended, by the owner.
    for (const c of collabs) {
      if (c.status !== 'active' && c.status !== 'invited') continue;
      const plan = await planAccessEndedInDropbox(db, { trackId: track.id, collaboratorId: c.id, evidence: 'dropbox_unshared', asRead: asRead(c) });
      out.statements.push(...plan.statements);
      if (plan.statements.length) out.actions.push(`ended ${c.id} (unshared)`);
    }
    return out;
  }

  const ownerDbid = await db
    .prepare('SELECT dropbox_account_id FROM accounts WHERE id = ?')
    .bind(track.owner_id)
    .first<{ dropbox_account_id: string }>();
  const byDbid = new Map(members.users.map((u) => [u.accountId, u]));
  const byEmail = new Map(members.users.filter((u) => u.email).map((u) => [u.email.toLowerCase(), u]));
  const matched = new Set<string>();
  const invited = (c: CollabRow) => members.inviteeEmails.has(c.email_lower) || (!!c.dbid && members.inviteeIds.has(c.dbid));
  // Dropbox's side of each current collaborator, as a fact shown next to PD's (collaborators.dropbox_state).
  const noteState = (c: CollabRow, state: 'invited' | 'member') => {
    if (c.dropbox_state === state || (c.status !== 'active' && c.status !== 'invited') || membershipUnsettled.has(c.id)) return;
    out.statements.push(db.prepare('UPDATE collaborators SET dropbox_state = ? WHERE id = ? AND dropbox_state IS NOT ?').bind(state, c.id, state));
    out.actions.push(`dropbox ${state} ${c.id}`);
  };
  let groupChecks = 0;
  /** Missing from `users` and invitees while groups have access: a group may be why. Only their own token can tell. */
  const keptByGroup = async (c: CollabRow): Promise<boolean> => {
    if (!members.groups.length) return false;
    const self = !!opts.memberClient && !!c.account_id && c.account_id === opts.leftAccountId;
    if (!self && groupChecks >= Math.min(opts.groupCheckBudget ?? 0, GROUP_CHECKS_PER_SYNC)) return true; // not asked now: never revoked on a guess
    if (!self) groupChecks++;
    // An invitee has no PD account on the record yet: the PD account with their e-mail asks (if they signed in).
    const own = await hasOwnAccess(env, c.own_account_id, track.dropbox_shared_folder_id, self ? opts.memberClient : null);
    out.calls++;
    if (own === 'no') return false;
    if (own === 'yes') {
      const group =
        members.groups.length === 1 ? `the group "${members.groups[0]}"` : `one of the groups ${members.groups.map((g) => `"${g}"`).join(', ')}`;
      if (c.dropbox_group !== group)
        out.statements.push(db.prepare('UPDATE collaborators SET dropbox_group = ?, dropbox_state = ? WHERE id = ?').bind(group, 'member', c.id));
    }
    return true;
  };

  for (const c of collabs) {
    const u = (c.dbid ? byDbid.get(c.dbid) : undefined) ?? byEmail.get(c.email_lower);
    if (u) matched.add(u.accountId);
    if (u) noteState(c, 'member');
    else if (invited(c)) noteState(c, 'invited');
    // Dropbox refused to add them (view-only on Dropbox Basic, recorded by the executor): they were never in the
    // folder, so their absence is neither a decline nor a removal made in Dropbox. PD shows the refusal instead.
    if (!u && c.dropbox_state === 'refused' && !invited(c)) continue;
    if (c.status === 'invited' && !u && out.confirmed && !unsettled.has(c.id) && !invited(c) && !(await keptByGroup(c))) {
      // PD's invitation put them in the folder (or invited them there) and Dropbox no longer has them: they left
      // before accepting in PD, which declines the invitation (see worker/DROPBOX.md). When groups have access to
      // the folder, only their own token can tell whether one of them is why they are missing from the list.
      const plan = await planInvitationDeclinedInDropbox(db, { trackId: track.id, collaboratorId: c.id, asRead: asRead(c) });
      if (plan.statements.length) {
        out.statements.push(...plan.statements);
        out.actions.push(`declined ${c.id}`);
      }
      continue;
    }
    if (c.status !== 'active' || unsettled.has(c.id)) continue;
    if (!u) {
      if (invited(c)) continue; // still invited in Dropbox (not accepted there yet): not gone
      if (!out.confirmed && c.account_id !== opts.leftAccountId) continue; // a member's token only vouches for itself
      if (await keptByGroup(c)) continue; // group members are not in `users`: not missing
      // Dropbox does not say who removed a member (the owner, an editor, or they left): "access ended in Dropbox",
      // with the evidence that showed it (issue 11). PD's own revoke/leave would still be unsettled above. Decided
      // on the record as read (AsRead); a stale own-folder ending gets a fresh membership check.
      const own = !!opts.leftAccountId && c.account_id === opts.leftAccountId;
      const plan = await planAccessEndedInDropbox(db, {
        trackId: track.id,
        collaboratorId: c.id,
        evidence: own ? 'dropbox_own_folder' : 'dropbox_members',
        asRead: asRead(c),
      });
      if (own && plan.statements.length) out.leaveAt = out.statements.length;
      out.statements.push(...plan.statements);
      if (plan.statements.length) out.actions.push(`ended ${c.id}`);
      continue;
    }
    const level = levelOf(u.access);
    // A level Dropbox refused to change (Basic keeps an Editor) is already shown as such: not a change in Dropbox.
    if (level && level !== c.access_level && out.confirmed && c.dropbox_access_level !== level) {
      const plan = await planSetAccessLevel(db, {
        trackId: track.id,
        collaboratorId: c.id,
        accessLevel: level,
        actorId: track.owner_id,
        via: 'dropbox',
        asRead: asRead(c),
      });
      out.statements.push(...plan.statements);
      if (plan.statements.length) out.actions.push(`access ${c.id} ${level}`);
    }
  }

  // Their access ended in PD, yet the folder came back into their own Dropbox and the owner's list does not name
  // them: the owner gave a group access (chaos sweep, seeds 16 and 19). PD says the group keeps it for them.
  if (opts.joinedAccountId && members.groups.length) {
    const me = collabs.find(
      (c) => c.own_account_id === opts.joinedAccountId && (c.status === 'revoked' || c.status === 'left') && !unsettled.has(c.id),
    );
    const listed = me && ((me.dbid && byDbid.has(me.dbid)) || byEmail.has(me.email_lower));
    if (me && !listed && !me.dropbox_group) {
      const group =
        members.groups.length === 1 ? `the group "${members.groups[0]}"` : `one of the groups ${members.groups.map((g) => `"${g}"`).join(', ')}`;
      out.statements.push(db.prepare('UPDATE collaborators SET dropbox_group = ? WHERE id = ? AND dropbox_group IS NULL').bind(group, me.id));
      out.actions.push(`group keeps ${me.id}`);
    }
  }

  const known = new Set(collabs.map((c) => c.email_lower));
  out.inviteeEmails = [...members.inviteeEmails].filter((e) => !known.has(e));
  out.inviteeLevels = members.inviteeLevels;

  if ((opts.allowAdds ?? true) && out.confirmed) {
    for (const u of members.users) {
      if (u.access === 'owner' || u.accountId === ownerDbid?.dropbox_account_id) continue;
      const level = levelOf(u.access);
      if (!level) continue;
      const c = collabs.find((x) => (x.dbid && x.dbid === u.accountId) || x.email_lower === u.email.toLowerCase());
      // An invited person joins through PD's own invitation (accepting it); Dropbox membership alone does not accept it.
      if (c && (c.status === 'active' || c.status === 'invited' || unsettled.has(c.id))) continue;
      const plan = await planMemberAddedInDropbox(db, {
        trackId: track.id,
        dropboxAccountId: u.accountId,
        email: u.email,
        displayName: u.displayName,
        accessLevel: level,
        asRead: asRead(c),
      });
      if (plan.statements.length) {
        out.statements.push(...plan.statements);
        out.actions.push(`added ${u.accountId}`);
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Budgets: whatever the size of the account or of a page, one invocation stays far inside Cloudflare's 1,000 D1
// queries (each statement of a batch counted) and 1,000 subrequests. Work beyond these caps continues in a new
// queue message (see reconcileAccount) or in queued membership checks, each with its own budget.

/** Owner-side confirmations made inline per invocation; more are queued as membership checks. */
export const MAX_INLINE_CONFIRMATIONS = 20;
/** Statements those confirmations may add (an unshared track with many collaborators is a plan per person). */
const MAX_INLINE_CONFIRMATION_STATEMENTS = 400;
/** list_folder/continue pages (≤ 2,000 entries each) read per invocation. */
export const MAX_PAGES_PER_INVOCATION = 3;
/** Track folders listed per invocation after a new baseline cursor. */
export const BASELINE_FOLDERS_PER_INVOCATION = 100;
/** Dropbox calls and file revisions a baseline listing may spend per invocation (it stops between folders). */
const BASELINE_CALLS_PER_INVOCATION = 300;
const BASELINE_REVISIONS_PER_INVOCATION = 20_000;
/** Characters per bound JSON array: one bound parameter, well under D1's 100 KB per statement. */
const JSON_CHUNK_CHARS = 50_000;

/** Rows as JSON arrays of at most JSON_CHUNK_CHARS characters (each becomes one `json_each(?)` parameter). */
export function jsonChunks(rows: unknown[], maxRows = Number.POSITIVE_INFINITY): string[] {
  const out: string[] = [];
  let cur: string[] = [];
  let size = 2;
  for (const r of rows) {
    const j = JSON.stringify(r);
    if (cur.length && (size + j.length + 1 > JSON_CHUNK_CHARS || cur.length >= maxRows)) {
      out.push(`[${cur.join(',')}]`);
      cur = [];
      size = 2;
    }
    cur.push(j);
    size += j.length + 1;
  }
  if (cur.length) out.push(`[${cur.join(',')}]`);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// File revisions → uploads: the one rule (worker/DROPBOX.md, Uploads)
//
// A file revision in a track's shared folder is an UPLOAD iff it was not in the folder when the folder became a
// track. Each (shared folder, rev) is decided once, in `dropbox_seen_files` (its primary key: the folder's track
// number and the rev as bytes, `seenKeySql`; a shared folder is one track), and an upload gets
// exactly one `file_uploaded` entry, written in the same batch as the claim. "In the folder when it became a
// track" = claimed 'existing' by the import's own listing (made before the track exists) or, if that listing
// could not be made, stored by Dropbox (server_modified, whole seconds) before the track was created.
//
// Nothing else decides: not which member's tree showed the revision, not whether that tree had just mounted the
// folder, not whether a webhook walk, a baseline listing or a reset found it. Every path hands every revision it
// sees to `revisionStatements`, so in whatever order import, sign-in, baselines, webhook walks, membership changes,
// retries and crashes happen, a revision is recorded the first time any tree that shows it is read, and only once.
// (Before, a walk skipped the files of a folder it saw mounted during that walk; an upload then rested on some
// other member's walk, and was lost when none recorded it.)

interface Revision {
  track: TrackRef;
  file: Upload;
}

/** Whether a revision first seen now was made after the folder became a track (else: it was already there). */
export function isUploadAfterImport(u: Pick<Upload, 'serverModified'>, trackCreatedAt: string | undefined): boolean {
  if (!u.serverModified || !trackCreatedAt) return true;
  const stored = Date.parse(u.serverModified);
  const created = Date.parse(trackCreatedAt);
  if (Number.isNaN(stored) || Number.isNaN(created)) return true;
  return stored + 1000 > created;
}

/**
 * A seen revision's key as stored (migration 0028): a revision (Dropbox's Rev, lowercase hex) as bytes, 0x00 then
 * the digits when there is an even number of them, else a nibble 1 then the digits; any other key as the text.
 * `key` is SQL for the text key. The row is (track number of the folder, this).
 */
export const seenKeySql = (key: string) =>
  `(CASE WHEN ${key} <> '' AND NOT ${key} GLOB '*[^0-9a-f]*' THEN unhex(CASE WHEN length(${key}) % 2 = 1 THEN '1' ELSE '00' END || ${key}) ELSE ${key} END)`;
/** The track number of the shared folder named by SQL `sharedFolderId` (a folder is one track). */
const folderTrackNo = (sharedFolderId: string) => `(SELECT no FROM tracks WHERE dropbox_shared_folder_id = ${sharedFolderId})`;

/** Claims revisions that were in the folder before it was a track: known, never history (set-based). */
export function knownFileStatements(db: D1Database, files: Upload[]): D1PreparedStatement[] {
  const seenAt = Date.now();
  return jsonChunks(files.map((u) => [u.sharedFolderId, u.key])).map((chunk) =>
    db
      .prepare(
        `INSERT INTO dropbox_seen_files (track_no, file_key, claimed_by, seen_at)
         SELECT t.no, ${seenKeySql(`json_extract(j.value, '$[1]')`)}, 'existing', ?1
         FROM json_each(?2) j JOIN tracks t ON t.dropbox_shared_folder_id = json_extract(j.value, '$[0]') WHERE true
         ON CONFLICT DO NOTHING`,
      )
      .bind(seenAt, chunk),
  );
}

/**
 * The statements that record these revisions by the rule above: 3 statements per ~50 KB of revisions whatever
 * their number (the uploader is looked up inside the statement by Dropbox account id). Run them in the batch
 * that moves the cursor past them.
 */
export function revisionStatements(db: D1Database, revisions: Revision[]): D1PreparedStatement[] {
  const unique = new Map<string, Revision>();
  for (const r of revisions) {
    const k = `${r.file.sharedFolderId}\u0000${r.file.key}`;
    if (!unique.has(k)) unique.set(k, r);
  }
  const known: Upload[] = [];
  const uploads: Revision[] = [];
  for (const r of unique.values()) {
    if (isUploadAfterImport(r.file, r.track.created_at)) uploads.push(r);
    else known.push(r.file);
  }
  const stmts = knownFileStatements(db, known);
  if (!uploads.length) return stmts;
  const now = nowIso();
  const claim = newId('upl');
  const rows = uploads.map(({ track, file: u }) => ({
    s: u.sharedFolderId,
    k: u.key,
    t: track.id,
    b: u.modifiedBy,
    d: uploadLine([u.relPath, u.rev ?? null, u.size ?? null]),
  }));
  const claimed = `JOIN dropbox_seen_files f ON f.track_no = ${folderTrackNo(`json_extract(j.value, '$.s')`)}
    AND f.file_key = ${seenKeySql(`json_extract(j.value, '$.k')`)} AND f.claimed_by = ?3`;
  for (const chunk of jsonChunks(rows, MAX_UPLOAD_GROUP)) {
    stmts.push(
      db
        .prepare(
          `INSERT INTO dropbox_seen_files (track_no, file_key, claimed_by, seen_at)
           SELECT t.no, ${seenKeySql(`json_extract(j.value, '$.k')`)}, ?1, ?2
           FROM json_each(?3) j JOIN tracks t ON t.dropbox_shared_folder_id = json_extract(j.value, '$.s') WHERE true
           ON CONFLICT DO NOTHING`,
        )
        .bind(claim, Date.now(), chunk),
      db
        .prepare(`UPDATE tracks SET updated_at = ?1 WHERE id IN (SELECT json_extract(j.value, '$.t') FROM json_each(?2) j ${claimed})`)
        .bind(now, chunk, claim),
      // One history row per (track, uploader) of the revisions this batch claimed: an upload group (history.ts).
      // Its id is the last of a block of ids, one per file, reserved above every id taken so far; the history API
      // hands each file out as its own `file_uploaded` entry with its own id from that block.
      db
        .prepare(
          `INSERT INTO track_history (id, track_no, kind, actor_no, actor_name, via, collaborator_id, details, created_at)
           SELECT (SELECT coalesce(max(id), 0) FROM track_history) + sum(g.n) OVER (ORDER BY g.first),
                  (SELECT no FROM tracks WHERE id = g.t), (SELECT code FROM history_kinds WHERE name = '${UPLOAD_GROUP_KIND}'), a.no,
                  coalesce(a.display_name, 'Dropbox'), 'dropbox', NULL, g.files, ?1
           FROM (SELECT json_extract(j.value, '$.t') AS t, json_extract(j.value, '$.b') AS b, min(j.key) AS first,
                        count(*) AS n, group_concat(j.value ->> '$.d', char(10) ORDER BY j.key) AS files
                 FROM json_each(?2) j ${claimed}
                 GROUP BY 1, 2) g
           LEFT JOIN accounts a ON a.dropbox_account_id = g.b
           ORDER BY g.first`,
        )
        .bind(historyTime(now), chunk, claim),
    );
  }
  return stmts;
}

/** Every file under one mount of this account's tree (files/list_folder recursive, all pages). */
export async function listMountFiles(client: DropboxClient, sharedFolderId: string, mountPath: string): Promise<Upload[]> {
  const mounts = new Map([[sharedFolderId, mountPath]]);
  const out: Upload[] = [];
  let page = await client.call((d) => d.filesListFolder({ path: mountPath, recursive: true, include_mounted_folders: true }));
  for (;;) {
    out.push(...analyzeEntries(page.entries as ListEntry[], mounts).uploads.filter((u) => u.sharedFolderId === sharedFolderId));
    if (!page.has_more) break;
    const c = page.cursor;
    page = await client.call((d) => d.filesListFolderContinue({ cursor: c }));
  }
  return out;
}

/** As listMountFiles, but a mount that is no longer there (left, removed, moved meanwhile) has no files: its
 *  loss reaches PD through the walk, and any other member's tree still shows the folder's revisions. */
async function listMountFilesIfThere(client: DropboxClient, sharedFolderId: string, mountPath: string): Promise<Upload[]> {
  try {
    return await listMountFiles(client, sharedFolderId, mountPath);
  } catch (e) {
    const err = classifyDropboxError(e);
    if (err.kind === 'route' && tagPath(err.error) === 'path/not_found') return [];
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Walking one account

async function tracksFor(db: D1Database, sharedFolderIds: string[]): Promise<Map<string, TrackRef>> {
  const out = new Map<string, TrackRef>();
  for (const chunk of jsonChunks([...new Set(sharedFolderIds)])) {
    const { results } = await db
      .prepare(
        `SELECT id, owner_id, dropbox_shared_folder_id, created_at FROM tracks WHERE dropbox_shared_folder_id IN (SELECT value FROM json_each(?))`,
      )
      .bind(chunk)
      .all<TrackRef>();
    for (const r of results) out.set(r.dropbox_shared_folder_id, r);
  }
  return out;
}

function mountStatements(db: D1Database, accountId: string, before: Map<string, string>, after: Map<string, string>): D1PreparedStatement[] {
  const gone = [...before.keys()].filter((sfid) => !after.has(sfid));
  const moved = [...after].filter(([sfid, path]) => before.get(sfid) !== path);
  return [
    ...jsonChunks(gone).map((c) =>
      db.prepare('DELETE FROM dropbox_mounts WHERE account_id = ? AND shared_folder_id IN (SELECT value FROM json_each(?))').bind(accountId, c),
    ),
    ...jsonChunks(moved).map((c) =>
      db
        .prepare(
          `INSERT INTO dropbox_mounts (account_id, shared_folder_id, path_lower)
           SELECT ?1, json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?2) WHERE true
           ON CONFLICT (account_id, shared_folder_id) DO UPDATE SET path_lower = excluded.path_lower`,
        )
        .bind(accountId, c),
    ),
  ];
}

const cursorStatement = (db: D1Database, accountId: string, cursor: string) =>
  db.prepare('UPDATE dropbox_account_sync SET cursor = ?, updated_at = ? WHERE account_id = ?').bind(cursor, Date.now(), accountId);

/** First time (or after `reset`): a cursor for "now" and where each shared folder is mounted. */
async function readBaseline(client: DropboxClient): Promise<{ cursor: string; mounts: Map<string, string> }> {
  const { cursor } = await client.call((d) => d.filesListFolderGetLatestCursor({ path: '', recursive: true, include_mounted_folders: true }));
  const mounts = new Map<string, string>();
  let page = await client.call((d) => d.sharingListFolders({ limit: 1000 }));
  for (;;) {
    for (const f of page.entries) if (f.path_lower) mounts.set(f.shared_folder_id, f.path_lower);
    if (!page.cursor) break;
    const c = page.cursor;
    page = await client.call((d) => d.sharingListFoldersContinue({ cursor: c }));
  }
  return { cursor, mounts };
}

/**
 * Saves a new baseline: the cursor, the mounts, and the track folders mounted here as still to list. What
 * happened in them before the cursor is in no walk, so each is listed once (drainBaseline, after the cursor was
 * taken, so nothing falls in between; every track created before the cursor is in the set, because the set is
 * read from `tracks` in this batch, after the cursor was taken).
 */
function baselineStatements(db: D1Database, accountId: string, holder: string, cursor: string, mounts: Map<string, string>): D1PreparedStatement[] {
  return [
    fenceStatement(db, accountId, holder),
    db.prepare('DELETE FROM dropbox_mounts WHERE account_id = ?').bind(accountId),
    ...mountStatements(db, accountId, new Map(), mounts),
    ...jsonChunks([...mounts.keys()]).map((c) =>
      db
        .prepare(
          `INSERT OR IGNORE INTO dropbox_baseline_folders (account_id, shared_folder_id)
           SELECT ?1, dropbox_shared_folder_id FROM tracks WHERE dropbox_shared_folder_id IN (SELECT value FROM json_each(?2))`,
        )
        .bind(accountId, c),
    ),
    cursorStatement(db, accountId, cursor),
    extendLease(db, accountId, holder),
  ];
}

/**
 * Lists a bounded number of the track folders a baseline left to list and records their revisions by the one
 * rule. Returns whether folders remain (the caller continues in a new queue message).
 */
async function drainBaseline(db: D1Database, client: DropboxClient, accountId: string, holder: string): Promise<{ more: boolean; listed: number }> {
  const { results } = await db
    .prepare(
      `SELECT b.shared_folder_id, m.path_lower, t.id, t.owner_id, t.created_at FROM dropbox_baseline_folders b
       LEFT JOIN dropbox_mounts m ON m.account_id = b.account_id AND m.shared_folder_id = b.shared_folder_id
       LEFT JOIN tracks t ON t.dropbox_shared_folder_id = b.shared_folder_id
       WHERE b.account_id = ? ORDER BY b.shared_folder_id LIMIT ?`,
    )
    .bind(accountId, BASELINE_FOLDERS_PER_INVOCATION + 1)
    .all<{ shared_folder_id: string; path_lower: string | null; id: string | null; owner_id: string; created_at: string }>();
  if (!results.length) return { more: false, listed: 0 };
  const done: string[] = [];
  const revisions: Revision[] = [];
  const calls0 = client.calls;
  for (const r of results.slice(0, BASELINE_FOLDERS_PER_INVOCATION)) {
    if (done.length && (client.calls - calls0 >= BASELINE_CALLS_PER_INVOCATION || revisions.length >= BASELINE_REVISIONS_PER_INVOCATION)) break;
    if (r.path_lower && r.id) {
      const track: TrackRef = { id: r.id, owner_id: r.owner_id, dropbox_shared_folder_id: r.shared_folder_id, created_at: r.created_at };
      for (const file of await listMountFilesIfThere(client, r.shared_folder_id, r.path_lower)) revisions.push({ track, file });
    }
    done.push(r.shared_folder_id);
  }
  await db.batch([
    fenceStatement(db, accountId, holder),
    ...revisionStatements(db, revisions),
    ...jsonChunks(done).map((c) =>
      db
        .prepare('DELETE FROM dropbox_baseline_folders WHERE account_id = ? AND shared_folder_id IN (SELECT value FROM json_each(?))')
        .bind(accountId, c),
    ),
    extendLease(db, accountId, holder),
  ]);
  return { more: results.length > done.length, listed: done.length };
}

/** After a `reset`, changes in between are unknown: every track this account touches gets an owner-side check. */
async function recheckTracksOf(env: ReconcileEnv, accountId: string, except: Set<string>): Promise<void> {
  const { results } = await env.DB.prepare(
    `SELECT id FROM tracks WHERE owner_id = ?1
     UNION SELECT track_id FROM collaborators WHERE account_id = ?1 AND status = 'active'`,
  )
    .bind(accountId)
    .all<{ id: string }>();
  await sendJobs(
    env.JOBS,
    results.filter((r) => !except.has(r.id)).map((r) => ({ kind: 'check-track-membership' as const, trackId: r.id })),
  );
}

const leaseLost = (e: unknown) => String((e as Error)?.message ?? e).includes('reconcile_lease_lost');

export async function reconcileAccount(
  env: ReconcileEnv,
  dropboxAccountId: string,
  at: number,
  opts: { continued?: boolean } = {},
): Promise<ReconcileResult> {
  const db = env.DB;
  const who = await db
    .prepare(
      `SELECT t.account_id, s.cursor, s.last_started_at FROM dropbox_tokens t
       LEFT JOIN dropbox_account_sync s ON s.account_id = t.account_id WHERE t.dropbox_account_id = ?`,
    )
    .bind(dropboxAccountId)
    .first<{ account_id: string; cursor: string | null; last_started_at: number | null }>();
  if (!who) return { result: 'unknown-account' };
  const accountId = who.account_id;
  // A walk that started after this notification arrived has already seen its changes. The notification time and
  // the walk's start come from different machines' clocks: only count it as covered with a margin for skew.
  // A continuation carries on a walk that stopped at its budget: never covered.
  if (!opts.continued && who.last_started_at && at < who.last_started_at - CLOCK_SKEW_MARGIN_MS) return { result: 'covered' };

  const holder = crypto.randomUUID();
  if (!(await acquireAccountLease(db, accountId, holder))) {
    await noteNotified(db, accountId, at);
    return { result: 'busy' };
  }
  const startedAt = Date.now();
  let client: DropboxClient | null = null;
  try {
    client = await clientForAccount(env, accountId);
    const sync = await db.prepare('SELECT cursor FROM dropbox_account_sync WHERE account_id = ?').bind(accountId).first<{ cursor: string | null }>();
    let result: ReconcileResult;
    let more: boolean;
    if (!sync?.cursor) {
      const b = await readBaseline(client);
      await db.batch(baselineStatements(db, accountId, holder, b.cursor, b.mounts));
      more = (await drainBaseline(db, client, accountId, holder)).more;
      result = { result: 'baselined', calls: client.calls, ...(more ? { more } : {}) };
    } else {
      const r = await walk(env, client, accountId, sync.cursor, holder);
      more = r.more || (await drainBaseline(db, client, accountId, holder)).more;
      result = { result: 'done', pages: r.pages, calls: client.calls, changes: r.changes, ...(more ? { more } : {}) };
    }
    if (more) {
      // Stopped at this invocation's budget: the rest in a new message. Until a walk gets to the end, nothing is
      // "covered" by this one (last_started_at stays), and notified_at makes the cron send it again if lost.
      await sendJobs(env.JOBS, [{ kind: 'reconcile-account', dropboxAccountId, at: startedAt, continued: true }]);
      await noteNotified(db, accountId, startedAt);
      await releaseAccountLease(db, accountId, holder);
    } else {
      await releaseAccountLease(db, accountId, holder, { startedAt });
    }
    return result;
  } catch (e) {
    if (leaseLost(e)) {
      // Our lease ran out and another walk holds it now: nothing of ours was written; that walk covers this one.
      return { result: 'lease-lost' };
    }
    if (e instanceof NotLinkedError) {
      await releaseAccountLease(db, accountId, holder, { startedAt });
      return { result: 'not-linked' };
    }
    const err = e instanceof DropboxCallError ? e : e && typeof e === 'object' && 'status' in e ? classifyDropboxError(e) : null;
    await releaseAccountLease(db, accountId, holder, { error: (err ?? (e as Error)).message ?? String(e) });
    if (err?.kind === 'reauth_required') return { result: 'not-linked' };
    if (err?.retryable) {
      const delaySeconds = err.kind === 'rate_limited' ? Math.max(1, Math.ceil(err.retryAfterSeconds ?? 1)) : backoffSeconds(1);
      return { result: 'retry', delaySeconds, error: err.message };
    }
    throw e;
  }
}

/** This account's own collaborator records on these tracks (one query per ~50 KB of ids). */
async function myRecords(
  db: D1Database,
  accountId: string,
  trackIds: string[],
): Promise<Map<string, { status: string; access_level: AccessLevel; dropbox_state?: string | null }>> {
  const out = new Map<string, { status: string; access_level: AccessLevel; dropbox_state?: string | null }>();
  for (const chunk of jsonChunks(trackIds)) {
    const { results } = await db
      .prepare(
        // Their own records, and the invitations sent to their e-mail that they have not accepted in PD yet (no
        // account on the record): one accepted in Dropbox and then ended there is theirs too.
        `SELECT track_id, status, access_level, dropbox_state FROM collaborators
         WHERE track_id IN (SELECT value FROM json_each(?2))
           AND (account_id = ?1 OR (account_id IS NULL AND status = 'invited' AND email_lower = (SELECT email_lower FROM accounts WHERE id = ?1)))`,
      )
      .bind(accountId, chunk)
      .all<{ track_id: string; status: string; access_level: AccessLevel; dropbox_state: string | null }>();
    for (const r of results) out.set(r.track_id, r);
  }
  return out;
}

/**
 * Whether what this account's tree showed can change PD at all; only then is the owner asked (a Dropbox call).
 * E.g. the mount vanishing for someone PD already shows as revoked (our own removal, echoed back) needs nothing.
 */
export function needsConfirmation(
  isOwner: boolean,
  mine: { status: string; access_level: AccessLevel; dropbox_state?: string | null } | undefined,
  a: PageAnalysis,
  sfid: string,
): boolean {
  if (isOwner) return a.lost.has(sfid); // the owner's own share vanished: unshared (or the folder is gone)
  const active = mine?.status === 'active';
  // Lost: an active member left or was removed; an invitee who had accepted in Dropbox only (PD's invitation still
  // pending) left or was removed there, which declines it.
  if (a.lost.has(sfid)) return active || mine?.status === 'invited';
  if (a.joined.has(sfid) && !active && mine?.status !== 'invited') return true; // added in Dropbox
  // Accepted in Dropbox (or re-mounted) after accepting in PD: "waiting for them to accept in Dropbox" ends.
  if (a.joined.has(sfid) && (active || mine?.status === 'invited') && mine?.dropbox_state !== 'member') return true;
  const ro = a.readOnly.get(sfid);
  return active && ro !== undefined && (mine!.access_level === 'viewer') !== ro;
}

/**
 * Owner-side confirmations for these tracks: the first `budget.inline` are made now (their statements go in the
 * caller's batch), the rest become membership-check messages carrying who lost the mount (sent before the
 * caller's batch: a check made twice changes nothing twice, a check never sent would be a lost leave).
 */
async function confirmMembers(
  env: ReconcileEnv,
  client: DropboxClient,
  accountId: string,
  items: { track: TrackRef; lost: boolean; joined?: boolean }[],
  budget: { inline: number; statements: number },
): Promise<{ statements: D1PreparedStatement[]; changes: number; leaves: StaleLeaveCheck[] }> {
  const statements: D1PreparedStatement[] = [];
  const leaves: StaleLeaveCheck[] = [];
  let changes = 0;
  const queued: CheckTrackMembershipJob[] = [];
  for (const { track, lost, joined } of items) {
    const isOwner = track.owner_id === accountId;
    if (budget.inline <= 0 || budget.statements >= MAX_INLINE_CONFIRMATION_STATEMENTS) {
      queued.push({
        kind: 'check-track-membership',
        trackId: track.id,
        ...(lost ? { leftAccountId: accountId } : {}),
        ...(isOwner ? {} : { memberAccountId: accountId }),
      });
      continue;
    }
    budget.inline--;
    const r = await syncTrackMembers(env, track, {
      leftAccountId: lost ? accountId : null,
      memberClient: isOwner ? null : client,
      joinedAccountId: joined && !isOwner ? accountId : null,
    });
    if (r.leaveAt !== undefined) {
      leaves.push({
        at: statements.length + r.leaveAt,
        job: { kind: 'check-track-membership', trackId: track.id, leftAccountId: accountId, ...(isOwner ? {} : { memberAccountId: accountId }) },
      });
    }
    statements.push(...r.statements);
    // The owner's member list was just read: that is this track's sweep check too (the sweep skips it until due).
    if (r.confirmed) statements.push(nextCheckStatement(env.DB, track.id, null));
    budget.statements += r.statements.length;
    changes += r.actions.length;
  }
  await sendJobs(env.JOBS, queued);
  return { statements, changes, leaves };
}

/** A leave planned in a batch, and the check that decides it again if PD changed that person first. */
interface StaleLeaveCheck {
  /** index of the leave's conditional UPDATE among the statements handed back (the caller adds its offset) */
  at: number;
  job: CheckTrackMembershipJob;
}

/**
 * After the batch: a planned leave that changed nothing was decided on a record PD changed meanwhile (the owner
 * revoked, re-invited or changed the level between the read and the write). It is decided again from fresh reads,
 * with who lost the mount, instead of being dropped (the cron's later diff would call it a revoke).
 */
async function requeueStaleLeaves(env: ReconcileEnv, results: D1Result[], offset: number, leaves: StaleLeaveCheck[]): Promise<void> {
  const stale = leaves.filter((l) => (results[offset + l.at]?.meta.changes ?? 0) === 0).map((l) => l.job);
  await sendJobs(env.JOBS, stale);
}

async function walk(
  env: ReconcileEnv,
  client: DropboxClient,
  accountId: string,
  startCursor: string,
  holder: string,
): Promise<{ pages: number; changes: number; more: boolean }> {
  const db = env.DB;
  const { results } = await db
    .prepare('SELECT shared_folder_id, path_lower FROM dropbox_mounts WHERE account_id = ?')
    .bind(accountId)
    .all<{ shared_folder_id: string; path_lower: string }>();
  const mounts = new Map(results.map((r) => [r.shared_folder_id, r.path_lower]));
  const budget = { inline: MAX_INLINE_CONFIRMATIONS, statements: 0 };
  let cursor = startCursor;
  let pages = 0;
  let changes = 0;
  for (;;) {
    let page: files.ListFolderResult;
    try {
      page = await client.call((d) => d.filesListFolderContinue({ cursor }));
    } catch (e) {
      const err = classifyDropboxError(e);
      if (err.kind === 'route' && err.tag === 'reset') {
        // The cursor is no longer valid: start again from now. Mounts that vanished or appeared meanwhile are
        // found by comparing where shared folders were mounted with where they are now; every other track of
        // this account gets an owner-side check for what else may have changed; the track folders are listed
        // again (drainBaseline) for revisions made meanwhile.
        const b = await readBaseline(client);
        const lost = new Set([...mounts.keys()].filter((sfid) => !b.mounts.has(sfid)));
        const joined = [...b.mounts.keys()].filter((sfid) => !mounts.has(sfid));
        const tracks = await tracksFor(db, [...lost, ...joined]);
        const c = await confirmMembers(
          env,
          client,
          accountId,
          [...tracks].map(([sfid, track]) => ({ track, lost: lost.has(sfid) })),
          budget,
        );
        changes += c.changes;
        const written = await db.batch([...c.statements, ...baselineStatements(db, accountId, holder, b.cursor, b.mounts)]);
        await requeueStaleLeaves(env, written, 0, c.leaves);
        await recheckTracksOf(env, accountId, new Set([...tracks.values()].map((t) => t.id)));
        return { pages, changes, more: true };
      }
      throw err;
    }
    pages++;
    const before = new Map(mounts);
    const a = analyzeEntries(page.entries as ListEntry[], mounts);

    const interesting = [...new Set([...a.lost, ...a.joined, ...a.readOnly.keys(), ...a.uploads.map((u) => u.sharedFolderId)])];
    const tracks = interesting.length ? await tracksFor(db, interesting) : new Map<string, TrackRef>();
    const mine = await myRecords(
      db,
      accountId,
      [...tracks.values()].map((t) => t.id),
    );
    const confirm = [...tracks]
      .filter(([sfid, track]) => needsConfirmation(track.owner_id === accountId, mine.get(track.id), a, sfid))
      .map(([sfid, track]) => ({ track, lost: a.lost.has(sfid), joined: a.joined.has(sfid) }));
    const c = await confirmMembers(env, client, accountId, confirm, budget);
    changes += c.changes;
    const revisions: Revision[] = [];
    for (const file of a.uploads) {
      const track = tracks.get(file.sharedFolderId);
      if (track) revisions.push({ track, file });
    }
    const written = await db.batch([
      fenceStatement(db, accountId, holder),
      ...c.statements,
      ...revisionStatements(db, revisions),
      ...mountStatements(db, accountId, before, mounts),
      cursorStatement(db, accountId, page.cursor),
      extendLease(db, accountId, holder),
    ]);
    await requeueStaleLeaves(env, written, 1, c.leaves);
    cursor = page.cursor;
    if (!page.has_more) return { pages, changes, more: false };
    if (pages >= MAX_PAGES_PER_INVOCATION) return { pages, changes, more: true };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Cron rotation: one track's owner-side membership

export async function checkTrackMembership(
  env: ReconcileEnv,
  trackId: string,
  opts: { leftAccountId?: string; memberAccountId?: string } = {},
): Promise<{ result: 'done' | 'gone' | 'owner-not-linked'; actions: string[] } | { result: 'retry'; delaySeconds: number; error: string }> {
  const db = env.DB;
  const track = await db.prepare('SELECT id, owner_id, dropbox_shared_folder_id FROM tracks WHERE id = ?').bind(trackId).first<TrackRef>();
  const done = (error: string | null) => nextCheckStatement(db, trackId, error);
  if (!track) {
    await db.prepare('DELETE FROM dropbox_membership_checks WHERE track_id = ?').bind(trackId).run();
    return { result: 'gone', actions: [] };
  }
  try {
    // Queued by a walk past its inline budget: who lost the mount (left, if confirmed), and whose token may vouch
    // for that person if the owner cannot be asked.
    let memberClient: DropboxClient | null = null;
    if (opts.memberAccountId && opts.memberAccountId !== track.owner_id) {
      memberClient = await clientForAccount(env, opts.memberAccountId).catch((e) => {
        if (e instanceof NotLinkedError) return null;
        throw e;
      });
    }
    const r = await syncTrackMembers(env, track, {
      leftAccountId: opts.leftAccountId ?? null,
      memberClient,
      groupCheckBudget: GROUP_CHECKS_PER_SYNC,
    });
    if (!r.confirmed && !r.statements.length) {
      await done('owner has not linked Dropbox').run();
      return { result: 'owner-not-linked', actions: [] };
    }
    const written = await db.batch([...r.statements, done(null)]);
    if (r.leaveAt !== undefined && opts.leftAccountId) {
      await requeueStaleLeaves(env, written, 0, [
        {
          at: r.leaveAt,
          job: {
            kind: 'check-track-membership',
            trackId,
            leftAccountId: opts.leftAccountId,
            ...(opts.memberAccountId ? { memberAccountId: opts.memberAccountId } : {}),
          },
        },
      ]);
    }
    return { result: 'done', actions: r.actions };
  } catch (e) {
    const err = classifyDropboxError(e);
    await db.prepare('UPDATE dropbox_membership_checks SET last_error = ? WHERE track_id = ?').bind(err.message.slice(0, 300), trackId).run();
    if (err.retryable) {
      return {
        result: 'retry',
        delaySeconds: err.kind === 'rate_limited' ? Math.max(1, Math.ceil(err.retryAfterSeconds ?? 1)) : backoffSeconds(1),
        error: err.message,
      };
    }
    if (err.kind === 'reauth_required') {
      await done('owner must sign in to Dropbox again').run();
      return { result: 'owner-not-linked', actions: [] };
    }
    // Not retryable (e.g. the folder is someone else's now): keep it in the rotation, recorded.
    await done(err.message.slice(0, 300)).run();
    return { result: 'done', actions: [] };
  }
}
