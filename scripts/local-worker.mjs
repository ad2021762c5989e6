// The one launcher for a real local worker, shared by the chaos run, the load bench, the worker benchmarks and the
// extension's end-to-end harness: migrate a fresh local D1 in its own persist dir, optionally bundle a snapshot of
// the worker, then `wrangler dev --local` on its own port (in its own process group), and wait for /health.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOCAL, waitFor } from './local.mjs';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const quietEnv = { ...process.env, ...LOCAL.quietWrangler };

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

/**
 * Spawns a long-running child in its own process group (so stop() ends wrangler and workerd together); keeps the
 * tail of its output for error reports, counts lines matching `patterns`, and appends everything to `logFile`.
 */
export function startProcessGroup(name, cmd, args, env, { verbose = false, patterns = {}, tailLines = 200, logFile } = {}) {
  const counts = Object.fromEntries(Object.keys(patterns).map((k) => [k, 0]));
  const child = spawn(cmd, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const tail = [];
  const lines = { count: 0 };
  for (const stream of [child.stdout, child.stderr]) {
    let buf = '';
    stream.on('data', (d) => {
      if (logFile) appendFileSync(logFile, d);
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
    log: () => tail.join('\n'),
    get exited() {
      return exited;
    },
    /** Synchronous SIGTERM to the group, for process.on('exit') handlers. */
    kill() {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        /* gone */
      }
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

function run(args, env, what) {
  const r = spawnSync('npx', args, { cwd: root, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${what} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Applies the D1 migrations to a fresh local database in `persistDir` (root wrangler.toml). */
export function migrateLocalD1(persistDir, { env = {} } = {}) {
  run(
    ['wrangler', 'd1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persistDir, '--config', path.join(root, 'wrangler.toml')],
    { ...quietEnv, ...env },
    'wrangler d1 migrations apply',
  );
}

/**
 * Bundles the worker once into `outDir` and writes a wrangler config that serves that bundle as is.
 * Why: `wrangler dev` reloads the worker whenever a watched source file changes (other people edit this checkout
 * while a run is going), and a reload drops the local queue's in-flight messages — a loss the platform would never
 * cause. The snapshot is built once from the same code. Returns the config path.
 */
export function bundleWorker(outDir, { script = 'worker/src/index.ts', env = {} } = {}) {
  const bundleDir = path.join(outDir, 'bundle');
  run(
    ['wrangler', 'deploy', script, '--dry-run', '--outdir', bundleDir, '--config', path.join(root, 'wrangler.toml')],
    { ...quietEnv, ...env },
    'bundling the worker',
  );
  const bundled = path.join(bundleDir, `${path.basename(script).replace(/\.[cm]?[jt]s$/, '')}.js`);
  const toml = readFileSync(path.join(root, 'wrangler.toml'), 'utf8')
    .replace(/^main\s*=.*$/m, `main = ${JSON.stringify(bundled)}`)
    .replace(/^migrations_dir\s*=.*$/m, `migrations_dir = ${JSON.stringify(path.join(root, 'worker/migrations'))}`);
  const config = path.join(outDir, 'wrangler.snapshot.toml');
  writeFileSync(config, toml);
  return config;
}

/** The `--var` values that point a worker at an emulator (the embedded local app key/secret and token key). */
export function emulatorVars(emulatorUrl) {
  return {
    DROPBOX_API_ORIGIN: emulatorUrl,
    DROPBOX_WEB_ORIGIN: emulatorUrl,
    DROPBOX_APP_KEY: LOCAL.appKey,
    DROPBOX_APP_SECRET: LOCAL.appSecret,
    TOKEN_ENCRYPTION_KEY: LOCAL.tokenKey,
  };
}

/**
 * Starts a local worker and resolves once /health answers. Options (see local-worker.d.mts):
 * port (free by default), persistDir (required), migrate (default true), emulatorUrl (adds emulatorVars), vars
 * (added after and overriding those), snapshot (true: bundle into persistDir; a string: a config from bundleWorker;
 * false: serve the source tree), script, inspectorPort (free by default), env, args (extra `wrangler dev` flags),
 * verbose, patterns, tailLines, logFile, readyTimeoutMs.
 */
export async function startLocalWorker(opts) {
  const { persistDir, emulatorUrl, vars = {}, snapshot = true, script, env = {}, args = [], migrate = true, readyTimeoutMs = 120_000 } = opts;
  const port = opts.port ?? (await freePort());
  const inspectorPort = opts.inspectorPort ?? (await freePort());
  const childEnv = { ...quietEnv, ...env };
  if (migrate) migrateLocalD1(persistDir, { env });
  const config =
    snapshot === true ? bundleWorker(persistDir, { script, env }) : typeof snapshot === 'string' ? snapshot : path.join(root, 'wrangler.toml');
  const allVars = { ...(emulatorUrl ? emulatorVars(emulatorUrl) : {}), ...vars };
  const devArgs = [
    'wrangler',
    'dev',
    '--config',
    config,
    ...(snapshot ? ['--no-bundle'] : []),
    '--local',
    '--port',
    String(port),
    '--ip',
    '127.0.0.1',
    '--persist-to',
    persistDir,
    '--inspector-port',
    String(inspectorPort),
    '--show-interactive-dev-session=false',
    ...args,
    ...Object.entries(allVars).flatMap(([k, v]) => ['--var', `${k}:${v}`]),
  ];
  const proc = startProcessGroup('worker', 'npx', devArgs, childEnv, {
    verbose: opts.verbose,
    patterns: opts.patterns,
    tailLines: opts.tailLines ?? 2000,
    logFile: opts.logFile,
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(`${url}/health`, readyTimeoutMs, proc);
  } catch (e) {
    await proc.stop();
    throw new Error(`${e.message}\n--- worker log ---\n${proc.tail.join('\n')}`);
  }
  const api = (pathname, o) => workerApi(url, pathname, o);
  return {
    ...proc,
    url,
    port,
    persistDir,
    config,
    api,
    get exited() {
      return proc.exited;
    },
    /** Rows of one SQL statement against this worker's local D1 (`wrangler d1 execute`: a heavy process, use sparingly). */
    query: (sql) => localD1(persistDir, config, ['--command', sql], env)[0].results,
    /** Runs a .sql file against this worker's local D1. */
    runSqlFile: (file) => localD1(persistDir, config, ['--yes', '--file', file], env),
    /** Signs `email` in through the emulator's OAuth (as the extension would): resolves to { session, account }. */
    signIn: (emu, email) => signInThroughEmulator(api, emu, email),
  };
}

function localD1(persistDir, config, args, env) {
  const out = run(
    ['wrangler', 'd1', 'execute', 'DB', '--local', '--persist-to', persistDir, '--config', config, '--json', ...args],
    { ...quietEnv, ...env },
    'wrangler d1 execute',
  );
  return JSON.parse(out);
}

/** One JSON request to a worker; throws with the status and body on anything but 2xx. */
export async function workerApi(baseUrl, pathname, { method = 'GET', session, json } = {}) {
  const res = await fetch(`${baseUrl}${pathname}`, {
    method,
    headers: { ...(session ? { authorization: `Bearer ${session}` } : {}), ...(json !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: json !== undefined ? JSON.stringify(json) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${pathname}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** The body of POST /api/v1/auth/dropbox for `email`: PKCE through an in-process emulator (`emu.control.authorize`). */
export function emulatorSignInBody(emu, email) {
  const verifier = randomBytes(48).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const redirectUri = 'https://pd-bench.chromiumapp.org/';
  const { code } = emu.control.authorize({
    account: email,
    client_id: LOCAL.appKey,
    redirect_uri: redirectUri,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    token_access_type: 'offline',
  });
  return { code, codeVerifier: verifier, redirectUri };
}

/** Sign-in with PKCE through an in-process emulator, then POST /api/v1/auth/dropbox. */
export async function signInThroughEmulator(api, emu, email) {
  return api('/api/v1/auth/dropbox', { method: 'POST', json: emulatorSignInBody(emu, email) });
}
