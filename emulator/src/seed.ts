/** Seed data: the demo world used by `npm start`, and the SeedSpec accepted by startEmulator / POST /_control/seed. */
import { PLANS, type AccessLevel, type DropboxState, type Plan, type SharedFolder } from './state.ts';

export interface SeedAccount {
  email: string;
  display_name?: string;
  /** override the derived ids (account_id must be 40 chars: 'dbid:' + 35) */
  account_id?: string;
  uid?: number;
  /** true = the account has already authorized this app (gets webhooks without an OAuth dance first) */
  linked?: boolean;
  /** false = the email address was never confirmed (Dropbox lets such accounts sign in); default true */
  email_verified?: boolean;
  /** Dropbox plan (default plus). basic: no view-only members, no editor→viewer (insufficient_plan). */
  plan?: Plan;
  /** space in bytes (mount_folder answers insufficient_quota past it); default unlimited */
  quota_bytes?: number;
  /** accepts folder invitations in Dropbox at once (default false: an invitation waits for them) */
  auto_accept?: boolean;
  /** Dropbox Business: the name of a team in SeedSpec.teams. The account gets the team space as its root namespace
   *  and a home folder "/<display name>" in it; folder paths given for it (path, members[].path) stay home-relative. */
  team?: string;
  /** email of this account's paired personal (or work) account (users/get_current_account is_paired) */
  paired_with?: string;
}

export interface SeedTeam {
  name: string;
  team_id?: string;
  /** team-space content outside the members' folders: folders ("Studio Library") and files ("Studio Library/a.wav") */
  items?: { path: string; size?: number }[];
}

export interface SeedGroup {
  name: string;
  group_id?: string;
  /** emails or account_ids */
  members: string[];
}

export interface SeedFolder {
  /** folder name (the last path segment for the owner) */
  name: string;
  /** owner: email or account_id */
  owner: string;
  /** owner's path, default '/<name>' (parents are created) */
  path?: string;
  acl_update_policy?: 'owner' | 'editors';
  /** members other than the owner: email or account_id; mounted at '/<name>' unless path is given.
   *  mounted: false = a member whose copy is not in their Dropbox; inherited: access from a parent folder. */
  members?: { account: string; access_level?: AccessLevel; path?: string; mounted?: boolean; inherited?: boolean }[];
  /** pending invitations (tied to the account when the e-mail has one; nothing mounted until they accept) */
  invitees?: { email: string; access_level?: AccessLevel }[];
  /** groups (by name or group_id, from SeedSpec.groups) with access to the folder; their members have it mounted */
  groups?: { group: string; access_level?: AccessLevel }[];
  /** files relative to the folder root, e.g. 'Stems/kick.wav' */
  files?: { path: string; size?: number; by?: string }[];
}

export interface SeedSpec {
  teams?: SeedTeam[];
  accounts?: SeedAccount[];
  groups?: SeedGroup[];
  folders?: SeedFolder[];
}

export interface SeededAccount {
  account_id: string;
  uid: number;
  email: string;
  display_name: string;
}
export interface SeededFolder {
  shared_folder_id: string;
  folder_id: string;
  name: string;
  owner: string;
  path: string;
}
export interface SeedResult {
  /** by email */
  accounts: Record<string, SeededAccount>;
  /** in the order given */
  folders: SeededFolder[];
}

const DEMO_ROOT = '/PRODUCER-DASHBOARD';

/** The demo world: owners Maya and Noah, collaborators Leo, Sam and Ava. Names/emails are stable for other workspaces. */
export const DEMO_ACCOUNTS = {
  maya: { email: 'maya@pd.example', display_name: 'Maya Reyes' },
  noah: { email: 'noah@pd.example', display_name: 'Noah Kim' },
  leo: { email: 'leo@pd.example', display_name: 'Leo Vance' },
  sam: { email: 'sam@pd.example', display_name: 'Sam Ortiz' },
  ava: { email: 'ava@pd.example', display_name: 'Ava Chen' },
  /** A Dropbox Business member of the team "Acme Studio" (a team space), paired with a personal account. */
  rio: { email: 'rio@acme.example', display_name: 'Rio Park' },
  rioPersonal: { email: 'rio.park@pd.example', display_name: 'Rio Park' },
} as const;

/** The demo's team (Dropbox Business with a team space). */
export const DEMO_TEAM = 'Acme Studio';

const audio = (names: [string, number][]) => names.map(([path, size]) => ({ path, size }));

export const DEMO_SEED: SeedSpec = {
  teams: [{ name: DEMO_TEAM, items: [{ path: '/Studio Library/Reference Mix.wav', size: 9_437_184 }] }],
  accounts: Object.values(DEMO_ACCOUNTS).map((a) =>
    a === DEMO_ACCOUNTS.rio ? { ...a, team: DEMO_TEAM, paired_with: DEMO_ACCOUNTS.rioPersonal.email } : { ...a },
  ),
  folders: [
    {
      name: 'Midnight Drive',
      owner: DEMO_ACCOUNTS.maya.email,
      path: `${DEMO_ROOT}/After Hours/Midnight Drive`,
      members: [
        { account: DEMO_ACCOUNTS.leo.email, access_level: 'editor' },
        { account: DEMO_ACCOUNTS.sam.email, access_level: 'viewer' },
        { account: DEMO_ACCOUNTS.ava.email, access_level: 'editor' },
      ],
      files: audio([
        ['Midnight Drive - Mix v3.wav', 52_428_800],
        ['Stems/Drums.wav', 31_457_280],
        ['Stems/Bass.wav', 28_311_552],
        ['Stems/Vocals.wav', 33_554_432],
      ]),
    },
    {
      name: 'Glass Hearts',
      owner: DEMO_ACCOUNTS.maya.email,
      path: `${DEMO_ROOT}/After Hours/Glass Hearts`,
      members: [
        { account: DEMO_ACCOUNTS.leo.email, access_level: 'editor' },
        { account: DEMO_ACCOUNTS.sam.email, access_level: 'viewer' },
      ],
      files: audio([
        ['Glass Hearts - Demo.wav', 41_943_040],
        ['Glass Hearts - Topline.m4a', 6_291_456],
      ]),
    },
    {
      name: 'Neon Rain',
      owner: DEMO_ACCOUNTS.maya.email,
      path: `${DEMO_ROOT}/City Lights/Neon Rain`,
      members: [{ account: DEMO_ACCOUNTS.leo.email, access_level: 'editor' }],
      files: audio([
        ['Neon Rain - Rough.wav', 47_185_920],
        ['Neon Rain - Synth Stem.wav', 25_165_824],
      ]),
    },
    {
      name: 'Low Tide',
      owner: DEMO_ACCOUNTS.maya.email,
      path: `${DEMO_ROOT}/City Lights/Low Tide`,
      members: [],
      invitees: [{ email: 'jules@pd.example', access_level: 'editor' }],
      files: audio([['Low Tide - Sketch.wav', 18_874_368]]),
    },
    {
      name: 'Paper Planes',
      owner: DEMO_ACCOUNTS.noah.email,
      path: `${DEMO_ROOT}/Skyline/Paper Planes`,
      members: [{ account: DEMO_ACCOUNTS.leo.email, access_level: 'editor' }],
      files: audio([
        ['Paper Planes - Mix v1.wav', 39_845_888],
        ['Paper Planes - Guitar.wav', 22_020_096],
      ]),
    },
    {
      name: 'Golden Hour',
      owner: DEMO_ACCOUNTS.noah.email,
      path: `${DEMO_ROOT}/Skyline/Golden Hour`,
      members: [{ account: DEMO_ACCOUNTS.leo.email, access_level: 'viewer' }],
      files: audio([['Golden Hour - Master.wav', 55_574_528]]),
    },
    {
      // In Rio's folder of the team space: /Rio Park/Night Bus at the team root (/work/Acme Studio/Rio Park/Night Bus).
      name: 'Night Bus',
      owner: DEMO_ACCOUNTS.rio.email,
      path: '/Night Bus',
      members: [],
      files: audio([
        ['Night Bus - Demo.wav', 36_700_160],
        ['Stems/Keys.wav', 12_582_912],
      ]),
    },
  ],
};

/** Shape problems in a SeedSpec, as sentences (empty = fine). */
export function seedProblems(spec: unknown): string[] {
  const out: string[] = [];
  const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
  const str = (v: unknown) => typeof v === 'string' && v.length > 0;
  const levels = ['owner', 'editor', 'viewer', 'viewer_no_comment', 'traverse', 'no_access'];
  if (!isObj(spec)) return ['seed must be "demo", "empty" or an object {teams?, accounts?, groups?, folders?}'];
  const teamNames = new Set<string>();
  if (spec.teams !== undefined) {
    if (!Array.isArray(spec.teams)) out.push('teams must be a list');
    else
      spec.teams.forEach((t, i) => {
        if (!isObj(t) || !str(t.name)) {
          out.push(`teams[${i}].name must be a non-empty string`);
          return;
        }
        teamNames.add((t.name as string).toLowerCase());
        if (
          t.items !== undefined &&
          !(
            Array.isArray(t.items) &&
            t.items.every(
              (x) => isObj(x) && typeof x.path === 'string' && x.path.startsWith('/') && (x.size === undefined || Number.isInteger(x.size)),
            )
          )
        ) {
          out.push(`teams[${i}].items must be a list of {path: "/…", size?}`);
        }
      });
  }
  if (spec.accounts !== undefined) {
    if (!Array.isArray(spec.accounts)) out.push('accounts must be a list');
    else
      spec.accounts.forEach((a, i) => {
        if (!isObj(a) || !str(a.email)) out.push(`accounts[${i}].email must be a non-empty string`);
        else {
          if (a.display_name !== undefined && typeof a.display_name !== 'string') out.push(`accounts[${i}].display_name must be a string`);
          if (a.account_id !== undefined && !(typeof a.account_id === 'string' && a.account_id.length === 40))
            out.push(`accounts[${i}].account_id must be 40 characters`);
          if (a.uid !== undefined && !Number.isInteger(a.uid)) out.push(`accounts[${i}].uid must be an integer`);
          if (a.email_verified !== undefined && typeof a.email_verified !== 'boolean') out.push(`accounts[${i}].email_verified must be a boolean`);
          if (a.plan !== undefined && !PLANS.includes(a.plan as Plan)) out.push(`accounts[${i}].plan must be one of ${PLANS.join(', ')}`);
          if (a.quota_bytes !== undefined && !(Number.isInteger(a.quota_bytes) && (a.quota_bytes as number) >= 0))
            out.push(`accounts[${i}].quota_bytes must be a non-negative integer`);
          if (a.auto_accept !== undefined && typeof a.auto_accept !== 'boolean') out.push(`accounts[${i}].auto_accept must be a boolean`);
          if (a.team !== undefined && !(typeof a.team === 'string' && teamNames.has(a.team.toLowerCase())))
            out.push(`accounts[${i}].team must name a team of teams`);
          if (a.paired_with !== undefined && !str(a.paired_with)) out.push(`accounts[${i}].paired_with must be an email`);
        }
      });
  }
  if (spec.groups !== undefined) {
    if (!Array.isArray(spec.groups)) out.push('groups must be a list');
    else
      spec.groups.forEach((g, i) => {
        if (!isObj(g) || !str(g.name)) out.push(`groups[${i}].name must be a non-empty string`);
        else if (!Array.isArray(g.members) || !g.members.every(str)) out.push(`groups[${i}].members must be a list of emails or account_ids`);
      });
  }
  if (spec.folders !== undefined) {
    if (!Array.isArray(spec.folders)) out.push('folders must be a list');
    else
      spec.folders.forEach((f, i) => {
        if (!isObj(f)) {
          out.push(`folders[${i}] must be an object`);
          return;
        }
        if (!str(f.name) || (f.name as string).includes('/')) out.push(`folders[${i}].name must be a non-empty string without "/"`);
        if (!str(f.owner)) out.push(`folders[${i}].owner must be an email or account_id`);
        if (f.path !== undefined && !(typeof f.path === 'string' && f.path.startsWith('/') && f.path.length > 1))
          out.push(`folders[${i}].path must be an absolute path`);
        if (f.acl_update_policy !== undefined && f.acl_update_policy !== 'owner' && f.acl_update_policy !== 'editors')
          out.push(`folders[${i}].acl_update_policy must be owner or editors`);
        const list = (key: string, check: (x: Record<string, unknown>, j: number) => void) => {
          const v = f[key];
          if (v === undefined) return;
          if (!Array.isArray(v)) return void out.push(`folders[${i}].${key} must be a list`);
          v.forEach((x, j) => {
            if (isObj(x)) check(x, j);
            else out.push(`folders[${i}].${key}[${j}] must be an object`);
          });
        };
        list('members', (m, j) => {
          if (!str(m.account)) out.push(`folders[${i}].members[${j}].account must be an email or account_id`);
          if (m.access_level !== undefined && (!levels.includes(m.access_level as string) || m.access_level === 'owner'))
            out.push(`folders[${i}].members[${j}].access_level is not a member access level`);
          if (m.path !== undefined && !(typeof m.path === 'string' && m.path.startsWith('/')))
            out.push(`folders[${i}].members[${j}].path must be an absolute path`);
        });
        list('groups', (m, j) => {
          if (!str(m.group)) out.push(`folders[${i}].groups[${j}].group must be a group name or id`);
          if (m.access_level !== undefined && (!levels.includes(m.access_level as string) || m.access_level === 'owner'))
            out.push(`folders[${i}].groups[${j}].access_level is not a member access level`);
        });
        list('invitees', (m, j) => {
          if (!str(m.email)) out.push(`folders[${i}].invitees[${j}].email must be a non-empty string`);
          if (m.access_level !== undefined && (!levels.includes(m.access_level as string) || m.access_level === 'owner'))
            out.push(`folders[${i}].invitees[${j}].access_level is not a member access level`);
        });
        list('files', (x, j) => {
          if (!str(x.path)) out.push(`folders[${i}].files[${j}].path must be a non-empty string`);
          if (x.size !== undefined && !(Number.isInteger(x.size) && (x.size as number) >= 0))
            out.push(`folders[${i}].files[${j}].size must be a non-negative integer`);
        });
      });
  }
  return out;
}

export function applySeed(state: DropboxState, spec: SeedSpec): SeedResult {
  const problems = seedProblems(spec);
  if (problems.length) throw new SeedError(problems);
  return state.quietly(() => {
    const result: SeedResult = { accounts: {}, folders: [] };
    const noteAccount = (email: string) => {
      const a = state.requireAccount(email);
      result.accounts[a.email] = { account_id: a.account_id, uid: a.uid, email: a.email, display_name: a.display_name };
      return a;
    };
    for (const t of spec.teams ?? []) {
      const team = state.createTeam(t.name, t.team_id);
      for (const it of t.items ?? []) state.addTeamItem(team, it.path, it.size);
    }
    for (const a of spec.accounts ?? []) {
      const acc = state.addAccount(a);
      if (a.linked) acc.linked = true;
      if (a.plan) acc.plan = a.plan;
      if (a.quota_bytes !== undefined) acc.quota_bytes = a.quota_bytes;
      if (a.auto_accept !== undefined) acc.auto_accept = a.auto_accept;
      if (a.team) {
        const team = [...state.teams.values()].find((t) => t.name.toLowerCase() === a.team!.toLowerCase())!;
        state.joinTeam(acc, team);
        acc.plan = 'business';
      }
      noteAccount(acc.email);
    }
    for (const a of spec.accounts ?? []) {
      if (!a.paired_with) continue;
      const other = state.findAccount(a.paired_with);
      if (!other) throw new SeedError([`accounts: ${a.email} is paired with ${a.paired_with}, which is not an account`]);
      state.pair(state.requireAccount(a.email), other);
    }
    for (const g of spec.groups ?? []) {
      const ids = g.members.map((m) => (state.findAccount(m) ?? state.addAccount({ email: m })).account_id);
      state.createGroup(g.name, ids, g.group_id);
    }
    for (const f of spec.folders ?? []) {
      const owner = state.findAccount(f.owner) ?? state.addAccount({ email: f.owner });
      noteAccount(owner.email);
      const folder: SharedFolder = state.createSharedFolder(owner, f.name, f.path, { acl_update_policy: f.acl_update_policy });
      for (const file of f.files ?? []) state.upload(folder, file.path, file.size ?? 1_048_576, state.findAccount(file.by ?? owner.account_id));
      for (const m of f.members ?? []) {
        const acc = state.findAccount(m.account) ?? state.addAccount({ email: m.account });
        noteAccount(acc.email);
        state.addMember(folder, acc, m.access_level ?? 'editor', m.mounted === false ? null : m.path);
        if (m.inherited) folder.members.get(acc.account_id)!.inherited = true;
      }
      for (const g of f.groups ?? []) {
        const group = state.groups.get(g.group) ?? [...state.groups.values()].find((x) => x.group_name.toLowerCase() === g.group.toLowerCase());
        if (!group) throw new SeedError([`folders: no group ${g.group} (declare it in groups)`]);
        state.addGroup(folder, group, g.access_level ?? 'editor');
      }
      for (const i of f.invitees ?? []) state.invite(folder, i.email, i.access_level ?? 'editor');
      // The owner's path as an API call without Dropbox-API-Path-Root names it (home-relative).
      const stored = owner.mounts.get(folder.shared_folder_id)!;
      result.folders.push({
        shared_folder_id: folder.shared_folder_id,
        folder_id: folder.folder_id,
        name: folder.name,
        owner: owner.account_id,
        path: stored.slice(owner.home_path.length),
      });
    }
    return result;
  });
}

export class SeedError extends Error {
  constructor(public problems: string[]) {
    super('Invalid seed: ' + problems.join('; '));
  }
}
