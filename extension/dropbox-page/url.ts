// Page detection for Dropbox's web UI: which folder (and which previewed file) the user is looking at.
// Dropbox URLs: https://www.dropbox.com/home/<URL-encoded path segments>[?preview=<file name>]
// A development build also accepts the Dropbox emulator's web UI, whose URLs have the same shape
// (e.g. http://localhost:8788/home/…); see build-settings.ts.
import { DROPBOX_WEB_ORIGIN } from '../build-settings';

export { DROPBOX_WEB_ORIGIN };

/** The emulator's web origin in a development build, '' in a production build (set by wxt.config.ts). */
const EMULATOR_WEB_ORIGIN: string = import.meta.env.WXT_PD_DROPBOX_WEB_ORIGIN || '';

/** Origins whose /home pages are Dropbox folder views: www.dropbox.com, plus the emulator in a development build. */
export const DROPBOX_WEB_ORIGINS: readonly string[] = EMULATOR_WEB_ORIGIN ? [DROPBOX_WEB_ORIGIN, EMULATOR_WEB_ORIGIN] : [DROPBOX_WEB_ORIGIN];

export interface DropboxFolderLocation {
  /** "folder": browsing a folder; "preview": a file of that folder is open in the previewer. */
  kind: 'folder' | 'preview';
  /** Decoded Dropbox path of the folder, e.g. "/PRODUCER-DASHBOARD/Night Sessions/Midnight Drive". "/" = root. */
  folderPath: string;
  /** The previewed file name, for kind "preview". */
  previewFile: string | null;
  /** The page's origin: https://www.dropbox.com (or the emulator's, in a development build). */
  origin: string;
  /** The folder's own URL (no preview), used for links such as "download the folder". */
  folderUrl: string;
}

function safeDecode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/** Parses a Dropbox web URL. Returns null for anything that is not a /home folder view of one of `origins`.
 *  Never throws. */
export function parseDropboxUrl(href: string, origins: readonly string[] = DROPBOX_WEB_ORIGINS): DropboxFolderLocation | null {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return null;
  }
  if (!origins.includes(url.origin)) return null;
  const match = /^\/home(?:\/(.*))?$/.exec(url.pathname);
  if (!match) return null;
  const segments: string[] = [];
  for (const raw of (match[1] ?? '').split('/')) {
    if (raw === '') continue;
    const decoded = safeDecode(raw);
    if (decoded === null || decoded === '.' || decoded === '..') return null;
    segments.push(decoded);
  }
  const folderPath = '/' + segments.join('/');
  const preview = url.searchParams.get('preview');
  return {
    kind: preview ? 'preview' : 'folder',
    folderPath,
    previewFile: preview || null,
    origin: url.origin,
    folderUrl: folderUrlOf(folderPath, url.origin),
  };
}

/** True when the URL is a Dropbox folder view that could be a track (the root "/home" never is). */
export function isTrackCandidate(location: DropboxFolderLocation | null): location is DropboxFolderLocation {
  return location !== null && location.folderPath !== '/';
}

/** Dropbox web URL of a folder path (the inverse of parseDropboxUrl). Its path, /home/<encoded segments>, is the
 *  same on every origin: it is what the worker's by-dropbox-path lookup takes. */
export function folderUrlOf(folderPath: string, origin: string = DROPBOX_WEB_ORIGIN): string {
  const segments = folderPath.split('/').filter(Boolean);
  return `${origin}/home${segments.map((s) => '/' + encodeURIComponent(s)).join('')}`;
}

/** A link that downloads the whole folder as a zip (Dropbox honours dl=1 on folder views). */
export function folderDownloadUrl(folderPath: string, origin: string = DROPBOX_WEB_ORIGIN): string {
  return `${folderUrlOf(folderPath, origin)}?dl=1`;
}
