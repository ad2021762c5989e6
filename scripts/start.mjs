// npm start — the whole system locally, on embedded defaults:
//   1. the local D1 migrated,
//   2. the Dropbox emulator on http://localhost:8788 with the demo accounts and shared folders,
//   3. the worker (wrangler dev) on http://localhost:8787, talking to the emulator,
//   4. the extension built for Chrome and Firefox, pointing at the local worker,
//   5. the demo owners signed in once and their Dropbox shared folders imported as PD tracks.
// Ctrl-C stops everything it started.
import { spawn, spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOCAL, demoSignIn, importFolders, waitFor } from './local.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = { ...process.env, ...LOCAL.quietWrangler };
const children = [];

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env, ...opts });
  if (r.status !== 0) {
    console.error(`\n✖ ${cmd} ${args.join(' ')} failed (exit ${r.status}).`);
    process.exit(r.status ?? 1);
  }
}

/** Runs a step quietly: its output is shown only if it fails (then all of it). Returns stdout. */
function quiet(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, env, encoding: 'utf8', ...opts });
  if (r.status !== 0) {
    process.stdout.write(r.stdout ?? '');
    process.stderr.write(r.stderr ?? '');
    console.error(`\n✖ ${cmd} ${args.join(' ')} failed (exit ${r.status}).`);
    process.exit(r.status ?? 1);
  }
  return `${r.stdout ?? ''}\n${r.stderr ?? ''}`;
}

// Wrangler dev's own notice that cron triggers do not fire locally: this script fires them (every minute, below), so
// the notice would contradict what happens. Dropped from the [worker] lines; everything else is shown.
const HIDDEN_WORKER_LINES = [/scheduled workers are not automatically triggered/i, /cdn-cgi\/handler\/scheduled/i, /__scheduled/i];

function start(name, cmd, args, extraEnv = {}) {
  const child = spawn(cmd, args, { cwd: root, env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const prefix = (line) => `[${name}] ${line}`;
  for (const stream of [child.stdout, child.stderr]) {
    let buf = '';
    stream.on('data', (d) => {
      buf += d;
      const lines = buf.split('\n');
      buf = lines.pop();
      for (const l of lines) if (l.trim() && !HIDDEN_WORKER_LINES.some((re) => re.test(l))) console.log(prefix(l));
    });
  }
  child.on('exit', (code) => {
    if (!stopping) {
      console.error(`\n✖ ${name} exited (code ${code}). Stopping.`);
      stop(1);
    }
  });
  children.push(child);
  return child;
}

let stopping = false;
function stop(code = 0) {
  stopping = true;
  for (const c of children) {
    try {
      process.kill(-c.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  }
  setTimeout(() => process.exit(code), 300);
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

console.log('▶ Migrating the local D1 …');
{
  // Wrangler prints its migration table once per migration (~250 lines for 9); one line per migration is enough.
  const out = quiet('npx', ['wrangler', 'd1', 'migrations', 'apply', 'DB', '--local']);
  const applied = [...new Set(out.match(/\b\d{4}_[\w-]+\.sql\b/g) ?? [])];
  console.log(applied.length ? `  applied ${applied.length}: ${applied.join(', ')}` : '  up to date (no migration to apply)');
}

console.log('▶ Building the extension (Chrome + Firefox) for the local worker …');
run('npm', ['run', 'build', '-w', '@pd/extension'], { env: { ...env, WXT_PD_WORKER_URL: LOCAL.workerUrl } });

console.log('▶ Starting the Dropbox emulator and the worker …');
start('dropbox', 'npx', ['tsx', 'emulator/src/cli.ts'], {
  PORT: String(LOCAL.emulatorPort),
  WEBHOOK_URL: `${LOCAL.workerUrl}/dropbox/webhook`,
  DROPBOX_APP_KEY: LOCAL.appKey,
  DROPBOX_APP_SECRET: LOCAL.appSecret,
});
start('worker', 'npx', ['wrangler', 'dev', '--local', '--port', String(LOCAL.workerPort), ...LOCAL.wranglerVars(LOCAL.emulatorUrl)]);

await waitFor(`${LOCAL.emulatorUrl}/_control/state`, 60_000);
await waitFor(`${LOCAL.workerUrl}/health`, 90_000);

console.log("▶ Importing the demo owners' Dropbox shared folders as PD tracks …");
let imported = [];
for (const email of LOCAL.demoOwners) {
  try {
    const { session } = await demoSignIn(LOCAL.workerUrl, LOCAL.emulatorUrl, email);
    const r = await importFolders(LOCAL.workerUrl, session);
    imported.push(`${email}: ${r}`);
  } catch (e) {
    imported.push(`${email}: import failed — ${e.message}`);
  }
}
// Cloudflare fires the Cron Trigger every minute in production; `wrangler dev` never fires it by itself,
// so do it here — it re-reads Dropbox membership (owner-side removals send no webhook) and retries due changes.
const cron = setInterval(() => {
  fetch(`${LOCAL.workerUrl}/cdn-cgi/handler/scheduled`).catch(() => {});
}, 60_000);
cron.unref();
await sleep(200);

console.log(`
────────────────────────────────────────────────────────────────────────
 Producer Dashboard is running locally
   Worker (API + webhook)   ${LOCAL.workerUrl}        (local D1 in .wrangler/state)
   Dropbox emulator         ${LOCAL.emulatorUrl}        (control API: ${LOCAL.emulatorUrl}/_control/state)
   Demo import              ${imported.join('\n                            ')}
   Cron Trigger             fired by npm start every minute (wrangler dev does not fire it)

 Load the extension and sign in:
   1. Chromium/Chrome: open chrome://extensions, turn on Developer mode,
      click "Load unpacked" and choose  extension/.output/chrome-mv3
      (Firefox: about:debugging → This Firefox → Load Temporary Add-on →
       extension/.output/firefox-mv3/manifest.json)
   2. Click the Producer Dashboard icon → "Sign in with Dropbox" → pick a demo
      account on the emulator's page: maya@pd.example (owner) or
      leo@pd.example / sam@pd.example / ava@pd.example (collaborators).
   3. Open a track folder in the emulator's Dropbox-like web UI, signed in
      there as the same person (the development build runs on it):
      ${LOCAL.emulatorUrl}/login?account=maya@pd.example&next=/home/PRODUCER-DASHBOARD/After%20Hours/Midnight%20Drive
      ${LOCAL.emulatorUrl}/login?account=leo@pd.example&next=/home/Midnight%20Drive
      The PD panel appears under the folder header: Revoke / Revoke All for the
      owner, Leave Track for a collaborator. The toolbar popup works on any tab.

 Act as a user directly in "Dropbox" — Leo leaves the folder, Maya is notified:
   curl -s ${LOCAL.emulatorUrl}/_control/act -H 'content-type: application/json' \\
     -d '{"as":"leo@pd.example","action":"leave_folder","folder":"Midnight Drive"}'
 Ctrl-C stops everything.
────────────────────────────────────────────────────────────────────────
`);
