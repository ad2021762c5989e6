/**
 * What Dropbox's public spec says about each route (shared/dropbox-spec/table.json, generated from the Stone files
 * by scripts/spec-table.mjs): its argument fields and its error union. The emulator holds itself to it: arguments
 * the spec does not define are refused (400), and a 409 whose tags are not in the route's union is an emulator bug
 * (answered as 500 so that tests notice). Fault injection may return any error the spec lists, and only those.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Tagged } from './errors.ts';

/** Nested tags of an error union: `{ access_error: { invalid_id: null }, folder_owner: null }`. */
export type TagTree = { [tag: string]: TagTree | null };

export interface RouteSpec {
  arg: { type: string; fields?: Record<string, { type: string; required: boolean }> };
  result: { type: string; fields?: Record<string, unknown>; union?: Record<string, unknown> };
  error: { type: string; tags: TagTree | null };
}

export interface SpecTable {
  commit: string;
  auth_error: TagTree;
  /** 422 answers to a Dropbox-API-Path-Root the caller cannot use (common.PathRootError) */
  path_root_error: TagTree;
  routes: Record<string, RouteSpec>;
}

let table: SpecTable | undefined;

export function specTable(): SpecTable {
  table ??= JSON.parse(readFileSync(path.join(import.meta.dirname, '../../shared/dropbox-spec/table.json'), 'utf8')) as SpecTable;
  return table;
}

/** The spec of an API route ('sharing/remove_folder_member', with or without '2/'), or undefined. */
export function routeSpec(apiName: string): RouteSpec | undefined {
  return specTable().routes[apiName.replace(/^\/?2\//, '')];
}

/** The chain of `.tag`s of a tagged error, outermost first: access_error/invalid_id → ['access_error', 'invalid_id']. */
export function tagPath(err: Tagged): string[] {
  const out: string[] = [];
  let cur: unknown = err;
  while (cur && typeof cur === 'object' && typeof (cur as Tagged)['.tag'] === 'string') {
    const tag = (cur as Tagged)['.tag'];
    out.push(tag);
    cur = (cur as Tagged)[tag];
  }
  return out;
}

/** True when the tag chain exists in the tree at exactly that nesting (a chain may stop at any level). */
export function inTree(tree: TagTree | null | undefined, tags: string[]): boolean {
  let cur: TagTree | null | undefined = tree;
  for (const t of tags) {
    if (!cur || !Object.prototype.hasOwnProperty.call(cur, t)) return false;
    cur = cur[t];
  }
  return tags.length > 0;
}
