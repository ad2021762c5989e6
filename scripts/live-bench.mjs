// npm run bench -- live  (or npx tsx scripts/live-bench.mjs; also part of `npm run bench`; writes bench/live.md)
//
// Issue 11 item 1: "commit → panel updated", p50/p95 over LIVE_EVENTS (default 50) events of each kind, against a
// real local worker (`wrangler dev --local`, bundled snapshot: D1, queue, the per-account Durable Object with the
// WebSocket Hibernation API) and the Dropbox emulator:
//   revoke   — the owner revokes (POST …/revoke); seen by the collaborator
//   leave    — the collaborator leaves through PD (POST …/leave); seen by the owner
//   accept   — the collaborator accepts an invitation (POST /invitations/:id/accept); seen by the owner
//   dropbox  — the collaborator leaves the folder in Dropbox (emulator); webhook → queue → reconciliation; seen by the owner
// "Seen" is what the extension does on a push: its socket receives {trackIds, cursor}, it re-reads the track
// (GET /tracks/:id) and the fresh state is in hand for the panel to render. Each viewer here is a Node WebSocket
// client doing exactly that (the e2e test, extension/e2e/live.test.ts, times the same path in Chromium with rendering).
// Clock start: when the request that commits is sent (so the commit itself is included); for the Dropbox kind,
// when PD's API first shows the change (polled every 25 ms), and separately from the Dropbox action.
// Then the idle cost: IDLE_ACCOUNTS accounts each with one open socket, held IDLE_SECONDS with the extension's pings.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startEmulator } from '@pd/dropbox-emulator';
import { emulatorSignInBody, freePort, root, startLocalWorker } from './local-worker.mjs';
import { LOCAL } from './local.mjs';

const QUICK = process.env.BENCH_QUICK === '1';
const EVENTS = Number(process.env.LIVE_EVENTS ?? (QUICK ? 10 : 50));
const COLLABORATORS = 5;
const IDLE_ACCOUNTS = Number(process.env.IDLE_ACCOUNTS ?? (QUICK ? 20 : 50));
const IDLE_SECONDS = Number(process.env.IDLE_SECONDS ?? (QUICK ? 20 : 60));
/** The extension's keep-alive ping interval (extension/background/live.ts). */
const PING_MS = 20_000;
const TIMEOUT_MS = 30_000;
const APP_SECRET = 'pd-bench-app-secret';
const KINDS = ['revoke', 'leave', 'accept', 'dropbox'];

const loadAtStart = os
  .loadavg()
  .map((x) => x.toFixed(1))
  .join(' / ');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'pd-bench-live-'));
const workerPort = await freePort();
const emu = await startEmulator({
  port: await freePort(),
  seed: 'empty',
  appKey: LOCAL.appKey,
  appSecret: APP_SECRET,
  webhookUrl: `http://127.0.0.1:${workerPort}/dropbox/webhook`,
  webhookDelayMs: 20,
});
const persist = path.join(tmp, 'worker');
mkdirSync(persist, { recursive: true });
const w = await startLocalWorker({
  port: workerPort,
  persistDir: persist,
  emulatorUrl: emu.url,
  vars: { DROPBOX_APP_SECRET: APP_SECRET },
  env: { XDG_CONFIG_HOME: path.join(tmp, 'xdg') },
  logFile: path.join(tmp, 'worker.log'),
  readyTimeoutMs: 120_000,
});
process.on('exit', () => w.kill());
process.on('SIGINT', () => process.exit(130));
process.on('SIGTERM', () => process.exit(143));
console.log(`emulator ${emu.url}, worker ${w.url}, state ${tmp}`);

async function api(pathname, { method = 'GET', session, json, headers = {} } = {}) {
  const res = await fetch(`${w.url}/api/v1${pathname}`, {
    method,
    headers: {
      ...headers,
      ...(session ? { authorization: `Bearer ${session}` } : {}),
      ...(json !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: json !== undefined ? JSON.stringify(json) : undefined,
  });
  const text = await res.text();
  const body = text ? JSON.parse(text) : null;
  if (!res.ok) throw Object.assign(new Error(`${method} ${pathname}: ${res.status} ${text}`), { status: res.status, body });
  return body;
}

async function signIn(email) {
  const body = emulatorSignInBody(emu, email);
  // Sign-in is limited per client address (20 a minute): each of these people signs in from their own address, and a
  // refusal waits its Retry-After.
  const headers = { 'CF-Connecting-IP': `198.18.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}` };
  for (;;) {
    try {
      const r = await api('/auth/dropbox', { method: 'POST', json: body, headers });
      return { email, session: r.session, id: r.account.id };
    } catch (e) {
      if (e.status !== 429) throw e;
      await sleep(5000);
    }
  }
}

/** A panel's view of the worker: one socket; on a push, re-read the awaited track and check. */
class Viewer {
  constructor(person) {
    this.person = person;
    this.waiters = new Set();
    this.pushes = 0;
  }
  async open() {
    this.ws = new WebSocket(`${w.url.replace(/^http/, 'ws')}/api/v1/live`, ['pd-live.v1', `pd-token.${this.person.session}`]);
    await new Promise((resolve, reject) => {
      this.ws.onopen = resolve;
      this.ws.onerror = () => reject(new Error(`socket for ${this.person.email} failed`));
    });
    this.ws.onmessage = (ev) => {
      if (typeof ev.data !== 'string' || !ev.data.startsWith('{')) return;
      const push = JSON.parse(ev.data);
      this.pushes++;
      for (const waiter of this.waiters) if (push.trackIds === null || push.trackIds.includes(waiter.trackId)) void waiter.check();
    };
    this.ws.onclose = (ev) => console.warn(`socket of ${this.person.email} closed (${ev.code})`);
  }
  /** Resolves with the wall-clock time (Date.now) at which a push-triggered re-read first satisfies `ok`. */
  until(trackId, ok) {
    return new Promise((resolve, reject) => {
      let busy = false;
      let again = false;
      const waiter = {
        trackId,
        check: async () => {
          if (busy) {
            again = true;
            return;
          }
          busy = true;
          const state = await api(`/tracks/${trackId}`, { session: this.person.session }).catch((e) => ({ error: e.body?.error?.code ?? String(e) }));
          const t = Date.now();
          busy = false;
          if (ok(state)) {
            clearTimeout(timer);
            this.waiters.delete(waiter);
            resolve(t);
          } else if (again) {
            again = false;
            void waiter.check();
          }
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`${this.person.email}: no push made track ${trackId} show the change within ${TIMEOUT_MS} ms`));
      }, TIMEOUT_MS);
      this.waiters.add(waiter);
    });
  }
  close() {
    this.ws?.close(1000);
  }
}

// ------------------------------------------------------------------------------------------------- setup
const OWNER = 'owner@live.test';
const collabs = Array.from({ length: COLLABORATORS }, (_, i) => `c${i}@live.test`);
const folder = (kind, i) => `${kind}-${String(i).padStart(3, '0')}`;
const seeded = emu.control.seed({
  accounts: [{ email: OWNER, display_name: 'Olivia Live' }, ...collabs.map((email, i) => ({ email, display_name: `Collaborator ${i}` }))],
  folders: KINDS.flatMap((kind) =>
    Array.from({ length: EVENTS }, (_, i) => ({
      name: folder(kind, i),
      owner: OWNER,
      path: `/Live/${folder(kind, i)}`,
      members: kind === 'accept' ? [] : [{ account: collabs[i % COLLABORATORS], access_level: 'editor' }],
    })),
  ),
});
const folderId = new Map(seeded.folders.map((f) => [f.name, f.shared_folder_id]));
const owner = await signIn(OWNER);
const people = new Map([[OWNER, owner]]);
for (const email of collabs) people.set(email, await signIn(email));
for (let r = { remaining: 1 }, n = 0; r.remaining > 0 && n < 20; n++)
  r = await api('/dropbox/import', { method: 'POST', session: owner.session, json: {} });
await sleep(3000); // first reconciles after sign-in
const trackOf = new Map();
for (let before; ; ) {
  const page = await api(`/library?limit=500&hidden=any${before ? `&before=${before}` : ''}`, { session: owner.session });
  for (const item of page.items) trackOf.set(item.track.title, item.track.id);
  if (!page.nextBefore) break;
  before = page.nextBefore;
}
const expected = KINDS.length * EVENTS;
if (trackOf.size < expected) throw new Error(`setup: ${trackOf.size} tracks imported, expected ${expected}`);
console.log(`${trackOf.size} tracks, ${COLLABORATORS} collaborators`);

const viewers = new Map();
for (const [email, p] of people) {
  const v = new Viewer(p);
  await v.open();
  viewers.set(email, v);
}

const collaboratorRow = async (trackId, email) =>
  (await api(`/tracks/${trackId}`, { session: owner.session })).collaborators.find((c) => c.accountId === people.get(email).id);

// ------------------------------------------------------------------------------------------------- events
/** commit → seen (the commit's time is the row's own timestamp, written by the worker in the committing batch). */
const samples = Object.fromEntries(KINDS.map((k) => [k, []]));
/** request sent → seen, and how long the committing request itself took. */
const fromRequest = Object.fromEntries(KINDS.map((k) => [k, []]));
const requestMs = Object.fromEntries(KINDS.map((k) => [k, []]));
const fromDropbox = [];
const rowOf = (state, email) => state.collaborators?.find((c) => c.accountId === people.get(email).id);
const ownerRow = async (trackId, email) => rowOf(await api(`/tracks/${trackId}`, { session: owner.session }), email);

async function measure(kind, trackId, viewer, ok, act, stampOf) {
  const seen = viewers.get(viewer).until(trackId, ok);
  const t0 = Date.now();
  await act();
  requestMs[kind].push(Date.now() - t0);
  const at = await seen;
  fromRequest[kind].push(at - t0);
  const stamp = Date.parse(stampOf(await ownerRow(trackId, viewer === OWNER ? currentWho : viewer)));
  samples[kind].push(at - stamp);
  return { t0, at };
}
let currentWho = '';

for (let i = 0; i < EVENTS; i++) {
  const who = collabs[i % COLLABORATORS];
  currentWho = who;
  const person = people.get(who);

  // revoke, seen by the collaborator (their read answers 403 access_ended)
  let trackId = trackOf.get(folder('revoke', i));
  const row = await ownerRow(trackId, who);
  await measure(
    'revoke',
    trackId,
    who,
    (s) => s.error === 'access_ended',
    () => api(`/tracks/${trackId}/collaborators/${row.id}/revoke`, { method: 'POST', session: owner.session }),
    (r) => r.endedAt,
  );

  // leave through PD, seen by the owner
  trackId = trackOf.get(folder('leave', i));
  await measure(
    'leave',
    trackId,
    OWNER,
    (s) => rowOf(s, who)?.status === 'left',
    () => api(`/tracks/${trackId}/leave`, { method: 'POST', session: person.session }),
    (r) => r.endedAt,
  );

  // accept, seen by the owner
  trackId = trackOf.get(folder('accept', i));
  const inv = await api(`/tracks/${trackId}/invitations`, { method: 'POST', session: owner.session, json: { email: who, accessLevel: 'editor' } });
  await sleep(100); // the invitation's own push passes first
  await measure(
    'accept',
    trackId,
    OWNER,
    (s) => rowOf(s, who)?.status === 'active',
    () => api(`/invitations/${inv.invitation.id}/accept`, { method: 'POST', session: person.session }),
    (r) => r.joinedAt,
  );

  // a Dropbox-side leave, seen by the owner (webhook → queue → reconciliation → commit → push)
  trackId = trackOf.get(folder('dropbox', i));
  const { t0, at } = await measure(
    'dropbox',
    trackId,
    OWNER,
    (s) => !!s.collaborators && rowOf(s, who)?.status !== 'active',
    async () => {
      emu.control.act({ as: who, shared_folder_id: folderId.get(folder('dropbox', i)), action: 'leave_folder' });
      await emu.control.webhooks.flush();
    },
    (r) => r.endedAt,
  );
  fromDropbox.push(at - t0);
  if ((i + 1) % 10 === 0) console.log(`  ${i + 1}/${EVENTS} events of each kind`);
}
for (const v of viewers.values()) v.close();

// ------------------------------------------------------------------------------------------------- idle cost
/** workerd's resident memory (KiB) and CPU time (s, from /proc at clock-tick resolution), over the worker's process group. */
function workerdUsage() {
  const out = execFileSync('ps', ['-eo', 'pid=,pgid=,rss=,comm='], { encoding: 'utf8' });
  let rss = 0;
  let cpu = 0;
  for (const line of out.trim().split('\n')) {
    const [pid, pgid, r, ...comm] = line.trim().split(/\s+/);
    if (Number(pgid) !== w.child.pid || !comm.join(' ').includes('workerd')) continue;
    rss += Number(r);
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      cpu += (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in ticks of 1/100 s
    } catch {
      // gone
    }
  }
  return { rss, cpu };
}
const idle = [];
for (let i = 0; i < IDLE_ACCOUNTS; i++) idle.push(`idle${i}@live.test`);
emu.control.seed({ accounts: idle.map((email, i) => ({ email, display_name: `Idle ${i}` })) });
const idlePeople = [];
for (const email of idle) idlePeople.push(await signIn(email));
await sleep(5000); // their first reconciles
const before = workerdUsage();
const idleViewers = idlePeople.map((p) => new Viewer(p));
const tOpen = performance.now();
for (const v of idleViewers) await v.open();
const openMs = performance.now() - tOpen;
await sleep(2000);
const opened = workerdUsage();
let pongs = 0;
for (const v of idleViewers) v.ws.addEventListener('message', (e) => e.data === 'pong' && pongs++);
const pinger = setInterval(() => {
  for (const v of idleViewers) v.ws.send('ping');
}, PING_MS);
await sleep(IDLE_SECONDS * 1000);
clearInterval(pinger);
const after = workerdUsage();
for (const v of idleViewers) v.close();
const pingsSent = Math.floor((IDLE_SECONDS * 1000) / PING_MS) * IDLE_ACCOUNTS;

// ------------------------------------------------------------------------------------------------- report
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const ms = (x) => `${Math.round(x)} ms`;
const line = (label, xs) => `| ${label} | ${xs.length} | ${ms(pct(xs, 50))} | ${ms(pct(xs, 95))} | ${ms(Math.max(...xs))} |`;
const LABEL = {
  revoke: 'revoke (seen by the collaborator)',
  leave: 'leave through PD (seen by the owner)',
  accept: 'accept (seen by the owner)',
  dropbox: 'left in Dropbox (seen by the owner)',
};
const worst95 = Math.max(...KINDS.map((k) => pct(samples[k], 95)));
const perSocketKiB = (opened.rss - before.rss) / IDLE_ACCOUNTS;
const pingsPerDay = 86_400_000 / PING_MS;
const md = [
  '# Live panels: commit → panel updated',
  '',
  `Run: ${new Date().toISOString()} on ${os.cpus().length} CPU(s), Node ${process.version}${QUICK ? ' (BENCH_QUICK: reduced size)' : ''};`,
  `load average at the start ${loadAtStart} and at the end ${os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' / ')} (1/5/15 min; the machine is shared).`,
  'Command: `npm run bench -- live` (scripts/live-bench.mjs). Local `wrangler dev` (bundled snapshot: D1, queue, the',
  'per-account Durable Object `LiveHub` with the WebSocket Hibernation API) and the Dropbox emulator. Events one at a',
  "time. A viewer is what the extension's background does on a push: receive {trackIds, cursor} on its socket, re-read",
  "the track (`GET /tracks/:id`), check the change is there. Clock: from the commit — the changed row's own timestamp",
  '(`endedAt` / `joinedAt`, written by the worker in the committing batch, same machine clock) — to that re-read in',
  'hand. The whole Dropbox → webhook → queue → reconciliation path, and the numbers from the moment the request is',
  'sent, are in the tables after. Rendering is not in these numbers: extension/e2e/live.test.ts times the same path in',
  'Chromium with two profiles, panel text included (≈300 ms for a revoke seen by the collaborator, in its last run).',
  '',
  `## Commit → fresh state in the viewer's hands (${EVENTS} events of each kind)`,
  '',
  '| event | n | p50 | p95 | max |',
  '|---|---|---|---|---|',
  ...KINDS.map((k) => line(LABEL[k], samples[k])),
  '',
  `Worst p95: **${ms(worst95)}** (goal: ≤ 2,000 ms).`,
  '',
  '## The Dropbox-side path, end to end',
  '',
  '| from | n | p50 | p95 | max |',
  '|---|---|---|---|---|',
  line("the collaborator leaving in Dropbox → the owner's viewer has it", fromDropbox),
  '',
  "This includes the emulator's webhook delay (20 ms), the local queue's batching (`max_batch_timeout = 1` s) and the",
  'reconciliation, before the commit that the live path then takes to the panel.',
  '',
  "## For reference: from sending the request (the committing request's own time included)",
  '',
  '| event | request p50 | request p95 | sent → seen p50 | sent → seen p95 |',
  '|---|---|---|---|---|',
  ...KINDS.filter((k) => k !== 'dropbox').map(
    (k) =>
      `| ${LABEL[k]} | ${ms(pct(requestMs[k], 50))} | ${ms(pct(requestMs[k], 95))} | ${ms(pct(fromRequest[k], 50))} | ${ms(pct(fromRequest[k], 95))} |`,
  ),
  '',
  `## Idle cost (${IDLE_ACCOUNTS} accounts, one open socket each, ${IDLE_SECONDS} s with the extension's ${PING_MS / 1000} s pings)`,
  '',
  '| measure | value |',
  '|---|---|',
  `| opening ${IDLE_ACCOUNTS} sockets (one Durable Object each) | ${ms(openMs)} total, ${ms(openMs / IDLE_ACCOUNTS)} each |`,
  `| workerd resident memory, before → with the sockets open | ${(before.rss / 1024).toFixed(1)} → ${(opened.rss / 1024).toFixed(1)} MiB (${perSocketKiB.toFixed(0)} KiB per idle account) |`,
  `| workerd CPU over the idle ${IDLE_SECONDS} s (${pingsSent} pings sent, ${pongs} pongs back) | ${(after.cpu - opened.cpu).toFixed(2)} s |`,
  `| pings per open socket per day | ${pingsPerDay.toLocaleString('en')} |`,
  '',
  "Pings are answered by `setWebSocketAutoResponse` without waking the object, so an idle account's object stays",
  'hibernated: Cloudflare bills no duration for hibernatable objects (developers.cloudflare.com/durable-objects/',
  `platform/pricing). Counting every ping as an incoming WebSocket message (billed 20:1 as requests), one socket open`,
  `all day is ${(pingsPerDay / 20).toFixed(0)} billed requests ≈ $${((((pingsPerDay / 20) * 0.15) / 1e6) * 30).toFixed(4)} a month at $0.15 per million; sockets exist only`,
  "while a panel or popup is open (the background closes them 5 s after the last one closes). Local memory is workerd's",
  'and only indicative: on Cloudflare a hibernated object holds no isolate memory.',
  '',
].join('\n');
mkdirSync(path.join(root, 'bench'), { recursive: true });
writeFileSync(path.join(root, 'bench/live.md'), md);
console.log('\n' + md);
await w.stop();
await emu.close();
process.exit(worst95 <= 2000 ? 0 : 1);
