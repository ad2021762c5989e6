/**
 * Dropbox-API-Path-Root (common.stone PathRoot / PathRootError; https://www.dropbox.com/developers/reference/path-root-header-modes).
 * A call's paths are relative to one namespace:
 *   no header, or {".tag":"home"}         the caller's home namespace (a team member: their own folder)
 *   {".tag":"root","root":<id>}            the caller's root namespace (a team member: the team space); <id> must be
 *                                          the current root namespace id, else 422 invalid_root with the latest RootInfo
 *   {".tag":"namespace_id","namespace_id"} any namespace the caller can reach (root, home, a mounted shared folder),
 *                                          else 422 no_permission
 * Accounts store their items at root paths (state.ts: a team member's under `home_path`), so a view is one prefix:
 * the stored path of the namespace the call is relative to.
 */
import { BadRequest, type Tagged } from './errors.ts';
import type { Account, DropboxState, Entry } from './state.ts';
import { lower } from './util.ts';

export class PathRootError extends Error {
  constructor(readonly error: Tagged) {
    super(String(error['.tag']));
  }
  body() {
    return { error_summary: `${this.error['.tag']}/...`, error: this.error };
  }
}

/** common.RootInfo of an account, as users/get_current_account and invalid_root carry it. */
export function rootInfo(st: DropboxState, acc: Account): Record<string, unknown> {
  if (st.teamOf(acc)) {
    return { '.tag': 'team', root_namespace_id: acc.root_namespace_id, home_namespace_id: acc.home_namespace_id, home_path: acc.home_path };
  }
  return { '.tag': 'user', root_namespace_id: acc.root_namespace_id, home_namespace_id: acc.home_namespace_id };
}

export interface PathView {
  /** Stored path of the namespace this call's paths are relative to ('' = the account's root). */
  readonly prefix: string;
  /** A path of the call ("" = its root, "/a/b") → the stored path. `id:`/`ns:` pass through. */
  toStored(path: string): string;
  /** A stored entry as this call sees it, or null when it is outside the call's namespace. */
  entry(e: Entry): Entry | null;
  /** A stored path as this call sees it, or null when outside. */
  path(stored: string): string | null;
}

export function viewOf(prefix: string): PathView {
  const pl = lower(prefix);
  const path = (stored: string): string | null => {
    if (!prefix) return stored;
    const l = lower(stored);
    if (l === pl || !l.startsWith(pl + '/')) return null;
    return stored.slice(prefix.length);
  };
  return {
    prefix,
    toStored: (p) => (p.startsWith('id:') || p.startsWith('ns:') || p.startsWith('rev:') ? p : p === '' ? prefix : prefix + p),
    path,
    entry(e) {
      if (!prefix) return e;
      const display = path(e.path_display);
      if (display === null) return null;
      return { ...e, path_display: display, path_lower: e.path_lower.slice(pl.length) };
    },
  };
}

/** The view a request's Dropbox-API-Path-Root header selects (throws BadRequest / PathRootError like Dropbox). */
export function pathRootView(st: DropboxState, acc: Account, header: string | undefined): PathView {
  if (header === undefined || header.trim() === '') return viewOf(acc.home_path);
  let v: unknown;
  try {
    v = JSON.parse(header);
  } catch {
    throw new BadRequest(`Invalid value for HTTP header "Dropbox-API-Path-Root": could not decode input as JSON`);
  }
  const o = v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  const tag = o?.['.tag'];
  if (tag === 'home') return viewOf(acc.home_path);
  if (tag === 'root') {
    if (typeof o!.root !== 'string') throw new BadRequest(`Invalid value for HTTP header "Dropbox-API-Path-Root": root: expected string`);
    if (o!.root !== acc.root_namespace_id) throw new PathRootError({ '.tag': 'invalid_root', invalid_root: rootInfo(st, acc) });
    return viewOf('');
  }
  if (tag === 'namespace_id') {
    const ns = o!.namespace_id;
    if (typeof ns !== 'string') throw new BadRequest(`Invalid value for HTTP header "Dropbox-API-Path-Root": namespace_id: expected string`);
    if (ns === acc.root_namespace_id) return viewOf('');
    if (ns === acc.home_namespace_id) return viewOf(acc.home_path);
    const mount = acc.mounts.get(ns);
    if (mount !== undefined) return viewOf(mount);
    throw new PathRootError({ '.tag': 'no_permission' });
  }
  throw new BadRequest(`Invalid value for HTTP header "Dropbox-API-Path-Root": unknown tag ${JSON.stringify(tag)}`);
}
