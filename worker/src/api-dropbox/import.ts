// Import: the owner's existing Dropbox shared folders become PD tracks, their Dropbox members collaborators
// (found in Dropbox: nothing is queued back to Dropbox). Safe to repeat: an imported folder keeps its track and
// only has its members reconciled again.
import { cleanName, type DropboxImportResponse, type ImportedTrack } from '@pd/shared';
import { DomainError } from '../domain/index.ts';
import { createTrack, findTrackByDropboxSharedFolderId } from '../domain/tracks.ts';
import { planInvite } from '../domain/sharing.ts';
import { clientForAccount, type ClientEnv } from '../dropbox/client.ts';
import { knownFileStatements, listMountFiles, syncTrackMembers, type ReconcileEnv } from '../jobs/reconcile.ts';
import { asApiError } from './dropbox-errors.ts';
import { sendJobs } from '../jobs/messages.ts';

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
 * New tracks per call: each costs a member read (a Dropbox subrequest) inline, and one request has a subrequest
 * budget. More owned folders than this → `remaining` > 0: call again (already imported ones are then cheap).
 */
export const MAX_NEW_PER_REQUEST = 100;

export async function importSharedFolders(
  env: ClientEnv & Pick<Env, 'JOBS'>,
  db: D1Database,
  ownerId: string,
  only?: string[],
): Promise<DropboxImportResponse> {
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

  const out: DropboxImportResponse = { imported: [], skipped: [], remaining: 0 };
  const wanted = only ? new Set(only) : null;
  const recheck: string[] = [];
  let created = 0;
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
    let track = await findTrackByDropboxSharedFolderId(db, f.shared_folder_id);
    if (track && track.ownerId !== ownerId) {
      out.skipped.push({ sharedFolderId: f.shared_folder_id, name: f.name, reason: 'This folder is already a track of another account.' });
      continue;
    }
    if (track) {
      // Imported before: its members are re-read by a queued membership check, not inline (keeps a repeated
      // import cheap, so a big import done in several calls always moves forward).
      recheck.push(track.id);
      out.imported.push({ ...(await importedTrack(db, track.id, f.shared_folder_id, track.title)), created: false });
      continue;
    }
    if (created >= MAX_NEW_PER_REQUEST) {
      out.remaining++;
      continue;
    }
    // What is in the folder now was not uploaded to the track: read before the track exists, so every later
    // revision is one (see worker/DROPBOX.md, Uploads). Best effort: if Dropbox fails here, revisions older than
    // the track are still told apart by when Dropbox stored them.
    let existing: Awaited<ReturnType<typeof listMountFiles>> = [];
    if (f.path_lower) {
      try {
        existing = await listMountFiles(client, f.shared_folder_id, f.path_lower);
      } catch {
        existing = [];
      }
    }
    try {
      track = await createTrack(db, { ownerId, dropboxSharedFolderId: f.shared_folder_id, title: titleOf(f.name), via: 'dropbox' });
      created++;
    } catch (e) {
      if (!(e instanceof DomainError && e.code === 'track_exists')) throw e;
      track = await findTrackByDropboxSharedFolderId(db, f.shared_folder_id);
      if (!track) throw e;
    }
    const ref = { id: track.id, owner_id: ownerId, dropbox_shared_folder_id: f.shared_folder_id };
    let members;
    try {
      members = await syncTrackMembers(renv, ref, { allowAdds: true });
    } catch (e) {
      throw asApiError(e) ?? e;
    }
    const stmts = [...members.statements, ...knownFileStatements(db, existing)];
    if (f.path_lower) {
      stmts.push(
        db
          .prepare('INSERT INTO dropbox_mounts (account_id, shared_folder_id, path_lower) VALUES (?, ?, ?) ON CONFLICT (account_id, shared_folder_id) DO UPDATE SET path_lower = excluded.path_lower')
          .bind(ownerId, f.shared_folder_id, f.path_lower),
      );
    }
    if (stmts.length) await db.batch(stmts);
    // People invited in Dropbox who have not joined yet: pending PD invitations (nothing to send to Dropbox).
    for (const email of members.inviteeEmails ?? []) {
      try {
        const plan = await planInvite(db, { trackId: track.id, actorId: ownerId, email, accessLevel: members.inviteeLevels?.get(email) ?? 'viewer', via: 'dropbox' });
        await db.batch(plan.statements);
      } catch (e) {
        if (!(e instanceof DomainError)) throw e; // already invited / already a collaborator: nothing to do
      }
    }
    out.imported.push({ ...(await importedTrack(db, track.id, f.shared_folder_id, track.title)), created: true });
  }
  for (const id of wanted ?? []) out.skipped.push({ sharedFolderId: id, name: '', reason: 'No such shared folder in your Dropbox.' });
  await sendJobs(env.JOBS, recheck.map((trackId) => ({ kind: 'check-track-membership' as const, trackId })));
  return out;
}

async function importedTrack(db: D1Database, trackId: string, sharedFolderId: string, title: string): Promise<Omit<ImportedTrack, 'created'>> {
  const { results } = await db
    .prepare(`SELECT email, display_name, access_level, status FROM collaborators WHERE track_id = ? AND status IN ('active', 'invited') ORDER BY invited_at, id`)
    .bind(trackId)
    .all<{ email: string; display_name: string; access_level: 'editor' | 'viewer'; status: 'active' | 'invited' }>();
  return {
    trackId,
    sharedFolderId,
    title,
    collaborators: results.map((r) => ({ email: r.email, displayName: r.display_name, accessLevel: r.access_level, status: r.status })),
  };
}
