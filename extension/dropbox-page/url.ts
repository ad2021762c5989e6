// Page detection for Dropbox's web UI: which folder (and which previewed file) the user is looking at.
// Dropbox URLs: https://www.dropbox.com/home/<URL-encoded path segments>[?preview=<file name>]

export const DROPBOX_WEB_HOST = 'www.dropbox.com';

export interface DropboxFolderLocation {
  /** "folder": browsing a folder; "preview": a file of that folder is open in the previewer. */
  kind: 'folder' | 'preview';
  /** Decoded Dropbox path of the folder, e.g. "/PRODUCER-DASHBOARD/Night Sessions/Midnight Drive". "/" = root. */
  folderPath: string;
  /** The previewed file name, for kind "preview". */
  previewFile: string | null;
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

/** Parses a Dropbox web URL. Returns null for anything that is not a /home folder view. Never throws. */
export function parseDropboxUrl(href: string): DropboxFolderLocation | null {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' || url.hostname !== DROPBOX_WEB_HOST) return null;
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
  const folderUrl = `https://${DROPBOX_WEB_HOST}/home${segments.map((s) => '/' + encodeURIComponent(s)).join('')}`;
  return {
    kind: preview ? 'preview' : 'folder',
    folderPath,
    previewFile: preview || null,
    folderUrl,
  };
}

/** True when the URL is a Dropbox folder view that could be a track (the root "/home" never is). */
export function isTrackCandidate(location: DropboxFolderLocation | null): location is DropboxFolderLocation {
  return location !== null && location.folderPath !== '/';
}

/** Dropbox web URL of a folder path (the inverse of parseDropboxUrl). */
export function folderUrlOf(folderPath: string): string {
  const segments = folderPath.split('/').filter(Boolean);
  return `https://${DROPBOX_WEB_HOST}/home${segments.map((s) => '/' + encodeURIComponent(s)).join('')}`;
}

/** A link that downloads the whole folder as a zip (Dropbox honours dl=1 on folder views). */
export function folderDownloadUrl(folderPath: string): string {
  return `${folderUrlOf(folderPath)}?dl=1`;
}
