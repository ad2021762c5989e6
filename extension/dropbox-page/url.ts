// Page detection for Dropbox's web UI: which folder (and which previewed file) the user is looking at.
// Dropbox URLs (the content script runs on every www.dropbox.com page and activates on these only):
//   /home/<URL-encoded path segments>[?preview=<file name>]      a personal Dropbox (paths from its root)
//   /personal/<segments>[?preview=…]                              the personal account of a paired work + personal pair
//   /work/<team>/<segments>[?preview=…]                           a Dropbox Business team space: paths from the team
//                                                                 root (a member's own folder is /work/<team>/<name>)
//   /preview/<segments of the file>[?role=work|personal]          a file preview; with role=work the first segment is
//                                                                 the team, as in /work/<team>/…
// These shapes follow the description of team spaces and are modelled in the emulator: they have not been
// checked against saved dropbox.com pages of a Business account (see README "Known limits").
// A development build also accepts the Dropbox emulator's web UI, whose URLs have the same shape
// (e.g. http://localhost:8788/home/…); see build-settings.ts.
import { DROPBOX_WEB_ORIGIN } from '../build-settings';

export { DROPBOX_WEB_ORIGIN };

/** The emulator's web origin in a development build, '' in a production build (set by wxt.config.ts). */
const EMULATOR_WEB_ORIGIN: string = import.meta.env.WXT_PD_DROPBOX_WEB_ORIGIN || '';

/** Origins whose /home pages are Dropbox folder views: www.dropbox.com, plus the emulator in a development build. */
export const DROPBOX_WEB_ORIGINS: readonly string[] = EMULATOR_WEB_ORIGIN ? [DROPBOX_WEB_ORIGIN, EMULATOR_WEB_ORIGIN] : [DROPBOX_WEB_ORIGIN];

/** Which Dropbox a page shows: home (/home), the personal one of a pair (/personal), a team space (/work/<team>). */
export type DropboxSpace = 'home' | 'personal' | 'work';

export interface DropboxFolderLocation {
  /** "folder": browsing a folder; "preview": a file of that folder is open in the previewer. */
  kind: 'folder' | 'preview';
  space: DropboxSpace;
  /** The team segment of a /work page (decoded); null elsewhere. */
  team: string | null;
  /** Decoded path of the folder in its space, e.g. "/PRODUCER-DASHBOARD/Night Sessions/Midnight Drive"
   *  (for /work: from the team root, e.g. "/Rio Park/Night Bus"). "/" = root. */
  folderPath: string;
  /** The folder's web path (/home/…, /personal/…, /work/<team>/…, encoded): the same on every origin, what the
   *  worker's by-dropbox-path lookup takes, and the key of the folder on screen. */
  webPath: string;
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

/** Decoded segments of an encoded path tail, or null when one is malformed or a dot segment. */
function segmentsOf(tail: string): string[] | null {
  const segments: string[] = [];
  for (const raw of tail.split('/')) {
    if (raw === '') continue;
    const decoded = safeDecode(raw);
    if (decoded === null || decoded === '.' || decoded === '..') return null;
    segments.push(decoded);
  }
  return segments;
}

/** Parses a Dropbox web URL. Returns null for anything that is not a folder view (or file preview) of /home,
 *  /personal or /work/<team> on one of `origins`. Never throws. */
export function parseDropboxUrl(href: string, origins: readonly string[] = DROPBOX_WEB_ORIGINS): DropboxFolderLocation | null {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return null;
  }
  if (!origins.includes(url.origin)) return null;
  const make = (space: DropboxSpace, team: string | null, segments: string[], previewFile: string | null): DropboxFolderLocation => {
    const folderPath = '/' + segments.join('/');
    const webPath = webPathOf(space, team, folderPath);
    return {
      kind: previewFile ? 'preview' : 'folder',
      space,
      team,
      folderPath,
      webPath,
      previewFile,
      origin: url.origin,
      folderUrl: url.origin + webPath,
    };
  };
  const preview = url.searchParams.get('preview') || null;
  let m: RegExpExecArray | null;
  // biome-ignore lint/suspicious/noAssignInExpressions: one pattern after another, each binding m
  if ((m = /^\/(home|personal)(?:\/(.*))?$/.exec(url.pathname))) {
    const segments = segmentsOf(m[2] ?? '');
    return segments && make(m[1] as DropboxSpace, null, segments, preview);
  }
  // biome-ignore lint/suspicious/noAssignInExpressions: one pattern after another, each binding m
  if ((m = /^\/work\/([^/]+)(?:\/(.*))?$/.exec(url.pathname))) {
    const team = segmentsOf(m[1]!);
    const segments = segmentsOf(m[2] ?? '');
    return team?.length === 1 && segments ? make('work', team[0]!, segments, preview) : null;
  }
  // biome-ignore lint/suspicious/noAssignInExpressions: one pattern after another, each binding m
  if ((m = /^\/preview\/(.+)$/.exec(url.pathname))) {
    const role = url.searchParams.get('role');
    let segments = segmentsOf(m[1]!);
    if (!segments) return null;
    let team: string | null = null;
    if (role === 'work') {
      team = segments[0] ?? null;
      segments = segments.slice(1);
      if (!team) return null;
    }
    const file = segments.pop();
    if (!file) return null;
    return make(role === 'work' ? 'work' : role === 'personal' ? 'personal' : 'home', team, segments, file);
  }
  return null;
}

/** The web path of a folder of a space: /home/<enc>, /personal/<enc>, /work/<enc team>/<enc>. */
export function webPathOf(space: DropboxSpace, team: string | null, folderPath: string): string {
  const enc = folderPath
    .split('/')
    .filter(Boolean)
    .map((s) => '/' + encodeURIComponent(s))
    .join('');
  return space === 'work' ? `/work/${encodeURIComponent(team ?? '')}${enc}` : `/${space}${enc}`;
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

/** The download link of the folder on screen, in its own space (/work/…?dl=1 for a team space). */
export function downloadUrlOf(location: DropboxFolderLocation): string {
  return `${location.folderUrl}?dl=1`;
}
