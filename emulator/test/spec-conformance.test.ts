// Conformance with Dropbox's public spec, through the checked-in table (shared/dropbox-spec/table.json, generated
// from the Stone files by scripts/spec-table.mjs):
//   (a) every Dropbox route the worker calls is in the spec;
//   (b) every error tag the worker matches exists in the union of a route it calls, at the nesting the code assumes;
//   (c) the emulator's routes accept exactly the spec's argument fields and only answer tags from their unions.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../src/index.ts';
import { servedRoutes } from '../src/rpc.ts';
import { inTree, specTable, type TagTree } from '../src/spec.ts';
import { MAYA, rpc, start } from './helpers.ts';

const root = path.resolve(import.meta.dirname, '../..');
const table = specTable();

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}

/** SDK method name → route, from the dropbox SDK's own route list (lib/routes.js). */
function sdkRoutes(): Map<string, string> {
  const src = readFileSync(path.join(root, 'node_modules/dropbox/lib/routes.js'), 'utf8');
  const out = new Map<string, string>();
  for (const m of src.matchAll(/routes\.(\w+) = function[^{]*\{\s*return this\.request\('([^']+)'/g)) out.set(m[1], m[2]);
  return out;
}
const SDK = sdkRoutes();

/** The Dropbox routes one source file calls: SDK calls (`d.sharingRemoveFolderMember(`) and literal `/2/<route>` URLs. */
function routesCalledIn(src: string): string[] {
  const out = new Set<string>();
  for (const m of src.matchAll(/\b\w+\.((?:sharing|files|users|auth|check|account|team)[A-Z]\w*)\(/g)) {
    const route = SDK.get(m[1]);
    if (route) out.add(route);
  }
  for (const m of src.matchAll(/['"`]\/?2\/((?:sharing|files|users|auth)\/[a-z_/]+)['"`]/g)) out.add(m[1]);
  return [...out];
}

interface Matched {
  tag: string;
  /** 'root': a tag path from the outermost tag (tagPath / err.tag); 'any': found at any nesting (allTags(...).includes). */
  nesting: 'root' | 'any';
  line: number;
}

/** The error tags a source file compares against, with the nesting its code assumes. */
export function matchedTags(src: string): Matched[] {
  const out: Matched[] = [];
  const lineOf = (i: number) => src.slice(0, i).split('\n').length;
  // tag paths compared with ===/!== (err.tag, tagPath(...) results kept in `path`, `tag`, `u`, …)
  for (const m of src.matchAll(/(?<!typeof\s+)\b(?:err\.tag|e\.tag|tag|path|u|first)\s*[!=]==\s*'([a-z_]+(?:\/[a-z_]+)*)'/g))
    out.push({ tag: m[1], nesting: 'root', line: lineOf(m.index!) });
  for (const m of src.matchAll(/allTags\([^)]*\)\.includes\('([a-z_]+)'\)/g)) out.push({ tag: m[1], nesting: 'any', line: lineOf(m.index!) });
  // keys of a REFUSALS-style table of tag paths → words
  const refusals = /const REFUSALS[^=]*=\s*\{([\s\S]*?)\n\};/.exec(src);
  if (refusals) {
    const base = lineOf(refusals.index);
    for (const m of refusals[1].matchAll(/^\s*'?([a-z_]+(?:\/[a-z_]+)*)'?\s*:/gm))
      out.push({ tag: m[1], nesting: 'root', line: base + lineOf(m.index!) });
  }
  return out;
}

/**
 * Every union a call of these routes can answer with: its error union, a failed job's union (+ 401 AuthError), and
 * the tags of a union result (complete / failed / in_progress / async_job_id).
 */
function unionsOf(routes: string[]): TagTree[] {
  const trees: TagTree[] = [table.auth_error, table.path_root_error];
  for (const r of routes) {
    const spec = table.routes[r];
    if (!spec) continue;
    if (spec.error.tags) trees.push(spec.error.tags);
    if (spec.result.union) trees.push(Object.fromEntries(Object.keys(spec.result.union).map((k) => [k, null])));
    const failed = spec.result.union?.failed;
    if (failed && typeof failed === 'object' && !Array.isArray(failed)) {
      trees.push(failed as TagTree);
      // check_job_status wraps the launching route's error in a JobError tag; the worker unwraps it.
      for (const inner of Object.values(failed as TagTree)) if (inner) trees.push(inner);
    }
  }
  return trees;
}

function anywhere(tree: TagTree | null, tag: string): boolean {
  if (!tree) return false;
  return Object.entries(tree).some(([k, v]) => k === tag || anywhere(v, tag));
}

/** Problems: matched tags that no union of the given routes has at that nesting. */
export function checkMatched(matched: Matched[], routes: string[]): string[] {
  const trees = unionsOf(routes);
  return matched
    .filter((m) => !trees.some((t) => (m.nesting === 'any' ? anywhere(t, m.tag) : inTree(t, m.tag.split('/')))))
    .map(
      (m) =>
        `line ${m.line}: '${m.tag}' (${m.nesting === 'any' ? 'at any nesting' : 'from the outermost tag'}) is in no error union of ${routes.join(', ') || '(no routes)'}`,
    );
}

const workerFiles = tsFiles(path.join(root, 'worker/src')).map((f) => ({ file: path.relative(root, f), src: readFileSync(f, 'utf8') }));
const workerRoutes = [...new Set(workerFiles.flatMap((f) => routesCalledIn(f.src)))].sort();

describe('(a) the worker calls only routes of the spec', () => {
  it('finds the worker’s Dropbox calls', () => {
    // Guards the scan itself: these calls are known to exist.
    expect(workerRoutes).toEqual(
      expect.arrayContaining([
        'sharing/remove_folder_member',
        'sharing/list_folder_members',
        'files/list_folder/continue',
        'users/get_current_account',
      ]),
    );
    expect(workerRoutes.length).toBeGreaterThanOrEqual(10);
  });

  it('every one of them is in the table (generated from spec commit ' + table.commit.slice(0, 7) + ')', () => {
    expect(workerRoutes.filter((r) => !table.routes[r])).toEqual([]);
  });
});

describe('(b) every error tag the worker matches exists where the code looks for it', () => {
  it('per source file, against the unions of the routes that file calls', () => {
    const problems: string[] = [];
    let checked = 0;
    for (const { file, src } of workerFiles) {
      const matched = matchedTags(src);
      if (!matched.length) continue;
      checked += matched.length;
      const own = routesCalledIn(src);
      for (const p of checkMatched(matched, own.length ? own : workerRoutes)) problems.push(`${file} ${p}`);
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(20);
  });

  it('the check catches a tag at the wrong nesting or from another route (so it can fail)', () => {
    const src = `if (path === 'member_error/mounted') x(); if (path === 'not_a_member') y(); if (err.tag === 'reset') z(); if (path === 'access_error/not_a_member') ok();`;
    const problems = checkMatched(matchedTags(src), ['sharing/remove_folder_member']);
    expect(problems.map((p) => p.replace(/^line \d+: /, '').split(' ')[0])).toEqual(["'member_error/mounted'", "'not_a_member'", "'reset'"]);
  });
});

describe('(c) the emulator follows the spec', () => {
  let emu: RunningEmulator;
  let token: string;
  beforeAll(async () => {
    emu = await start();
    token = emu.control.issueTokens(MAYA).access_token;
  });
  afterAll(async () => {
    await emu.close();
  });

  it('serves only routes of the spec, including every one the worker calls', () => {
    expect(servedRoutes.size).toBeGreaterThan(10);
    expect([...servedRoutes].filter((r) => !table.routes[r])).toEqual([]);
    expect(workerRoutes.filter((r) => !servedRoutes.has(r))).toEqual([]);
  });

  it('accepts exactly the spec’s argument fields: unknown ones are refused, only the spec’s required ones are demanded', async () => {
    const problems: string[] = [];
    for (const route of [...servedRoutes].sort()) {
      const fields = table.routes[route].arg.fields;
      if (!fields || route === 'files/upload') continue; // no arguments (Void), or arguments in a header
      const extra = await rpc(emu, route, token, { pd_not_in_spec: 1 });
      if (extra.status !== 400 || !extra.text.includes(`unknown field 'pd_not_in_spec'`))
        problems.push(`${route}: an unknown field answered ${extra.status}`);
      const empty = await rpc(emu, route, token, {});
      const missing = /missing required field '(\w+)'/.exec(empty.text)?.[1];
      const required = Object.entries(fields)
        .filter(([, f]) => f.required)
        .map(([k]) => k);
      if (missing && !required.includes(missing)) problems.push(`${route}: demands '${missing}', which the spec makes optional`);
      if (!missing && required.length) problems.push(`${route}: answered ${empty.status} without the required ${required.join(', ')}`);
    }
    expect(problems).toEqual([]);
  });

  it('only answers error tags of the route’s union (literal tags in the emulator’s source are all in a served route’s union)', () => {
    const served = [...servedRoutes];
    const trees = unionsOf(served);
    const problems: string[] = [];
    for (const f of tsFiles(path.join(root, 'emulator/src'))) {
      const src = readFileSync(f, 'utf8');
      const chains = [
        ...[...src.matchAll(/RouteError\.of\(([^)]*)\)/g)].map((m) => m[1]),
        ...[...src.matchAll(/tagChain\(([^)]*)\)/g)].map((m) => m[1]),
      ]
        .map((args) => [...args.matchAll(/'([a-z_]+)'/g)].map((x) => x[1]))
        .filter((tags) => tags.length);
      for (const tags of chains) {
        // bare invalid_id / not_a_member are wrapped in access_error by routes whose union says so (wrapAccess)
        const ok = trees.some((t) => inTree(t, tags) || inTree(t, ['access_error', ...tags]));
        if (!ok) problems.push(`${path.relative(root, f)}: ${tags.join('/')}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('a 409 outside the route’s union is an emulator bug (500), so tests notice', async () => {
    const { errorResponse } = await import('../src/rpc.ts');
    const { RouteError } = await import('../src/errors.ts');
    const res = errorResponse(RouteError.of('mounted'), 'sharing/remove_folder_member', table.routes['sharing/remove_folder_member'] as never);
    expect(res.status).toBe(500);
    expect(await res.text()).toContain('not in the spec');
    expect(
      errorResponse(RouteError.of('mounted'), 'sharing/relinquish_folder_membership', table.routes['sharing/relinquish_folder_membership'] as never)
        .status,
    ).toBe(409);
  });
});
