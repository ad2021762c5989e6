// npm run bench:paced -w @pd/worker   (also part of `npm run bench`)
//
// Revoke All of PACED_TRACKS (default 10,000) tracks drained to Dropbox under an emulated per-user rate limit
// (Dropbox limits each user's calls; it publishes no numbers). A real local worker (`wrangler dev --local`, bundled
// snapshot) talks to the Dropbox emulator, whose 'rate_limit' fault answers 429 to the owner's calls past
// PACED_LIMIT per second. The worker paces each account's calls (src/dropbox/pace.ts) at PACED_PACE per second.
// Goal: 0 failed changes, nobody left in any folder; reported: time to drain, 429s, Dropbox calls.
// The PD side (tracks shared with the member) is seeded straight into D1: importing 10,000 folders is not what is
// measured here. Writes bench/paced.md at the repository root and prints it.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { startEmulator } from '@pd/dropbox-emulator';
import { bundleWorker, freePort, startLocalWorker } from '../../scripts/local-worker.mjs';
import { LOCAL } from '../../scripts/local.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'pd-bench-paced-'));
const env = { ...process.env, ...LOCAL.quietWrangler, XDG_CONFIG_HOME: path.join(tmp, 'xdg') };
const QUICK = process.env.BENCH_QUICK === '1';
const TRACKS = Number(process.env.PACED_TRACKS ?? (QUICK ? 1000 : 10_000));
/** Emulated Dropbox limit for the owner (calls per second), and PD's pace for one account. */
const LIMIT = Number(process.env.PACED_LIMIT ?? 20);
const PACE = Number(process.env.PACED_PACE ?? 15);
const TIMEOUT_MS = Number(process.env.PACED_TIMEOUT_MS ?? 3_600_000);
/**
 * Messages per consumer batch. `wrangler dev` runs ONE consumer batch at a time, where Cloudflare runs up to
 * max_concurrency = 50 batches of 10 at once; with batches of 10 the local consumer, not the pace, bounded the first
 * 10,000-track run (~3 s a batch: 3.3 changes a second against a pace worth 5), and the bench ran out of time. A
 * batch of 50 here stands for 5 concurrent consumers of 10 — still far fewer than production's 50 — so the owner's
 * pace is what the drain measures.
 */
const BATCH = Number(process.env.PACED_BATCH ?? 50);
const APP_SECRET = 'pd-bench-app-secret';
const OWNER = 'owner@paced.test';
const MEMBER = 'member@paced.test';

const emu = await startEmulator({ port: await freePort(), seed: 'empty', appKey: LOCAL.appKey, appSecret: APP_SECRET });
const persist = path.join(tmp, 'worker');
mkdirSync(persist, { recursive: true });
const config = bundleWorker(persist, { env: { XDG_CONFIG_HOME: env.XDG_CONFIG_HOME } });
writeFileSync(config, readFileSync(config, 'utf8').replace(/^max_batch_size = 10$/m, `max_batch_size = ${BATCH}`));
const w = await startLocalWorker({
  persistDir: persist,
  snapshot: config,
  emulatorUrl: emu.url,
  vars: { DROPBOX_APP_SECRET: APP_SECRET, DROPBOX_PACE_PER_SECOND: String(PACE) },
  env: { XDG_CONFIG_HOME: env.XDG_CONFIG_HOME },
  logFile: path.join(tmp, 'worker.log'),
  tailLines: 2000,
  readyTimeoutMs: 120_000,
});
const cleanup = () => {
  try {
    process.kill(-w.child.pid, 'SIGTERM');
  } catch {
    /* gone */
  }
};
process.on('exit', cleanup);
process.on('SIGINT', () => process.exit(130));
process.on('SIGTERM', () => process.exit(143));
console.log(`emulator ${emu.url}, worker ${w.url}, state ${tmp}`);

const query = w.query;
const signIn = (email) => w.signIn(emu, email);
const api = w.api;

// ------------------------------------------------------------------------------------------------- setup
const seeded = emu.control.seed({
  accounts: [
    { email: OWNER, display_name: 'Owner Paced' },
    { email: MEMBER, display_name: 'Member Paced' },
  ],
  folders: Array.from({ length: TRACKS }, (_, i) => ({
    name: `P ${String(i).padStart(5, '0')}`,
    owner: OWNER,
    path: `/P/P ${i}`,
    members: [{ account: MEMBER, access_level: 'editor' }],
  })),
});
const owner = await signIn(OWNER);
const member = await signIn(MEMBER);
await sleep(5000); // the two first reconciles (baselines) from sign-in
const now = new Date().toISOString();
const q = (v) => `'${String(v).replace(/'/g, "''")}'`;
const sql = [];
for (let i = 0; i < TRACKS; i += 100) {
  const part = seeded.folders.slice(i, i + 100); // D1 statements are at most 100 KB
  sql.push(
    `INSERT INTO tracks (id, owner_id, dropbox_shared_folder_id, title, created_at, updated_at) VALUES\n${part.map((f, j) => `(${q(`trk_p${i + j}`)}, ${q(owner.account.id)}, ${q(f.shared_folder_id)}, ${q(f.name)}, ${q(now)}, ${q(now)})`).join(',\n')};`,
  );
  sql.push(
    `INSERT INTO collaborators (id, track_id, account_id, email, email_lower, display_name, access_level, status, invited_at, invited_by, joined_at, updated_at) VALUES\n${part
      .map(
        (_, j) =>
          `(${q(`col_p${i + j}`)}, ${q(`trk_p${i + j}`)}, ${q(member.account.id)}, ${q(MEMBER)}, ${q(MEMBER)}, 'Member Paced', 'editor', 'active', ${q(now)}, ${q(owner.account.id)}, ${q(now)}, ${q(now)})`,
      )
      .join(',\n')};`,
  );
}
const seedFile = path.join(tmp, 'seed.sql');
writeFileSync(seedFile, sql.join('\n'));
w.runSqlFile(seedFile);
console.log(`seeded ${TRACKS} tracks shared with the member`);

const memberIn = () => emu.control.state().folders.filter((f) => f.members.some((m) => m.email === MEMBER)).length;
if (memberIn() !== TRACKS) throw new Error('setup: member not in every folder');

// ------------------------------------------------------------------------------------------------- run
emu.control.clearCalls();
emu.control.faults.add({ route: '*', kind: 'rate_limit', perSecond: LIMIT, retryAfter: 1, account: OWNER });
// Production runs the cron every minute; `wrangler dev` never fires it by itself.
const cron = setInterval(() => fetch(`${w.url}/cdn-cgi/local/scheduled`).catch(() => undefined), 60_000);
const t0 = performance.now();
const r = await api(`/api/v1/sharing/${encodeURIComponent(MEMBER)}/revoke-all`, { method: 'POST', session: owner.session });
const tPd = performance.now() - t0;
// Watch Dropbox (in this process) until the member is in no folder; only then ask D1 (each `wrangler d1 execute` is
// a heavy process that would slow the worker it measures) until every change is recorded settled.
let lastLog = 0;
while (memberIn() > 0 && performance.now() - t0 < TIMEOUT_MS) {
  await sleep(1000);
  if (performance.now() - lastLog > 60_000) {
    lastLog = performance.now();
    console.log(`  ${((performance.now() - t0) / 1000).toFixed(0)} s: member still in ${memberIn()} folders`);
  }
}
const tDropbox = performance.now() - t0;
const unsettled = () => query(`SELECT count(*) AS n FROM dropbox_changes WHERE status IN ('pending', 'running')`)[0].n;
let left = unsettled();
while (left > 0 && performance.now() - t0 < TIMEOUT_MS) {
  await sleep(10_000);
  left = unsettled();
}
const tDrain = performance.now() - t0;
clearInterval(cron);
const calls = emu.control.calls({});
const c429 = calls.filter((c) => c.status === 429).length;
const statuses = query(
  `SELECT status, count(*) AS n, sum(rate_limited) AS rate_limited, max(attempts) AS max_attempts FROM dropbox_changes GROUP BY status`,
);
const pace = query(`SELECT calls, rate_limited FROM dropbox_pace WHERE account_id = ${q(owner.account.id)}`)[0] ?? { calls: 0, rate_limited: 0 };
const failed = statuses.find((s) => s.status === 'failed')?.n ?? 0;
const done = statuses.find((s) => s.status === 'done')?.n ?? 0;
const stillIn = memberIn();
const byRoute = {};
for (const c of calls) byRoute[c.route] = (byRoute[c.route] ?? 0) + 1;
const secs = tDrain / 1000;

const md = [
  '# Revoke All under a per-user Dropbox rate limit',
  '',
  `Run: ${new Date().toISOString()} on ${os.cpus().length} CPU(s), Node ${process.version}${QUICK ? ' (BENCH_QUICK: reduced size)' : ''}.`,
  'Command: `npm run bench:paced -w @pd/worker` (worker/bench/paced.mjs). Local `wrangler dev` (bundled snapshot) and the',
  "Dropbox emulator; the emulator answers 429 (Retry-After: 1) to the owner's calls past the per-user limit.",
  '',
  '| measure | value |',
  '|---|---|',
  `| tracks revoked in PD (one request) | ${r.revokedCount.toLocaleString('en')} in ${Math.round(tPd)} ms |`,
  `| emulated Dropbox limit for the owner / PD's pace per account | ${LIMIT} / ${PACE} calls per second |`,
  `| consumer batch (local: one batch at a time) | ${BATCH} messages |`,
  `| until Dropbox shows the member in no folder | ${(tDropbox / 1000).toFixed(0)} s |`,
  `| time to drain (every change recorded settled in PD) | ${secs.toFixed(0)} s${left ? ` — **timed out with ${left} unsettled**` : ''} |`,
  `| changes done / failed | ${done.toLocaleString('en')} / **${failed}** |`,
  `| member still in a folder in Dropbox | **${stillIn}** |`,
  `| Dropbox calls (all routes) | ${calls.length.toLocaleString('en')} — ${Object.entries(byRoute)
    .map(([k, v]) => `${k.replace(/^2\//, '')}×${v}`)
    .join(', ')} |`,
  `| Dropbox 429s (emulator's log) / recorded by the pacing bucket | ${c429} / ${pace.rate_limited} |`,
  `| 429s on changes (never counted as attempts) / max attempts of a change | ${statuses.reduce((a, s) => a + (s.rate_limited ?? 0), 0)} / ${Math.max(...statuses.map((s) => s.max_attempts ?? 0))} |`,
  `| owner's calls per second over the drain | ${(pace.calls / secs).toFixed(1)} (bucket: ${pace.calls.toLocaleString('en')} calls) |`,
  '',
  "Each change is remove_folder_member plus polls of its async job, all with the owner's token, so the drain time is",
  'bounded below by calls ÷ pace. `wrangler dev` delivers one consumer batch at a time; on Cloudflare `max_concurrency`',
  `= 50 batches of 10 share the owner's bucket. The bench's batch of ${BATCH} stands for ${BATCH / 10} such consumers, so the pace — not`,
  'the local consumer — sets the drain time.',
  '',
].join('\n');
mkdirSync(path.join(root, 'bench'), { recursive: true });
writeFileSync(path.join(root, 'bench/paced.md'), md);
console.log('\n' + md);
await w.stop();
await emu.close();
process.exit(failed === 0 && stillIn === 0 && left === 0 ? 0 : 1);
