// Import: the owner's existing Dropbox shared folders become PD tracks, their Dropbox members collaborators
// (found in Dropbox: nothing is queued back to Dropbox). Safe to repeat: an imported folder keeps its track and
// only has its members reconciled again.
import { cleanName, type DropboxImportResponse, type ImportedTrack, type Track } from '@pd/shared';
import { DomainError } from '../domain/index.ts';
import { createTrack, findTrackByDropboxSharedFolderId } from '../domain/tracks.ts';
import { planInvite } from '../domain/sharing.ts';
import { clientForAccount, type ClientEnv } from '../dropbox/client.ts';
import { knownFileStatements, listMountFiles, syncTrackMembers, type MemberSyncResult, type ReconcileEnv } from '../jobs/reconcile.ts';
import { asApiError } from './dropbox-errors.ts';
import { sendJobs } from '../jobs/messages.ts';
import { countStatements } from '../budget.ts';

interface FolderInfo {
  shared_folder_id: string;
  name: string;
  access_type: { '.tag': string };
  is_team_folder: boolean;
  is_inside_team_folder: boolean;
  path_lower?: string;
}

/** The folder name as a track title: at most 200 UTF-16 units, never cutting a character (emoji) in half. */
function titleOf(folderName: string): string {
  const name = cleanName(folderName); // the one name rule (shared/src/text.ts), stripping what Dropbox lets through
  const cut = name.length > 200 ? name.slice(0, /[\uD800-\uDBFF]/.test(name[199]) ? 199 : 200) : name;
  return cut.trim() || 'Untitled';
}

/**
 * New tracks per call, at most. Each costs Dropbox calls (its files, its members) and D1 statements inline, and one
 * request has 1,000 of each: the loop also stops once IMPORT_D1_BUDGET statements or IMPORT_CALL_BUDGET Dropbox
 * calls are used (a folder with many members or files costs more). Past either, `remaining` > 0: call again.
 */
export const MAX_NEW_PER_REQUEST = 100;
export const IMPORT_D1_BUDGET = 600;
export const IMPORT_CALL_BUDGET = 600;
/** Folders imported before get their members re-read by a queued check, up to this many per call; the rest are
 * moved to the front of the membership rotation (one statement, no queue send each). */
export const MAX_RECHECKS_QUEUED = 500;
/** Folder ids per set-based lookup (one bound JSON array). */
const CHUNK = 500;

interface ExistingTrack {
  id: string;
  owner_id: string;
  title: string;
}

const chunks = <T>(xs: T[], n = CHUNK): T[][] => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));

export async function importSharedFolders(
  env: ClientEnv & Pick<Env, 'JOBS'>,
  requestDb: D1Database,
  ownerId: string,
  only?: string[],
): Promise<DropboxImportResponse> {
  const used = { statements: 0 };
  const db = countStatements(requestDb, used);
  const renv: ReconcileEnv = { ...env, DB: db };
  const folders: FolderInfo[] = [];
  let client: Awaited<ReturnType<typeof clientForAccount>>;
  try {
    client = await clientForAccount(renv, ownerId);
    let page = await client.call((d) => d.sharingListFolders({ limit: 1000 }));
    for (;;) {
      folders.push(...(page.entries as FolderInfo[]));
      if (!page.cursor) break;
      const c = page.cursor;
      page = await client.call((d) => d.sharingListFoldersContinue({ cursor: c }));
    }
  } catch (e) {
    throw asApiError(e) ?? e;
  }

  // Which of the owned folders are tracks already: one query per CHUNK folders, not one per folder.
  const owned = folders.filter((f) => f.access_type['.tag'] === 'owner' && !f.is_team_folder && !f.is_inside_team_folder);
  const existing = new Map<string, ExistingTrack>();
  for (const part of chunks(owned.map((f) => f.shared_folder_id))) {
    const { results } = await db
      .prepare(`SELECT id, owner_id, title, dropbox_shared_folder_id FROM tracks WHERE dropbox_shared_folder_id IN (SELECT value FROM json_each(?))`)
      .bind(JSON.stringify(part))
      .all<ExistingTrack & { dropbox_shared_folder_id: string }>();
    for (const r of results) existing.set(r.dropbox_shared_folder_id, r);
  }

  const out: DropboxImportResponse = { imported: [], skipped: [], remaining: 0 };
  const wanted = only ? new Set(only) : null;
  // Imported before: listed in folder order now, their collaborators filled in below with one query per chunk.
  const recheck: ImportedTrack[] = [];
  let created = 0;
  let memberCalls = 0;
  for (const f of folders) {
    if (wanted && !wanted.has(f.shared_folder_id)) continue;
    wanted?.delete(f.shared_folder_id);
    if (f.access_type['.tag'] !== 'owner') {
      out.skipped.push({ sharedFolderId: f.shared_folder_id, name: f.name, reason: 'You are not the owner of this shared folder.' });
      continue;
    }
    if (f.is_team_folder || f.is_inside_team_folder) {
      out.skipped.push({ sharedFolderId: f.shared_folder_id, name: f.name, reason: 'Team folders cannot be tracks.' });
      continue;
    }
    const known = existing.get(f.shared_folder_id);
    if (known && known.owner_id !== ownerId) {
      out.skipped.push({ sharedFolderId: f.shared_folder_id, name: f.name, reason: 'This folder is already a track of another account.' });
      continue;
    }
    if (known) {
      // Imported before: its members are re-read by a queued membership check, not inline (keeps a repeated
      // import cheap, so a big import done in several calls always moves forward).
      const entry: ImportedTrack = { trackId: known.id, sharedFolderId: f.shared_folder_id, title: known.title, collaborators: [], created: false };
      out.imported.push(entry);
      recheck.push(entry);
      continue;
    }
    if (created >= MAX_NEW_PER_REQUEST || used.statements >= IMPORT_D1_BUDGET || client.calls + memberCalls >= IMPORT_CALL_BUDGET) {
      out.remaining++;
      continue;
    }
    // What is in the folder now was not uploaded to the track: read before the track exists, so every later
    // revision is one (see worker/DROPBOX.md, Uploads). Best effort: if Dropbox fails here, revisions older than
    // the track are still told apart by when Dropbox stored them.
    let existingFiles: Awaited<ReturnType<typeof listMountFiles>> = [];
    if (f.path_lower) {
      try {
        existingFiles = await listMountFiles(client, f.shared_folder_id, f.path_lower);
      } catch {
        existingFiles = [];
      }
    }
    let track: Track | null;
    try {
      track = await createTrack(db, { ownerId, dropboxSharedFolderId: f.shared_folder_id, title: titleOf(f.name), via: 'dropbox' });
      created++;
    } catch (e) {
      if (!(e instanceof DomainError && e.code === 'track_exists')) throw e;
      track = await findTrackByDropboxSharedFolderId(db, f.shared_folder_id);
      if (!track) throw e;
    }
    const ref = { id: track.id, owner_id: ownerId, dropbox_shared_folder_id: f.shared_folder_id };
    let members: MemberSyncResult;
    try {
      members = await syncTrackMembers(renv, ref, { allowAdds: true });
    } catch (e) {
      throw asApiError(e) ?? e;
    }
    memberCalls += members.calls;
    const stmts = [...members.statements, ...knownFileStatements(db, existingFiles)];
    if (f.path_lower) {
      stmts.push(
        db
          .prepare(
            'INSERT INTO dropbox_mounts (account_id, shared_folder_id, path_lower) VALUES (?, ?, ?) ON CONFLICT (account_id, shared_folder_id) DO UPDATE SET path_lower = excluded.path_lower',
          )
          .bind(ownerId, f.shared_folder_id, f.path_lower),
      );
    }
    if (stmts.length) await db.batch(stmts);
    // People invited in Dropbox who have not joined yet: pending PD invitations (nothing to send to Dropbox).
    for (const email of members.inviteeEmails ?? []) {
      try {
        const plan = await planInvite(db, {
          trackId: track.id,
          actorId: ownerId,
          email,
          accessLevel: members.inviteeLevels?.get(email) ?? 'viewer',
          via: 'dropbox',
        });
        await db.batch(plan.statements);
      } catch (e) {
        if (!(e instanceof DomainError)) throw e; // already invited / already a collaborator: nothing to do
      }
    }
    out.imported.push({ ...(await importedTrack(db, track.id, f.shared_folder_id, track.title)), created: true });
  }
  for (const id of wanted ?? []) out.skipped.push({ sharedFolderId: id, name: '', reason: 'No such shared folder in your Dropbox.' });

  // The folders imported before, with their collaborators: one query per CHUNK tracks.
  const byTrack = new Map(recheck.map((r) => [r.trackId, r]));
  for (const part of chunks(recheck.map((r) => r.trackId))) {
    const { results } = await db
      .prepare(
        `SELECT track_id, email, display_name, access_level, status FROM collaborators
         WHERE track_id IN (SELECT value FROM json_each(?)) AND status IN ('active', 'invited') ORDER BY invited_at, id`,
      )
      .bind(JSON.stringify(part))
      .all<{ track_id: string; email: string; display_name: string; access_level: 'editor' | 'viewer'; status: 'active' | 'invited' }>();
    for (const r of results) {
      byTrack.get(r.track_id)?.collaborators.push({ email: r.email, displayName: r.display_name, accessLevel: r.access_level, status: r.status });
    }
  }
  const queued = recheck.slice(0, MAX_RECHECKS_QUEUED);
  await sendJobs(
    env.JOBS,
    queued.map((r) => ({ kind: 'check-track-membership' as const, trackId: r.trackId })),
  );
  for (const part of chunks(recheck.slice(MAX_RECHECKS_QUEUED).map((r) => r.trackId))) {
    await db
      .prepare(`UPDATE dropbox_membership_checks SET checked_at = 0, due_at = 0 WHERE track_id IN (SELECT value FROM json_each(?))`)
      .bind(JSON.stringify(part))
      .run();
  }
  return out;
}

async function importedTrack(db: D1Database, trackId: string, sharedFolderId: string, title: string): Promise<Omit<ImportedTrack, 'created'>> {
  const { results } = await db
    .prepare(
      `SELECT email, display_name, access_level, status FROM collaborators WHERE track_id = ? AND status IN ('active', 'invited') ORDER BY invited_at, id`,
    )
    .bind(trackId)
    .all<{ email: string; display_name: string; access_level: 'editor' | 'viewer'; status: 'active' | 'invited' }>();
  return {
    trackId,
    sharedFolderId,
    title,
    collaborators: results.map((r) => ({ email: r.email, displayName: r.display_name, accessLevel: r.access_level, status: r.status })),
  };
}
