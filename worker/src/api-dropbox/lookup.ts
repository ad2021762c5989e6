// "Which track is this?" for the folder a person is looking at in the Dropbox web UI. Shared folders can be
// renamed or moved per person, so the path is resolved with the caller's own token (files/get_metadata →
// sharing_info.shared_folder_id), never matched by name.
import type { ByDropboxPathResponse } from '@pd/shared';
import { DomainError, trackAccess, type TrackAccess } from '../domain/index.ts';
import { findTrackByDropboxSharedFolderId } from '../domain/tracks.ts';
import { toTrackSummary } from '../domain/rows.ts';
import { clientForAccount, type ClientEnv } from '../dropbox/client.ts';
import { classifyDropboxError, allTags } from '../dropbox/errors.ts';
import { DropboxApiError } from './errors.ts';
import { asApiError } from './dropbox-errors.ts';

/**
 * `/home/My%20Music/Track%201` (or the whole https://www.dropbox.com/home/… URL, query ignored) → `/My Music/Track 1`.
 * Returns '' for the root and null if it is not a /home path.
 */
export function dropboxPathFromWeb(input: string): string | null {
  let p = input.trim();
  if (/^https?:\/\//i.test(p)) {
    try {
      p = new URL(p).pathname;
    } catch {
      return null;
    }
  }
  p = p.split(/[?#]/)[0];
  if (p !== '/home' && !p.startsWith('/home/')) return null;
  const segments = p.slice('/home'.length).split('/').filter(Boolean);
  try {
    const decoded = segments.map((s) => decodeURIComponent(s));
    if (decoded.some((s) => s === '.' || s === '..' || s.includes('/'))) return null;
    return decoded.length ? '/' + decoded.join('/') : '';
  } catch {
    return null;
  }
}

export async function trackByDropboxPath(env: ClientEnv, db: D1Database, accountId: string, webPath: string): Promise<ByDropboxPathResponse> {
  const path = dropboxPathFromWeb(webPath);
  if (path === null) throw new DomainError('validation_failed', 'path: expected a Dropbox web path such as /home/Folder/Track.');
  if (path === '') throw new DropboxApiError('not_a_shared_folder', 'The root of your Dropbox is not a shared folder.');

  let meta: { '.tag': string; sharing_info?: { shared_folder_id?: string; parent_shared_folder_id?: string } };
  try {
    const client = await clientForAccount({ ...env, DB: db }, accountId);
    meta = (await client.call((d) => d.filesGetMetadata({ path }))) as typeof meta;
  } catch (e) {
    const err = e && typeof e === 'object' && 'status' in e ? classifyDropboxError(e) : null;
    if (err?.kind === 'route' && allTags(err.error).includes('not_found')) {
      throw new DropboxApiError('dropbox_path_not_found', 'Nothing is at this path in your Dropbox.');
    }
    throw asApiError(e) ?? e;
  }
  const own = meta['.tag'] === 'folder' ? meta.sharing_info?.shared_folder_id : undefined;
  const sharedFolderId = own ?? meta.sharing_info?.parent_shared_folder_id;
  if (!sharedFolderId) throw new DropboxApiError('not_a_shared_folder', 'This folder is not a Dropbox shared folder.');

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
  return { track: toTrackSummary(access.track), myRole: access.role, sharedFolderId, position: own ? 'root' : 'inside' };
}
