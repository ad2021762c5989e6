// npm run bench:storage -w @pd/worker
//
// Bytes of D1 per typical track (issue 10, part 5): 4 collaborators besides the owner, 200 file revisions uploaded
// in Dropbox, 20 edits, 20 comments. The rows are written by the worker's own code — the domain functions for
// sharing, accepting, edits and comments, and the reconcile walk's `revisionStatements` for the revisions — run
// over Node's SQLite (node:sqlite, the engine D1 runs) through a small D1-shaped adapter, on a database built from
// worker/migrations. Then the retention the cron runs (src/jobs/retention.ts) is applied as it would be once its
// conditions hold, and the bytes are measured again. Bytes come from SQLite's dbstat (pages of each table and
// index, after VACUUM), so indexes and page overhead are counted, not only the values.
//
// Per-person rows (accounts, sessions, tokens, sync state, pacing) are reported apart: they do not grow with tracks.
// Writes bench/storage.md at the repository root and prints it. STORAGE_TRACKS (default 1,000) tracks are built: a
// database holds some pages once whatever its size (each table's and index's root page, even when retention left
// it empty; the table of history kinds), and over 100 tracks those alone read as ~1.5 KB per track.
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { acceptInvitation, addComment, createSession, createTrack, invite, updateTrack, upsertAccount } from '../src/domain/index.ts';
import { revisionStatements } from '../src/jobs/reconcile.ts';
import { runRetention, SEEN_FILE_COMPACT_AFTER_DAYS } from '../src/jobs/retention.ts';
import { publishLive } from '../src/live/publish.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const TRACKS = Number(process.env.STORAGE_TRACKS ?? 1000);
const COLLABORATORS = 4;
const REVISIONS = 200;
const EDITS = 20;
const COMMENTS = 20;
/** Revisions each reconcile batch finds (a walk's page of list_folder/continue), across the track's uploaders. */
const UPLOAD_BATCH = 50;

// ------------------------------------------------------------------------------------------------- D1 over SQLite
/** Just enough of D1's API for the worker's code: prepare/bind/first/all/run/raw, batch (one transaction), exec. */
export function d1Over(sqlite) {
  const norm = (v) => (v === undefined ? null : typeof v === 'boolean' ? (v ? 1 : 0) : v);
  const plain = (r) => (r ? { ...r } : r);
  const exec = (sql, params) => {
    const s = sqlite.prepare(sql);
    if (s.columns().length) {
      const rows = s.all(...params.map(norm)).map(plain);
      return { results: rows, success: true, meta: { changes: rows.length } };
    }
    const r = s.run(...params.map(norm));
    return { results: [], success: true, meta: { changes: Number(r.changes), last_row_id: Number(r.lastInsertRowid) } };
  };
  const stmt = (sql, params = []) => ({
    sql,
    params,
    bind: (...p) => stmt(sql, p),
    all: async () => exec(sql, params),
    run: async () => exec(sql, params),
    first: async (col) => {
      const row = exec(sql, params).results[0] ?? null;
      return row && col ? (row[col] ?? null) : row;
    },
    raw: async () => exec(sql, params).results.map((r) => Object.values(r)),
  });
  return {
    prepare: (sql) => stmt(sql),
    batch: async (stmts) => {
      sqlite.exec('BEGIN');
      try {
        const out = stmts.map((s) => exec(s.sql, s.params));
        sqlite.exec('COMMIT');
        return out;
      } catch (e) {
        sqlite.exec('ROLLBACK');
        throw e;
      }
    },
    exec: async (sql) => {
      sqlite.exec(sql);
      return { count: 1, duration: 0 };
    },
  };
}

function migrated() {
  const sqlite = new DatabaseSync(':memory:');
  const dir = path.join(root, 'worker/migrations');
  for (const f of readdirSync(dir)
    .filter((x) => x.endsWith('.sql'))
    .sort())
    sqlite.exec(readFileSync(path.join(dir, f), 'utf8'));
  return sqlite;
}

// ------------------------------------------------------------------------------------------------- one typical track
let seq = 0;
const hex = (n) => Array.from({ length: n }, () => Math.floor(Math.random() * 16).toString(16)).join('');
const STAGES = ['writing', 'production', 'mixing', 'mastering'];

async function person(db, i) {
  const email = `person${i}@storage.test`;
  return upsertAccount(db, { dropboxAccountId: `dbid:AA${hex(38)}`.slice(0, 40), email, displayName: `Person ${i} Name` });
}

async function typicalTrack(db, sqlite, owner, members, t, uploadBatch) {
  const sfid = String(1_000_000_000 + t * 7919);
  const track = await createTrack(db, {
    ownerId: owner.id,
    dropboxSharedFolderId: sfid,
    title: `Song number ${t}`,
    stage: 'writing',
    bpm: 120,
    key: 'A minor',
    tags: ['demo'],
    via: 'app',
  });
  for (const m of members) {
    await invite(db, {
      trackId: track.id,
      actorId: owner.id,
      email: m.email,
      displayName: m.displayName,
      role: 'producer',
      accessLevel: 'editor',
      via: 'app',
    });
    const inv = sqlite
      .prepare(
        `SELECT i.id FROM invitations i JOIN collaborators c ON c.id = i.collaborator_id WHERE c.track_id = ? AND i.email_lower = ? AND i.status = 'pending'`,
      )
      .get(track.id, m.email.toLowerCase());
    await acceptInvitation(db, { invitationId: inv.id, accountId: m.id, via: 'app' });
  }
  // The Dropbox changes those recorded, carried out (what the executor leaves), and every member's mount.
  sqlite
    .prepare(`UPDATE dropbox_changes SET status = 'done', attempts = 1, claim_id = 'clm_' || hex(randomblob(8)) WHERE track_id = ?`)
    .run(track.id);
  for (const p of [owner, ...members])
    sqlite
      .prepare(`INSERT INTO dropbox_mounts (account_id, shared_folder_id, path_lower) VALUES (?, ?, ?)`)
      .run(p.id, sfid, `/band/song number ${t}`);
  const everyone = [owner, ...members];
  for (let e = 0; e < EDITS; e++) {
    const who = everyone[e % everyone.length];
    await updateTrack(db, { trackId: track.id, actorId: who.id, via: 'app', ...(e % 2 ? { stage: STAGES[e % STAGES.length] } : { bpm: 100 + e }) });
  }
  for (let c = 0; c < COMMENTS; c++) {
    const who = everyone[(c + 1) % everyone.length];
    await addComment(db, {
      trackId: track.id,
      authorId: who.id,
      body: `Comment ${c}: the kick is a little loud in the second chorus, can we try a take with less low end?`,
    });
  }
  // 200 revisions of ~20 files, uploaded by the members in Dropbox, found by the reconcile walk.
  const created = sqlite.prepare('SELECT created_at FROM tracks WHERE id = ?').get(track.id).created_at;
  const revisions = Array.from({ length: REVISIONS }, (_, r) => {
    const rev = `0${hex(8)}${(seq++).toString(16).padStart(6, '0')}`;
    const by = everyone[r % everyone.length];
    return {
      track: { id: track.id, owner_id: owner.id, dropbox_shared_folder_id: sfid, created_at: created },
      file: {
        sharedFolderId: sfid,
        relPath: `Bounces/Song ${t} mix ${r % 20}.wav`,
        key: rev,
        rev,
        size: 40_000_000 + r,
        modifiedBy: by.dropbox_account_id ?? by.dropboxAccountId,
        serverModified: new Date(Date.parse(created) + 60_000 + r * 1000).toISOString(),
      },
    };
  });
  for (let i = 0; i < revisions.length; i += uploadBatch) await db.batch(revisionStatements(db, revisions.slice(i, i + uploadBatch)));
  return track.id;
}

// ------------------------------------------------------------------------------------------------- measure
const PER_PERSON = new Set([
  'accounts',
  'sessions',
  'dropbox_tokens',
  'dropbox_account_sync',
  'dropbox_pace',
  'dead_jobs',
  'webhook_deliveries',
  'd1_migrations',
  'dropbox_baseline_folders',
  'sqlite_sequence',
  'sqlite_schema',
  'sqlite_stat1',
]);

function bytesByTable(sqlite) {
  sqlite.exec('VACUUM');
  const owners = new Map(
    sqlite
      .prepare(`SELECT name, tbl_name FROM sqlite_schema WHERE type IN ('table', 'index')`)
      .all()
      .map((r) => [r.name, r.tbl_name]),
  );
  const by = new Map();
  for (const r of sqlite.prepare(`SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name`).all()) {
    const table = owners.get(r.name) ?? r.name;
    by.set(table, (by.get(table) ?? 0) + r.bytes);
  }
  const rows = new Map(
    [...by.keys()]
      .filter((t) => !t.startsWith('sqlite_'))
      .map((t) => {
        try {
          return [t, sqlite.prepare(`SELECT count(*) AS n FROM "${t}"`).get().n];
        } catch {
          return [t, 0];
        }
      }),
  );
  return { by, rows };
}

/** Builds `tracks` typical tracks whose uploads the walk finds `uploadBatch` revisions at a time; bytes before and
 *  after retention. */
async function build(tracks, uploadBatch) {
  const sqlite = migrated();
  const db = d1Over(sqlite);
  const owners = await Promise.all(Array.from({ length: 10 }, (_, i) => person(db, i)));
  const pool = await Promise.all(Array.from({ length: 30 }, (_, i) => person(db, 100 + i)));
  const t0 = performance.now();
  for (let t = 0; t < tracks; t++) {
    const members = Array.from({ length: COLLABORATORS }, (_, k) => pool[(t * 3 + k * 7) % pool.length]);
    await typicalTrack(db, sqlite, owners[t % owners.length], members, t, uploadBatch);
  }
  const buildMs = performance.now() - t0;
  const before = bytesByTable(sqlite);

  // Retention, as the cron runs it once its conditions hold (91 days on): every notification was read today; every
  // person's browser is signed in (a live session) and has synced past its library changes; seen revisions are older
  // than SEEN_FILE_COMPACT_AFTER_DAYS; the Dropbox changes were done more than 30 days before.
  const accounts = sqlite
    .prepare('SELECT id FROM accounts')
    .all()
    .map((r) => r.id);
  const later = Date.now() + 91 * 86_400_000;
  for (const a of accounts) await createSession(db, a);
  sqlite.prepare(`UPDATE notifications SET read_at = ?`).run(new Date().toISOString());
  sqlite
    .prepare(`UPDATE sessions SET expires_at = ?1, absolute_expires_at = ?1,
    sync_cursor = (SELECT coalesce(max(seq), 0) FROM library_changes WHERE account_id = sessions.account_id)`)
    .run(new Date(later + 86_400_000).toISOString());
  // The live outbox is drained within seconds of each write by publishLive (here with hubs that take every push).
  const hubs = { idFromName: (n) => n, get: () => ({ publish: async () => 1 }) };
  while ((await publishLive({ DB: db, LIVE: hubs })).rows > 0);
  let passes = 0;
  for (;;) {
    const r = await runRetention(db, later);
    passes++;
    if (Object.values(r).every((n) => n === 0) || passes > 1000) break;
  }
  const after = bytesByTable(sqlite);
  return { sqlite, before, after, accounts, buildMs };
}

const { sqlite, before, after, accounts, buildMs } = await build(TRACKS, UPLOAD_BATCH);
// The worst case for upload groups: every walk finds one revision (each upload its own history row).
const WORST_TRACKS = TRACKS;
const worst = await build(WORST_TRACKS, 1);

// ------------------------------------------------------------------------------------------------- report
const tables = [...new Set([...before.by.keys(), ...after.by.keys()])]
  .filter((t) => !t.startsWith('sqlite_'))
  .sort((a, b) => (before.by.get(b) ?? 0) - (before.by.get(a) ?? 0));
const perTrack = (m, n = TRACKS) =>
  [...m.keys()].filter((t) => !t.startsWith('sqlite_') && !PER_PERSON.has(t)).reduce((s, t) => s + (m.get(t) ?? 0), 0) / n;
const kb = (b) => (b / 1024).toFixed(1);
const lines = [
  '# Storage per typical track (issue 10, part 5)',
  '',
  `Run: ${new Date().toISOString()} on ${os.cpus().length} CPU(s), Node ${process.version}, SQLite ${sqlite.prepare('SELECT sqlite_version() AS v').get().v}.`,
  "Command: `npm run bench:storage -w @pd/worker` (worker/bench/storage.mjs). The rows are written by the worker's own",
  "code (domain functions for invite / accept / edits / comments, the reconcile walk's revisionStatements for uploads)",
  'over node:sqlite through a D1-shaped adapter, on a database built from worker/migrations; bytes are dbstat pages',
  '(tables and their indexes, after VACUUM) divided by the number of tracks. Pages a database holds once whatever its',
  "size (each table's and index's root page, even when empty) are spread over the tracks built, so they are built",
  'by the thousand: over 100 tracks those pages alone read as ~1.5 KB per track.',
  '',
  `Typical track: owner + ${COLLABORATORS} collaborators (invited in PD, accepted), ${REVISIONS} file revisions uploaded in Dropbox`,
  `(~20 files re-bounced), ${EDITS} edits, ${COMMENTS} comments; ${TRACKS} such tracks built in ${(buildMs / 1000).toFixed(1)} s.`,
  `The reconcile walk finds the uploads ${UPLOAD_BATCH} at a time across the track's 5 uploaders, so each history row of`,
  `uploads holds ~${UPLOAD_BATCH / 5} files (src/domain/history.ts stores one row per track, uploader and batch).`,
  '"After retention" = what the cron leaves once its conditions hold (src/jobs/retention.ts): notifications read more',
  `than 90 days ago deleted; library changes every live session's sync cursor has passed deleted; seen file revisions`,
  `older than ${SEEN_FILE_COMPACT_AFTER_DAYS} days compacted; the live outbox drained (publishLive does that within seconds). History,`,
  'comments, collaborators, invitations and the library itself stay.',
  '',
  '| table (with its indexes) | rows before | bytes per track before | rows after | bytes per track after |',
  '|---|---|---|---|---|',
  ...tables
    .filter((t) => !PER_PERSON.has(t))
    .map(
      (t) =>
        `| ${t} | ${(before.rows.get(t) ?? 0).toLocaleString('en')} | ${Math.round((before.by.get(t) ?? 0) / TRACKS).toLocaleString('en')} | ${(after.rows.get(t) ?? 0).toLocaleString('en')} | ${Math.round((after.by.get(t) ?? 0) / TRACKS).toLocaleString('en')} |`,
    ),
  `| **total per track** | | **${kb(perTrack(before.by))} KB** | | **${kb(perTrack(after.by))} KB** |`,
  '',
  `Per person (not per track; ${accounts.length} people here): ${tables
    .filter((t) => PER_PERSON.has(t))
    .map((t) => `${t} ${Math.round((after.by.get(t) ?? 0) / accounts.length)} B`)
    .join(', ')}.`,
  '',
  `Worst case for that grouping, every walk finding a single revision (one history row per upload; ${WORST_TRACKS} tracks):`,
  `**${kb(perTrack(worst.before.by, WORST_TRACKS))} KB** per track before retention, **${kb(perTrack(worst.after.by, WORST_TRACKS))} KB** after.`,
  '',
  `One 10 GB D1 database: ~${Math.floor(10e9 / perTrack(before.by)).toLocaleString('en')} typical tracks before retention, ~${Math.floor(10e9 / perTrack(after.by)).toLocaleString('en')} after (track data only).`,
  '',
];
const md = lines.join('\n');
mkdirSync(path.join(root, 'bench'), { recursive: true });
writeFileSync(path.join(root, 'bench/storage.md'), md);
console.log(md);
