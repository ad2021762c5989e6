// "Which track is this?" for the folder a person is looking at in the Dropbox web UI. Shared folders can be
// renamed or moved per person, so the path is resolved with the caller's own token (files/get_metadata →
// sharing_info.shared_folder_id), never matched by name. Web paths: /home/… (one's own Dropbox), /personal/… (the
// personal account of a paired work + personal pair) and /work/<team>/… (a Dropbox Business team space, whose
// paths start at the team root: resolved with Dropbox-API-Path-Root, see src/dropbox/root.ts).
import type { ByDropboxPathResponse } from '@pd/shared';
import { DomainError, trackAccess, type TrackAccess } from '../domain/index.ts';
import { findTrackByDropboxSharedFolderId } from '../domain/tracks.ts';
import { toTrackSummary } from '../domain/rows.ts';
import { clientForAccount, type ClientEnv, type DropboxClient } from '../dropbox/client.ts';
import { classifyDropboxError, DropboxCallError, tagPath } from '../dropbox/errors.ts';
import { rootFromInvalidRoot, rootOf, rootPathRoot, saveRootStatement } from '../dropbox/root.ts';
import { DropboxApiError } from './errors.ts';
import { asApiError } from './dropbox-errors.ts';

/** A Dropbox web page's folder: which Dropbox (space) and the path in it ('' = its root). */
export interface WebLocation {
  /** home: /home/… · personal: /personal/… · work: /work/<team>/… (path from the team root) */
  space: 'home' | 'personal' | 'work';
  /** The team segment of a /work page (display name, decoded); null elsewhere. */
  team: string | null;
  path: string;
}

function decodeSegments(tail: string): string | null {
  const segments = tail.split('/').filter(Boolean);
  try {
    const decoded = segments.map((s) => decodeURIComponent(s));
    if (decoded.some((s) => s === '.' || s === '..' || s.includes('/'))) return null;
    return decoded.length ? '/' + decoded.join('/') : '';
  } catch {
    return null;
  }
}

/**
 * `/home/My%20Music/Track%201`, `/personal/…` or `/work/Acme%20Studio/Rio%20Park/Track` (or the whole
 * https://www.dropbox.com/… URL; query ignored) → where the folder is. Null if it is none of these.
 */
export function dropboxLocationFromWeb(input: string): WebLocation | null {
  let p = input.trim();
  if (/^https?:\/\//i.test(p)) {
    try {
      p = new URL(p).pathname;
    } catch {
      return null;
    }
  }
  p = p.split(/[?#]/)[0];
  const m = /^\/(home|personal)(\/.*)?$/.exec(p);
  if (m) {
    const path = decodeSegments(m[2] ?? '');
    return path === null ? null : { space: m[1] as 'home' | 'personal', team: null, path };
  }
  const w = /^\/work\/([^/]+)(\/.*)?$/.exec(p);
  if (!w) return null;
  const team = decodeSegments(w[1]);
  const path = decodeSegments(w[2] ?? '');
  return team === null || team === '' || path === null ? null : { space: 'work', team: team.slice(1), path };
}

/** `/home/My%20Music/Track%201` → `/My Music/Track 1`; '' for the root; null if it is not a /home path. */
export function dropboxPathFromWeb(input: string): string | null {
  const loc = dropboxLocationFromWeb(input);
  return loc && loc.space === 'home' ? loc.path : null;
}

type Meta = { '.tag': string; id?: string; sharing_info?: { shared_folder_id?: string; parent_shared_folder_id?: string } };

/**
 * files/get_metadata of the page's folder with the right path root: /home and /personal paths are home-relative
 * (no header; /personal only when PD is signed in with the personal account), /work/<team> paths are relative to the
 * team root (`Dropbox-API-Path-Root: {".tag":"root"}` with the stored root namespace id; when Dropbox answers
 * 422 invalid_root the team space changed: the root it sends is stored and the call made once more).
 */
async function metadataAt(db: D1Database, client: DropboxClient, accountId: string, loc: WebLocation): Promise<Meta> {
  if (loc.space === 'home') return (await client.call((d) => d.filesGetMetadata({ path: loc.path }))) as Meta;
  let root = await rootOf(db, client, accountId);
  const who = await db.prepare('SELECT email FROM accounts WHERE id = ?').bind(accountId).first<{ email: string }>();
  const signedInAs = who?.email ?? 'this account';
  if (loc.space === 'personal') {
    if (root.teamName) {
      throw new DropboxApiError(
        'dropbox_other_account',
        `This page is a personal Dropbox, but Producer Dashboard is signed in with ${signedInAs}, a member of the Dropbox team “${root.teamName}”. Sign in to Producer Dashboard with your personal Dropbox to see its tracks here.`,
      );
    }
    return (await client.call((d) => d.filesGetMetadata({ path: loc.path }))) as Meta;
  }
  if (!root.teamName) {
    throw new DropboxApiError(
      'dropbox_other_account',
      `This page is the Dropbox team space “${loc.team}”, but Producer Dashboard is signed in with ${signedInAs}, a personal Dropbox${root.isPaired ? ' (paired with your work account)' : ''}. Sign in to Producer Dashboard with your work Dropbox to see its tracks here.`,
    );
  }
  for (let attempt = 0; ; attempt++) {
    try {
      const pathRoot = rootPathRoot(root);
      return (await client.call((d) => d.filesGetMetadata({ path: loc.path }), { pathRoot })) as Meta;
    } catch (e) {
      const err = classifyDropboxError(e);
      if (err.kind !== 'path_root') throw e;
      const latest = err.tag === 'invalid_root' ? rootFromInvalidRoot(err.error, root) : null;
      if (latest && attempt === 0) {
        await saveRootStatement(db, accountId, latest).run();
        root = latest;
        continue;
      }
      throw new DropboxApiError(
        'dropbox_other_account',
        `Dropbox does not let ${signedInAs} read the team space “${loc.team}” (${err.tag ?? 'path root refused'}). If you changed teams, sign in to Producer Dashboard again.`,
      );
    }
  }
}

export async function trackByDropboxPath(env: ClientEnv, db: D1Database, accountId: string, webPath: string): Promise<ByDropboxPathResponse> {
  const loc = dropboxLocationFromWeb(webPath);
  if (loc === null) {
    throw new DomainError(
      'validation_failed',
      'path: expected a Dropbox web path such as /home/Folder/Track, /personal/Folder/Track or /work/Team/Folder/Track.',
    );
  }
  const path = loc.path;
  if (path === '') throw new DropboxApiError('not_a_shared_folder', 'The root of your Dropbox is not a shared folder.');

  let meta: Meta;
  try {
    const client = await clientForAccount({ ...env, DB: db }, accountId);
    meta = await metadataAt(db, client, accountId, loc);
  } catch (e) {
    if (e instanceof DropboxApiError) throw e;
    const err = e instanceof DropboxCallError ? e : e && typeof e === 'object' && 'status' in e ? classifyDropboxError(e) : null;
    if (err?.kind === 'route' && tagPath(err.error) === 'path/not_found') {
      throw new DropboxApiError('dropbox_path_not_found', 'Nothing is at this path in your Dropbox.');
    }
    throw asApiError(e) ?? e;
  }
  const own = meta['.tag'] === 'folder' ? meta.sharing_info?.shared_folder_id : undefined;
  const sharedFolderId = own ?? meta.sharing_info?.parent_shared_folder_id;
  if (!sharedFolderId) {
    // Unshared in Dropbox: the owner keeps a plain folder with the same id. The track, its credits and history stay
    // theirs in PD (issue 11): found by the folder id learned on an earlier lookup.
    const unshared = meta['.tag'] === 'folder' && meta.id ? await ownTrackByFolderId(db, accountId, meta.id) : null;
    if (unshared) return unshared;
    throw new DropboxApiError('not_a_shared_folder', 'This folder is not a Dropbox shared folder.');
  }

  const track = await findTrackByDropboxSharedFolderId(db, sharedFolderId);
  if (!track) throw new DropboxApiError('not_a_pd_track', 'This shared folder is not a Producer Dashboard track.');
  let access: TrackAccess;
  try {
    access = await trackAccess(db, track.id, accountId);
  } catch (e) {
    if (e instanceof DomainError && e.code === 'track_not_found') {
      throw new DropboxApiError('not_a_pd_track', 'This shared folder is not a Producer Dashboard track you are part of.');
    }
    throw e;
  }
  if (access.role === 'owner' && own && meta.id) {
    // Remember the owner's folder id (written only when it changes), so an unshare in Dropbox does not lose the track.
    await db
      .prepare('UPDATE tracks SET dropbox_folder_id = ? WHERE id = ? AND dropbox_folder_id IS NOT ?')
      .bind(meta.id, access.track.id, meta.id)
      .run();
  }
  return { track: toTrackSummary(access.track), myRole: access.role, sharedFolderId, position: own ? 'root' : 'inside', sharedInDropbox: true };
}

async function ownTrackByFolderId(db: D1Database, accountId: string, folderId: string): Promise<ByDropboxPathResponse | null> {
  const row = await db
    .prepare('SELECT id FROM tracks WHERE owner_id = ? AND dropbox_folder_id = ? LIMIT 1')
    .bind(accountId, folderId)
    .first<{ id: string }>();
  if (!row) return null;
  const access = await trackAccess(db, row.id, accountId);
  return {
    track: toTrackSummary(access.track),
    myRole: access.role,
    sharedFolderId: access.track.dropbox_shared_folder_id,
    position: 'root',
    sharedInDropbox: false,
  };
}
