// npm run bench:core -w @pd/worker
//
// Benchmarks of the core API against a real local worker (`wrangler dev --local`, workerd + local D1/SQLite):
//  - Revoke All for a collaborator on 10, 100 and 1,000 tracks: wall time and D1 round trips (from the
//    worker's `Server-Timing: d1;desc="N round trips"` header). The round trips must not grow with the track count.
//  - Library and sync for a person with 10,000 tracks: time, round trips, and the SQLite query plans.
// Data is seeded straight into the local D1 with `wrangler d1 execute --file` (sessions too: the SHA-256 of a
// token generated here; that is seeding the database, the worker has no test-only entry point).
// Writes bench/core.md at the repository root and prints it. Uses its own free port and temp state directory.
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cursorQuery, libraryQuery, syncQuery } from '../src/domain/library.ts';
import { planRevokeAll } from '../src/domain/sharing.ts';
import { migrateLocalD1, startLocalWorker } from '../../scripts/local-worker.mjs';
import { LOCAL } from '../../scripts/local.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const state = mkdtempSync(path.join(os.tmpdir(), 'pd-bench-core-'));
const env = { ...process.env, ...LOCAL.quietWrangler, XDG_CONFIG_HOME: path.join(state, 'xdg') };
const REVOKE_SIZES = [10, 100, 1000];
const REPEATS = 3;
const LIBRARY_TRACKS = 10_000;
const SAMPLES = 25;

function wrangler(args, opts = {}) {
  const r = spawnSync('npx', ['wrangler', ...args], { cwd: root, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...opts });
  if (r.status !== 0) throw new Error(`wrangler ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

const q = (v) => (v === null || v === undefined ? 'NULL' : typeof v === 'number' ? String(v) : `'${String(v).replace(/'/g, "''")}'`);
const hex = (n) => randomBytes(n).toString('hex');
const now = new Date().toISOString();
const later = new Date(Date.now() + 7 * 86_400_000).toISOString();
let idClock = Date.now() - 10_000_000;
const id = (prefix) => `${prefix}_${(idClock++).toString(16).padStart(12, '0')}${hex(8)}`;

// ------------------------------------------------------------------------------------------------- seed
const sql = [];
const rows = { accounts: [], sessions: [], tracks: [], collaborators: [], library_entries: [], library_changes: [] };
const tokens = {};

function account(key, name) {
  const accId = id('acc');
  const email = `${key}@bench.test`;
  rows.accounts.push([accId, `dbid:${key}`, email, email, name, now, now]);
  const token = randomBytes(32).toString('base64url');
  rows.sessions.push([createHash('sha256').update(token).digest('hex'), accId, now, later, now, later]); // used now: no sliding write during the bench
  tokens[key] = token;
  return { id: accId, email, name };
}
const STAGES = ['idea', 'writing', 'production', 'mixing', 'mastering', 'released'];
function track(owner, i) {
  const trackId = id('trk');
  rows.tracks.push([
    trackId,
    owner.id,
    `sf:${hex(10)}`,
    `Track ${i}`,
    STAGES[i % STAGES.length],
    90 + (i % 60),
    null,
    '["bench"]',
    i % 50 === 0 ? 1 : 0,
    null,
    now,
    now,
  ]);
  rows.library_entries.push([owner.id, trackId, i % 7 === 0 ? 'EP' : null, 0, 1, now, now]);
  rows.library_changes.push([owner.id, trackId, 'added', 'created', now]);
  return trackId;
}
function collaborate(trackId, owner, who, accessLevel, i) {
  rows.collaborators.push([id('col'), trackId, who.id, who.email, who.email, who.name, 'producer', accessLevel, 'active', now, owner.id, now, now]);
  rows.library_entries.push([who.id, trackId, i % 11 === 0 ? 'Collabs' : null, i % 13 === 0 ? 1 : 0, 1, now, now]);
  rows.library_changes.push([who.id, trackId, 'added', 'accepted', now]);
}

const owner = account('owner', 'Olivia Owner');
const revokeTargets = [];
let n = 0;
for (const size of REVOKE_SIZES) {
  for (let r = 0; r < REPEATS; r++) {
    const who = account(`collab-${size}-${r}`, `Collaborator ${size}/${r}`);
    for (let i = 0; i < size; i++) collaborate(track(owner, n++), owner, who, i % 2 ? 'viewer' : 'editor', i);
    revokeTargets.push({ size, email: who.email });
  }
}
const bigOwner = account('big-owner', 'Label Owner');
const reader = account('reader', 'Reader With 10k Tracks');
const readerTracks = [];
for (let i = 0; i < LIBRARY_TRACKS; i++) {
  const t = track(bigOwner, i);
  readerTracks.push(t);
  collaborate(t, bigOwner, reader, 'viewer', i);
}

const columns = {
  accounts: 'id, dropbox_account_id, email, email_lower, display_name, created_at, updated_at',
  sessions: 'token_hash, account_id, created_at, expires_at, last_used_at, absolute_expires_at',
  tracks: 'id, owner_id, dropbox_shared_folder_id, title, stage, bpm, musical_key, tags, archived, event_id, created_at, updated_at',
  collaborators:
    'id, track_id, account_id, email, email_lower, display_name, role, access_level, status, invited_at, invited_by, joined_at, updated_at',
  library_entries: 'account_id, track_id, project, hidden, in_library, added_at, updated_at',
  library_changes: 'account_id, track_id, change, reason, created_at',
};
for (const [table, list] of Object.entries(rows)) {
  for (let i = 0; i < list.length; i += 100) {
    sql.push(
      `INSERT INTO ${table} (${columns[table]}) VALUES\n${list
        .slice(i, i + 100)
        .map((r) => `(${r.map(q).join(', ')})`)
        .join(',\n')};`,
    );
  }
}
const seedFile = path.join(state, 'seed.sql');
writeFileSync(seedFile, sql.join('\n'));

// ------------------------------------------------------------------------------------------------- run
const d1Flags = ['DB', '--local', '--persist-to', state, '--config', 'wrangler.toml'];
console.log(`state: ${state}`);
console.log('applying migrations…');
migrateLocalD1(state, { env: { XDG_CONFIG_HOME: env.XDG_CONFIG_HOME } });
console.log(
  `seeding ${Object.entries(rows)
    .map(([t, r]) => `${r.length} ${t}`)
    .join(', ')}…`,
);
let t0 = performance.now();
wrangler(['d1', 'execute', ...d1Flags, '--yes', '--file', seedFile]);
console.log(`seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

// Nothing here talks to Dropbox: point its origins at a closed local port so background jobs fail fast.
const dev = await startLocalWorker({
  persistDir: state,
  migrate: false,
  snapshot: false,
  env: { XDG_CONFIG_HOME: env.XDG_CONFIG_HOME },
  args: ['--log-level', 'warn'],
  vars: { DROPBOX_API_ORIGIN: 'http://127.0.0.1:9', DROPBOX_WEB_ORIGIN: 'http://127.0.0.1:9' },
  readyTimeoutMs: 90_000,
});
process.on('exit', dev.kill);
const base = dev.url;

async function call(token, method, p) {
  const start = performance.now();
  const res = await fetch(`${base}/api/v1${p}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: method === 'GET' ? undefined : '{}',
  });
  const body = await res.json();
  const ms = performance.now() - start;
  const trips = Number(/d1;desc="(\d+) round trips"/.exec(res.headers.get('server-timing') ?? '')?.[1]);
  if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${JSON.stringify(body)}`);
  return { ms, trips, body };
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p95 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.95) - 1)];
const f = (x) => x.toFixed(1);

let report;
try {
  // Warm up the isolate (first request compiles the worker).
  await call(tokens.owner, 'GET', '/me');

  const revokeRows = [];
  for (const size of REVOKE_SIZES) {
    const runs = [];
    for (const t of revokeTargets.filter((x) => x.size === size)) {
      const r = await call(tokens.owner, 'POST', `/sharing/${encodeURIComponent(t.email)}/revoke-all`);
      if (r.body.revokedCount !== size) throw new Error(`expected ${size} revoked, got ${r.body.revokedCount}`);
      runs.push(r);
    }
    revokeRows.push({ size, ms: runs.map((r) => r.ms), trips: [...new Set(runs.map((r) => r.trips))] });
  }
  // Verify one of them did everything a revoke does, for every track.
  const check = JSON.parse(
    wrangler([
      'd1',
      'execute',
      ...d1Flags,
      '--json',
      '--command',
      `SELECT (SELECT count(*) FROM collaborators WHERE email_lower = 'collab-1000-0@bench.test' AND status = 'revoked') AS revoked,
              (SELECT count(*) FROM notifications WHERE recipient_id = (SELECT id FROM accounts WHERE email_lower = 'collab-1000-0@bench.test') AND kind = 'access_revoked') AS notified,
              (SELECT count(*) FROM dropbox_changes WHERE json_extract(params, '$.email') = 'collab-1000-0@bench.test' AND kind = 'remove_member') AS dropbox_changes,
              (SELECT count(*) FROM library_changes WHERE account_id = (SELECT id FROM accounts WHERE email_lower = 'collab-1000-0@bench.test') AND change = 'removed') AS library_removed`,
    ]),
  )[0].results[0];

  const reads = [];
  const sample = async (label, p, note) => {
    const runs = [];
    for (let i = 0; i < SAMPLES; i++) runs.push(await call(tokens.reader, 'GET', p));
    reads.push({ label, p, note: note(runs[0].body), ms: runs.map((r) => r.ms), trips: [...new Set(runs.map((r) => r.trips))] });
    return runs[0].body;
  };
  const lib = await sample('library, first page (100)', '/library', (b) => `${b.items.length} items`);
  await sample('library, 500 per page', '/library?limit=500', (b) => `${b.items.length} items`);
  await sample('library, stage=released & project=Collabs', '/library?stage=released&project=Collabs&limit=100', (b) => `${b.items.length} items`);
  await sample('library, archived=true (sparse: 2%)', '/library?archived=true&limit=100', (b) => `${b.items.length} items`);
  await sample(
    'library, deep page (before = 5,000th track)',
    `/library?limit=100&before=${readerTracks[LIBRARY_TRACKS / 2]}`,
    (b) => `${b.items.length} items`,
  );
  await sample('sync, nothing new', `/sync?cursor=${lib.cursor}`, (b) => `${b.changes.length} changes`);
  await sample('sync from 0, first 500 changes', '/sync?cursor=0&limit=500', (b) => `${b.changes.length} changes, hasMore=${b.hasMore}`);

  // Query plans, straight from SQLite.
  const inline = (s) => {
    let i = 0;
    return s.text.replace(/\?/g, () => q(s.params[i++]));
  };
  const readerId = rows.accounts.find((a) => a[2] === reader.email)[0];
  const plans = [
    ['library (default filters)', inline(libraryQuery({ accountId: readerId, archived: 'false', hidden: 'false', limit: 100 }))],
    [
      'library (all filters, deep page)',
      inline(libraryQuery({ accountId: readerId, archived: 'true', hidden: 'true', project: 'EP', stage: 'mixing', before: 'trk_zzz', limit: 100 })),
    ],
    ['sync cursor (library response)', inline(cursorQuery(readerId))],
    ['sync', inline(syncQuery(readerId, 5000, 500))],
  ];
  const fakeDb = { prepare: (text) => ({ bind: (...params) => ({ text, params }) }) };
  const revokePlan = await planRevokeAll(fakeDb, { ownerId: 'acc_x', personKey: 'p@bench.test', via: 'app' });
  for (const [i, s] of revokePlan.statements.entries())
    plans.push([`Revoke All, statement ${i + 1} of ${revokePlan.statements.length}: ${s.text.trim().split(/\s+/).slice(0, 3).join(' ')}`, inline(s)]);
  const planText = [];
  let scans = 0;
  for (const [label, text] of plans) {
    const out = JSON.parse(wrangler(['d1', 'execute', ...d1Flags, '--json', '--command', `EXPLAIN QUERY PLAN ${text.replace(/\s+/g, ' ')}`]));
    const details = out[0].results.map((r) => r.detail);
    scans += details.filter((d) => /^SCAN /.test(d)).length;
    planText.push(`${label}\n${details.map((d) => `  ${d}`).join('\n')}`);
  }

  report = `# Core benchmark (worker/bench/core.mjs)

Run: \`npm run bench:core -w @pd/worker\` — ${new Date().toISOString()}, ${os.cpus().length} CPU cores (${os.cpus()[0]?.model ?? 'unknown'}), Node ${process.version}.
Machine load average during the run: ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ')} (1/5/15 min) — other work shares these cores, so wall times are noisy; round trips are not.
Setup: \`wrangler dev --local\` (workerd with a local SQLite-backed D1), data seeded with \`wrangler d1 execute --file\`.
Wall times are measured by the client around one HTTP request, so they include HTTP and JSON; they are local numbers
(no network between worker and D1). **D1 round trips** are counted by the worker itself (every query or batch sent to D1,
reported in \`Server-Timing\`): in production each round trip costs network latency, so this is the number that must stay flat.

## Revoke All

One owner; each collaborator shares N tracks with them (active). ${REPEATS} collaborators per size; each Revoke All runs once.

| tracks revoked | wall time median (ms) | min | max | D1 round trips |
|---:|---:|---:|---:|---:|
${revokeRows.map((r) => `| ${r.size.toLocaleString('en')} | ${f(median(r.ms))} | ${f(Math.min(...r.ms))} | ${f(Math.max(...r.ms))} | ${r.trips.join(', ')} |`).join('\n')}

The round trips are the session lookup plus **one** atomic \`db.batch\` of ${revokePlan.statements.length} set-based statements, whatever the number of tracks.
After the 1,000-track Revoke All: ${check.revoked} collaborator records revoked, ${check.notified} notifications, ${check.dropbox_changes} pending Dropbox
\`remove_member\` changes, ${check.library_removed} library removals (one per track, as for a single revoke).

## Library and sync for a person with ${LIBRARY_TRACKS.toLocaleString('en')} tracks

${SAMPLES} requests each, sequential.

| request | result | median (ms) | p95 (ms) | D1 round trips |
|---|---|---:|---:|---:|
${reads.map((r) => `| ${r.label} | ${r.note} | ${f(median(r.ms))} | ${f(p95(r.ms))} | ${r.trips.join(', ')} |`).join('\n')}

Round trips: the session lookup, then one query (sync) or one batch of two reads (library page + its sync cursor).

## Query plans (SQLite \`EXPLAIN QUERY PLAN\` on the seeded database)

Full table scans found: **${scans}**.

\`\`\`
${planText.join('\n\n')}
\`\`\`
`;
} finally {
  dev.kill();
}

mkdirSync(path.join(root, 'bench'), { recursive: true });
writeFileSync(path.join(root, 'bench/core.md'), report);
console.log(report);
rmSync(state, { recursive: true, force: true });
process.exit(0);
