/** Argument checks that answer like Dropbox's 400s: `request body: <field>: <problem>`. */
import { BadRequest } from './errors.ts';
import { ACCESS_LEVELS, type AccessLevel, type MemberSelector } from './state.ts';

type Args = Record<string, unknown>;

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'float';
  if (typeof v === 'object') return 'object';
  return typeof v;
}

export function reqString(args: Args, field: string, pattern?: RegExp): string {
  const v = args[field];
  if (v === undefined) throw new BadRequest(`request body: missing required field '${field}'`);
  if (typeof v !== 'string') throw new BadRequest(`request body: ${field}: expected string, got ${typeName(v)}`);
  if (pattern && !pattern.test(v))
    throw new BadRequest(`request body: ${field}: '${v}' did not match pattern '${pattern.source.replace(/^\^|\$$/g, '')}'`);
  return v;
}

export function optString(args: Args, field: string): string | undefined {
  return args[field] === undefined || args[field] === null ? undefined : reqString(args, field);
}

export function reqBool(args: Args, field: string): boolean {
  const v = args[field];
  if (v === undefined) throw new BadRequest(`request body: missing required field '${field}'`);
  if (typeof v !== 'boolean') throw new BadRequest(`request body: ${field}: expected boolean, got ${typeName(v)}`);
  return v;
}

export function optBool(args: Args, field: string, dflt: boolean): boolean {
  return args[field] === undefined || args[field] === null ? dflt : reqBool(args, field);
}

export function optInt(args: Args, field: string, dflt: number, min: number, max: number): number {
  const v = args[field];
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new BadRequest(`request body: ${field}: expected integer, got ${typeName(v)}`);
  if (v < min) throw new BadRequest(`request body: ${field}: ${v} is not greater than or equal to ${min}`);
  if (v > max) throw new BadRequest(`request body: ${field}: ${v} is not less than or equal to ${max}`);
  return v;
}

export const SHARED_FOLDER_ID = /^[-_0-9a-zA-Z:]+$/;

export function accessLevel(v: unknown, field: string): AccessLevel {
  const tag = typeof v === 'string' ? v : v && typeof v === 'object' ? (v as Args)['.tag'] : undefined;
  if (typeof tag !== 'string' || !ACCESS_LEVELS.includes(tag as AccessLevel)) {
    throw new BadRequest(`request body: ${field}: unknown tag '${String(tag)}'`);
  }
  return tag as AccessLevel;
}

export function memberSelector(v: unknown, field: string): MemberSelector {
  if (!v || typeof v !== 'object') throw new BadRequest(`request body: ${field}: expected object, got ${typeName(v)}`);
  const o = v as Args;
  if (o['.tag'] === 'dropbox_id') {
    if (typeof o.dropbox_id !== 'string' || !o.dropbox_id)
      throw new BadRequest(`request body: ${field}.dropbox_id: missing required field 'dropbox_id'`);
    return { '.tag': 'dropbox_id', dropbox_id: o.dropbox_id };
  }
  if (o['.tag'] === 'email') {
    if (typeof o.email !== 'string' || !o.email) throw new BadRequest(`request body: ${field}.email: missing required field 'email'`);
    return { '.tag': 'email', email: o.email };
  }
  throw new BadRequest(`request body: ${field}: unknown tag '${String(o['.tag'])}'`);
}
