// A small world for the reproductions of what the chaos run found: the emulator and the real worker (unchanged
// worker/src/index.ts) on free ports with a fresh local D1, two or three signed-in people, helpers to wait.
import { setTimeout as sleep } from 'node:timers/promises';
import { demoSignIn } from '../../scripts/local.mjs';
import { freePort, removeDir, startEmulatorProcess, startWorkerProcess, tempDir } from '../procs.mjs';

export async function startWorld(seed, { signIn = [] } = {}) {
  const workerPort = await freePort();
  const emulatorPort = await freePort();
  const dir = tempDir('pd-repro-');
  const workerUrl = `http://127.0.0.1:${workerPort}`;
  const emu = await startEmulatorProcess({ port: emulatorPort, webhookUrl: `${workerUrl}/dropbox/webhook` });
  let worker;
  try {
    worker = await startWorkerProcess({ port: workerPort, emulatorUrl: emu.url, persistDir: dir });
  } catch (e) {
    await emu.stop();
    throw e;
  }
  const w = {
    workerUrl,
    emulatorUrl: emu.url,
    sessions: {},
    async control(method, path, body) {
      const r = await fetch(`${emu.url}/_control${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      const t = await r.text();
      if (!r.ok) throw new Error(`${method} /_control${path}: ${r.status} ${t}`);
      return t ? JSON.parse(t) : null;
    },
    async api(email, method, path, body) {
      const r = await fetch(`${workerUrl}/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${w.sessions[email]}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const t = await r.text();
      return { status: r.status, body: t ? JSON.parse(t) : null };
    },
    async cron() {
      await fetch(`${workerUrl}/cdn-cgi/handler/scheduled`).then((r) => r.text());
    },
    /** Runs cron ticks and flushes webhooks until `fn` returns truthy (or the time is up). */
    async until(what, fn, timeoutMs = 60_000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const v = await fn();
        if (v) return v;
        if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
        await w.control('POST', '/webhooks/flush');
        await w.cron();
        await sleep(1000);
      }
    },
    /** Lets the queue and webhooks settle: a few rounds of cron + flush. */
    async settle(rounds = 6) {
      for (let i = 0; i < rounds; i++) {
        await w.control('POST', '/webhooks/flush');
        await w.cron();
        await sleep(1000);
      }
    },
    async stop() {
      await worker.stop();
      await emu.stop();
      removeDir(dir);
    },
  };
  try {
    await w.control('POST', '/reset', { seed });
    await w.control('POST', '/jobs', { pendingPolls: 0 });
    for (const email of signIn) w.sessions[email] = (await demoSignIn(workerUrl, emu.url, email)).session;
  } catch (e) {
    await w.stop();
    throw e;
  }
  return w;
}

/** Waits until every given account's Dropbox tree has been read once (its baseline cursor exists). */
export async function waitReconciled(w, emails) {
  await w.until(`first reconcile of ${emails.join(', ')}`, async () => {
    for (const e of emails) {
      const s = await w.api(e, 'GET', '/dropbox/status');
      if (!s.body?.lastReconciledAt) return false;
    }
    return true;
  });
}

export function verdict(name, ok, details) {
  console.log(`\n${ok ? 'NOT REPRODUCED (behaves as the product promises)' : 'REPRODUCED'}: ${name}`);
  for (const d of details) console.log(`  ${d}`);
  return ok ? 0 : 1;
}
