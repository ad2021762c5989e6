/**
 * A small Dropbox-like web UI, so the extension's content script has a folder page to inject its panel into when
 * no real Dropbox account matches the demo world:
 *   GET /login[?account=<email>&next=/home/…]   pick the signed-in web user (a cookie)
 *   GET /home[/<URL-encoded segments>]           that user's folder view: top bar, header + breadcrumb, Share /
 *                                                Download action bar, file list (?preview=<file>, ?dl=1)
 *   GET /work/<team>[/<segments>]                a team member's team space (paths from the team root; the member's
 *                                                own folder is /work/<team>/<their name>); /home redirects there
 *   GET /personal[/<segments>]                   the personal account (of a paired work account, or one's own)
 *   GET /preview/<segments>?role=work|personal   a file preview: its folder's view with the file open
 * The hooks (data-testid, ARIA landmarks and labels) are the ones of extension/test/fixtures/folder-page.html, which
 * the extension's selectors are tested on; keep them in step. Paths are the user's own mount paths (renames per user).
 */
import type { Context, Hono } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { EmulatorContext } from './context.ts';
import type { Account, Entry, SharedFolder } from './state.ts';
import { lower, parentOf } from './util.ts';

export const WEB_USER_COOKIE = 'dbx_emulator_user';

/** Web URL path of a Dropbox path, like Dropbox's (and the extension's folderUrlOf): /home/<encoded segments>. */
export function homePath(dropboxPath: string): string {
  return (
    '/home' +
    dropboxPath
      .split('/')
      .filter(Boolean)
      .map((s) => '/' + encodeURIComponent(s))
      .join('')
  );
}

/** The Dropbox path of a raw (still encoded) /home… URL path, or null when it is not one or is malformed. */
export function dropboxPathOf(rawPathname: string): string | null {
  const m = /^\/home(?:\/(.*))?$/.exec(rawPathname);
  if (!m) return null;
  return decodedPath(m[1] ?? '');
}

/** "/"-joined decoded segments of a still-encoded path tail, or null when malformed ('.', '..', an encoded '/'). */
export function decodedPath(tail: string): string | null {
  const segments: string[] = [];
  for (const raw of tail.split('/')) {
    if (raw === '') continue;
    let s: string;
    try {
      s = decodeURIComponent(raw);
    } catch {
      return null;
    }
    if (s === '.' || s === '..' || s.includes('/') || s.includes('\0')) return null;
    segments.push(s);
  }
  return '/' + segments.join('/');
}

const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** Dropbox-style sizes: 512 bytes, 3.4 KB, 41.9 MB (binary multiples). */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

const WEB_PAGE = /^\/(home|work|personal|preview)(\/|\?|$)/;

/** Only local /home…, /work…, /personal…, /preview… targets are followed after sign-in (no open redirect). */
function safeNext(next: string | undefined): string {
  if (!next || !WEB_PAGE.test(next)) return '/home';
  const u = new URL(next, 'http://emulator.invalid'); // re-encodes stray spaces and the like
  return WEB_PAGE.test(u.pathname) && u.origin === 'http://emulator.invalid' ? u.pathname + u.search : '/home';
}

/** Which Dropbox the page shows and how its URLs are built: /home (one's own), /personal (the personal account of a
 *  pair), /work/<team> (a team member's team space, paths from the team root). `acc` is the account whose tree it is. */
interface Space {
  kind: 'home' | 'personal' | 'work';
  acc: Account;
  /** URL prefix: /home, /personal, /work/<encoded team name> */
  base: string;
}

const encodeSegments = (p: string) =>
  p
    .split('/')
    .filter(Boolean)
    .map((s) => '/' + encodeURIComponent(s))
    .join('');
const urlOf = (space: Space, storedPath: string) => space.base + encodeSegments(storedPath);
/** A file's preview URL: /home/…?preview=<name> (personal Dropbox), /preview/…?role= in the paired/team spaces. */
function previewUrlOf(space: Space, folderPath: string, name: string): string {
  if (space.kind === 'home') return `${urlOf(space, folderPath)}?preview=${encodeURIComponent(name)}`;
  const tail = space.kind === 'work' ? space.base.slice('/work'.length) : '';
  return `/preview${tail}${encodeSegments(folderPath + '/' + name)}?role=${space.kind}`;
}

const ACCESS_WORDS: Record<string, string> = {
  owner: 'Owner',
  editor: 'Can edit',
  viewer: 'Can view',
  viewer_no_comment: 'Can view',
  traverse: 'Can traverse',
  no_access: 'No access',
};

const CSS = `
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1e1919;background:#fff;font-size:14px}
a{color:#0061fe;text-decoration:none}a:hover{text-decoration:underline}
.top{display:flex;align-items:center;gap:16px;height:56px;padding:0 16px;border-bottom:1px solid #e2ddd8}
.logo{display:flex;align-items:center;gap:8px;color:#1e1919;font-weight:700;font-size:16px}
.logo svg{display:block}
.top input{flex:1;max-width:420px;height:34px;border:1px solid #d7d2cc;border-radius:8px;padding:0 10px;font:inherit}
.who{margin-left:auto;color:#52493f;white-space:nowrap}
.emu{display:inline-block;background:#fff4d6;color:#7a5a00;border-radius:4px;padding:1px 6px;font-size:12px;margin-left:6px}
.layout{display:flex;min-height:calc(100vh - 56px)}
.side{width:200px;padding:16px 12px;border-right:1px solid #e2ddd8;flex:none}
.side a{display:block;padding:7px 10px;color:#1e1919;border-radius:6px}
.side a[aria-current]{background:#f2f0ed;font-weight:600}
main{flex:1;padding:18px 28px;min-width:0}
.crumbs ol{list-style:none;display:flex;flex-wrap:wrap;gap:6px;padding:0;margin:0 0 4px;color:#6b6560;font-size:13px}
.crumbs li+li::before{content:"›";margin-right:6px}
.crumbs a{color:#6b6560}
h1{font-size:24px;margin:4px 0 12px;font-weight:600;display:flex;align-items:center;gap:10px}
.badge{font-size:12px;font-weight:500;color:#52493f;background:#f2f0ed;border-radius:10px;padding:2px 8px}
.actions{display:flex;gap:8px;margin-bottom:14px}
.actions form{display:contents}
.btn{border:1px solid #d7d2cc;background:#fff;border-radius:6px;padding:7px 14px;font:inherit;font-weight:600;cursor:pointer;color:#1e1919}
.btn:hover{background:#f7f5f2}
.btn.primary{background:#0061fe;border-color:#0061fe;color:#fff}.btn.primary:hover{background:#0057e5}
[popover]{border:1px solid #d7d2cc;border-radius:10px;padding:16px 20px;min-width:340px;box-shadow:0 8px 30px rgba(0,0,0,.15)}
[popover] h2{font-size:16px;margin:0 0 10px}
[popover] ul{list-style:none;padding:0;margin:0}[popover] li{display:flex;justify-content:space-between;gap:16px;padding:6px 0}
.muted{color:#736c64}
table{width:100%;border-collapse:collapse}
th{text-align:left;color:#6b6560;font-weight:500;border-bottom:1px solid #e2ddd8;padding:8px}
td{border-bottom:1px solid #f0ece8;padding:10px 8px}
td.size,th.size{text-align:right;width:110px}
tr[aria-selected="true"] td{background:#eef4ff}
.name{display:flex;align-items:center;gap:10px}
.icon{width:22px;height:18px;flex:none;border-radius:3px}
.icon.folder{background:#8fb6ff}.icon.shared{background:#0061fe}.icon.file{background:#e2ddd8;width:16px;height:20px;margin:0 3px}
.empty{padding:28px 8px;color:#736c64}
.preview{border:1px solid #d7d2cc;border-radius:8px;padding:12px 16px;margin-bottom:14px;background:#f7f5f2}
.hint{margin-top:28px;border-top:1px solid #e2ddd8;padding-top:12px;color:#736c64;font-size:12px}
.hint pre{background:#f7f5f2;border-radius:6px;padding:8px 10px;overflow-x:auto;color:#1e1919;white-space:pre-wrap;word-break:break-all}
.box{max-width:30rem;margin:3rem auto;padding:0 16px}
.box .acct{display:block;padding:.7rem 1rem;margin:.4rem 0;border:1px solid #bbb5ae;border-radius:6px;color:#1e1919}
.box .acct:hover{background:#f7f5f2;text-decoration:none}
`;

const LOGO = `<svg width="28" height="24" viewBox="0 0 28 24" aria-hidden="true"><path fill="#0061fe" d="M7 0 0 4.5 7 9l7-4.5zm14 0-7 4.5 7 4.5 7-4.5zM0 13.5 7 18l7-4.5L7 9zm21-4.5-7 4.5 7 4.5 7-4.5zM7 19.5l7 4.5 7-4.5-7-4.5z"/></svg>`;

function html(title: string, body: string, status = 200): Response {
  return new Response(
    `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><style>${CSS}</style></head>
<body>${body}</body></html>`,
    { status, headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' } },
  );
}

function topBar(acc: Account, here: string): string {
  return `<header role="banner" class="top">
<a href="/home" aria-label="Dropbox home" class="logo">${LOGO}<span>Dropbox</span></a>
<input type="search" aria-label="Search" placeholder="Search" disabled>
<span class="who" data-testid="emulator-web-user">Signed in to Dropbox (emulator) as <b>${esc(acc.display_name)}</b> <span class="muted">(${esc(acc.email)})</span> · <a href="/login?next=${encodeURIComponent(here)}">switch</a></span>
</header>`;
}

function shell(acc: Account, here: string, mainHtml: string, nav = `<a href="/home" aria-current="page">All files</a>`): string {
  return `${topBar(acc, here)}
<div class="layout">
<nav aria-label="Sidebar" class="side">${nav}</nav>
<main role="main">
${mainHtml}
</main>
</div>`;
}

function notFoundPage(acc: Account, here: string, path: string): Response {
  return html(
    'Not found - Dropbox',
    shell(
      acc,
      here,
      `<h1>This folder doesn’t exist</h1>
<p data-testid="not-found">There is nothing at <b>${esc(path)}</b> in ${esc(acc.display_name)}’s Dropbox. It may have been moved, renamed, deleted or unshared.</p>
<p><a href="/home">Go to All files</a></p>`,
    ),
    404,
  );
}

/** Folders first, then files, by name (case-insensitive), like Dropbox's default order. */
function byKindThenName(a: Entry, b: Entry): number {
  if (a['.tag'] !== b['.tag']) return a['.tag'] === 'folder' ? -1 : 1;
  return a.name.localeCompare(b.name, undefined, { sensitivity: 'base' });
}

function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function registerWeb(app: Hono, ctx: EmulatorContext) {
  const webUser = (c: Context): Account | undefined => {
    const ref = getCookie(c, WEB_USER_COOKIE);
    return ref ? ctx.state.findAccount(ref) : undefined;
  };

  app.get('/login', (c) => {
    const next = safeNext(c.req.query('next'));
    const wanted = c.req.query('account');
    const acc = wanted ? ctx.state.findAccount(wanted) : undefined;
    if (acc) {
      setCookie(c, WEB_USER_COOKIE, acc.account_id, { path: '/', httpOnly: true, sameSite: 'Lax' });
      return c.redirect(next, 302);
    }
    const current = webUser(c);
    const accounts = [...ctx.state.accounts.values()];
    const links = accounts
      .map(
        (a) =>
          `<a class="acct" href="/login?account=${encodeURIComponent(a.email)}&amp;next=${encodeURIComponent(next)}" data-email="${esc(a.email)}">${esc(a.display_name)}${current?.account_id === a.account_id ? ' <span class="badge">signed in</span>' : ''}<br><span class="muted">${esc(a.email)} · ${esc(roleSummary(a))}</span></a>`,
      )
      .join('\n');
    const unknown = wanted ? `<p data-testid="login-error" role="alert">There is no account <b>${esc(wanted)}</b> in this emulator.</p>` : '';
    return html(
      'Sign in - Dropbox',
      `<div class="box"><p class="logo">${LOGO}<span>Dropbox</span> <span class="emu">emulator</span></p>
<h1>Sign in to Dropbox</h1>${unknown}
<p class="muted">Local Dropbox emulator: pick the account whose Dropbox you want to browse.</p>
${links || '<p>No accounts are seeded.</p>'}</div>`,
      wanted ? 404 : 200,
    );
  });

  /** "owns 4 shared folders · member of 1": who to pick for which side of the demo. */
  function roleSummary(a: Account): string {
    let owns = 0;
    let member = 0;
    for (const sfid of a.mounts.keys()) {
      const f = ctx.state.folders.get(sfid);
      if (!f) continue;
      if (f.owner === a.account_id) owns++;
      else member++;
    }
    const parts = [owns && `owns ${owns} shared ${owns === 1 ? 'folder' : 'folders'}`, member && `member of ${member}`].filter(Boolean);
    return parts.length ? parts.join(' · ') : 'no shared folders';
  }

  const teamOf = (a: Account) => ctx.state.teamOf(a);
  const pairOf = (a: Account) => (a.paired_with ? ctx.state.accounts.get(a.paired_with) : undefined);
  const workAccount = (a: Account) => (teamOf(a) ? a : [pairOf(a)].find((p) => p && teamOf(p)));
  const personalAccount = (a: Account) => (teamOf(a) ? [pairOf(a)].find((p) => p && !teamOf(p)) : a);
  const workSpace = (a: Account): Space => ({ kind: 'work', acc: a, base: '/work/' + encodeURIComponent(teamOf(a)!.name) });

  const withUser = (c: Context, fn: (acc: Account, url: URL, here: string) => Response) => {
    const url = new URL(c.req.url);
    const here = url.pathname + url.search;
    const acc = webUser(c);
    if (!acc) return c.redirect(`/login?next=${encodeURIComponent(here)}`, 302);
    return fn(acc, url, here);
  };

  // A team member's Dropbox is the team space: /home goes to their own folder in it, like Dropbox's /work pages.
  const home = (c: Context) =>
    withUser(c, (acc, url, here) => {
      const tail = url.pathname.slice('/home'.length);
      if (teamOf(acc)) return c.redirect(workSpace(acc).base + encodeSegments(acc.home_path) + tail + url.search, 302);
      const path = decodedPath(tail);
      if (path === null) return notFoundPage(acc, here, decodeSafely(tail) || '/');
      return folderView(c, { kind: 'home', acc, base: '/home' }, path, c.req.query('preview'));
    });
  app.get('/home', home);
  app.get('/home/*', home);

  const personal = (c: Context) =>
    withUser(c, (acc, url, here) => {
      const tail = url.pathname.slice('/personal'.length);
      const owner = personalAccount(acc);
      const path = decodedPath(tail);
      if (!owner || path === null) return notFoundPage(acc, here, decodeSafely(tail) || '/');
      return folderView(c, { kind: 'personal', acc: owner, base: '/personal' }, path, undefined);
    });
  app.get('/personal', personal);
  app.get('/personal/*', personal);

  const work = (c: Context) =>
    withUser(c, (acc, url, here) => {
      const m = /^\/work(?:\/([^/]*))?(\/.*)?$/.exec(url.pathname);
      const owner = workAccount(acc);
      const path = decodedPath(m?.[2] ?? '');
      const team = m?.[1] === undefined ? undefined : decodeSafely(m[1]);
      if (!owner || path === null) return notFoundPage(acc, here, decodeSafely(url.pathname));
      // /work alone (or another team's name) → this member's team space.
      if (team === undefined || team.toLowerCase() !== teamOf(owner)!.name.toLowerCase())
        return c.redirect(workSpace(owner).base + encodeSegments(owner.home_path), 302);
      return folderView(c, workSpace(owner), path, undefined);
    });
  app.get('/work', work);
  app.get('/work/*', work);

  // /preview/<path of the file>?role=work|personal: the file's folder with the file open (path as in /work/… or
  // /personal/…; without a role, as in /home/…).
  app.get('/preview/*', (c) =>
    withUser(c, (acc, url, here) => {
      const role = c.req.query('role');
      let tail = url.pathname.slice('/preview'.length);
      let space: Space | undefined;
      if (role === 'work') {
        const owner = workAccount(acc);
        const m = /^\/([^/]*)(\/.*)?$/.exec(tail);
        if (owner && m && decodeSafely(m[1]).toLowerCase() === teamOf(owner)!.name.toLowerCase()) {
          space = workSpace(owner);
          tail = m[2] ?? '';
        }
      } else if (role === 'personal') {
        const owner = personalAccount(acc);
        if (owner) space = { kind: 'personal', acc: owner, base: '/personal' };
      } else if (!teamOf(acc)) space = { kind: 'home', acc, base: '/home' };
      const path = decodedPath(tail);
      if (!space || path === null || path === '/') return notFoundPage(acc, here, decodeSafely(tail));
      const entry = ctx.state.entryAt(space.acc, lower(path));
      if (!entry) return notFoundPage(acc, here, path);
      if (entry['.tag'] !== 'file') return c.redirect(urlOf(space, entry.path_display), 302);
      return folderView(c, space, entry.path_display.slice(0, entry.path_display.lastIndexOf('/')) || '/', entry.name);
    }),
  );

  function folderView(c: Context, space: Space, path: string, previewName: string | undefined): Response {
    const url = new URL(c.req.url);
    const here = url.pathname + url.search;
    const acc = space.acc;
    const viewer = webUser(c) ?? acc;
    const st = ctx.state;
    const scope = lower(path === '/' ? '' : path);
    const entry = scope ? st.entryAt(acc, scope) : undefined;
    if (scope && !entry) return notFoundPage(viewer, here, path);
    // A file's URL opens its folder with the file previewed, as Dropbox does.
    if (entry && entry['.tag'] === 'file') {
      const parent = entry.path_display.slice(0, entry.path_display.lastIndexOf('/'));
      return c.redirect(previewUrlOf(space, parent, entry.name), 302);
    }
    const children = st
      .snapshot(acc)
      .filter((e) => e['.tag'] !== 'deleted' && parentOf(e.path_lower) === scope)
      .sort(byKindThenName);
    const displayPath = entry?.path_display ?? '/';
    const sfid = (entry?.shared_folder_id ?? entry?.parent_shared_folder_id) as string | undefined;
    const folder = sfid ? st.folders.get(sfid) : undefined;

    if (c.req.query('dl') === '1')
      return downloadManifest(
        acc,
        displayPath,
        st.snapshot(acc).filter((e) => e['.tag'] === 'file' && (scope === '' || e.path_lower.startsWith(scope + '/'))),
      );

    const previewed = previewName ? children.find((e) => e['.tag'] === 'file' && e.name === previewName) : undefined;
    const rootName = space.kind === 'work' ? teamOf(acc)!.name : space.kind === 'personal' ? 'Personal' : 'Dropbox';
    const title = displayPath === '/' ? rootName : displayPath.slice(displayPath.lastIndexOf('/') + 1);
    const access = folder ? st.accessOf(folder, acc.account_id) : undefined;

    const segments = displayPath.split('/').filter(Boolean);
    const crumbs = [
      segments.length ? `<li><a href="${esc(space.base)}">${esc(rootName)}</a></li>` : `<li aria-current="page">${esc(rootName)}</li>`,
      ...segments.map((s, i) =>
        i === segments.length - 1
          ? `<li aria-current="page">${esc(s)}</li>`
          : `<li><a href="${esc(urlOf(space, '/' + segments.slice(0, i + 1).join('/')))}">${esc(s)}</a></li>`,
      ),
    ].join('');
    const badge = folder && access ? `<span class="badge" data-testid="folder-access">Shared · ${esc(ACCESS_WORDS[access] ?? access)}</span>` : '';
    const header = `<div data-testid="page-header" class="header">
<nav aria-label="Breadcrumb" class="crumbs"><ol>${crumbs}</ol></nav>
<h1>${esc(title)}${badge}</h1>
</div>`;
    const actions =
      segments.length === 0
        ? ''
        : `<div role="toolbar" aria-label="Folder actions" class="actions">
<button type="button" data-testid="action-bar-share-button" aria-label="Share" class="btn primary" popovertarget="share-popover">Share</button>
<form method="get" action="${esc(urlOf(space, displayPath))}"><input type="hidden" name="dl" value="1"><button type="submit" data-testid="action-bar-download-button" aria-label="Download" class="btn">Download</button></form>
</div>
${sharePopover(title, folder)}`;
    const preview = previewed
      ? `<section class="preview" data-testid="file-preview" aria-label="Preview"><b>${esc(previewed.name)}</b> · ${formatSize(Number(previewed.size ?? 0))}<br><span class="muted">The emulator keeps names and sizes only; there is nothing to play.</span> <a href="${esc(urlOf(space, displayPath))}">Close</a></section>`
      : '';
    const rows = children.map((e) => row(e, st.folders, space, displayPath, previewed?.name)).join('\n');
    const table = `<table role="grid" aria-label="Files">
<thead><tr><th>Name</th><th>Who can access</th><th class="size">Size</th></tr></thead>
<tbody>${rows || `<tr><td colspan="3" class="empty">This folder is empty.</td></tr>`}</tbody>
</table>`;
    const hint = curlHint(url.origin, acc, folder, access);
    const invites = segments.length === 0 || (space.kind === 'work' && lower(displayPath) === lower(acc.home_path)) ? invitationsSection(acc) : '';
    const work = workAccount(viewer);
    const pers = personalAccount(viewer);
    const nav =
      work && pers
        ? `<a href="/personal"${space.kind !== 'work' ? ' aria-current="page"' : ''}>Personal</a><a href="${esc(workSpace(work).base)}"${space.kind === 'work' ? ' aria-current="page"' : ''}>${esc(teamOf(work)!.name)}</a>`
        : undefined;
    return html(`${title} - Dropbox`, shell(viewer, here, `${header}\n${actions}\n${invites}${preview}\n${table}\n${hint}`, nav));
  }

  /** Folder invitations waiting for this user (Dropbox: "Add to Dropbox"); nothing is in their tree until accepted. */
  function invitationsSection(acc: Account): string {
    const pending = [...ctx.state.folders.values()].filter(
      (f) =>
        !f.unshared &&
        !acc.mounts.has(f.shared_folder_id) &&
        (ctx.state.inviteeOf(f, acc) || (ctx.state.hasAccess(f, acc.account_id) && f.owner !== acc.account_id)),
    );
    if (!pending.length) return '';
    const items = pending
      .map((f) => {
        const owner = ctx.state.accounts.get(f.owner);
        return `<li data-shared-folder-id="${esc(f.shared_folder_id)}"><b>${esc(f.name)}</b> <span class="muted">from ${esc(owner?.display_name ?? 'someone')}</span>
<form method="post" action="/share/accept"><input type="hidden" name="shared_folder_id" value="${esc(f.shared_folder_id)}"><button type="submit" class="btn primary">Add to Dropbox</button></form></li>`;
      })
      .join('\n');
    return `<section data-testid="invitations" aria-label="Invitations"><h2>Shared with you</h2><ul>${items}</ul></section>\n`;
  }

  // Accepting an invitation in the web UI: the same as sharing/mount_folder with the user's token.
  app.post('/share/accept', async (c) => {
    const acc = webUser(c);
    if (!acc) return c.redirect('/login?next=/home', 302);
    const form = await c.req.parseBody();
    const id = typeof form.shared_folder_id === 'string' ? form.shared_folder_id : '';
    try {
      ctx.state.mountFolder(acc, id);
    } catch (e) {
      const tag = e instanceof Error ? e.message : String(e);
      return html(
        'Error - Dropbox',
        shell(
          acc,
          '/home',
          `<p role="alert" data-testid="accept-error">Dropbox could not add this folder: ${esc(tag)}</p><p><a href="/home">Back</a></p>`,
        ),
        409,
      );
    }
    const path = acc.mounts.get(id);
    return c.redirect(path ? (teamOf(acc) ? urlOf(workSpace(acc), path) : homePath(path)) : '/home', 303);
  });

  function row(e: Entry, folders: Map<string, SharedFolder>, space: Space, displayPath: string, previewed?: string): string {
    const acc = space.acc;
    const mountId = e.shared_folder_id as string | undefined;
    const shared = mountId ? folders.get(mountId) : undefined;
    const parentShared = e.parent_shared_folder_id ? folders.get(e.parent_shared_folder_id as string) : undefined;
    const who = shared ?? parentShared;
    const whoText = who ? `${who.members.size} ${who.members.size === 1 ? 'member' : 'members'}` : 'Only you';
    if (e['.tag'] === 'folder') {
      const level = shared ? ctx.state.accessOf(shared, acc.account_id) : undefined;
      return `<tr role="row" data-kind="folder"><td role="gridcell"><span class="name"><span class="icon ${shared ? 'shared' : 'folder'}" aria-hidden="true"></span><a href="${esc(urlOf(space, e.path_display))}">${esc(e.name)}</a>${level ? ` <span class="badge">Shared · ${esc(ACCESS_WORDS[level] ?? level)}</span>` : ''}</span></td><td role="gridcell" class="muted">${whoText}</td><td role="gridcell" class="size muted">—</td></tr>`;
    }
    const selected = previewed === e.name ? ' aria-selected="true"' : '';
    return `<tr role="row" data-kind="file"${selected}><td role="gridcell"><span class="name"><span class="icon file" aria-hidden="true"></span><a href="${esc(previewUrlOf(space, displayPath === '/' ? '' : displayPath, e.name))}">${esc(e.name)}</a></span></td><td role="gridcell" class="muted">${whoText}</td><td role="gridcell" class="size" data-bytes="${Number(e.size ?? 0)}">${formatSize(Number(e.size ?? 0))}</td></tr>`;
  }

  function sharePopover(title: string, folder: SharedFolder | undefined): string {
    if (!folder) {
      return `<div id="share-popover" popover><h2>Share “${esc(title)}”</h2><p class="muted">This folder is not shared. (Sharing from the web UI is not emulated; use <code>POST /_control/seed</code>.)</p></div>`;
    }
    const members = ctx.state.memberList(folder);
    const items = [
      ...members.users.map((u) => {
        const user = u.user as { email: string; display_name: string };
        const tag = (u.access_type as { '.tag': string })['.tag'];
        return `<li><span>${esc(user.display_name)} <span class="muted">${esc(user.email)}</span></span><span>${esc(ACCESS_WORDS[tag] ?? tag)}</span></li>`;
      }),
      ...members.invitees.map((i) => {
        const email = (i.invitee as { email: string }).email;
        const tag = (i.access_type as { '.tag': string })['.tag'];
        return `<li><span>${esc(email)} <span class="muted">invited</span></span><span>${esc(ACCESS_WORDS[tag] ?? tag)}</span></li>`;
      }),
    ].join('');
    return `<div id="share-popover" popover><h2>Who has access to “${esc(title)}”</h2><ul data-testid="share-members">${items}</ul></div>`;
  }

  /** The control API call that acts as this user in Dropbox for the open shared folder. */
  function curlHint(origin: string, acc: Account, folder: SharedFolder | undefined, access: string | undefined): string {
    const act = (body: Record<string, unknown>) =>
      `curl -s ${origin}/_control/act -H 'content-type: application/json' \\\n  -d ${shQuote(JSON.stringify(body))}`;
    if (!folder || !access) {
      return `<footer class="hint" data-testid="emulator-hint">Emulator: act as ${esc(acc.display_name)} in Dropbox with <code>POST /_control/act</code> (see the emulator README); this folder is not shared.</footer>`;
    }
    const ref = { as: acc.email, shared_folder_id: folder.shared_folder_id };
    let cmd: string;
    let what: string;
    if (access === 'owner') {
      const other = [...folder.members.keys()].map((id) => ctx.state.accounts.get(id)).find((a) => a && a.account_id !== acc.account_id);
      if (other) {
        what = `remove ${other.display_name} from this folder`;
        cmd = act({ ...ref, action: 'remove_member', member: other.email, leave_a_copy: false });
      } else {
        what = 'unshare this folder';
        cmd = act({ ...ref, action: 'unshare' });
      }
    } else {
      what = 'leave this folder';
      cmd = act({ ...ref, action: 'leave_folder' });
    }
    return `<footer class="hint" data-testid="emulator-hint">Emulator: to ${esc(what)} as ${esc(acc.display_name)} in Dropbox (the worker gets the webhook), run:<pre>${esc(cmd)}</pre>Other actions (upload_file, change_access, rename_mount, …): see the emulator README.</footer>`;
  }

  /** `?dl=1`: Dropbox would send a zip; the emulator keeps names and sizes only, so it sends that list as text. */
  function downloadManifest(acc: Account, displayPath: string, files: Entry[]): Response {
    const name = displayPath === '/' ? 'Dropbox' : displayPath.slice(displayPath.lastIndexOf('/') + 1);
    const base = displayPath === '/' ? '' : displayPath;
    const lines = files.map((f) => `${f.path_display.slice(base.length + 1)}\t${Number(f.size ?? 0)}`);
    const body = `# ${displayPath} in ${acc.email}'s Dropbox (emulator: names and sizes only)\n${lines.join('\n')}\n`;
    return new Response(body, {
      headers: {
        'Content-Type': 'text/plain; charset=utf-8',
        'Content-Disposition': `attachment; filename="${name.replace(/["\\\r\n]/g, '_').replace(/[^\x20-\x7e]/g, '_')}.txt"; filename*=UTF-8''${encodeURIComponent(name)}.txt`,
      },
    });
  }
}

function decodeSafely(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
