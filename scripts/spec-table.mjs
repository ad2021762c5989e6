#!/usr/bin/env node
// biome-ignore-all lint/suspicious/noAssignInExpressions: the .stone line parser tries one regex after another (if ((m = re.exec(line))) …)
// Builds shared/dropbox-spec/table.json from Dropbox's public API spec (the Stone files of
// github.com/dropbox/dropbox-api-spec): for every route of the namespaces we talk to, its argument fields, its
// result fields and its error union with every nested tag. The spec is not available to CI, so the GENERATED
// table is checked in (with the spec commit it came from) and the conformance tests read only the table.
//
//   node scripts/spec-table.mjs <path to a checkout of dropbox-api-spec> [--commit <sha>] [--out <file>]
//   node scripts/spec-table.mjs --git-dir <path to its .git (or bare mirror)> [--out <file>]
//
// Only the parts of Stone the table needs are parsed: namespaces, imports, aliases, structs (fields, extends,
// enumerated subtypes), unions (tags, extends, union_closed) and route headers. Docstrings, examples,
// annotations and route attrs are skipped.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const NAMESPACES = [
  'async',
  'auth',
  'common',
  'files',
  'sharing',
  'users',
  'users_common',
  'account_id',
  'team_common',
  'team_policies',
  'seen_state',
  'file_properties',
  'check',
];
/** Namespaces whose routes go into the table (the others only provide types). */
const ROUTE_NAMESPACES = ['auth', 'files', 'sharing', 'users'];
/** Nested error unions are expanded this deep (the deepest the worker looks is 3: failed/…/no_explicit_access). */
const MAX_DEPTH = 4;
const PRIMITIVES = new Set([
  'String',
  'Boolean',
  'UInt32',
  'UInt64',
  'Int32',
  'Int64',
  'Float32',
  'Float64',
  'Timestamp',
  'Bytes',
  'Void',
  'List',
  'Map',
]);

// ---------------------------------------------------------------------------------------------------------------
// Reading the .stone files

function readSpec(args) {
  const gitDirAt = args.indexOf('--git-dir');
  const files = new Map();
  let commit = flagValue(args, '--commit');
  if (gitDirAt >= 0) {
    const gitDir = args[gitDirAt + 1];
    const git = (...a) => execFileSync('git', ['--git-dir', gitDir, ...a], { encoding: 'utf8', maxBuffer: 64 << 20 });
    commit ??= git('rev-parse', 'HEAD').trim();
    for (const ns of NAMESPACES) {
      try {
        files.set(ns, git('show', `${commit}:${ns}.stone`));
      } catch {
        /* a namespace the spec no longer has */
      }
    }
  } else {
    const dir = args.find((a, i) => !a.startsWith('--') && !['--commit', '--out'].includes(args[i - 1]));
    if (!dir) usage();
    for (const f of readdirSync(dir)) {
      const ns = f.replace(/\.stone$/, '');
      if (f.endsWith('.stone') && NAMESPACES.includes(ns)) files.set(ns, readFileSync(path.join(dir, f), 'utf8'));
    }
    if (!commit) {
      try {
        commit = execFileSync('git', ['-C', dir, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
      } catch {
        commit = 'unknown';
      }
    }
  }
  if (!files.size) usage();
  return { files, commit };
}

function flagValue(args, flag) {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
}

function usage() {
  console.error(
    'usage: node scripts/spec-table.mjs <dropbox-api-spec dir> [--commit sha] [--out file]\n       node scripts/spec-table.mjs --git-dir <spec .git> [--out file]',
  );
  process.exit(2);
}

/** Splits `List(AddMember, max_items=20)? = x` into its type name, element type and nullability. */
export function parseTypeRef(text) {
  let depth = 0;
  let cut = text.length;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === '=' && depth === 0) {
      cut = i;
      break;
    }
  }
  const hasDefault = cut < text.length;
  let t = text.slice(0, cut).trim();
  const nullable = t.endsWith('?');
  if (nullable) t = t.slice(0, -1).trim();
  const paren = t.indexOf('(');
  const name = paren >= 0 ? t.slice(0, paren) : t;
  let element;
  if ((name === 'List' || name === 'Map') && paren >= 0) {
    const inner = t.slice(paren + 1, t.lastIndexOf(')'));
    let d = 0;
    let end = inner.length;
    for (let i = 0; i < inner.length; i++) {
      if (inner[i] === '(') d++;
      else if (inner[i] === ')') d--;
      else if (inner[i] === ',' && d === 0) {
        end = i;
        break;
      }
    }
    element = parseTypeRef(inner.slice(0, end)).name;
  }
  return { name, element, nullable, hasDefault };
}

/** Parses one namespace's source into its definitions. */
export function parseStone(ns, src) {
  const defs = new Map(); // name → def
  const imports = [];
  let cur = null; // current struct/union
  let mode = 'none'; // 'members' | 'skip-block' (examples, subtypes, attrs)
  let inString = false;
  for (const rawLine of src.split('\n')) {
    const line = rawLine.replace(/\s+$/, '');
    const trimmed = line.trim();
    if (inString) {
      if (quoteCount(trimmed) % 2 === 1) inString = false;
      continue;
    }
    if (!trimmed || trimmed.startsWith('#')) continue;
    if (trimmed.startsWith('"')) {
      if (quoteCount(trimmed) % 2 === 1) inString = true;
      continue;
    }
    const indent = line.length - line.trimStart().length;
    if (indent === 0) {
      cur = null;
      mode = 'none';
      let m;
      if ((m = /^import\s+(\w+)/.exec(line))) imports.push(m[1]);
      else if ((m = /^alias\s+(\w+)\s*=\s*(.+)$/.exec(line))) defs.set(m[1], { kind: 'alias', name: m[1], target: parseTypeRef(m[2]) });
      else if ((m = /^struct\s+(\w+)(?:\s+extends\s+([\w.]+))?/.exec(line))) {
        cur = { kind: 'struct', name: m[1], parent: m[2] ?? null, fields: [], subtypes: [] };
        defs.set(m[1], cur);
        mode = 'members';
      } else if ((m = /^union(_closed)?\s+(\w+)(?:\s+extends\s+([\w.]+))?/.exec(line))) {
        cur = { kind: 'union', name: m[2], closed: !!m[1], parent: m[3] ?? null, tags: [] };
        defs.set(m[2], cur);
        mode = 'members';
      } else if ((m = /^route\s+([\w/]+)(?::(\d+))?\s*\(\s*(.+)\)\s*(deprecated.*)?$/.exec(line))) {
        const parts = splitTop(m[3]);
        defs.set(`route:${m[1]}:${m[2] ?? '1'}`, {
          kind: 'route',
          name: m[1],
          version: Number(m[2] ?? 1),
          arg: parseTypeRef(parts[0]),
          result: parseTypeRef(parts[1]),
          error: parseTypeRef(parts[2]),
          deprecated: !!m[4],
        });
      }
      continue;
    }
    if (!cur) continue;
    if (indent === 4) {
      if (/^(example|attrs)\b/.test(trimmed)) {
        mode = 'skip-block';
        continue;
      }
      if (/^union(_closed)?$/.test(trimmed) && cur.kind === 'struct') {
        mode = 'subtypes';
        continue;
      }
      if (trimmed.startsWith('@')) continue;
      const m = /^([a-z_][a-z0-9_]*)(?:\s+(.+))?$/.exec(trimmed);
      if (!m) continue;
      mode = 'members';
      const type = m[2] ? parseTypeRef(m[2]) : null;
      if (cur.kind === 'struct') cur.fields.push({ name: m[1], type, required: !!type && !type.nullable && !type.hasDefault });
      else cur.tags.push({ name: m[1], type: type && type.name !== 'Void' ? type : null });
      continue;
    }
    if (indent === 8 && mode === 'subtypes') {
      const m = /^([a-z_][a-z0-9_]*)\s+([\w.]+)/.exec(trimmed);
      if (m) cur.subtypes.push({ tag: m[1], type: m[2] });
    }
  }
  return { ns, imports, defs };
}

function quoteCount(s) {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (s[i] === '"' && s[i - 1] !== '\\') n++;
  return n;
}

function splitTop(s) {
  const out = [];
  let d = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '(') d++;
    else if (s[i] === ')') d--;
    else if (s[i] === ',' && d === 0) {
      out.push(s.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(s.slice(start).trim());
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Resolving types across namespaces

class Spec {
  constructor(parsed) {
    this.ns = new Map(parsed.map((p) => [p.ns, p]));
  }

  /** The definition a reference names, seen from namespace `from`, through aliases; null for primitives. */
  resolve(from, name) {
    if (!name || PRIMITIVES.has(name)) return null;
    const [ns, local] = name.includes('.') ? name.split('.') : [from, name];
    const def = this.ns.get(ns)?.defs.get(local);
    if (!def) return null;
    if (def.kind === 'alias') return this.resolve(ns, def.target.name);
    return { ns, def };
  }

  structFields(ns, def) {
    const parent = def.parent ? this.resolve(ns, def.parent) : null;
    return [...(parent ? this.structFields(parent.ns, parent.def) : []), ...def.fields];
  }

  unionTags(ns, def) {
    const parent = def.parent ? this.resolve(ns, def.parent) : null;
    const own = def.tags.map((t) => ({ ...t, ns }));
    return [...(parent ? this.unionTags(parent.ns, parent.def) : []), ...own];
  }

  typeName(ns, ref) {
    if (!ref) return 'Void';
    if (ref.name === 'List') return `List(${this.qualified(ns, ref.element)})`;
    return this.qualified(ns, ref.name) + (ref.nullable ? '?' : '');
  }

  qualified(ns, name) {
    if (!name || PRIMITIVES.has(name) || name.includes('.')) return name;
    const def = this.ns.get(ns)?.defs.get(name);
    if (def?.kind === 'alias') {
      const target = def.target;
      return PRIMITIVES.has(target.name) ? target.name : this.qualified(ns, target.name);
    }
    return `${ns}.${name}`;
  }

  /** Argument/result description: struct → fields; union → tags with their value's fields. */
  shape(ns, ref) {
    if (!ref || ref.name === 'Void') return { type: 'Void' };
    if (ref.name === 'List') {
      const el = this.resolve(ns, ref.element);
      return { type: `List(${this.qualified(ns, ref.element)})`, element: el ? this.shape(el.ns, { name: `${el.ns}.${el.def.name}` }) : null };
    }
    const r = this.resolve(ns, ref.name);
    if (!r) return { type: ref.name };
    const { def } = r;
    if (def.kind === 'struct') {
      const fields = {};
      for (const f of this.structFields(r.ns, def)) fields[f.name] = { type: this.typeName(r.ns, f.type), required: f.required };
      const out = { type: `${r.ns}.${def.name}`, fields };
      if (def.subtypes.length) out.subtypes = Object.fromEntries(def.subtypes.map((s) => [s.tag, this.qualified(r.ns, s.type)]));
      return out;
    }
    const tags = {};
    for (const t of this.unionTags(r.ns, def)) {
      const v = t.type ? this.resolve(t.ns, t.type.name) : null;
      if (v?.def.kind === 'struct') tags[t.name] = Object.keys(Object.fromEntries(this.structFields(v.ns, v.def).map((f) => [f.name, 1])));
      // A union inside a result (a failed job's error): its nested tags, like an error union.
      else if (v?.def.kind === 'union') tags[t.name] = this.errorTree(v.ns, { name: `${v.ns}.${v.def.name}` });
      else tags[t.name] = t.type ? this.typeName(t.ns, t.type) : null;
    }
    return { type: `${r.ns}.${def.name}`, union: tags };
  }

  /**
   * An error union as a tree of tags: `{ access_error: { invalid_id: null, … }, folder_owner: null }`.
   * A tag whose value is another union is expanded; struct or primitive values are leaves (null).
   */
  errorTree(ns, ref, depth = 0) {
    if (!ref || ref.name === 'Void') return null;
    const r = this.resolve(ns, ref.name);
    if (!r || r.def.kind !== 'union' || depth >= MAX_DEPTH) return null;
    const out = {};
    for (const t of this.unionTags(r.ns, r.def)) {
      const v = t.type ? this.resolve(t.ns, t.type.name) : null;
      out[t.name] = v?.def.kind === 'union' ? this.errorTree(v.ns, { name: `${v.ns}.${v.def.name}` }, depth + 1) : null;
    }
    return out;
  }
}

export function buildTable(files, commit) {
  const parsed = [...files].map(([ns, src]) => parseStone(ns, src));
  const spec = new Spec(parsed);
  const routes = {};
  for (const p of parsed) {
    if (!ROUTE_NAMESPACES.includes(p.ns)) continue;
    for (const def of p.defs.values()) {
      if (def.kind !== 'route' || def.deprecated) continue;
      const key = `${p.ns}/${def.name}${def.version > 1 ? `_v${def.version}` : ''}`;
      routes[key] = {
        arg: spec.shape(p.ns, def.arg),
        result: spec.shape(p.ns, def.result),
        error: { type: def.error.name === 'Void' ? 'Void' : spec.qualified(p.ns, def.error.name), tags: spec.errorTree(p.ns, def.error) },
      };
    }
  }
  const sorted = Object.fromEntries(Object.entries(routes).sort(([a], [b]) => (a < b ? -1 : 1)));
  return {
    source: 'https://github.com/dropbox/dropbox-api-spec',
    commit,
    generated_by: 'node scripts/spec-table.mjs',
    // 401 bodies of every route: auth.AuthError; 429 bodies: auth.RateLimitError.
    auth_error: spec.errorTree('auth', { name: 'AuthError' }),
    // 422 bodies of every route called with a Dropbox-API-Path-Root header it cannot use: common.PathRootError.
    path_root_error: spec.errorTree('common', { name: 'PathRootError' }),
    rate_limit_reason: spec.shape('auth', { name: 'RateLimitReason' }).union,
    routes: sorted,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const { files, commit } = readSpec(args);
  const table = buildTable(files, commit);
  const out = flagValue(args, '--out') ?? path.resolve(import.meta.dirname, '../shared/dropbox-spec/table.json');
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(table, null, 1) + '\n');
  console.log(`${Object.keys(table.routes).length} routes from spec ${commit} → ${path.relative(process.cwd(), out)}`);
}
