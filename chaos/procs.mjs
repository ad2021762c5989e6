// Starting and stopping the real parts the chaos run and the load bench drive: the Dropbox emulator (its CLI, in
// its own process, like `npm start`) and a local worker (`wrangler dev --local`) with its own persist dir.
import { rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { LOCAL, waitFor } from '../scripts/local.mjs';
import { freePort, quietEnv, root, startLocalWorker, startProcessGroup, tempDir } from '../scripts/local-worker.mjs';

export { freePort, root, tempDir };

/** The emulator CLI on `port`, empty seed, webhooks to `webhookUrl`. */
export async function startEmulatorProcess({ port, webhookUrl, verbose }) {
  const proc = startProcessGroup(
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

/** Migrates a fresh local D1 in `persistDir`, then serves a bundled snapshot with `wrangler dev --local` on `port`
 *  pointed at the emulator (see scripts/local-worker.mjs). */
export async function startWorkerProcess({ port, emulatorUrl, persistDir, verbose, inspectorPort, script, vars = {}, snapshot, migrate }) {
  // Lines counted while it runs: queue jobs that threw (the consumer logs "job <kind> failed" and retries them).
  return startLocalWorker({
    port,
    emulatorUrl,
    persistDir,
    verbose,
    inspectorPort,
    script,
    vars,
    ...(snapshot === undefined ? {} : { snapshot }),
    ...(migrate === undefined ? {} : { migrate }),
    patterns: {
      jobErrors: /job [a-z-]+ failed/,
      consumerCrashes: /chaos: queue consumer crashed/,
      queueRetries: /chaos: consumer retries/,
      redeliveries: /chaos: redelivered/,
    },
    tailLines: 20000,
  });
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
