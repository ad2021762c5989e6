// Test helpers: people signed in the same way the Dropbox sign-in does it (upsertAccount + createSession),
// and a client that calls the worker through SELF.fetch like the extension does.
import { SELF, env } from 'cloudflare:test';
import type { Account } from '@pd/shared';
import { createSession, upsertAccount } from '../../src/domain/index.ts';
import { createTrack, type CreateTrackInput } from '../../src/domain/tracks.ts';

export interface Res<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** A random address from TEST-NET-3 (203.0.113.0/24) and 198.18.0.0/15: never a real client. */
export const randomIp = () => `198.${18 + Math.floor(Math.random() * 2)}.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}`;

export async function call<T = any>(
  token: string | null,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Res<T>> {
  // Each call is its own client address unless the test pins one (sign-in is rate limited per address).
  const h: Record<string, string> = { 'CF-Connecting-IP': randomIp(), ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  let payload: BodyInit | undefined;
  if (body !== undefined) {
    payload = typeof body === 'string' ? body : JSON.stringify(body);
    h['Content-Type'] ??= 'application/json';
  }
  const res = await SELF.fetch(`http://pd.test/api/v1${path}`, { method, headers: h, body: payload });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    /* keep text */
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

export interface Person {
  account: Account;
  token: string;
  name: string;
  email: string;
  get: <T = any>(path: string) => Promise<Res<T>>;
  post: <T = any>(path: string, body?: unknown) => Promise<Res<T>>;
  put: <T = any>(path: string, body?: unknown) => Promise<Res<T>>;
  patch: <T = any>(path: string, body?: unknown) => Promise<Res<T>>;
}

let seq = 0;
/** A PD user signed in through the same domain functions the Dropbox sign-in uses. */
export async function person(name: string, email = `${name.toLowerCase().replace(/\W+/g, '.')}.${++seq}@example.test`): Promise<Person> {
  const account = await upsertAccount(env.DB, { dropboxAccountId: `dbid:${crypto.randomUUID()}`, email, displayName: name });
  const { token } = await createSession(env.DB, account.id);
  return {
    account,
    token,
    name,
    email,
    get: (path) => call(token, 'GET', path),
    post: (path, body) => call(token, 'POST', path, body ?? {}),
    put: (path, body) => call(token, 'PUT', path, body),
    patch: (path, body) => call(token, 'PATCH', path, body),
  };
}

let folder = 0;
/**
 * The owner's track for a (pretend) Dropbox shared folder, made through the domain (what POST /tracks and the import
 * call once Dropbox has confirmed the folder is the owner's). These people have no Dropbox, so POST /tracks itself
 * refuses them (409 dropbox_not_linked): creating over HTTP is tested against the emulator, in
 * test/security/track-ownership.dropbox.test.ts.
 */
export async function trackOf(
  owner: Person,
  title = 'Midnight Drive',
  extra: Partial<Omit<CreateTrackInput, 'ownerId' | 'title' | 'via'>> = {},
): Promise<string> {
  const track = await createTrack(env.DB, {
    dropboxSharedFolderId: `sf:${crypto.randomUUID()}-${++folder}`,
    ...extra,
    ownerId: owner.account.id,
    title,
    via: 'app',
  });
  return track.id;
}

/** Owner invites, the person accepts. Returns the collaborator id. */
export async function share(
  owner: Person,
  trackId: string,
  who: Person,
  accessLevel: 'editor' | 'viewer' = 'editor',
  extra: Record<string, unknown> = {},
): Promise<string> {
  const inv = await owner.post(`/tracks/${trackId}/invitations`, { email: who.email, accessLevel, ...extra });
  if (inv.status !== 201) throw new Error(`invite: ${inv.status} ${JSON.stringify(inv.body)}`);
  const acc = await who.post(`/invitations/${inv.body.invitation.id}/accept`);
  if (acc.status !== 200) throw new Error(`accept: ${acc.status} ${JSON.stringify(acc.body)}`);
  return inv.body.collaborator.id;
}

/** Row counts of every core table: "nothing changed" = equal snapshots. */
export async function snapshot(): Promise<Record<string, number>> {
  const tables = [
    'accounts',
    'sessions',
    'tracks',
    'collaborators',
    'invitations',
    'comments',
    'track_history',
    'notifications',
    'library_entries',
    'library_changes',
    'dropbox_changes',
  ];
  const results = await env.DB.batch(tables.map((t) => env.DB.prepare(`SELECT count(*) AS n FROM ${t}`)));
  const counts: Record<string, number> = {};
  tables.forEach((t, i) => (counts[t] = (results[i].results[0] as { n: number }).n));
  return counts;
}

/** Full content of the mutable core tables (for "the DB is unchanged" checks). */
export async function dump(): Promise<string> {
  const tables = [
    'accounts',
    'sessions',
    'tracks',
    'collaborators',
    'invitations',
    'comments',
    'track_history',
    'notifications',
    'library_entries',
    'library_changes',
    'dropbox_changes',
  ];
  const results = await env.DB.batch(tables.map((t) => env.DB.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`)));
  return JSON.stringify(results.map((r) => r.results));
}

export const db = () => env.DB;
