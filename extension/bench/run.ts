// npm run bench -w @pd/extension
// 1. Gzipped size of each bundle of the production build (content script, popup, background), Chrome and Firefox.
// 2. Time from Dropbox's folder view appearing to the PD controls being visible, with the track lookup cached,
//    in Debian's Chromium with the built extension, a real local worker and the Dropbox emulator.
// Writes bench/extension.md at the repository root and prints it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { EXTENSION_DIR, ROOT, api, launchProfile, openPopup, signInDirect, startStack } from '../e2e/harness';

const GOAL_CONTENT_GZ = 25 * 1024;
const GOAL_VISIBLE_MS = 150;
const RUNS = 30;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

function gz(path: string): number {
  return gzipSync(readFileSync(path), { level: 9 }).length;
}

const kB = (n: number) => `${(n / 1024).toFixed(1)} kB`;

interface BundleRow {
  target: string;
  bundle: string;
  files: string[];
  raw: number;
  gzip: number;
}

function measureSizes(): BundleRow[] {
  const out = mkdtempSync(join(tmpdir(), 'pd-bench-build-'));
  try {
    for (const args of [['build'], ['build', '-b', 'firefox', '--mv3']]) {
      const r = spawnSync('npx', ['wxt', ...args], { cwd: EXTENSION_DIR, env: { ...process.env, PD_EXTENSION_OUT_DIR: out }, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`wxt ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
    }
    const rows: BundleRow[] = [];
    for (const target of ['chrome-mv3', 'firefox-mv3']) {
      const dir = join(out, target);
      const all = files(dir).map((f) => relative(dir, f));
      const groups: [string, (f: string) => boolean][] = [
        ['content script', (f) => f.startsWith('content-scripts/')],
        ['popup', (f) => /^popup\.html$|popup[-.].*\.(js|css)$/.test(f) || (f.startsWith('chunks/') && f.endsWith('.js'))],
        ['background', (f) => f === 'background.js'],
      ];
      for (const [bundle, match] of groups) {
        const chosen = all.filter(match);
        rows.push({
          target,
          bundle,
          files: chosen,
          raw: chosen.reduce((s, f) => s + statSync(join(dir, f)).size, 0),
          gzip: chosen.reduce((s, f) => s + gz(join(dir, f)), 0),
        });
      }
    }
    return rows;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function stats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { n: s.length, p50: q(0.5), p95: q(0.95), max: s[s.length - 1]!, min: s[0]! };
}

/** In the page's own world: replace the main view with a folder view for `url` (as Dropbox's SPA does) and time
 *  until the PD panel's controls are in the DOM and laid out. */
async function spaNavigate(page: Page, url: string, folder: string): Promise<number> {
  return page.evaluate(
    ({ url, folder }) =>
      new Promise<number>((resolve, reject) => {
        const main = document.querySelector('main')!;
        const header = main.querySelector('[data-testid="page-header"]');
        const fresh = (header?.cloneNode(true) ?? document.createElement('div')) as HTMLElement;
        fresh.setAttribute('data-testid', 'page-header');
        const h1 = fresh.querySelector('h1');
        if (h1) h1.textContent = folder;
        // The panel's shadow root is closed: the page cannot look inside. The content script marks each resolved
        // folder it renders ('pd:panel-shown', detail { path, state }) on the document's timeline, which the page reads.
        const visible = () =>
          performance.getEntriesByName('pd:panel-shown').some((e) => e.startTime >= t0 && (e as PerformanceMark).detail?.state === 'track') &&
          (document.querySelector('pd-panel')?.getBoundingClientRect().height ?? 0) > 0;
        const timeout = setTimeout(() => reject(new Error(`controls never appeared for ${url}`)), 10_000);
        const t0 = performance.now();
        history.pushState(null, '', url);
        if (header) header.replaceWith(fresh);
        else main.prepend(fresh);
        const tick = () => {
          if (visible()) {
            clearTimeout(timeout);
            resolve(performance.now() - t0);
          } else requestAnimationFrame(tick);
        };
        // Check on every DOM change and every frame.
        new MutationObserver(() => {
          if (visible()) {
            clearTimeout(timeout);
            resolve(performance.now() - t0);
          }
        }).observe(document, { childList: true, subtree: true });
        requestAnimationFrame(tick);
      }),
    { url, folder },
  );
}

async function leaveToRoot(page: Page): Promise<void> {
  await page.evaluate(() => {
    history.pushState(null, '', '/home');
    const h1 = document.querySelector('main h1');
    if (h1) h1.textContent = 'Dropbox';
  });
  await page.waitForFunction(() => !document.querySelector('pd-panel'));
}

async function measureTiming() {
  const stack = await startStack();
  try {
    await signInDirect(stack, 'leo@pd.example');
    await signInDirect(stack, 'sam@pd.example');
    await signInDirect(stack, 'ava@pd.example');
    const owner = await signInDirect(stack, 'maya@pd.example');
    await api(stack, owner, 'POST', '/dropbox/import', {});
    const maya = await launchProfile(stack, 'bench');
    // tsx (esbuild keepNames) wraps functions with __name(); the page's world needs it to run them.
    await maya.context.addInitScript({ content: 'globalThis.__name = globalThis.__name || ((f) => f);' });
    // Hand Maya's session to the extension the way its sign-in stores it (the sign-in flow itself is covered by e2e).
    const popup = await openPopup(maya);
    await popup.evaluate(
      async ({ token, workerUrl }) => {
        type Area = { set(v: unknown): Promise<void> };
        const c = (globalThis as unknown as { chrome: { storage: { local: Area; session: Area } } }).chrome;
        const account = { id: 'bench', email: 'maya@pd.example', displayName: 'Maya Reyes' };
        await c.storage.session.set({ session: { token, account, workerUrl, uninstallToken: null } });
        await c.storage.local.set({ account });
      },
      { token: owner, workerUrl: stack.workerUrl },
    );
    await popup.close();

    const folders = [
      ['Midnight Drive', 'https://www.dropbox.com/home/PRODUCER-DASHBOARD/After%20Hours/Midnight%20Drive'],
      ['Glass Hearts', 'https://www.dropbox.com/home/PRODUCER-DASHBOARD/After%20Hours/Glass%20Hearts'],
    ] as const;
    const page = await maya.context.newPage();
    await page.goto('https://www.dropbox.com/home');
    // Warm the background's lookup cache (and this tab's) once per folder: not measured.
    for (const [name, url] of folders) {
      await spaNavigate(page, url, name);
      await leaveToRoot(page);
    }
    const spa: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const [name, url] = folders[i % 2]!;
      spa.push(await spaNavigate(page, url, name));
      await leaveToRoot(page);
    }

    // A fresh tab per run: only the background's cache is warm. From the folder view being parsed
    // (DOMContentLoaded) to the controls being visible.
    const load: number[] = [];
    const own: number[] = [];
    for (let i = 0; i < Math.min(RUNS, 15); i++) {
      const [, url] = folders[i % 2]!;
      const tab = await maya.context.newPage();
      await tab.goto(url, { waitUntil: 'domcontentloaded' });
      const r = await tab.evaluate(
        () =>
          new Promise<{ total: number; own: number }>((resolve, reject) => {
            const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
            const timeout = setTimeout(() => reject(new Error('controls never appeared')), 10_000);
            const tick = () => {
              const shown = performance.getEntriesByName('pd:panel-shown').some((e) => (e as PerformanceMark).detail?.state === 'track');
              if (shown && (document.querySelector('pd-panel')?.getBoundingClientRect().height ?? 0) > 0) {
                clearTimeout(timeout);
                const now = performance.now();
                // The content script marks its own start (same document timeline as the page).
                const start = performance.getEntriesByName('pd:content-script-start')[0]?.startTime ?? nav.domContentLoadedEventStart;
                resolve({ total: now - nav.domContentLoadedEventStart, own: now - start });
              } else requestAnimationFrame(tick);
            };
            tick();
          }),
      );
      load.push(r.total);
      own.push(r.own);
      await tab.close();
    }
    await maya.close();
    return { spa: stats(spa), load: stats(load), own: stats(own) };
  } finally {
    await stack.stop();
  }
}

const sizes = measureSizes();
let timing: Awaited<ReturnType<typeof measureTiming>> | null = null;
let timingError: string | null = null;
try {
  timing = await measureTiming();
} catch (e) {
  timingError = (e as Error).message;
}

const content = sizes.find((r) => r.target === 'chrome-mv3' && r.bundle === 'content script')!;
const lines: string[] = [];
lines.push('# Extension benchmark');
lines.push('');
lines.push(`Run: ${new Date().toISOString()} · \`npm run bench -w @pd/extension\` · ${process.platform}/${process.arch}, Node ${process.version}`);
lines.push('');
lines.push('## Bundle sizes (production build, gzip -9)');
lines.push('');
lines.push('| target | bundle | files | raw | gzipped |');
lines.push('|---|---|---|---:|---:|');
for (const r of sizes) lines.push(`| ${r.target} | ${r.bundle} | ${r.files.join(', ')} | ${kB(r.raw)} | ${kB(r.gzip)} |`);
lines.push('');
lines.push(
  `Goal: content script under ${kB(GOAL_CONTENT_GZ)} gzipped → **${kB(content.gzip)}: ${content.gzip < GOAL_CONTENT_GZ ? 'met' : 'NOT met'}**.`,
);
lines.push('');
lines.push('## Folder view → PD controls visible (track lookup cached)');
lines.push('');
if (timing) {
  lines.push('Debian Chromium (headless), the built extension, a real local worker (wrangler dev) and the Dropbox emulator.');
  lines.push("Measured in the page: from the moment Dropbox's folder view is in the DOM to the panel's first button being laid out.");
  lines.push('');
  lines.push('| case | runs | p50 | p95 | max |');
  lines.push('|---|---:|---:|---:|---:|');
  const row = (name: string, s: ReturnType<typeof stats>) =>
    `| ${name} | ${s.n} | ${s.p50.toFixed(1)} ms | ${s.p95.toFixed(1)} ms | ${s.max.toFixed(1)} ms |`;
  lines.push(row('in-page navigation into a folder (SPA), lookup cached', timing.spa));
  lines.push(row('new tab on a folder: content script start → controls (the extension’s own part)', timing.own));
  lines.push(row('new tab on a folder: DOMContentLoaded → controls (includes Chromium injecting the script)', timing.load));
  lines.push('');
  const ours = Math.max(timing.spa.p95, timing.own.p95);
  lines.push(
    `Goal: controls visible within ${GOAL_VISIBLE_MS} ms of the folder view appearing → **p95 ${ours.toFixed(1)} ms ` +
      `(Dropbox's in-page navigation, and the extension's part of a new tab): ${ours < GOAL_VISIBLE_MS ? 'met' : 'NOT met'}**.`,
  );
  lines.push(
    `On a brand-new tab the browser itself takes a further ${(timing.load.p50 - timing.own.p50).toFixed(0)} ms (p50) between ` +
      `DOMContentLoaded and starting the content script (runAt document_end); end to end that case is p50 ${timing.load.p50.toFixed(1)} ms, ` +
      `p95 ${timing.load.p95.toFixed(1)} ms${timing.load.p95 < GOAL_VISIBLE_MS ? '' : ' (over the goal on this shared 2-core machine)'}.`,
  );
  lines.push('');
  lines.push('Timing runs share 2 CPU cores with whatever else runs on the machine; p95/max are noisy, p50 is stable.');
} else {
  lines.push(`Not measured: ${timingError}`);
}
lines.push('');
const report = lines.join('\n');
mkdirSync(join(ROOT, 'bench'), { recursive: true });
writeFileSync(join(ROOT, 'bench', 'extension.md'), report);
console.log(report);
if (!timing) process.exit(1);
