// Starting and stopping the real parts the chaos run and the load bench drive: the Dropbox emulator (its CLI, in
// its own process, like `npm start`) and a local worker (`wrangler dev --local`) with its own persist dir.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOCAL, waitFor } from '../scripts/local.mjs';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const quietEnv = { ...process.env, ...LOCAL.quietWrangler };

/** A port nobody listens on right now (asked from the OS, then released). */
export async function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export function tempDir(prefix) {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Spawns a long-running child in its own process group; keeps the tail of its output for error reports. */
function startChild(name, cmd, args, env, { verbose = false, patterns = {}, tailLines = 200 } = {}) {
  const counts = Object.fromEntries(Object.keys(patterns).map((k) => [k, 0]));
  const child = spawn(cmd, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const tail = [];
  const lines = { count: 0, match: new Map() };
  for (const stream of [child.stdout, child.stderr]) {
    let buf = '';
    stream.on('data', (d) => {
      buf += d;
      const parts = buf.split('\n');
      buf = parts.pop();
      for (const l of parts) {
        lines.count++;
        tail.push(l);
        if (tail.length > tailLines) tail.shift();
        for (const [k, re] of Object.entries(patterns)) if (re.test(l)) counts[k]++;
        if (verbose) console.log(`[${name}] ${l}`);
      }
    });
  }
  let exited = null;
  child.on('exit', (code, signal) => {
    exited = { code, signal };
  });
  return {
    name,
    child,
    tail,
    lines,
    counts,
    get exited() {
      return exited;
    },
    async stop() {
      if (exited) return;
      const done = new Promise((r) => child.once('exit', r));
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        return;
      }
      const t = setTimeout(() => {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }, 5000);
      await done;
      clearTimeout(t);
    },
  };
}

/** The emulator CLI on `port`, empty seed, webhooks to `webhookUrl`. */
export async function startEmulatorProcess({ port, webhookUrl, verbose }) {
  const proc = startChild(
    'dropbox',
    'npx',
    ['tsx', 'emulator/src/cli.ts'],
    {
      ...quietEnv,
      PORT: String(port),
      SEED: 'empty',
      WEBHOOK_URL: webhookUrl ?? '',
      DROPBOX_APP_KEY: LOCAL.appKey,
      DROPBOX_APP_SECRET: LOCAL.appSecret,
    },
    { verbose },
  );
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}/_control/state`, 60_000).catch((e) => {
    throw new Error(`${e.message}\n${proc.tail.join('\n')}`);
  });
  return { ...proc, url, stop: proc.stop };
}

/** Migrates a fresh local D1 in `persistDir`, then runs `wrangler dev --local` on `port` pointed at the emulator. */
export async function startWorkerProcess({ port, emulatorUrl, persistDir, verbose, inspectorPort, script, vars = {} }) {
  const mig = spawnSync('npx', ['wrangler', 'd1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persistDir], {
    cwd: root,
    env: quietEnv,
    encoding: 'utf8',
  });
  if (mig.status !== 0) throw new Error(`wrangler d1 migrations apply failed:\n${mig.stdout}\n${mig.stderr}`);
  // Run a bundled snapshot, not the source tree: `wrangler dev` reloads the worker whenever a watched source file
  // changes (other people edit this checkout while a run is going), and a reload drops the local queue's
  // in-flight messages — a loss the platform would never cause. The snapshot is built once from the same code.
  const bundleDir = path.join(persistDir, 'bundle');
  const entry = script ?? 'worker/src/index.ts';
  const build = spawnSync('npx', ['wrangler', 'deploy', entry, '--dry-run', '--outdir', bundleDir], { cwd: root, env: quietEnv, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`bundling the worker failed:\n${build.stdout}\n${build.stderr}`);
  const bundled = path.join(bundleDir, `${path.basename(entry).replace(/\.[cm]?[jt]s$/, '')}.js`);
  const toml = readFileSync(path.join(root, 'wrangler.toml'), 'utf8').replace(/^main\s*=.*$/m, `main = ${JSON.stringify(bundled)}`);
  const config = path.join(persistDir, 'wrangler.snapshot.toml');
  writeFileSync(config, toml);
  const args = [
    'wrangler', 'dev', '--config', config, '--no-bundle', '--local', '--port', String(port), '--ip', '127.0.0.1', '--persist-to', persistDir,
    '--inspector-port', String(inspectorPort ?? (await freePort())), '--show-interactive-dev-session=false',
    ...LOCAL.wranglerVars(emulatorUrl),
    ...Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}:${v}`]),
  ];
  // Lines counted while it runs: queue jobs that threw (the consumer logs "job <kind> failed" and retries them).
  const proc = startChild('worker', 'npx', args, quietEnv, { verbose, patterns: { jobErrors: /job [a-z-]+ failed/, consumerCrashes: /chaos: queue consumer crashed/, queueRetries: /chaos: consumer retries/, redeliveries: /chaos: redelivered/ }, tailLines: 20000 });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}/health`, 120_000).catch((e) => {
    throw new Error(`${e.message}\n${proc.tail.join('\n')}`);
  });
  return { ...proc, url, stop: proc.stop };
}

export function removeDir(dir) {
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch {
    /* best effort */
  }
}

export function versions() {
  const v = (args) => {
    const r = spawnSync('npx', args, { cwd: root, env: quietEnv, encoding: 'utf8' });
    return (r.stdout || r.stderr || '').trim().split('\n').pop();
  };
  return { wrangler: v(['wrangler', '--version']) };
}
