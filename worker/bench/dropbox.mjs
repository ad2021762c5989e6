// npm run bench:dropbox -w @pd/worker
//
// Benchmarks of the Dropbox integration against a real local worker (`wrangler dev --local`, its own free port
// and --persist-to directory) talking to the Dropbox emulator (in this process, free port) by configuration:
//  1. Webhook acknowledgement time, p50/p99 under concurrent load from a second process, for notifications of
//     1 and of 100 accounts, beside a no-op route (/health) on the same worker. Goal: within 1.3x of /health.
//  2. Dropbox calls per notification beside the minimum needed (goal: equal), for the reconciliation cases.
//  3. Revoke All of 1,000 tracks drained to Dropbox with 20% of the Dropbox calls answering 429 or 500:
//     time, calls, and that nothing is lost (every change done, nobody left in any folder).
// Writes bench/dropbox.md at the repository root and prints it.
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { startEmulator } from '@pd/dropbox-emulator';
import { bundleWorker, freePort, startLocalWorker } from '../../scripts/local-worker.mjs';
import { LOCAL } from '../../scripts/local.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'pd-bench-dropbox-'));
const env = { ...process.env, ...LOCAL.quietWrangler, XDG_CONFIG_HOME: path.join(tmp, 'xdg') };
const APP_KEY = LOCAL.appKey;
const APP_SECRET = 'pd-bench-app-secret';
const QUICK = process.env.BENCH_QUICK === '1';
const LOAD = { requests: QUICK ? 300 : 1500, requests100: QUICK ? 100 : 300, concurrency: 16, rounds: QUICK ? 1 : 3 };
const REVOKE_ALL_TRACKS = QUICK ? 100 : 1000;
/** BENCH_ONLY=1,3 runs only those sections (for iterating; the report says which ran). */
const ONLY = new Set((process.env.BENCH_ONLY ?? '1,2,3').split(',').map((x) => x.trim()));

// ------------------------------------------------------------------------------------------------- processes
const children = [];
function cleanup() {
  for (const c of children) {
    try {
      process.kill(-c.pid, 'SIGTERM');
    } catch {
      /* gone */
    }
  }
}
process.on('exit', cleanup);
process.on('SIGINT', () => process.exit(130));

// The worker is bundled once into the temp directory and both workers run that snapshot: `wrangler dev` reloads
// (and kills in-flight queue batches) whenever a watched source file changes, and other people edit this tree.
let bundledConfig = null;
const bundle = () => (bundledConfig ??= bundleWorker(tmp, { env: { XDG_CONFIG_HOME: env.XDG_CONFIG_HOME } }));

async function startWorker(name, emulatorUrl) {
  const persist = path.join(tmp, name);
  mkdirSync(persist, { recursive: true });
  const logFile = path.join(tmp, `${name}.log`);
  console.log(`  worker log: ${logFile}`);
  const w = await startLocalWorker({
    persistDir: persist,
    snapshot: bundle(),
    emulatorUrl,
    vars: { DROPBOX_APP_SECRET: APP_SECRET },
    env: { XDG_CONFIG_HOME: env.XDG_CONFIG_HOME },
    logFile,
    tailLines: 5000,
    readyTimeoutMs: 90_000,
  });
  children.push(w.child);
  return { ...w, persist, d1: w.query };
}

function load(spec) {
  const out = execFileSync(process.execPath, [path.join(here, 'dropbox-load.mjs'), JSON.stringify(spec)], { encoding: 'utf8', maxBuffer: 16 << 20 });
  return JSON.parse(out);
}

// ------------------------------------------------------------------------------------------------- helpers
const sign = (body) => createHmac('sha256', APP_SECRET).update(body).digest('hex');
const dbid = (i) => `dbid:AAB${String(i).padStart(35, '0')}`.slice(0, 40);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Waits until the worker has stopped calling Dropbox and every webhook was delivered (queue drained). */
async function idle(emu, quietMs = 2500, timeoutMs = 600_000) {
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  let since = Date.now();
  while (Date.now() < deadline) {
    await emu.control.webhooks.flush();
    const n = emu.control.calls({}).length + emu.control.webhooks.log().length * 1e6;
    if (n !== last) {
      last = n;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) return;
    await sleep(250);
  }
  throw new Error('the worker did not go idle');
}

const countRoutes = (calls) => {
  const by = {};
  for (const c of calls) by[c.route] = (by[c.route] ?? 0) + 1;
  return by;
};
const fmtRoutes = (by) =>
  Object.entries(by)
    .map(([r, n]) => `${r.replace(/^2\//, '')}×${n}`)
    .join(', ');

const report = [];
let lostTotal = 0;
const out = (line = '') => report.push(line);

// ================================================================================================= 1. ack latency
const emu = await startEmulator({ port: await freePort(), seed: 'empty', appKey: APP_KEY, appSecret: APP_SECRET });
console.log(`emulator on ${emu.url}`);
if (ONLY.has('1')) {
  const worker = await startWorker('latency', emu.url);
  console.log(`worker (latency) on ${worker.url}`);
  const body1 = JSON.stringify({ list_folder: { accounts: [dbid(1)] }, delta: { users: [1] } });
  const body100 = JSON.stringify({
    list_folder: { accounts: Array.from({ length: 100 }, (_, i) => dbid(i)) },
    delta: { users: Array.from({ length: 100 }, (_, i) => i) },
  });
  const health = { name: 'health', url: `${worker.url}/health`, method: 'GET' };
  const hook = (name, body) => ({
    name,
    url: `${worker.url}/dropbox/webhook`,
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-dropbox-signature': sign(body) },
    body,
  });
  const mixes = [
    { label: '1 account', targets: [health, hook('webhook', body1)], requests: LOAD.requests },
    { label: '100 accounts', targets: [health, hook('webhook', body100)], requests: LOAD.requests100 },
  ];
  // Warm-up, then rounds. Within a run the load process interleaves /health and webhook requests one by one,
  // so both see the same moment: the same CPU, the same background queue work caused by the notifications.
  load({ targets: [health, hook('a', body1), hook('b', body100)], requests: 50, concurrency: LOAD.concurrency });
  const results = mixes.map(() => []);
  for (let round = 0; round < LOAD.rounds; round++) {
    for (const [i, m] of mixes.entries()) {
      const r = load({ targets: m.targets, requests: m.requests, concurrency: LOAD.concurrency });
      for (const [name, x] of Object.entries(r))
        if (x.errors) throw new Error(`${m.label} ${name}: ${x.errors} errors ${JSON.stringify(x.statuses)}`);
      results[i].push(r);
      console.log(
        `  round ${round + 1} ${m.label}: /health p50 ${r.health.p50} p99 ${r.health.p99} | webhook p50 ${r.webhook.p50} p99 ${r.webhook.p99} ms`,
      );
      await sleep(3000);
    }
  }
  out('## 1. Webhook acknowledgement under load');
  out();
  out(`Local \`wrangler dev\` (workerd, local D1 and queue) on this machine; load from a second Node process with ${LOAD.concurrency}`);
  out('concurrent connections that interleave `POST /dropbox/webhook` (validly signed) and `GET /health` (no-op floor) request');
  out(`by request, so both are measured at the same moments. ${LOAD.rounds} round(s); the median of the rounds is shown. The`);
  out('notifications name accounts PD does not know: the queue consumer drains them in the background, in the same');
  out('process, while the load runs (in production the consumer runs elsewhere).');
  out();
  out('| notification | requests per route | /health p50 ms | webhook p50 ms | p50 ratio | /health p99 ms | webhook p99 ms | p99 ratio |');
  out('|---|---|---|---|---|---|---|---|');
  for (const [i, m] of mixes.entries()) {
    const med = (route, k) => median(results[i].map((r) => r[route][k]));
    const h50 = med('health', 'p50');
    const w50 = med('webhook', 'p50');
    const h99 = med('health', 'p99');
    const w99 = med('webhook', 'p99');
    out(
      `| ${m.label} | ${m.requests} × ${LOAD.rounds} | ${h50} | ${w50} | **${(w50 / h50).toFixed(2)}×** | ${h99} | ${w99} | **${(w99 / h99).toFixed(2)}×** |`,
    );
  }
  out();
  await worker.stop();
}

// ================================================================================================= 2. calls per notification
const worker = ONLY.has('2') || ONLY.has('3') ? await startWorker('main', emu.url) : null;
if (worker) {
  console.log(`worker (main) on ${worker.url}`);
  emu.control.webhooks.configure({ url: `${worker.url}/dropbox/webhook` });
}
if (ONLY.has('2')) {
  const people = ['maya', 'leo', 'sam', 'ava', 'kai', 'zoe'].map((p) => `${p}@bench.test`);
  const [MAYA, LEO, SAM, AVA, KAI] = people;
  const seeded = emu.control.seed({
    accounts: people.map((email) => ({ email, display_name: email.split('@')[0] })),
    folders: [
      {
        name: 'Track A',
        owner: MAYA,
        path: '/PRODUCER-DASHBOARD/Track A',
        members: people.slice(1).map((account) => ({ account, access_level: 'editor' })),
      },
      { name: 'Track B', owner: MAYA, path: '/PRODUCER-DASHBOARD/Track B', members: [{ account: LEO, access_level: 'viewer' }] },
    ],
  });
  const sfA = seeded.folders[0].shared_folder_id;
  const sessions = {};
  for (const p of people) sessions[p] = (await worker.signIn(emu, p)).session;
  await worker.api('/api/v1/dropbox/import', { method: 'POST', session: sessions[MAYA], json: {} });
  await idle(emu);
  const trackA = (await worker.api('/api/v1/library', { session: sessions[MAYA] })).items.find((i) => i.track.title === 'Track A').track.id;

  const scenarios = [
    {
      name: 'a member uploads a file (6 trees change)',
      act: () => emu.control.act({ as: LEO, action: 'upload_file', shared_folder_id: sfA, path: 'Stems/bass.wav', size: 1234 }),
      minimum: (n) => n, // one list_folder/continue per notified account
      why: '1 `list_folder/continue` per notified account',
    },
    {
      name: 'a member leaves in Dropbox',
      act: () => emu.control.act({ as: LEO, action: 'leave_folder', shared_folder_id: sfA }),
      minimum: () => 2,
      why: '`continue` + `list_folder_members` (owner confirms)',
    },
    {
      name: 'the owner downgrades a member in Dropbox',
      act: () => emu.control.act({ as: MAYA, action: 'change_access', shared_folder_id: sfA, member: SAM, access_level: 'viewer' }),
      minimum: () => 2,
      why: '`continue` + `list_folder_members`',
    },
    {
      name: 'an upload, every notification delivered twice',
      setup: () => emu.control.webhooks.configure({ duplicateRate: 1 }),
      act: () => emu.control.act({ as: AVA, action: 'upload_file', shared_folder_id: sfA, path: 'mix v2.wav', size: 99 }),
      teardown: () => emu.control.webhooks.configure({ duplicateRate: 0 }),
      minimum: (n) => n,
      why: '1 `continue` per account, duplicates free',
    },
    {
      name: 'Revoke in PD (executor) + its echo notification',
      act: async () => {
        const detail = await worker.api(`/api/v1/tracks/${trackA}`, { session: sessions[MAYA] });
        const kai = detail.collaborators.find((c) => c.email === KAI);
        await worker.api(`/api/v1/tracks/${trackA}/collaborators/${kai.id}/revoke`, { method: 'POST', session: sessions[MAYA] });
      },
      minimum: () => 4,
      why: "`remove_folder_member` + 2 job polls (first answers in_progress) + the echo's `continue`",
    },
  ];
  out('## 2. Dropbox calls per notification');
  out();
  out('Six linked accounts share "Track A" (owner + 5 members). Each case starts from a quiet worker; calls are read from');
  out("the emulator's call log until the worker is idle again (token refreshes would count too; none were due).");
  out();
  out('| case | notifications delivered | accounts notified | calls made | minimum | routes |');
  out('|---|---|---|---|---|---|');
  for (const s of scenarios) {
    await s.setup?.();
    emu.control.clearCalls();
    emu.control.webhooks.clearLog();
    await s.act();
    await idle(emu);
    await s.teardown?.();
    const calls = emu.control.calls({});
    const deliveries = emu.control.webhooks.log();
    const accounts = new Set(deliveries.flatMap((d) => d.accounts)).size;
    const min = s.minimum(accounts);
    out(`| ${s.name} | ${deliveries.length} | ${accounts} | **${calls.length}** | ${min} (${s.why}) | ${fmtRoutes(countRoutes(calls))} |`);
    console.log(`  ${s.name}: ${calls.length} calls (minimum ${min})`);
  }
  out();
}

// ================================================================================================= 3. Revoke All of 1,000 tracks
if (ONLY.has('3')) {
  const OWNER = 'owner3@bench.test';
  const MEMBER = 'member3@bench.test';
  const seeded = emu.control.seed({
    accounts: [
      { email: OWNER, display_name: 'Owner Three' },
      { email: MEMBER, display_name: 'Member Three' },
    ],
    folders: Array.from({ length: REVOKE_ALL_TRACKS }, (_, i) => ({
      name: `RA ${String(i).padStart(4, '0')}`,
      owner: OWNER,
      path: `/RA/RA ${i}`,
      members: [{ account: MEMBER, access_level: 'editor' }],
    })),
  });
  const ids = seeded.folders.map((f) => f.shared_folder_id);
  const owner = await worker.signIn(emu, OWNER);
  await worker.signIn(emu, MEMBER);
  for (let i = 0; i < ids.length; i += 100) {
    await worker.api('/api/v1/dropbox/import', { method: 'POST', session: owner.session, json: { sharedFolderIds: ids.slice(i, i + 100) } });
  }
  await idle(emu);
  const memberOf = () =>
    emu.control.state().folders.filter((f) => ids.includes(f.shared_folder_id) && f.members.some((m) => m.email === MEMBER)).length;
  if (memberOf() !== REVOKE_ALL_TRACKS) throw new Error('setup: member not in every folder');

  emu.control.clearCalls();
  emu.control.faults.seed(2026);
  for (const route of ['2/sharing/remove_folder_member', '2/sharing/check_remove_member_job_status']) {
    emu.control.faults.add({ route, kind: '429', retryAfter: 1, rate: 0.1 });
    emu.control.faults.add({ route, kind: '500', rate: 0.1 / 0.9 }); // 10% of all calls (checked after the 429s)
  }
  // Production runs the cron every minute; `wrangler dev` never fires it by itself, so tick it here.
  const cron = setInterval(() => fetch(`${worker.url}/cdn-cgi/local/scheduled`).catch(() => undefined), 60_000);
  const t0 = performance.now();
  const r = await worker.api(`/api/v1/sharing/${encodeURIComponent(MEMBER)}/revoke-all`, { method: 'POST', session: owner.session });
  const tPd = performance.now() - t0;
  let remaining = memberOf();
  while (remaining > 0 && performance.now() - t0 < 900_000) {
    await sleep(500);
    remaining = memberOf();
  }
  const tDropbox = performance.now() - t0;
  // Then until PD has recorded every change as done (or failed), as the owner's track view would show.
  const unsettled = () =>
    worker.d1(
      `SELECT count(*) AS n FROM dropbox_changes ch JOIN tracks t ON t.id = ch.track_id JOIN accounts a ON a.id = t.owner_id
       WHERE a.email = '${OWNER}' AND ch.status IN ('pending', 'running')`,
    )[0].n;
  while (unsettled() > 0 && performance.now() - t0 < 1_200_000) await sleep(3000);
  const tSettled = performance.now() - t0;
  clearInterval(cron);
  await idle(emu);
  emu.control.faults.clear();
  const calls = emu.control.calls({});
  const faulted = calls.filter((c) => c.fault);
  const statuses = worker.d1(
    `SELECT ch.status, count(*) AS n FROM dropbox_changes ch JOIN tracks t ON t.id = ch.track_id
     JOIN accounts a ON a.id = t.owner_id WHERE a.email = '${OWNER}' GROUP BY ch.status`,
  );
  const done = statuses.find((s) => s.status === 'done')?.n ?? 0;
  const lost = REVOKE_ALL_TRACKS - done;
  const execCalls = calls.filter((c) => c.route.startsWith('2/sharing/'));
  out(`## 3. Revoke All of ${REVOKE_ALL_TRACKS.toLocaleString('en')} tracks, drained to Dropbox with 20% injected 429/500`);
  out();
  out('| measure | value |');
  out('|---|---|');
  out(`| tracks revoked in PD (one request) | ${r.revokedCount} in ${Math.round(tPd)} ms |`);
  out(`| until Dropbox shows the member in no folder | ${(tDropbox / 1000).toFixed(1)} s |`);
  out(`| until every change is recorded done in PD | ${(tSettled / 1000).toFixed(1)} s |`);
  out(`| Dropbox calls (all routes) | ${calls.length} — ${fmtRoutes(countRoutes(calls))} |`);
  out(
    `| of which answered 429/500 by injection | ${faulted.length} (${((faulted.length / Math.max(1, execCalls.length)) * 100).toFixed(1)}% of the sharing calls) |`,
  );
  out(`| minimum without faults | ${REVOKE_ALL_TRACKS * 3} sharing calls (remove + 2 polls each) + the member's echo walk |`);
  out(`| pending changes at the end | ${statuses.map((s) => `${s.status}: ${s.n}`).join(', ')} |`);
  out(`| **lost** (not done, or member still in a folder) | **${lost + memberOf()}** |`);
  out();
  out('The cron is ticked every minute during the drain, as in production: its rotating owner-side membership check');
  out('(100 tracks per tick) makes the `list_folder_members` calls. Locally the queue delivers one batch of 10 at a time;');
  out('Cloudflare runs several consumer invocations in parallel, so the drain time here is an upper bound.');
  out();
  console.log(
    `  revoke-all: ${(tDropbox / 1000).toFixed(1)} s (settled ${(tSettled / 1000).toFixed(1)} s), ${calls.length} calls, lost ${lost + memberOf()}`,
  );
  lostTotal = lost + memberOf();
  const stuck = worker
    .log()
    .split('\n')
    .filter((l) => /timed out|Error|error/.test(l) && !/QUEUE|POST|GET/.test(l));
  if (stuck.length) console.log(`  worker log lines with errors:\n    ${stuck.slice(0, 20).join('\n    ')}`);
}

await worker?.stop();
await emu.close();

const md = [
  '# Dropbox integration benchmark',
  '',
  `Run: ${new Date().toISOString()} on ${os.cpus().length} CPU(s), Node ${process.version}${QUICK ? ' (BENCH_QUICK: reduced sizes)' : ''}. `,
  'Command: `npm run bench:dropbox -w @pd/worker` (worker/bench/dropbox.mjs; load generator worker/bench/dropbox-load.mjs).',
  '',
  ...report,
].join('\n');
mkdirSync(path.join(root, 'bench'), { recursive: true });
writeFileSync(path.join(root, 'bench/dropbox.md'), md + '\n');
console.log('\n' + md);
if (lostTotal === 0) rmSync(tmp, { recursive: true, force: true });
else console.log(`kept ${tmp} (worker logs) for diagnosis`);
process.exit(0);
