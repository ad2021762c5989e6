#!/usr/bin/env node
// Store packages for both browsers, for one deployed worker:
//
//   npm run zip:store -- --worker-url https://pd.example.com [--out <dir>]
//
// Builds the PRODUCTION Chrome and Firefox zips (+ the Firefox sources zip AMO asks for) pointing at that worker,
// checks what the stores check (no `key` in Chrome's manifest, no emulator origin anywhere, Firefox's data
// collection declaration, desktop only), and runs `web-ext lint` on the Firefox build: any error fails.
// Refuses a worker URL that is not https or is on this machine (that would be a development build).
//
//   node scripts/store.mjs --lint [--worker-url …]   the same build and checks without zips (npm run lint)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const EXTENSION_DIR = resolve(import.meta.dirname, '..');
const LINT_WORKER_URL = 'https://pd.example.com';

function arg(name) {
  const i = process.argv.indexOf(name);
  if (i < 0) return undefined;
  const v = process.argv[i + 1];
  if (!v || v.startsWith('--')) fail(`${name} needs a value`);
  return v;
}
function fail(message) {
  console.error(`store: ${message}`);
  process.exit(1);
}

const lintOnly = process.argv.includes('--lint');
const workerUrl = (arg('--worker-url') ?? (lintOnly ? LINT_WORKER_URL : undefined))?.replace(/\/+$/, '');
if (!workerUrl) fail('give the deployed worker: npm run zip:store -- --worker-url https://pd.example.com');

let url;
try {
  url = new URL(workerUrl);
} catch {
  fail(`--worker-url ${JSON.stringify(workerUrl)} is not a URL`);
}
const h = url.hostname.toLowerCase();
if (h === 'localhost' || h.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(h) || h === '[::1]' || h === '0.0.0.0') {
  fail(`--worker-url ${workerUrl} is on this machine: that makes a development build, which no store may get`);
}
if (url.protocol !== 'https:') fail(`--worker-url ${workerUrl} must be https:// (the extension sends its session token there)`);
if (url.pathname !== '/' || url.search || url.hash || url.username)
  fail(`--worker-url ${workerUrl} must be an origin only, e.g. https://pd.example.com`);

const out = lintOnly ? mkdtempSync(join(tmpdir(), 'pd-store-lint-')) : resolve(arg('--out') ?? join(EXTENSION_DIR, '.output', 'store'));
const env = { ...process.env, WXT_PD_WORKER_URL: url.origin, PD_EXTENSION_OUT_DIR: out };
delete env.WXT_PD_DROPBOX_WEB_ORIGIN; // a production build refuses one anyway (build-settings.ts)

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: EXTENSION_DIR, env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

try {
  const verb = lintOnly ? 'build' : 'zip';
  run('npx', ['wxt', verb, '-b', 'chrome']);
  run('npx', ['wxt', verb, '-b', 'firefox', '--mv3']);

  const problems = [];
  const chrome = JSON.parse(readFileSync(join(out, 'chrome-mv3', 'manifest.json'), 'utf8'));
  const firefox = JSON.parse(readFileSync(join(out, 'firefox-mv3', 'manifest.json'), 'utf8'));
  if ('key' in chrome) problems.push('chrome manifest carries the development `key`');
  for (const [name, m] of [
    ['chrome', chrome],
    ['firefox', firefox],
  ]) {
    const hosts = [...(m.host_permissions ?? []), ...(m.content_scripts ?? []).flatMap((c) => c.matches ?? [])];
    const stray = hosts.filter((p) => !p.startsWith('https://www.dropbox.com/') && !p.startsWith(`${url.origin}/`));
    if (stray.length) problems.push(`${name} manifest reaches beyond Dropbox and the worker: ${stray.join(', ')}`);
  }
  const gecko = firefox.browser_specific_settings?.gecko ?? {};
  const required = gecko.data_collection_permissions?.required ?? [];
  for (const category of ['authenticationInfo', 'browsingActivity']) {
    if (!required.includes(category)) problems.push(`firefox manifest does not declare ${category} in data_collection_permissions`);
  }
  if (firefox.browser_specific_settings?.gecko_android) problems.push('firefox manifest claims Android (sign-in needs identity.launchWebAuthFlow)');
  if (problems.length) fail(problems.join('\n'));

  // web-ext lint: AMO's own linter. Errors fail; warnings are listed (each one is explained in README.md).
  const lint = spawnSync('npx', ['web-ext', 'lint', '--source-dir', join(out, 'firefox-mv3'), '--output', 'json', '--no-config-discovery'], {
    cwd: EXTENSION_DIR,
    env,
    encoding: 'utf8',
  });
  let report;
  try {
    report = JSON.parse(lint.stdout);
  } catch {
    fail(`web-ext lint did not answer JSON (exit ${lint.status}):\n${lint.stdout}\n${lint.stderr}`);
  }
  for (const w of report.warnings ?? []) console.log(`web-ext lint warning ${w.code}: ${w.message} (${w.file ?? ''})`);
  if ((report.errors ?? []).length > 0) {
    fail(`web-ext lint: ${report.errors.length} error(s):\n${report.errors.map((e) => `  ${e.code}: ${e.message} (${e.file ?? ''})`).join('\n')}`);
  }
  console.log(`web-ext lint: 0 errors, ${report.warnings?.length ?? 0} warning(s), ${report.notices?.length ?? 0} notice(s)`);

  if (!lintOnly) {
    const zips = readdirSync(out).filter((f) => f.endsWith('.zip'));
    console.log(`Store packages for ${url.origin} in ${out}:\n${zips.map((z) => `  ${z}`).join('\n')}`);
    console.log('Chrome Web Store: upload *-chrome.zip. addons.mozilla.org: upload *-firefox.zip and, when asked, *-sources.zip.');
  }
} finally {
  if (lintOnly && existsSync(out)) rmSync(out, { recursive: true, force: true });
}
