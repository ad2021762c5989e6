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
// Left vs revoked (documented in worker/DROPBOX.md): the Dropbox API does not say who removed a member. A person
// whose OWN tree lost the track's mount, and who the owner's member list confirms is gone, is recorded as having
// left. Anyone else found missing from the owner's list (cron diff, or other members seen during that check)
// is recorded as revoked by the owner. An unshared folder revokes everyone.
import type { AccessLevel } from '@pd/shared';
import { planInvitationDeclinedInDropbox, planLeaveTrack, planMemberAddedInDropbox, planRevokeCollaborator, planSetAccessLevel } from '../domain/sharing.ts';
import { insertHistory } from '../domain/history.ts';
import { newId, nowIso } from '../domain/db.ts';
import { prepare, sql } from '../domain/sql.ts';
import { NotLinkedError, clientForAccount, type DropboxClient } from '../dropbox/client.ts';
import { DropboxCallError, allTags, classifyDropboxError } from '../dropbox/errors.ts';
import { readFolderState } from '../dropbox/folder-state.ts';
import { acquireAccountLease, extendLease, noteNotified, releaseAccountLease } from './lease.ts';
import { backoffSeconds } from './execute.ts';
import { sendJobs } from './messages.ts';

/**
 * Margin between the clocks of the machine that received a webhook and the one that walked the account. A
 * notification is "covered" only if it arrived this much before the walk started; one arriving closer to the walk's
 * start costs one more (cheap) walk instead of risking a missed change.
 */
export const CLOCK_SKEW_MARGIN_MS = 100;

export type ReconcileEnv = Pick<Env, 'DB' | 'JOBS' | 'TOKEN_ENCRYPTION_KEY' | 'DROPBOX_APP_KEY' | 'DROPBOX_API_ORIGIN' | 'DROPBOX_WEB_ORIGIN'>;

export type ReconcileResult =
  | { result: 'done'; pages: number; calls: number; changes: number }
  | { result: 'baselined'; calls: number }
  | { result: 'covered' | 'unknown-account' | 'not-linked' | 'busy' }
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
 * `fresh` holds folders mounted during this walk: their files are not uploads, only newly visible.
 */
export function analyzeEntries(entries: ListEntry[], mounts: Map<string, string>, fresh: Set<string>): PageAnalysis {
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
        if (before === undefined) {
          a.joined.add(sfid);
          fresh.add(sfid);
        }
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
    if (!m || fresh.has(m[0])) continue;
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
  /** The PD account whose own tree lost the mount: if confirmed gone, they left (else: revoked). */
  leftAccountId?: string | null;
  /** Members in Dropbox that PD does not have become collaborators (default true). */
  allowAdds?: boolean;
  /** A member's own token to fall back on when the owner cannot be asked (owner not linked). */
  memberClient?: DropboxClient | null;
}

export interface MemberSyncResult {
  statements: D1PreparedStatement[];
  /** What will change (for logs/tests): e.g. "left col_…", "revoked col_…", "access col_… viewer", "added dbid:…". */
  actions: string[];
  calls: number;
  /** false when Dropbox could not be asked (owner not linked): nothing was decided. */
  confirmed: boolean;
  /** Invited in Dropbox (no account yet or not joined), not on the track in PD: e-mail → access level. */
  inviteeEmails?: string[];
  inviteeLevels?: Map<string, AccessLevel>;
}

const levelOf = (access: string): AccessLevel | null =>
  access === 'editor' ? 'editor' : access === 'viewer' || access === 'viewer_no_comment' ? 'viewer' : null;

async function listMembers(
  client: DropboxClient,
  sharedFolderId: string,
): Promise<{ users: DropboxMember[]; inviteeEmails: Set<string>; inviteeLevels: Map<string, AccessLevel> } | 'unshared' | 'not_a_member'> {
  const users: DropboxMember[] = [];
  const inviteeEmails = new Set<string>();
  const inviteeLevels = new Map<string, AccessLevel>();
  try {
    let page = await client.call((d) => d.sharingListFolderMembers({ shared_folder_id: sharedFolderId, limit: 1000 }));
    for (;;) {
      for (const u of page.users) {
        users.push({ accountId: u.user.account_id, email: u.user.email ?? '', displayName: u.user.display_name ?? u.user.email ?? '', access: u.access_type['.tag'] });
      }
      for (const i of page.invitees) {
        if (i.invitee['.tag'] === 'email') {
          const email = i.invitee.email.toLowerCase();
          inviteeEmails.add(email);
          inviteeLevels.set(email, levelOf(i.access_type['.tag']) ?? 'viewer');
        }
      }
      if (!page.cursor) break;
      const cursor = page.cursor;
      page = await client.call((d) => d.sharingListFolderMembersContinue({ cursor }));
    }
  } catch (e) {
    const err = classifyDropboxError(e);
    if (err.kind === 'route' && allTags(err.error).includes('invalid_id')) {
      // A single invalid_id would revoke everyone: unshared only if a second, different read agrees (else retry).
      const confirm = await readFolderState(client, sharedFolderId);
      if (confirm.state === 'unshared') return 'unshared';
      throw new DropboxCallError('server', 409, `list_folder_members said invalid_id but get_folder_metadata still finds the folder (${confirm.state === 'caller' ? confirm.tag : 'shared'})`);
    }
    if (err.kind === 'route' && allTags(err.error).includes('not_a_member')) return 'not_a_member';
    throw err;
  }
  return { users, inviteeEmails, inviteeLevels };
}

interface CollabRow {
  id: string;
  account_id: string | null;
  email_lower: string;
  status: string;
  access_level: AccessLevel;
  dbid: string | null;
}

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
      sql`SELECT c.id, c.account_id, c.email_lower, c.status, c.access_level, a.dropbox_account_id AS dbid
          FROM collaborators c LEFT JOIN accounts a ON a.id = c.account_id WHERE c.track_id = ${track.id}`,
    ),
    prepare(
      db,
      sql`SELECT DISTINCT collaborator_id FROM dropbox_changes WHERE track_id = ${track.id} AND collaborator_id IS NOT NULL
          AND (status IN ('pending', 'running', 'failed') OR updated_at >= ${readStart})`,
    ),
  ]);
  const collabs = collabRes.results as unknown as CollabRow[];
  const unsettled = new Set((unsettledRes.results as { collaborator_id: string }[]).map((r) => r.collaborator_id));

  if (members === 'not_a_member' || (members === 'unshared' && !out.confirmed)) {
    // Only a member's own token was available and it is no longer a member: that member is gone (nobody else is known).
    const me = collabs.find((c) => c.account_id && c.account_id === opts.leftAccountId && c.status === 'active' && !unsettled.has(c.id));
    if (me) {
      const plan = await planLeaveTrack(db, { trackId: track.id, accountId: me.account_id!, via: 'dropbox' });
      out.statements.push(...plan.statements);
      out.actions.push(`left ${me.id}`);
    }
    return out;
  }

  if (members === 'unshared') {
    // The owner unshared the folder in Dropbox: everyone's access ended, by the owner.
    for (const c of collabs) {
      if (c.status !== 'active' && c.status !== 'invited') continue;
      const plan = await planRevokeCollaborator(db, { trackId: track.id, collaboratorId: c.id, actorId: track.owner_id, via: 'dropbox' });
      out.statements.push(...plan.statements);
      out.actions.push(`revoked ${c.id} (unshared)`);
    }
    return out;
  }

  const ownerDbid = await db.prepare('SELECT dropbox_account_id FROM accounts WHERE id = ?').bind(track.owner_id).first<{ dropbox_account_id: string }>();
  const byDbid = new Map(members.users.map((u) => [u.accountId, u]));
  const byEmail = new Map(members.users.filter((u) => u.email).map((u) => [u.email.toLowerCase(), u]));
  const matched = new Set<string>();

  for (const c of collabs) {
    const u = (c.dbid ? byDbid.get(c.dbid) : undefined) ?? byEmail.get(c.email_lower);
    if (u) matched.add(u.accountId);
    if (c.status === 'invited' && !u && out.confirmed && !unsettled.has(c.id) && !members.inviteeEmails.has(c.email_lower)) {
      // PD's invitation put them in the folder (or invited them there) and Dropbox no longer has them: they left
      // before accepting in PD, which declines the invitation (see worker/DROPBOX.md).
      const plan = await planInvitationDeclinedInDropbox(db, { trackId: track.id, collaboratorId: c.id });
      if (plan.statements.length) {
        out.statements.push(...plan.statements);
        out.actions.push(`declined ${c.id}`);
      }
      continue;
    }
    if (c.status !== 'active' || unsettled.has(c.id)) continue;
    if (!u) {
      if (members.inviteeEmails.has(c.email_lower)) continue; // still invited in Dropbox: not gone
      if (!out.confirmed && c.account_id !== opts.leftAccountId) continue; // a member's token only vouches for itself
      if (opts.leftAccountId && c.account_id === opts.leftAccountId) {
        const plan = await planLeaveTrack(db, { trackId: track.id, accountId: c.account_id, via: 'dropbox' });
        out.statements.push(...plan.statements);
        out.actions.push(`left ${c.id}`);
      } else {
        const plan = await planRevokeCollaborator(db, { trackId: track.id, collaboratorId: c.id, actorId: track.owner_id, via: 'dropbox' });
        out.statements.push(...plan.statements);
        out.actions.push(`revoked ${c.id}`);
      }
      continue;
    }
    const level = levelOf(u.access);
    if (level && level !== c.access_level && out.confirmed) {
      const plan = await planSetAccessLevel(db, { trackId: track.id, collaboratorId: c.id, accessLevel: level, actorId: track.owner_id, via: 'dropbox' });
      out.statements.push(...plan.statements);
      out.actions.push(`access ${c.id} ${level}`);
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
// File uploads → history (one entry per file revision, whichever member's tree showed it first)
//
// `dropbox_seen_files` holds every revision PD knows in a folder, keyed by its rev (the same in every member's
// tree, and unchanged when Dropbox lists a file again, e.g. after an access change or a re-mount). Revisions
// that were in the folder before it became a track are claimed without a history entry: at import (the owner's
// listing, before the track is created) or, if that listing could not be made, when first seen, by Dropbox's
// server_modified. server_modified has whole seconds: a revision from the import's own second counts as an upload.

/** Whether a revision first seen now was made after the folder became a track (else: it was already there). */
export function isUploadAfterImport(u: Pick<Upload, 'serverModified'>, trackCreatedAt: string | undefined): boolean {
  if (!u.serverModified || !trackCreatedAt) return true;
  const stored = Date.parse(u.serverModified);
  const created = Date.parse(trackCreatedAt);
  if (Number.isNaN(stored) || Number.isNaN(created)) return true;
  return stored + 1000 > created;
}

/** Claims revisions that were in the folder before it was a track: known, never history. */
export function knownFileStatements(db: D1Database, files: Upload[]): D1PreparedStatement[] {
  return files.map((u) =>
    prepare(
      db,
      sql`INSERT INTO dropbox_seen_files (shared_folder_id, file_key, claimed_by, seen_at) VALUES (${u.sharedFolderId}, ${u.key}, ${'existing'}, ${Date.now()})
          ON CONFLICT DO NOTHING`,
    ),
  );
}

/** Every file under one mount of this account's tree (files/list_folder recursive, all pages). */
export async function listMountFiles(client: DropboxClient, sharedFolderId: string, mountPath: string): Promise<Upload[]> {
  const mounts = new Map([[sharedFolderId, mountPath]]);
  const out: Upload[] = [];
  let page = await client.call((d) => d.filesListFolder({ path: mountPath, recursive: true, include_mounted_folders: true }));
  for (;;) {
    out.push(...analyzeEntries(page.entries as ListEntry[], mounts, new Set()).uploads.filter((u) => u.sharedFolderId === sharedFolderId));
    if (!page.has_more) break;
    const c = page.cursor;
    page = await client.call((d) => d.filesListFolderContinue({ cursor: c }));
  }
  return out;
}

async function uploadStatements(db: D1Database, track: TrackRef, u: Upload): Promise<D1PreparedStatement[]> {
  if (!isUploadAfterImport(u, track.created_at)) return knownFileStatements(db, [u]);
  const trackId = track.id;
  const now = nowIso();
  const claim = newId('upl');
  const claimed = sql`EXISTS (SELECT 1 FROM dropbox_seen_files WHERE shared_folder_id = ${u.sharedFolderId} AND file_key = ${u.key} AND claimed_by = ${claim})`;
  const actor = u.modifiedBy
    ? await db.prepare('SELECT id FROM accounts WHERE dropbox_account_id = ?').bind(u.modifiedBy).first<{ id: string }>()
    : null;
  return [
    prepare(
      db,
      sql`INSERT INTO dropbox_seen_files (shared_folder_id, file_key, claimed_by, seen_at) VALUES (${u.sharedFolderId}, ${u.key}, ${claim}, ${Date.now()})
          ON CONFLICT DO NOTHING`,
    ),
    prepare(db, sql`UPDATE tracks SET updated_at = ${now} WHERE id = ${trackId} AND ${claimed}`),
    prepare(
      db,
      insertHistory({
        trackId,
        kind: 'file_uploaded',
        actorId: actor?.id ?? null,
        via: 'dropbox',
        details: { path: u.relPath, ...(u.rev ? { rev: u.rev } : {}), ...(u.size !== null ? { size: u.size } : {}) },
        now,
        when: claimed,
      }),
    ),
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// Walking one account

async function tracksFor(db: D1Database, sharedFolderIds: string[]): Promise<Map<string, TrackRef>> {
  const out = new Map<string, TrackRef>();
  for (let i = 0; i < sharedFolderIds.length; i += 50) {
    const ids = sharedFolderIds.slice(i, i + 50);
    const { results } = await db
      .prepare(`SELECT id, owner_id, dropbox_shared_folder_id, created_at FROM tracks WHERE dropbox_shared_folder_id IN (${ids.map(() => '?').join(',')})`)
      .bind(...ids)
      .all<TrackRef>();
    for (const r of results) out.set(r.dropbox_shared_folder_id, r);
  }
  return out;
}

function mountStatements(db: D1Database, accountId: string, before: Map<string, string>, after: Map<string, string>): D1PreparedStatement[] {
  const stmts: D1PreparedStatement[] = [];
  for (const [sfid] of before) {
    if (!after.has(sfid)) stmts.push(db.prepare('DELETE FROM dropbox_mounts WHERE account_id = ? AND shared_folder_id = ?').bind(accountId, sfid));
  }
  for (const [sfid, path] of after) {
    if (before.get(sfid) !== path) {
      stmts.push(
        db
          .prepare('INSERT INTO dropbox_mounts (account_id, shared_folder_id, path_lower) VALUES (?, ?, ?) ON CONFLICT (account_id, shared_folder_id) DO UPDATE SET path_lower = excluded.path_lower')
          .bind(accountId, sfid, path),
      );
    }
  }
  return stmts;
}

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
 * With a new baseline cursor, what happened in this account's track folders before it is not in any walk: each
 * track folder mounted here is listed once (after the cursor was taken, so nothing falls in between), and a
 * revision no one has recorded yet and made after the import (e.g. uploaded after the import while this
 * account's first reconciliation was still queued) becomes its upload entry.
 */
async function uploadsBeforeBaseline(db: D1Database, client: DropboxClient, mounts: Map<string, string>): Promise<D1PreparedStatement[]> {
  const tracks = await tracksFor(db, [...mounts.keys()]);
  const stmts: D1PreparedStatement[] = [];
  for (const [sfid, track] of tracks) {
    const path = mounts.get(sfid);
    if (!path) continue;
    const files = await listMountFiles(client, sfid, path);
    if (!files.length) continue;
    const { results } = await db
      .prepare(`SELECT file_key FROM dropbox_seen_files WHERE shared_folder_id = ?`)
      .bind(sfid)
      .all<{ file_key: string }>();
    const seen = new Set(results.map((r) => r.file_key));
    for (const u of files) if (!seen.has(u.key)) stmts.push(...(await uploadStatements(db, track, u)));
  }
  return stmts;
}

function baselineStatements(db: D1Database, accountId: string, holder: string, cursor: string, mounts: Map<string, string>): D1PreparedStatement[] {
  return [
    db.prepare('DELETE FROM dropbox_mounts WHERE account_id = ?').bind(accountId),
    ...mountStatements(db, accountId, new Map(), mounts),
    db.prepare('UPDATE dropbox_account_sync SET cursor = ?, updated_at = ? WHERE account_id = ?').bind(cursor, Date.now(), accountId),
    extendLease(db, accountId, holder),
  ];
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

export async function reconcileAccount(env: ReconcileEnv, dropboxAccountId: string, at: number): Promise<ReconcileResult> {
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
  if (who.last_started_at && at < who.last_started_at - CLOCK_SKEW_MARGIN_MS) return { result: 'covered' };

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
    if (!sync?.cursor) {
      const b = await readBaseline(client);
      const uploads = await uploadsBeforeBaseline(db, client, b.mounts);
      await db.batch([...uploads, ...baselineStatements(db, accountId, holder, b.cursor, b.mounts)]);
      await releaseAccountLease(db, accountId, holder, { startedAt });
      return { result: 'baselined', calls: client.calls };
    }
    const r = await walk(env, client, accountId, dropboxAccountId, sync.cursor, holder);
    await releaseAccountLease(db, accountId, holder, { startedAt });
    return { result: 'done', pages: r.pages, calls: client.calls, changes: r.changes };
  } catch (e) {
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

/** This account's own collaborator records on these tracks (one query). */
async function myRecords(db: D1Database, accountId: string, trackIds: string[]): Promise<Map<string, { status: string; access_level: AccessLevel }>> {
  const out = new Map<string, { status: string; access_level: AccessLevel }>();
  for (let i = 0; i < trackIds.length; i += 50) {
    const ids = trackIds.slice(i, i + 50);
    const { results } = await db
      .prepare(`SELECT track_id, status, access_level FROM collaborators WHERE account_id = ? AND track_id IN (${ids.map(() => '?').join(',')})`)
      .bind(accountId, ...ids)
      .all<{ track_id: string; status: string; access_level: AccessLevel }>();
    for (const r of results) out.set(r.track_id, r);
  }
  return out;
}

/**
 * Whether what this account's tree showed can change PD at all; only then is the owner asked (a Dropbox call).
 * E.g. the mount vanishing for someone PD already shows as revoked (our own removal, echoed back) needs nothing.
 */
export function needsConfirmation(isOwner: boolean, mine: { status: string; access_level: AccessLevel } | undefined, a: PageAnalysis, sfid: string): boolean {
  if (isOwner) return a.lost.has(sfid); // the owner's own share vanished: unshared (or the folder is gone)
  const active = mine?.status === 'active';
  if (a.lost.has(sfid)) return active;
  if (a.joined.has(sfid) && !active && mine?.status !== 'invited') return true; // added in Dropbox
  const ro = a.readOnly.get(sfid);
  return active && ro !== undefined && (mine!.access_level === 'viewer') !== ro;
}

async function walk(
  env: ReconcileEnv,
  client: DropboxClient,
  accountId: string,
  dropboxAccountId: string,
  startCursor: string,
  holder: string,
): Promise<{ pages: number; changes: number }> {
  const db = env.DB;
  const { results } = await db.prepare('SELECT shared_folder_id, path_lower FROM dropbox_mounts WHERE account_id = ?').bind(accountId).all<{ shared_folder_id: string; path_lower: string }>();
  const mounts = new Map(results.map((r) => [r.shared_folder_id, r.path_lower]));
  const fresh = new Set<string>();
  let cursor = startCursor;
  let pages = 0;
  let changes = 0;
  for (;;) {
    let page;
    try {
      page = await client.call((d) => d.filesListFolderContinue({ cursor }));
    } catch (e) {
      const err = classifyDropboxError(e);
      if (err.kind === 'route' && err.tag === 'reset') {
        // The cursor is no longer valid: start again from now. Mounts that vanished or appeared meanwhile are
        // found by comparing where shared folders were mounted with where they are now; every other track of
        // this account gets an owner-side check for what else may have changed.
        const b = await readBaseline(client);
        const lost = [...mounts.keys()].filter((sfid) => !b.mounts.has(sfid));
        const joined = [...b.mounts.keys()].filter((sfid) => !mounts.has(sfid));
        const tracks = await tracksFor(db, [...lost, ...joined]);
        const stmts: D1PreparedStatement[] = [];
        for (const [sfid, track] of tracks) {
          const r = await syncTrackMembers(env, track, { leftAccountId: lost.includes(sfid) ? accountId : null, memberClient: track.owner_id === accountId ? null : client });
          stmts.push(...r.statements);
          changes += r.actions.length;
        }
        stmts.push(...(await uploadsBeforeBaseline(db, client, b.mounts)));
        await db.batch([...stmts, ...baselineStatements(db, accountId, holder, b.cursor, b.mounts)]);
        await recheckTracksOf(env, accountId, new Set([...tracks.values()].map((t) => t.id)));
        return { pages, changes };
      }
      throw err;
    }
    pages++;
    const before = new Map(mounts);
    const a = analyzeEntries(page.entries as ListEntry[], mounts, fresh);
    const stmts: D1PreparedStatement[] = [];

    const interesting = [...new Set([...a.lost, ...a.joined, ...a.readOnly.keys(), ...a.uploads.map((u) => u.sharedFolderId)])];
    const tracks = interesting.length ? await tracksFor(db, interesting) : new Map<string, TrackRef>();
    const mine = await myRecords(db, accountId, [...tracks.values()].map((t) => t.id));
    for (const [sfid, track] of tracks) {
      const needsSync = needsConfirmation(track.owner_id === accountId, mine.get(track.id), a, sfid);
      if (needsSync) {
        const r = await syncTrackMembers(env, track, {
          leftAccountId: a.lost.has(sfid) ? accountId : null,
          memberClient: track.owner_id === accountId ? null : client,
        });
        stmts.push(...r.statements);
        changes += r.actions.length;
      }
      for (const u of a.uploads.filter((x) => x.sharedFolderId === sfid)) stmts.push(...(await uploadStatements(db, track, u)));
    }
    stmts.push(...mountStatements(db, accountId, before, mounts));
    stmts.push(db.prepare('UPDATE dropbox_account_sync SET cursor = ?, updated_at = ? WHERE account_id = ?').bind(page.cursor, Date.now(), accountId));
    stmts.push(extendLease(db, accountId, holder));
    await db.batch(stmts);
    cursor = page.cursor;
    if (!page.has_more) break;
  }
  void dropboxAccountId;
  return { pages, changes };
}

// ---------------------------------------------------------------------------------------------------------------
// Cron rotation: one track's owner-side membership

export async function checkTrackMembership(
  env: ReconcileEnv,
  trackId: string,
): Promise<{ result: 'done' | 'gone' | 'owner-not-linked'; actions: string[] } | { result: 'retry'; delaySeconds: number; error: string }> {
  const db = env.DB;
  const track = await db.prepare('SELECT id, owner_id, dropbox_shared_folder_id FROM tracks WHERE id = ?').bind(trackId).first<TrackRef>();
  const done = (error: string | null) =>
    db.prepare('UPDATE dropbox_membership_checks SET checked_at = ?, enqueued_at = 0, last_error = ? WHERE track_id = ?').bind(Date.now(), error, trackId);
  if (!track) {
    await db.prepare('DELETE FROM dropbox_membership_checks WHERE track_id = ?').bind(trackId).run();
    return { result: 'gone', actions: [] };
  }
  try {
    const r = await syncTrackMembers(env, track, { leftAccountId: null });
    if (!r.confirmed) {
      await done('owner has not linked Dropbox').run();
      return { result: 'owner-not-linked', actions: [] };
    }
    await db.batch([...r.statements, done(null)]);
    return { result: 'done', actions: r.actions };
  } catch (e) {
    const err = classifyDropboxError(e);
    await db.prepare('UPDATE dropbox_membership_checks SET last_error = ? WHERE track_id = ?').bind(err.message.slice(0, 300), trackId).run();
    if (err.retryable) {
      return { result: 'retry', delaySeconds: err.kind === 'rate_limited' ? Math.max(1, Math.ceil(err.retryAfterSeconds ?? 1)) : backoffSeconds(1), error: err.message };
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
