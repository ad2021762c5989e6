// Chaos run: the real worker (wrangler dev --local, local D1 + Queues + cron) against the Dropbox emulator
// with fault injection, driven by many owners and collaborators at once. Afterwards it waits for the system to
// settle and checks the product's promises from the outside (the API and the emulator's /_control/state):
//   - PD and Dropbox agree on who is on every track (and at what access level);
//   - every ended access has exactly one history entry and one notification;
//   - no comment, edit, credit, split or upload was lost;
//   - nothing is stuck: every Dropbox change PD could not make is visible on the track as failed.
// Usage: node chaos/run.mjs [--ops 1000] [--concurrency 8] [--seed 7] [--fault-rate 0.3] [--short] [--report path]
//        [--keep] [--verbose]
// Exit code 0 only when every check holds.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { AsyncLocalStorage } from 'node:async_hooks';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { demoSignIn } from '../scripts/local.mjs';
import { freePort, removeDir, root, startEmulatorProcess, startWorkerProcess, tempDir } from './procs.mjs';
import { Prng } from './prng.mjs';
import { checkWorld, groupMismatches } from './check.mjs';
import { RUN_OPTIONS } from './options.mjs';

const { values: opt } = parseArgs({ options: RUN_OPTIONS });

if (opt.seeds) {
  const { sweep } = await import('./sweep.mjs');
  process.exit(await sweep(process.argv.slice(2)));
}

/** The recorded run being replayed (run.json of a kept diagnosis dir), or null. */
const REPLAY = opt.replay ? JSON.parse(readFileSync(path.join(opt.replay, 'run.json'), 'utf8')) : null;
const REPLAY_OPS = opt.replay
  ? readFileSync(path.join(opt.replay, 'ops.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .sort(byEffect)
  : null;

/**
 * The order a replay runs recorded entries in: when their effect happened (the answer to an operation's last
 * request — its act; an event when it was injected), not when they started (an accept may start before the
 * invitation it accepts was answered).
 */
function byEffect(a, b) {
  const at = (o) => o.answers?.at(-1)?.at ?? o.at;
  return at(a) < at(b) ? -1 : at(a) > at(b) ? 1 : a.seq - b.seq;
}

const SHORT = REPLAY ? REPLAY.short : opt.short;
const OPS = REPLAY ? REPLAY_OPS.filter((o) => o.type === 'op').length : Number(opt.ops ?? (SHORT ? 100 : 1000));
// A replay runs the recorded operations one at a time by default (the most deterministic order).
const CONCURRENCY = Number(REPLAY && !process.argv.includes('--concurrency') ? 1 : opt.concurrency);
const SEED = REPLAY ? REPLAY.seed : Number(opt.seed);
const FAULT_RATE = REPLAY ? REPLAY.faultRate : Number(opt['fault-rate']);
const QUEUE_CRASH_RATE = REPLAY ? REPLAY.queueCrashRate : opt['queue-crash-rate'];
// Long runs (a soak of 10,000 operations) get proportionally longer to drain and converge.
const CONVERGE_TIMEOUT_MS = Number(opt['converge-timeout'] ?? (SHORT ? 90 : Math.max(240, OPS * 0.06))) * 1000;
const DRAIN_TIMEOUT_MS = Number(opt['drain-timeout'] ?? (SHORT ? 30 : Math.max(90, OPS * 0.02))) * 1000;
const N_OWNERS = 3;
const N_COLLABS = SHORT ? 4 : 6;
const FOLDERS_PER_OWNER = SHORT ? 3 : 8;
const REPORT =
  opt.report === 'none' || REPLAY
    ? opt.report && opt.report !== 'none'
      ? opt.report
      : null
    : (opt.report ?? (SHORT ? null : path.join(root, 'bench/chaos-run.md')));

const rng = new Prng(SEED);
const t0 = Date.now();
const log = (...a) => console.log(`[chaos ${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s]`, ...a);

// ---------------------------------------------------------------------------------------------------------------
// Counters and the ledger of what every successful operation wrote

const stats = {
  ops: new Map(), // kind -> { ok, refused, error }
  apiErrors: [], // 5xx / transport errors seen by the actors (never acceptable)
  injected: { expireAccount: 0, webhookReplays: 0, cronTicks: 0 },
  retriedFailed: 0,
};
const ledger = {
  comments: [], // { trackId, id, body, authorEmail }
  titles: [], // { trackId, title, seq }
  splits: [], // { trackId, collaboratorId, splits, seq }
  uploads: [], // { sharedFolderId, relPath }
  collaboratorsSeen: new Map(), // collaboratorId -> { trackId, displayName, email }
};
let writeSeq = 0;

function count(kind, outcome) {
  const s = stats.ops.get(kind) ?? { ok: 0, refused: 0, skipped: 0, error: 0 };
  s[outcome]++;
  stats.ops.set(kind, s);
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP

let workerUrl = '';
let emulatorUrl = '';

async function http(method, url, { session, body, headers = {} } = {}) {
  const h = { ...headers };
  if (session) h.authorization = `Bearer ${session}`;
  if (body !== undefined) h['content-type'] = 'application/json';
  let res;
  try {
    res = await fetch(url, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    return { status: 0, body: { error: { code: 'transport', message: String(e?.cause?.message ?? e.message) } } };
  }
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = text;
  }
  return {
    status: res.status,
    body: json,
    req: `${method} ${url.replace(workerUrl, '').replace(emulatorUrl, '')}${body === undefined ? '' : ` ${JSON.stringify(body)}`}`,
  };
}

const api = (session, method, p, body) => http(method, `${workerUrl}/api/v1${p}`, { session, body });
const control = (method, p, body) => http(method, `${emulatorUrl}/_control${p}`, { body });

async function must(what, promise) {
  const r = await promise;
  if (r.status < 200 || r.status >= 300) throw new Error(`${what}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

// ---------------------------------------------------------------------------------------------------------------
// The world: owners with many shared folders, collaborators on some of them

const owners = Array.from({ length: N_OWNERS }, (_, i) => ({ email: `owner${i + 1}@chaos.example`, name: `Owner ${i + 1}`, role: 'owner' }));
const collabs = Array.from({ length: N_COLLABS }, (_, i) => ({ email: `collab${i + 1}@chaos.example`, name: `Collab ${i + 1}`, role: 'collab' }));
const people = [...owners, ...collabs];
const byEmail = new Map(people.map((p) => [p.email, p]));

/**
 * The last owner is on Dropbox Basic: view-only members are refused (insufficient_plan), so PD must record what
 * Dropbox kept. A Dropbox group (two collaborators) has access to the first folder of owner 2 besides its explicit
 * members, and owners may give it more folders during the run (dropbox_group).
 */
const BASIC_OWNER = owners.at(-1).email;
const GROUP = 'Chaos Band';
/**
 * Dropbox Business: the first owner and the third collaborator are members of a team. Their root is the team space
 * (the owner's folders live in their home folder inside it, the collaborator's mounts too), so every call PD makes
 * for them must carry the right Dropbox-API-Path-Root; the owner is paired with a personal account PD never sees.
 */
const TEAM = 'Chaos Label';
const TEAM_MEMBERS = new Set([owners[0].email, collabs[2].email]);
const teamAccount = (p) =>
  TEAM_MEMBERS.has(p.email) ? { team: TEAM, ...(p === owners[0] ? { paired_with: 'owner1.personal@chaos.example' } : {}) } : {};

function seedSpec() {
  if (REPLAY) return REPLAY.seedSpec;
  const folders = [];
  for (const o of owners) {
    for (let f = 0; f < FOLDERS_PER_OWNER; f++) {
      const name = `${o.name.replace(' ', '')} Song ${f + 1}`;
      // (the level is drawn for every member, Basic or not, so the PRNG stream stays that of earlier runs)
      const members = rng.sample(collabs, rng.int(1, 3)).map((c) => ({ account: c.email, access_level: rng.pick(['editor', 'viewer']) }));
      if (o.email === BASIC_OWNER) for (const m of members) m.access_level = 'editor';
      folders.push({
        name,
        owner: o.email,
        path: `/Music/${name}`,
        members,
        ...(o === owners[1] && f === 0 ? { groups: [{ group: GROUP, access_level: 'editor' }] } : {}),
        files: [
          { path: 'Mix v1.wav', size: 1_000_000 },
          { path: 'Stems/Drums.wav', size: 500_000 },
        ],
      });
    }
  }
  return {
    teams: [{ name: TEAM, items: [{ path: '/Label Library/Reference.wav', size: 2_000_000 }] }],
    accounts: [
      ...people.map((p) => ({ email: p.email, display_name: p.name, ...(p.email === BASIC_OWNER ? { plan: 'basic' } : {}), ...teamAccount(p) })),
      { email: 'owner1.personal@chaos.example', display_name: 'Owner 1' },
    ],
    groups: [{ name: GROUP, members: collabs.slice(0, 2).map((c) => c.email) }],
    folders,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Operations. Each reads what it needs from the API / emulator, acts, and records what it wrote.
// Outcomes: ok (2xx), refused (a 4xx the race explains: already revoked, not a member any more...),
// skipped (nothing to act on), error (5xx or transport: never acceptable).

const tracks = []; // { trackId, sharedFolderId, owner (email), title }
const trackBySf = new Map();
const locks = new Map();

async function withLock(key, fn) {
  while (locks.has(key)) await locks.get(key);
  let release;
  locks.set(key, new Promise((r) => (release = r)));
  try {
    return await fn();
  } finally {
    locks.delete(key);
    release();
  }
}

/**
 * Every operation (its act, outcome, requests and answers) and every injected background event, in the order they
 * started (`seq`): written to ops.jsonl in a kept diagnosis dir, the input of chaos/replay.mjs.
 */
const opLog = [];
let seqNo = 0;
/** The operation whose requests are being made (classify() records each answer into it). */
const opContext = new AsyncLocalStorage();
/** A replay: how many recorded operations got another answer this time (timing, faults). */
const replayDiffs = { total: 0, items: [] };

function classify(kind, r, okStatuses = [200, 201]) {
  opContext.getStore()?.answers.push({ at: new Date().toISOString(), req: r.req, status: r.status, body: r.status >= 300 ? r.body : undefined });
  if (okStatuses.includes(r.status)) {
    count(kind, 'ok');
    return true;
  }
  if (r.status >= 400 && r.status < 500) {
    count(kind, 'refused');
    return false;
  }
  count(kind, 'error');
  stats.apiErrors.push({ kind, status: r.status, body: r.body });
  return false;
}

function noteCollaborators(detail) {
  for (const c of detail.collaborators ?? []) {
    ledger.collaboratorsSeen.set(c.id, { trackId: detail.track.id, displayName: c.displayName, email: c.email });
  }
}

async function trackDetail(session, trackId) {
  const r = await api(session, 'GET', `/tracks/${trackId}`);
  if (r.status === 200) noteCollaborators(r.body);
  return r;
}

async function myLibrary(person) {
  const r = await api(person.session, 'GET', '/library?limit=500');
  return r.status === 200 ? r.body.items : [];
}

async function emuState() {
  return must('emulator state', control('GET', '/state'));
}

// Each operation is split in two: `choose` reads the world and makes the seeded choices, returning an *act* in
// stable terms (e-mails, shared folder ids, bodies; null = nothing to act on), and `perform` carries it out. Live,
// `act._ids` carries the ids chosen from (invitation / collaborator); a replay (chaos/replay.mjs) drops them and
// resolves the same person and track in its fresh world. Every act is written to ops.jsonl for that replay.

/** Tracks by shared folder id; a replay maps the recorded folder ids onto its own world's. */
const trackOf = (sf) => trackBySf.get(sf) ?? null;
const sessionOf = (email) => byEmail.get(email).session;

/** The collaborator record of `email` on a track (the newest first when several), with a status in `statuses`. */
async function collaboratorByEmail(owner, trackId, email, statuses) {
  const d = await trackDetail(sessionOf(owner), trackId);
  const list = (d.body?.collaborators ?? []).filter((c) => lc(c.email) === lc(email) && (!statuses || statuses.includes(c.status)));
  return list.at(-1) ?? null;
}
const lc = (s) => String(s ?? '').toLowerCase();

/** An act whose target does not exist in this world (only in a replay that went another way): counted as skipped. */
class Diverged extends Error {}

const OPERATIONS = {
  invite: {
    weight: 14,
    async choose(r) {
      const o = r.pick(owners);
      const t = r.pick(tracks.filter((x) => x.owner === o.email));
      const ghost = r.next() < 0.08;
      const email = ghost ? `ghost${r.int(1, 3)}@chaos.example` : r.pick(collabs).email;
      return { kind: 'invite', owner: o.email, sf: t.sharedFolderId, email, accessLevel: r.pick(['editor', 'viewer']) };
    },
    async perform(a) {
      const t = trackOf(a.sf);
      if (!t) throw new Diverged();
      const res = await api(sessionOf(a.owner), 'POST', `/tracks/${t.trackId}/invitations`, { email: a.email, accessLevel: a.accessLevel });
      if (classify('invite', res) && res.body.collaborator)
        ledger.collaboratorsSeen.set(res.body.collaborator.id, {
          trackId: t.trackId,
          displayName: res.body.collaborator.displayName,
          email: a.email,
        });
    },
  },
  accept: {
    weight: 14,
    async choose(r) {
      const c = r.pick(collabs);
      const inv = await api(c.session, 'GET', '/invitations');
      const list = inv.body?.invitations ?? [];
      if (list.length === 0) return null;
      const i = r.pick(list);
      const decline = r.next() < 0.1;
      const t = tracks.find((x) => x.trackId === i.trackId);
      return { kind: decline ? 'decline' : 'accept', as: c.email, sf: t?.sharedFolderId ?? null, _ids: { invitationId: i.id } };
    },
    async perform(a) {
      let id = a._ids?.invitationId;
      if (!id) {
        const t = trackOf(a.sf);
        const inv = t ? await api(sessionOf(a.as), 'GET', '/invitations') : null;
        id = (inv?.body?.invitations ?? []).find((i) => i.trackId === t.trackId)?.id;
        if (!id) throw new Diverged();
      }
      classify(a.kind, await api(sessionOf(a.as), 'POST', `/invitations/${id}/${a.kind}`));
    },
  },
  revoke: {
    weight: 7,
    async choose(r) {
      const o = r.pick(owners);
      const t = r.pick(tracks.filter((x) => x.owner === o.email));
      const d = await trackDetail(o.session, t.trackId);
      const cands = (d.body?.collaborators ?? []).filter((c) => c.status === 'active' || c.status === 'invited');
      if (cands.length === 0) return null;
      const c = r.pick(cands);
      return { kind: 'revoke', owner: o.email, sf: t.sharedFolderId, email: c.email, _ids: { collaboratorId: c.id } };
    },
    async perform(a) {
      const t = trackOf(a.sf);
      const id = a._ids?.collaboratorId ?? (t && (await collaboratorByEmail(a.owner, t.trackId, a.email, ['active', 'invited']))?.id);
      if (!t || !id) throw new Diverged();
      classify('revoke', await api(sessionOf(a.owner), 'POST', `/tracks/${t.trackId}/collaborators/${id}/revoke`));
    },
  },
  // Issue 12: an end of access a few seconds ahead (the run's cron ticks end it, racing revokes and leaves), and a
  // heads-up that ends it now or in a week.
  expiry: {
    weight: 2,
    async choose(r) {
      const o = r.pick(owners);
      const t = r.pick(tracks.filter((x) => x.owner === o.email));
      const d = await trackDetail(o.session, t.trackId);
      const cands = (d.body?.collaborators ?? []).filter((c) => c.status === 'active' || c.status === 'invited');
      if (cands.length === 0) return null;
      const c = r.pick(cands);
      return {
        kind: 'expiry',
        owner: o.email,
        sf: t.sharedFolderId,
        email: c.email,
        inSeconds: 2 + Math.floor(r.next() * 20),
        _ids: { collaboratorId: c.id },
      };
    },
    async perform(a) {
      const t = trackOf(a.sf);
      const id = a._ids?.collaboratorId ?? (t && (await collaboratorByEmail(a.owner, t.trackId, a.email, ['active', 'invited']))?.id);
      if (!t || !id) throw new Diverged();
      const accessExpiresAt = new Date(Date.now() + a.inSeconds * 1000).toISOString();
      classify('expiry', await api(sessionOf(a.owner), 'PUT', `/tracks/${t.trackId}/collaborators/${id}/expiry`, { accessExpiresAt }));
    },
  },
  heads_up: {
    weight: 2,
    async choose(r) {
      const o = r.pick(owners);
      const t = r.pick(tracks.filter((x) => x.owner === o.email));
      const d = await trackDetail(o.session, t.trackId);
      const cands = (d.body?.collaborators ?? []).filter((c) => c.status === 'active');
      if (cands.length === 0) return null;
      const c = r.pick(cands);
      return {
        kind: 'heads_up',
        owner: o.email,
        sf: t.sharedFolderId,
        email: c.email,
        endsIn: r.next() < 0.5 ? 'now' : '7d',
        _ids: { collaboratorId: c.id },
      };
    },
    async perform(a) {
      const t = trackOf(a.sf);
      const id = a._ids?.collaboratorId ?? (t && (await collaboratorByEmail(a.owner, t.trackId, a.email, ['active']))?.id);
      if (!t || !id) throw new Diverged();
      classify(
        'heads_up',
        await api(sessionOf(a.owner), 'POST', `/tracks/${t.trackId}/collaborators/${id}/heads-up`, {
          note: 'Wrapping up (chaos).',
          endsIn: a.endsIn,
        }),
      );
    },
  },
  revoke_all: {
    weight: 2,
    async choose(r) {
      const o = r.pick(owners);
      const s = await api(o.session, 'GET', '/sharing');
      const ppl = s.body?.people ?? [];
      if (ppl.length === 0) return null;
      return { kind: 'revoke_all', owner: o.email, personKey: r.pick(ppl).personKey };
    },
    async perform(a) {
      classify('revoke_all', await api(sessionOf(a.owner), 'POST', `/sharing/${encodeURIComponent(a.personKey)}/revoke-all`));
    },
  },
  leave: {
    weight: 6,
    async choose(r) {
      const c = r.pick(collabs);
      const items = (await myLibrary(c)).filter((i) => i.myRole !== 'owner');
      if (items.length === 0) return null;
      return { kind: 'leave', as: c.email, sf: r.pick(items).track.dropboxSharedFolderId };
    },
    async perform(a) {
      const t = trackOf(a.sf);
      if (!t) throw new Diverged();
      classify('leave', await api(sessionOf(a.as), 'POST', `/tracks/${t.trackId}/leave`));
    },
  },
  access_level: {
    weight: 6,
    async choose(r) {
      const o = r.pick(owners);
      const t = r.pick(tracks.filter((x) => x.owner === o.email));
      const d = await trackDetail(o.session, t.trackId);
      const cands = (d.body?.collaborators ?? []).filter((c) => c.status === 'active');
      if (cands.length === 0) return null;
      const c = r.pick(cands);
      return {
        kind: 'access_level',
        owner: o.email,
        sf: t.sharedFolderId,
        email: c.email,
        to: c.accessLevel === 'editor' ? 'viewer' : 'editor',
        _ids: { collaboratorId: c.id },
      };
    },
    async perform(a) {
      const t = trackOf(a.sf);
      const id = a._ids?.collaboratorId ?? (t && (await collaboratorByEmail(a.owner, t.trackId, a.email, ['active']))?.id);
      if (!t || !id) throw new Diverged();
      classify('access_level', await api(sessionOf(a.owner), 'PATCH', `/tracks/${t.trackId}/collaborators/${id}`, { accessLevel: a.to }));
    },
  },
  comment: {
    weight: 12,
    async choose(r, n) {
      const actor = r.pick(people);
      const items = await myLibrary(actor);
      if (items.length === 0) return null;
      const i = r.pick(items);
      return { kind: 'comment', as: actor.email, sf: i.track.dropboxSharedFolderId, body: `chaos comment #${n} by ${actor.email} ✓` };
    },
    async perform(a) {
      const t = trackOf(a.sf);
      if (!t) throw new Diverged();
      const res = await api(sessionOf(a.as), 'POST', `/tracks/${t.trackId}/comments`, { body: a.body });
      if (classify('comment', res)) ledger.comments.push({ trackId: t.trackId, id: res.body.comment.id, body: a.body, authorEmail: a.as });
    },
  },
  edit: {
    weight: 8,
    async choose(r, n) {
      const actor = r.next() < 0.5 ? r.pick(owners) : r.pick(collabs);
      const items = (await myLibrary(actor)).filter((i) => i.myRole !== 'viewer');
      if (items.length === 0) return null;
      const i = r.pick(items);
      const t = trackBySf.get(i.track.dropboxSharedFolderId);
      const title = `${t?.title ?? 'Track'} · edit ${n}`;
      const bpm = r.int(60, 180);
      return { kind: 'edit', as: actor.email, sf: i.track.dropboxSharedFolderId, title, bpm, stage: r.pick(['writing', 'production', 'mixing']) };
    },
    async perform(a) {
      const t = trackOf(a.sf);
      if (!t) throw new Diverged();
      await withLock(`edit:${t.trackId}`, async () => {
        const res = await api(sessionOf(a.as), 'PATCH', `/tracks/${t.trackId}`, { title: a.title, bpm: a.bpm, stage: a.stage });
        if (classify('edit', res)) ledger.titles.push({ trackId: t.trackId, title: a.title, seq: ++writeSeq });
      });
    },
  },
  splits: {
    weight: 6,
    async choose(r, n) {
      const o = r.pick(owners);
      const t = r.pick(tracks.filter((x) => x.owner === o.email));
      const d = await trackDetail(o.session, t.trackId);
      const cands = d.body?.collaborators ?? [];
      if (cands.length === 0) return null;
      const c = r.pick(cands);
      const v = () => r.int(0, 30) + (n % 100) / 100;
      return {
        kind: 'splits',
        owner: o.email,
        sf: t.sharedFolderId,
        email: c.email,
        splits: { master: v(), publishing: v(), writer: v() },
        _ids: { collaboratorId: c.id },
      };
    },
    async perform(a) {
      const t = trackOf(a.sf);
      const id = a._ids?.collaboratorId ?? (t && (await collaboratorByEmail(a.owner, t.trackId, a.email))?.id);
      if (!t || !id) throw new Diverged();
      await withLock(`splits:${t.trackId}`, async () => {
        const res = await api(sessionOf(a.owner), 'PUT', `/tracks/${t.trackId}/splits`, { collaborators: [{ collaboratorId: id, ...a.splits }] });
        if (classify('splits', res)) ledger.splits.push({ trackId: t.trackId, collaboratorId: id, splits: a.splits, seq: ++writeSeq });
      });
    },
  },
  dropbox_leave: {
    weight: 5,
    async choose(r) {
      const cands = await dropboxMembers(false);
      if (cands.length === 0) return null;
      const { f, m } = r.pick(cands);
      return { kind: 'dropbox_leave', as: m.email, sf: f.shared_folder_id };
    },
    async perform(a) {
      classify('dropbox_leave', await control('POST', '/act', { as: a.as, action: 'leave_folder', shared_folder_id: a.sf }));
    },
  },
  dropbox_remove: {
    weight: 3,
    async choose(r) {
      const cands = await dropboxMembers(false);
      if (cands.length === 0) return null;
      const { f, m } = r.pick(cands);
      return { kind: 'dropbox_remove', as: trackBySf.get(f.shared_folder_id).owner, member: m.email, sf: f.shared_folder_id };
    },
    async perform(a) {
      classify('dropbox_remove', await control('POST', '/act', { as: a.as, action: 'remove_member', shared_folder_id: a.sf, member: a.member }));
    },
  },
  dropbox_upload: {
    weight: 5,
    async choose(r, n) {
      const cands = await dropboxMembers(true);
      if (cands.length === 0) return null;
      const { f, m } = r.pick(cands);
      return { kind: 'dropbox_upload', as: m.email, sf: f.shared_folder_id, path: `Chaos/take-${n}.wav`, size: 1000 + n };
    },
    async perform(a) {
      const res = await control('POST', '/act', { as: a.as, action: 'upload_file', shared_folder_id: a.sf, path: a.path, size: a.size });
      if (classify('dropbox_upload', res)) ledger.uploads.push({ sharedFolderId: a.sf, relPath: a.path });
    },
  },
  dropbox_accept: {
    // The invitee clicks "Add to Dropbox" in Dropbox itself (not in PD): PD learns it from their tree.
    weight: 5,
    async choose(r) {
      const st = await emuState();
      const cands = [];
      for (const f of st.folders) {
        if (f.unshared || !trackBySf.has(f.shared_folder_id)) continue;
        for (const i of f.invitees) if (i.account_id && byEmail.has(lc(i.email))) cands.push({ f, i });
      }
      if (cands.length === 0) return null;
      const { f, i } = r.pick(cands);
      return { kind: 'dropbox_accept', as: lc(i.email), sf: f.shared_folder_id };
    },
    async perform(a) {
      classify('dropbox_accept', await control('POST', '/act', { as: a.as, action: 'accept_invite', shared_folder_id: a.sf }));
    },
  },
  dropbox_group: {
    // The owner gives the group access to another folder in Dropbox (at most 2 per run).
    weight: 0.6,
    async choose(r) {
      if ((stats.ops.get('dropbox_group')?.ok ?? 0) >= 2) return null;
      const st = await emuState();
      const cands = st.folders.filter(
        (f) => !f.unshared && trackBySf.has(f.shared_folder_id) && !(f.groups ?? []).some((g) => g.group_name === GROUP),
      );
      if (cands.length === 0) return null;
      const f = r.pick(cands);
      return { kind: 'dropbox_group', as: trackBySf.get(f.shared_folder_id).owner, sf: f.shared_folder_id, group: GROUP };
    },
    async perform(a) {
      classify(
        'dropbox_group',
        await control('POST', '/act', { as: a.as, action: 'add_group', shared_folder_id: a.sf, group: a.group, access_level: 'editor' }),
      );
    },
  },
  dropbox_unshare: {
    weight: 0.4,
    async choose(r) {
      if ((stats.ops.get('dropbox_unshare')?.ok ?? 0) >= (SHORT ? 1 : 3)) return null;
      const st = await emuState();
      const cands = st.folders.filter((f) => !f.unshared && trackBySf.has(f.shared_folder_id));
      if (cands.length === 0) return null;
      const f = r.pick(cands);
      return { kind: 'dropbox_unshare', as: trackBySf.get(f.shared_folder_id).owner, sf: f.shared_folder_id };
    },
    async perform(a) {
      classify('dropbox_unshare', await control('POST', '/act', { as: a.as, action: 'unshare', shared_folder_id: a.sf }));
    },
  },
};
const OPS_TABLE = Object.entries(OPERATIONS).map(([kind, o]) => [o.weight, kind, o]);
const TOTAL_WEIGHT = OPS_TABLE.reduce((s, [w]) => s + w, 0);

/** Members of the tracks' folders in the emulator ({ f, m }), the owners too when `withOwners`. */
async function dropboxMembers(withOwners) {
  const st = await emuState();
  const cands = [];
  for (const f of st.folders) {
    if (f.unshared || !trackBySf.has(f.shared_folder_id)) continue;
    for (const m of f.members) if (withOwners || m.access_type !== 'owner') cands.push({ f, m });
  }
  return cands;
}

function pickOp(r) {
  let x = r.next() * TOTAL_WEIGHT;
  for (const row of OPS_TABLE) {
    x -= row[0];
    if (x < 0) return row;
  }
  return OPS_TABLE[0];
}

// ---------------------------------------------------------------------------------------------------------------
// Injected faults besides the emulator's per-call faults

/** The emulator's per-call faults: together about FAULT_RATE of Dropbox calls (rates apply one after another). */
function faultSpecs() {
  // Shares of the total fault rate; converted to sequential per-fault rates so the union is FAULT_RATE.
  const shares = [
    ['429', 0.35, { retryAfter: 1, format: 'mixed' }],
    ['500', 0.25, {}],
    ['503', 0.1, { retryAfter: 1 }],
    ['slow', 0.15, { delayMs: 400 }],
    ['expired_token', 0.15, {}],
  ];
  const specs = [];
  let remaining = 1; // probability that no earlier fault fired
  for (const [kind, share, extra] of shares) {
    const want = FAULT_RATE * share; // unconditional probability of this fault
    const rate = Math.min(1, want / remaining);
    remaining -= want;
    if (kind === 'expired_token') {
      // On the token endpoint this fault means "refresh token revoked" (sign in again): apply it to API calls only.
      for (const route of API_ROUTES) specs.push({ route, kind, rate: Math.min(1, want / (remaining + want)) });
    } else {
      specs.push({ route: '*', kind, rate, ...extra });
    }
  }
  // Dropbox accepts a removal, then its job fails: the change must end visible as failed (and be retryable).
  // (no_permission: a tag of RemoveFolderMemberError — the emulator takes only the spec's tags for a job's failure.)
  specs.push({ route: '2/sharing/remove_folder_member', kind: 'job_failed', rate: 0.03, errorTag: 'no_permission' });
  return specs;
}
const API_ROUTES = [
  '2/users/get_current_account',
  '2/files/list_folder',
  '2/files/list_folder/continue',
  '2/files/list_folder/get_latest_cursor',
  '2/files/get_metadata',
  '2/sharing/list_folders',
  '2/sharing/list_folders/continue',
  '2/sharing/list_folder_members',
  '2/sharing/list_folder_members/continue',
  '2/sharing/get_folder_metadata',
  '2/sharing/add_folder_member',
  '2/sharing/remove_folder_member',
  '2/sharing/check_remove_member_job_status',
  '2/sharing/relinquish_folder_membership',
  '2/sharing/check_job_status',
  '2/sharing/update_folder_member',
];

async function cronTick() {
  stats.injected.cronTicks++;
  await http('GET', `${workerUrl}/cdn-cgi/handler/scheduled`);
}

/** Out-of-order notifications: an old, validly signed webhook delivery is sent again, late. */
async function replayOldWebhook(r) {
  const logRes = await control('GET', '/webhooks/log');
  const deliveries = (Array.isArray(logRes.body) ? logRes.body : (logRes.body?.deliveries ?? [])).filter((d) => d.body && d.signature);
  if (deliveries.length === 0) return;
  const d = r.pick(deliveries.slice(0, Math.max(1, deliveries.length - 3)));
  await injectEvent({ event: 'webhook_replay', body: d.body, signature: d.signature });
}

async function expireSomeone(r) {
  await injectEvent({ event: 'expire', account: r.pick(people).email });
}

/** A background fault, recorded in the op log (a replay injects the same event at the same place). */
async function injectEvent(e) {
  opLog.push({ type: 'bg', seq: seqNo++, at: new Date().toISOString(), ...e });
  if (e.event === 'webhook_replay') {
    await fetch(`${workerUrl}/dropbox/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-dropbox-signature': e.signature, 'user-agent': 'DropboxWebhooks/1.0' },
      body: e.body,
    }).then((x) => x.text());
    stats.injected.webhookReplays++;
  } else if (e.event === 'expire') {
    await control('POST', '/tokens/expire', { account: e.account });
    stats.injected.expireAccount++;
  }
}

/** Runs one operation (live: choose then perform; replay: perform the recorded act) and records it. */
async function runOperation(n, kind, choose, act) {
  const entry = { type: 'op', seq: seqNo++, n, kind, at: new Date().toISOString(), act: null, outcome: null, answers: [] };
  opLog.push(entry);
  await opContext.run(entry, async () => {
    try {
      const a = act ?? (await choose());
      if (!a) {
        count(kind, 'skipped');
        entry.outcome = 'skipped';
        return;
      }
      entry.act = a;
      await OPERATIONS[kind].perform(a);
      entry.outcome = entry.answers.at(-1)?.status ?? null;
    } catch (e) {
      if (e instanceof Diverged) {
        count(kind, 'skipped');
        entry.outcome = 'diverged';
        return;
      }
      count(kind, 'error');
      entry.outcome = 'exception';
      stats.apiErrors.push({ kind, status: 'exception', body: String(e?.stack ?? e) });
    }
  });
  return entry;
}

/** A recorded act in this (fresh) world: no live ids, shared folder ids mapped through the import. */
function replayAct(a, sfMap) {
  const { _ids, ...rest } = a;
  return rest.sf !== undefined ? { ...rest, sf: sfMap.get(rest.sf) ?? rest.sf } : rest;
}

// ---------------------------------------------------------------------------------------------------------------
// Main

const children = [];
let persistDir = null;
let keepDir = false;
async function cleanup() {
  for (const c of children.reverse()) await c.stop().catch(() => undefined);
  if (persistDir && !opt.keep && !keepDir) removeDir(persistDir);
  else if (persistDir) removeDir(path.join(persistDir, 'bundle')); // the worker snapshot: rebuilt from git
}
process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));

let exitCode = 1;
try {
  const workerPort = await freePort();
  const emulatorPort = await freePort();
  persistDir = tempDir('pd-chaos-');
  workerUrl = `http://127.0.0.1:${workerPort}`;
  log(`seed ${SEED}, ${OPS} operations, concurrency ${CONCURRENCY}, Dropbox fault rate ${FAULT_RATE}`);
  const emu = await startEmulatorProcess({ port: emulatorPort, webhookUrl: `${workerUrl}/dropbox/webhook`, verbose: opt.verbose });
  children.push(emu);
  emulatorUrl = emu.url;
  // The real worker behind a queue-crash hook (chaos/worker-entry.js), crashing batches from the start.
  if (opt['d1-template']) cpSync(path.join(opt['d1-template'], 'v3'), path.join(persistDir, 'v3'), { recursive: true });
  const worker = await startWorkerProcess({
    ...(opt['worker-config'] ? { snapshot: opt['worker-config'] } : {}),
    ...(opt['d1-template'] ? { migrate: false } : {}),
    port: workerPort,
    emulatorUrl,
    persistDir,
    verbose: opt.verbose,
    script: 'chaos/worker-entry.js',
    vars: { CHAOS_QUEUE_THROW_RATE: QUEUE_CRASH_RATE, CHAOS_SEED: String(SEED), CHAOS_TRACE_QUEUE: opt['trace-queue'] ? '1' : '0' },
  });
  children.push(worker);
  log(`emulator ${emulatorUrl}, worker ${workerUrl} (D1 in ${persistDir})`);

  // Seed and sign everyone in (real PKCE: emulator authorize + worker code exchange), then owners import.
  const spec = seedSpec();
  await must('reset', control('POST', '/reset', { seed: spec }));
  await must('webhooks', control('POST', '/webhooks', { duplicateRate: 0.25, seed: SEED }));
  await must('job polls', control('POST', '/jobs', { pendingPolls: 1 }));
  for (const p of [...collabs, ...owners]) {
    const s = await demoSignIn(workerUrl, emulatorUrl, p.email);
    p.session = s.session;
    p.accountId = s.account.id;
  }
  for (const o of owners) {
    const r = await must(`import ${o.email}`, api(o.session, 'POST', '/dropbox/import', {}));
    for (const t of r.imported) {
      const rec = { trackId: t.trackId, sharedFolderId: t.sharedFolderId, owner: o.email, title: t.title };
      tracks.push(rec);
      trackBySf.set(t.sharedFolderId, rec);
    }
  }
  // Every owner's folders must become tracks, the team owner's (in the team space) as well as the others'.
  for (const o of owners) {
    const n = tracks.filter((t) => t.owner === o.email).length;
    if (!REPLAY && n !== FOLDERS_PER_OWNER)
      throw new Error(`import ${o.email}${TEAM_MEMBERS.has(o.email) ? ' (team space)' : ''}: ${n} tracks, want ${FOLDERS_PER_OWNER}`);
  }
  log(`${people.length} people signed in, ${tracks.length} tracks imported`);
  // What a replay needs besides ops.jsonl: the world, the settings, the faults (chaos/replay.mjs <dir>).
  writeFileSync(
    path.join(persistDir, 'run.json'),
    JSON.stringify(
      {
        seed: SEED,
        faultRate: FAULT_RATE,
        queueCrashRate: QUEUE_CRASH_RATE,
        short: SHORT,
        ops: OPS,
        concurrency: CONCURRENCY,
        seedSpec: spec,
        faults: faultSpecs(),
        webhooks: { duplicateRate: 0.25, seed: SEED },
        jobs: { pendingPolls: 1 },
        tracks: tracks.map((t) => ({ sharedFolderId: t.sharedFolderId, owner: t.owner, title: t.title })),
        commit: gitCommit(),
        replayOf: opt.replay ?? null,
        startedAt: new Date(t0).toISOString(),
      },
      null,
      1,
    ),
  );
  // A replay's folders are matched to the recorded ones by owner and title (the emulator's ids are deterministic,
  // but a world built by another version of the seed could differ).
  const sfMap = new Map();
  for (const rt of REPLAY?.tracks ?? []) {
    const t = tracks.find((x) => x.owner === rt.owner && x.title === rt.title);
    if (t) sfMap.set(rt.sharedFolderId, t.sharedFolderId);
    else throw new Error(`replay: the fresh world has no track "${rt.title}" of ${rt.owner}`);
  }

  // Turn on the faults.
  await must('faults', control('POST', '/faults', { faults: faultSpecs(), seed: SEED }));
  await control('DELETE', '/calls');

  // Operations from CONCURRENCY actors at once; faults and cron ticks in between.
  const tOps = Date.now();
  let next = 0;
  let stopBackground = false;
  const background = (async () => {
    const br = rng.fork(99);
    while (!stopBackground) {
      await sleep(1500);
      await cronTick().catch(() => undefined);
      if (REPLAY) continue; // a replay injects the recorded events in their place instead
      if (br.next() < 0.5) await replayOldWebhook(br).catch(() => undefined);
      if (br.next() < 0.25) await expireSomeone(br).catch(() => undefined);
    }
  })();
  const actorLoop = async () => {
    for (;;) {
      if (REPLAY) {
        // The recorded operations and background events, in the order they started.
        const rec = REPLAY_OPS[next++];
        if (!rec) return;
        if (rec.type === 'bg') {
          const { type, seq, at, ...e } = rec;
          await injectEvent(e).catch(() => undefined);
          continue;
        }
        const entry = await runOperation(rec.n, rec.kind, rec.act ? null : async () => null, rec.act ? replayAct(rec.act, sfMap) : null);
        entry.recordedOutcome = rec.outcome;
        replayDiffs.total++;
        if (String(entry.outcome) !== String(rec.outcome))
          replayDiffs.items.push(`#${rec.n} ${rec.kind}: recorded ${rec.outcome}, replayed ${entry.outcome}`);
        if (rec.type === 'op' && (rec.n + 1) % 100 === 0) log(`${rec.n + 1}/${OPS} operations replayed`);
        continue;
      }
      const n = next++;
      if (n >= OPS) return;
      const r = rng.fork(n + 1);
      const [, kind, op] = pickOp(r);
      await runOperation(n, kind, () => op.choose(r, n), null);
      if ((n + 1) % 100 === 0) log(`${n + 1}/${OPS} operations`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, actorLoop));
  stopBackground = true;
  await background;
  const opsMs = Date.now() - tOps;
  log(`operations done in ${(opsMs / 1000).toFixed(1)} s`);
  if (REPLAY) {
    log(
      `replay: ${replayDiffs.total - replayDiffs.items.length} of ${replayDiffs.total} operations answered as recorded${replayDiffs.items.length ? `; differently: ${replayDiffs.items.slice(0, 15).join(', ')}${replayDiffs.items.length > 15 ? ', …' : ''}` : ''}`,
    );
  }

  // The queue keeps working under the same faults until the Dropbox changes the operations asked for are
  // through (or a bounded time has passed): most Dropbox calls happen here, after the API answered.
  const tConv = Date.now();
  const drainUntil = Date.now() + DRAIN_TIMEOUT_MS;
  // The backlog over time (for the soak's time to converge: how fast it drains, and whether anything is stuck).
  const backlog = [];
  let lastLog = 0;
  const noteBacklog = async (phase, active, extra = '') => {
    const calls = (await control('GET', '/calls')).body;
    const n = (Array.isArray(calls) ? calls : (calls?.calls ?? [])).length;
    backlog.push({ s: (Date.now() - tConv) / 1000, phase, active, calls: n });
    if (Date.now() - lastLog >= 15_000 || active === 0) {
      lastLog = Date.now();
      const prev = backlog.find((b) => b.s >= backlog.at(-1).s - 60) ?? backlog[0];
      const dt = backlog.at(-1).s - prev.s;
      log(
        `backlog (${phase}): ${active} Dropbox change(s) pending/running${dt > 0 ? `, ${((prev.active - active) / dt).toFixed(2)} drained/s and ${((n - prev.calls) / dt).toFixed(1)} Dropbox calls/s over the last ${dt.toFixed(0)} s` : ''}${extra}`,
      );
    }
  };
  while (Date.now() < drainUntil) {
    await cronTick();
    await sleep(1500);
    let active = 0;
    for (const t of tracks) {
      const d = await trackDetail(byEmail.get(t.owner).session, t.trackId);
      active += (d.body?.dropboxChanges ?? []).filter((c) => c.status === 'pending' || c.status === 'running').length;
    }
    await noteBacklog('faults on', active);
    if (active === 0) break;
  }
  log(`queue drained under faults for ${((Date.now() - tConv) / 1000).toFixed(1)} s`);

  // What the faults did (before clearing them).
  const callsRes = await control('GET', '/calls');
  const calls = Array.isArray(callsRes.body) ? callsRes.body : (callsRes.body?.calls ?? []);

  // Dropbox recovers; the system converges on its own (queue retries, cron, webhooks), with cron ticks as the
  // platform would fire them. Changes that ended failed are retried once by their owner (the product's "Retry").
  await control('DELETE', '/faults');
  const retried = new Set();
  let result = null;
  let stable = 0;
  let converged = false;
  for (;;) {
    await cronTick();
    await control('POST', '/webhooks/flush');
    await sleep(1500);
    // While Dropbox changes are still pending, only they are counted (one track detail per track): the full
    // snapshot (every history, notification, library and sync from cursor 0) costs a long run's worker more than
    // the queue it waits for — in a 3,000-operation run each one took ~60 s of the worker's time.
    if (OPS > 1000) {
      let pending = 0;
      for (const t of tracks) {
        const d = await trackDetail(byEmail.get(t.owner).session, t.trackId);
        pending += (d.body?.dropboxChanges ?? []).filter((c) => c.status === 'pending' || c.status === 'running').length;
      }
      if (pending > 0) {
        stable = 0;
        await noteBacklog('faults off', pending);
        if (Date.now() - tConv > CONVERGE_TIMEOUT_MS) {
          log(`did not converge within ${CONVERGE_TIMEOUT_MS / 1000} s (${pending} pending/running changes)`);
          break;
        }
        continue;
      }
    }
    const world = await snapshot();
    const active = world.changes.filter((c) => c.status === 'pending' || c.status === 'running');
    const failed = world.changes.filter((c) => c.status === 'failed' && !retried.has(c.id));
    if (active.length === 0 && failed.length > 0) {
      for (const c of failed) {
        retried.add(c.id);
        const r = await api(c.ownerSession, 'POST', `/dropbox-changes/${c.id}/retry`);
        if (r.status === 200) stats.retriedFailed++;
      }
      stable = 0;
      continue;
    }
    result = checkWorld(world, ledger, { membershipOnly: true });
    if (OPS > 1000) await noteBacklog('faults off', active.length, `, ${result.mismatches.length} membership difference(s)`);
    else
      log(
        `converging: ${active.length} Dropbox change(s) pending/running, ${result.mismatches.length} membership difference(s)${result.mismatches.length ? ` e.g. ${result.mismatches[0]}` : ''}`,
      );
    stable = active.length === 0 && result.mismatches.length === 0 ? stable + 1 : 0;
    if (stable >= 2) {
      converged = true;
      break;
    }
    if (Date.now() - tConv > CONVERGE_TIMEOUT_MS) {
      log(`did not converge within ${CONVERGE_TIMEOUT_MS / 1000} s (${active.length} pending/running changes)`);
      break;
    }
  }
  const convergeMs = Date.now() - tConv;
  const allCallsRes = await control('GET', '/calls');
  const allCalls = Array.isArray(allCallsRes.body) ? allCallsRes.body : (allCallsRes.body?.calls ?? []);

  // The full check on the settled world.
  const world = await snapshot();
  result = checkWorld(world, ledger, { membershipOnly: false });
  for (const e of stats.apiErrors) result.mismatches.push(`API answered ${e.status} to ${e.kind}: ${JSON.stringify(e.body).slice(0, 300)}`);
  const stuck = world.changes.filter((c) => c.status === 'pending' || c.status === 'running');
  for (const c of stuck) result.mismatches.push(`Dropbox change ${c.id} (${c.kind}) still ${c.status} after convergence: ${c.lastError ?? ''}`);

  const summary = buildSummary({ opsMs, convergeMs, calls, allCalls, result, world, worker, backlog });
  console.log('\n' + summary.text);
  if (REPORT) writeFileSync(REPORT, summary.markdown);
  exitCode = result.mismatches.length === 0 ? 0 : 1;
  if (exitCode !== 0 || opt.keep) {
    // Everything needed to find out why: the operations, the emulator's calls, webhooks and state, the D1 (sqlite).
    keepDir = true;
    writeFileSync(path.join(persistDir, 'ops.jsonl'), opLog.map((o) => JSON.stringify(o)).join('\n') + '\n');
    writeFileSync(path.join(persistDir, 'emulator-calls.json'), JSON.stringify(allCalls, null, 1));
    writeFileSync(path.join(persistDir, 'emulator-webhooks.json'), JSON.stringify((await control('GET', '/webhooks/log')).body, null, 1));
    writeFileSync(path.join(persistDir, 'emulator-state.json'), JSON.stringify(world.state, null, 1));
    writeFileSync(path.join(persistDir, 'worker.log'), worker.tail.join('\n'));
    writeFileSync(path.join(persistDir, 'mismatches.json'), JSON.stringify(result.mismatches, null, 1));
    log(
      `kept for diagnosis: ${persistDir} (run.json + ops.jsonl: replay with \`node chaos/replay.mjs ${persistDir}\`; emulator-*.json, mismatches.json, D1 under v3/d1)`,
    );
  }
  if (opt['result-json']) {
    const failedVisible = world.changes.filter((c) => c.status === 'failed').length;
    writeFileSync(
      opt['result-json'],
      JSON.stringify({
        seed: SEED,
        faultRate: FAULT_RATE,
        ops: OPS,
        short: SHORT,
        exitCode,
        converged,
        opsMs,
        convergeMs,
        mismatches: result.mismatches,
        groups: groupMismatches(result.mismatches).map((g) => ({ finding: g.finding, repro: g.repro, count: g.items.length })),
        failedVisible,
        apiErrors: stats.apiErrors.length,
        dropboxCalls: allCalls.length,
        keptDir: keepDir ? persistDir : null,
      }),
    );
  }
  if (exitCode !== 0) {
    console.log('\nMismatches:');
    for (const g of groupMismatches(result.mismatches)) {
      console.log(`  ${g.finding} (${g.items.length})${g.repro ? `\n    reproduce alone: ${g.repro}` : ''}`);
      for (const m of g.items.slice(0, 20)) console.log(`    ✖ ${m}`);
      if (g.items.length > 20) console.log(`    … and ${g.items.length - 20} more`);
    }
  }
} catch (e) {
  console.error('chaos run aborted:', e?.stack ?? e);
  if (opt['result-json'])
    writeFileSync(
      opt['result-json'],
      JSON.stringify({ seed: SEED, faultRate: FAULT_RATE, exitCode: 2, aborted: String(e?.message ?? e).slice(0, 2000) }),
    );
  for (const c of children) if (c.tail?.length) console.error(`--- last lines of ${c.name} ---\n${c.tail.slice(-40).join('\n')}`);
  exitCode = 2;
} finally {
  await cleanup();
}
process.exit(exitCode);

// ---------------------------------------------------------------------------------------------------------------
// Reading the whole world from the outside

async function paged(session, p, key, nextKey) {
  const out = [];
  let before = null;
  for (let i = 0; i < 1000; i++) {
    const sep = p.includes('?') ? '&' : '?';
    const r = await api(session, 'GET', `${p}${before ? `${sep}before=${encodeURIComponent(before)}` : ''}`);
    if (r.status !== 200) throw new Error(`GET ${p}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
    out.push(...r.body[key]);
    before = r.body[nextKey];
    if (before === null || before === undefined) break;
  }
  return out;
}

async function snapshot() {
  const state = await emuState();
  const trackViews = [];
  const changes = [];
  for (const t of tracks) {
    const o = byEmail.get(t.owner);
    const d = await trackDetail(o.session, t.trackId);
    if (d.status !== 200) throw new Error(`GET /tracks/${t.trackId} as owner: HTTP ${d.status}`);
    const history = await paged(o.session, `/tracks/${t.trackId}/history?limit=500`, 'entries', 'nextBefore');
    trackViews.push({ ...t, detail: d.body, history });
    for (const c of d.body.dropboxChanges) changes.push({ ...c, trackId: t.trackId, ownerSession: o.session });
  }
  const notifications = new Map();
  const syncOk = new Map();
  const libraries = new Map();
  const synced = new Map();
  for (const p of people) {
    notifications.set(p.email, await paged(p.session, '/notifications?limit=200', 'notifications', 'nextBefore'));
    const lib = await paged(p.session, '/library?limit=500&archived=any&hidden=any', 'items', 'nextBefore');
    libraries.set(p.email, new Set(lib.map((i) => i.track.id)));
    // What a client that synced from the beginning ends up with.
    const have = new Set();
    let cursor = 0;
    let ok = true;
    for (let i = 0; i < 1000; i++) {
      const s = await api(p.session, 'GET', `/sync?cursor=${cursor}&limit=1000`);
      if (s.status !== 200) {
        ok = false;
        break;
      }
      for (const c of s.body.changes) {
        if (c.change === 'removed' || !c.item) have.delete(c.trackId);
        else have.add(c.trackId);
      }
      cursor = s.body.cursor;
      if (!s.body.hasMore) break;
    }
    syncOk.set(p.email, ok);
    synced.set(p.email, have);
  }
  // Departed people: the track must answer 403 to them.
  const departedReads = [];
  for (const t of trackViews) {
    for (const c of t.detail.collaborators) {
      const p = byEmail.get(c.email.toLowerCase());
      // Only people who once had access (joined): a cancelled invitation never revealed the track (404 is right).
      if (!p || (c.status !== 'revoked' && c.status !== 'left') || !c.joinedAt) continue;
      const r = await api(p.session, 'GET', `/tracks/${t.trackId}`);
      departedReads.push({ trackId: t.trackId, email: p.email, status: r.status, code: r.body?.error?.code });
    }
  }
  return {
    state,
    tracks: trackViews,
    changes,
    notifications,
    syncOk,
    libraries,
    synced,
    departedReads,
    people: people.map(({ email, accountId, role }) => ({ email, accountId, role })),
  };
}

function gitCommit() {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Summary

function buildSummary({ opsMs, convergeMs, calls, allCalls, result, world, worker, backlog }) {
  const faultsInjected = {};
  for (const c of calls) if (c.fault) faultsInjected[c.fault] = (faultsInjected[c.fault] ?? 0) + 1;
  const faulted = calls.filter((c) => c.fault).length;
  const errorFaults = calls.filter((c) => c.fault && c.fault !== 'slow').length;
  const opsOk = [...stats.ops.values()].reduce((s, v) => s + v.ok, 0);
  const failedVisible = world.changes.filter((c) => c.status === 'failed');
  const jobErrors = worker.counts.jobErrors;
  const rows = [
    ['operations', `${OPS} (${opsOk} ok, the rest refused by a race or with nothing to act on) from ${CONCURRENCY} actors at once`],
    [
      'people / tracks',
      `${owners.length} owners, ${collabs.length} collaborators, ${tracks.length} tracks; Dropbox Business team "${TEAM}": ${[...TEAM_MEMBERS].join(', ')}`,
    ],
    ['operations time', `${(opsMs / 1000).toFixed(1)} s`],
    ['Dropbox calls', `${allCalls.length} (${calls.length} while faults were on, the rest while converging)`],
    [
      'injected Dropbox faults',
      `${faulted} (${(calls.length ? (100 * faulted) / calls.length : 0).toFixed(1)}% of the calls made while faults were on): ${Object.entries(
        faultsInjected,
      )
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    ],
    [
      'other injected faults',
      `duplicate webhooks (rate 0.25), ${stats.injected.webhookReplays} late replays of old notifications, ${stats.injected.expireAccount} whole-account token expiries, ${stats.injected.cronTicks} cron ticks`,
    ],
    [
      'retries',
      `${errorFaults} Dropbox calls answered with an error and made again (in-line, from the queue or the cron); ${worker.counts.queueRetries} queue messages retried by the consumer, ${worker.counts.redeliveries} redeliveries in all; ${stats.retriedFailed} failed changes retried by their owner`,
    ],
    [
      'queue consumer crashes',
      `${worker.counts.consumerCrashes} batches crashed part-way (rate ${QUEUE_CRASH_RATE} per batch; half of them also lost the ack of a finished message); ${jobErrors} jobs threw inside the consumer`,
    ],
    [
      'time to converge',
      `${(convergeMs / 1000).toFixed(1)} s (after the last operation)${
        backlog.length
          ? `; backlog of Dropbox changes ${backlog[0].active} at the end of the operations, ${[60, 300, 600, 1200, 1800]
              .filter((x) => backlog.at(-1).s >= x)
              .map((x) => `${backlog.find((b) => b.s >= x).active} after ${x} s`)
              .join(', ')}`
          : ''
      }`,
    ],
    ['ended accesses checked', `${result.stats.endedAccesses} (history + notification each)`],
    [
      'what Dropbox kept, shown by PD',
      `${result.stats.truths.refused} view-only members a Basic owner's Dropbox refused, ${result.stats.truths.levelKept} Editors Basic kept, ${result.stats.truths.group} ended people a group keeps in the folder, ${result.stats.truths.acceptedInDropbox} members in Dropbox shown as such (owner ${BASIC_OWNER} on Dropbox Basic, group "${GROUP}")`,
    ],
    [
      'ledger checked',
      `${ledger.comments.length} comments, ${ledger.titles.length} edits, ${ledger.splits.length} split changes, ${ledger.uploads.length} uploads, ${ledger.collaboratorsSeen.size} credits`,
    ],
    [
      'Dropbox changes visible as failed',
      `${failedVisible.length}${failedVisible.length ? ` (${[...new Set(failedVisible.map((c) => c.lastError))].slice(0, 3).join('; ')})` : ''}`,
    ],
    ['mismatches', `${result.mismatches.length}`],
  ];
  const opRows = [...stats.ops.entries()].sort().map(([k, v]) => `| ${k} | ${v.ok} | ${v.refused} | ${v.skipped} | ${v.error} |`);
  const w = Math.max(...rows.map((r) => r[0].length));
  const text = [
    'Chaos run summary',
    ...rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`),
    '',
    '  operation          ok  refused  skipped  error',
    ...[...stats.ops.entries()]
      .sort()
      .map(
        ([k, v]) =>
          `  ${k.padEnd(17)}${String(v.ok).padStart(4)}${String(v.refused).padStart(9)}${String(v.skipped).padStart(9)}${String(v.error).padStart(7)}`,
      ),
  ].join('\n');
  const markdown = `# Chaos run

\`${REPLAY ? `node chaos/replay.mjs ${opt.replay}` : `node chaos/run.mjs${process.argv.slice(2).length ? ` ${process.argv.slice(2).join(' ')}` : ''}`}\` (seed ${SEED}, ${OPS} operations, concurrency ${CONCURRENCY}, Dropbox fault rate ${FAULT_RATE}). Generated ${new Date().toISOString()} on ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GB, Node ${process.version}.

| | |
|---|---|
${rows.map(([k, v]) => `| ${k} | ${v} |`).join('\n')}

| operation | ok | refused (race/4xx) | skipped (nothing to act on) | error (5xx) |
|---|---|---|---|---|
${opRows.join('\n')}

${
  result.mismatches.length
    ? `## Mismatches\n\n${groupMismatches(result.mismatches)
        .map(
          (g) =>
            `### ${g.finding} (${g.items.length})\n\n${g.repro ? `Reproduce alone: \`${g.repro}\`\n\n` : ''}${g.items.map((m) => `- ${m}`).join('\n')}\n`,
        )
        .join('\n')}`
    : 'No mismatches.\n'
}
`;
  return { text, markdown };
}
