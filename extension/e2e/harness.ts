// End-to-end harness: the Dropbox emulator, a real local worker (wrangler dev, local D1), the extension built for
// that worker, and Debian's Chromium with the unpacked extension — one persistent profile per person.
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium, type BrowserContext, type CDPSession, type Page, type Worker } from 'playwright-core';
import { freePort, startLocalWorker } from '../../scripts/local-worker.mjs';

// The emulator is imported by name at run time only: its sources are type-checked by its own workspace, under
// its own compiler options (this workspace's stricter WXT options would re-check them).
interface RunningEmulator {
  url: string;
  port: number;
  control: {
    seed(spec: unknown): unknown;
    act(req: Record<string, unknown>): Promise<unknown>;
    webhooks: { flush(): Promise<unknown> };
  };
  close(): Promise<void>;
}
type StartEmulator = (opts: Record<string, unknown>) => Promise<RunningEmulator>;
const EMULATOR_MODULE = '@pd/dropbox-emulator';
async function startEmulator(opts: Record<string, unknown>): Promise<RunningEmulator> {
  const mod = (await import(EMULATOR_MODULE)) as { startEmulator: StartEmulator };
  return mod.startEmulator(opts);
}

export const EXTENSION_DIR = resolve(import.meta.dirname, '..');
export const ROOT = resolve(EXTENSION_DIR, '..');
/** Where shot() writes: the gitignored e2e/artifacts/ on every run; the committed set the READMEs show,
 *  e2e/screenshots/, only when PD_UPDATE_SCREENSHOTS=1 (so `npm test` leaves the git tree clean). */
export const SCREENSHOTS = join(EXTENSION_DIR, 'e2e', process.env.PD_UPDATE_SCREENSHOTS === '1' ? 'screenshots' : 'artifacts');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export { freePort };

export interface Stack {
  tmp: string;
  emu: RunningEmulator;
  workerUrl: string;
  extensionPath: string;
  /** The Firefox build (startStack({ browser: 'firefox' })). */
  firefoxExtensionPath?: string;
  workerLog: () => string;
  stop(): Promise<void>;
}

/** Extra Dropbox folders so that Sam shares exactly three of Maya's tracks (for Revoke All). */
const EXTRA_FOLDERS = [
  {
    name: 'Velvet Static',
    owner: 'maya@pd.example',
    path: '/PRODUCER-DASHBOARD/City Lights/Velvet Static',
    members: [{ account: 'sam@pd.example', access_level: 'editor' as const }],
    files: [{ path: 'Velvet Static - Rough.wav', size: 30_000_000 }],
  },
];

/** `browser`: which build the tests load — Chromium's (default) or Firefox's (only the one needed is built). */
export async function startStack(opts: { browser?: 'chromium' | 'firefox' } = {}): Promise<Stack> {
  const firefox = opts.browser === 'firefox';
  const tmp = mkdtempSync(join(tmpdir(), 'pd-e2e-'));
  const workerPort = await freePort();
  const inspectorPort = await freePort();
  const workerUrl = `http://127.0.0.1:${workerPort}`;
  const emu = await startEmulator({ port: 0, seed: 'demo', webhookUrl: `${workerUrl}/dropbox/webhook`, webhookDelayMs: 20 });
  emu.control.seed({ folders: EXTRA_FOLDERS });

  // Served from the source tree (snapshot: false), as this harness always was.
  // Not awaited yet: migrations ran and wrangler is starting while the extension builds below.
  const starting = startLocalWorker({
    port: workerPort,
    inspectorPort,
    persistDir: join(tmp, 'd1'),
    snapshot: false,
    emulatorUrl: emu.url,
    env: { XDG_CONFIG_HOME: join(tmp, 'xdg') },
    tailLines: 100_000,
    readyTimeoutMs: 90_000,
  });
  starting.catch(() => {}); // awaited below; this only keeps a failure from being reported twice

  // Build the extension for this worker while wrangler starts: a development build (its worker is on loopback), so
  // its content script also runs on this emulator's web UI (WXT_PD_DROPBOX_WEB_ORIGIN; see build-settings.ts).
  const extOut = join(tmp, 'ext');
  const env = { ...process.env, WXT_PD_WORKER_URL: workerUrl, WXT_PD_DROPBOX_WEB_ORIGIN: emu.url, PD_EXTENSION_OUT_DIR: extOut };
  const args = firefox ? ['wxt', 'build', '-b', 'firefox', '--mv3', '--mode', 'development'] : ['wxt', 'build', '--mode', 'development'];
  {
    const build = spawnSync('npx', args, { cwd: EXTENSION_DIR, env, encoding: 'utf8' });
    if (build.status !== 0) {
      await starting.then(
        (w) => w.stop(),
        () => {},
      );
      throw new Error(`extension build failed (${args.join(' ')}):\n${build.stdout}\n${build.stderr}`);
    }
  }
  const worker = await starting;

  return {
    tmp,
    emu,
    workerUrl,
    // A development-mode build lands in chrome-mv3-dev.
    extensionPath: join(extOut, 'chrome-mv3-dev'),
    ...(firefox ? { firefoxExtensionPath: join(extOut, 'firefox-mv3-dev') } : {}),
    workerLog: worker.log,
    async stop() {
      await worker.stop();
      await emu.close().catch(() => {});
      await sleep(300);
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

async function json<T>(res: Response, what: string): Promise<T> {
  const text = await res.text();
  if (!res.ok) throw new Error(`${what}: HTTP ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

/** Sign in outside a browser (people who are not one of the two browser profiles, and the owner's import). */
export async function signInDirect(stack: Stack, email: string): Promise<string> {
  const verifier = randomBytes(48).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const redirectUri = 'http://localhost/pd-e2e-callback';
  const { code } = await json<{ code: string }>(
    await fetch(`${stack.emu.url}/_control/authorize`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        account: email,
        client_id: 'pd-local-app-key',
        redirect_uri: redirectUri,
        code_challenge: challenge,
        code_challenge_method: 'S256',
        token_access_type: 'offline',
      }),
    }),
    `authorize ${email}`,
  );
  const r = await json<{ session: string }>(
    await fetch(`${stack.workerUrl}/api/v1/auth/dropbox`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code, codeVerifier: verifier, redirectUri }),
    }),
    `sign in ${email}`,
  );
  return r.session;
}

export async function api<T>(stack: Stack, session: string, method: string, path: string, body?: unknown): Promise<T> {
  return json<T>(
    await fetch(`${stack.workerUrl}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${session}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
    `${method} ${path}`,
  );
}

/** A Dropbox-like folder page for any /home URL: the saved fixture, with the breadcrumb and title of that path. */
export function dropboxPage(url: string): string {
  const segments = new URL(url).pathname.split('/').slice(2).filter(Boolean).map(decodeURIComponent);
  const html = readFileSync(join(EXTENSION_DIR, 'test', 'fixtures', 'folder-page.html'), 'utf8');
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const name = segments.at(-1) ?? 'Dropbox';
  const crumbs = ['<li><a href="/home">Dropbox</a></li>']
    .concat(
      segments.map((s, i) =>
        i === segments.length - 1
          ? `<li aria-current="page">${esc(s)}</li>`
          : `<li><a href="/home/${segments
              .slice(0, i + 1)
              .map(encodeURIComponent)
              .join('/')}">${esc(s)}</a></li>`,
      ),
    )
    .join('');
  return html
    .replace(/<title>.*?<\/title>/, `<title>${esc(name)} - Dropbox</title>`)
    .replace(/<ol>[\s\S]*?<\/ol>/, `<ol>${crumbs}</ol>`)
    .replace(/(<h1[^>]*>)[^<]*(<\/h1>)/, `$1${esc(name)}$2`)
    .replace(/Midnight Drive - Mix v3\.wav/, `${esc(name)} - Mix.wav`)
    .replace(/Midnight Drive\.als/, `${esc(name)}.als`);
}

/** The emulator's own Dropbox-like web UI (emulator/src/web.ts): signs `email` in as its web user (a cookie in this
 *  profile) and opens `/home/<encoded path>` of that person's Dropbox — the page a developer sees with npm start. */
export async function openEmulatorFolder(stack: Stack, p: Profile, email: string, dropboxPath: string): Promise<Page> {
  const home =
    '/home' +
    dropboxPath
      .split('/')
      .filter(Boolean)
      .map((s) => '/' + encodeURIComponent(s))
      .join('');
  return openEmulatorPage(stack, p, email, home);
}

/** Signs the profile in to the emulator's web UI as `email` and opens one of its pages (/home/…, /work/<team>/…,
 *  /personal/…, /preview/…?role=…; `urlPath` encoded as in the address bar). */
export async function openEmulatorPage(stack: Stack, p: Profile, email: string, urlPath: string): Promise<Page> {
  const page = await p.context.newPage();
  await page.goto(`${stack.emu.url}/login?account=${encodeURIComponent(email)}&next=${encodeURIComponent(urlPath)}`);
  const at = new URL(page.url());
  if (at.pathname + at.search !== urlPath) throw new Error(`the emulator's web UI did not open ${urlPath} for ${email} (at ${page.url()})`);
  return page;
}

export interface Profile {
  name: string;
  context: BrowserContext;
  extensionId: string;
  serviceWorker: Worker;
  close(): Promise<void>;
}

/** `lang`: the browser's UI language (what browser.i18n picks the extension's messages by, and what it formats
 *  dates and numbers for). English (en-US) unless a test asks for another, whatever the machine's locale. */
export async function launchProfile(stack: Stack, name: string, opts: { lang?: string } = {}): Promise<Profile> {
  const lang = opts.lang ?? 'en-US';
  const dir = join(stack.tmp, `profile-${name}`);
  mkdirSync(dir, { recursive: true });
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium`);
  // Debian's Chromium knows only en-US unless chromium-l10n is installed; without it --lang is silently ignored.
  const pak = `/usr/lib/chromium/locales/${lang.split('-')[0]}.pak`;
  if (CHROMIUM === '/usr/bin/chromium' && !lang.startsWith('en') && !existsSync(pak)) {
    throw new Error(`Chromium has no ${lang} UI (${pak} missing): apt-get install -y chromium-l10n`);
  }
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 860 },
    locale: lang,
    // Chromium on Linux takes its UI language from --lang and the LANGUAGE variable.
    env: { ...process.env, LANGUAGE: lang.replace('-', '_') },
    args: [
      `--lang=${lang}`,
      `--accept-lang=${lang}`,
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1',
      `--disable-extensions-except=${stack.extensionPath}`,
      `--load-extension=${stack.extensionPath}`,
    ],
  });
  await context.route('https://www.dropbox.com/**', (route) => {
    const url = route.request().url();
    if (new URL(url).pathname.startsWith('/home')) {
      return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: dropboxPage(url) });
    }
    return route.fulfill({ status: 404, body: '' });
  });
  const serviceWorker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 30_000 }));
  const extensionId = new URL(serviceWorker.url()).host;
  return {
    name,
    context,
    extensionId,
    serviceWorker,
    close: () => context.close(),
  };
}

/** What the tests read of the extension's own `chrome` global (inside the service worker). */
export interface ChromeGlobal {
  chrome: {
    notifications: { getAll(): Promise<Record<string, boolean>> };
    storage: {
      local: { get(key: string | null): Promise<Record<string, unknown>> };
      session: { get(key: string | null): Promise<Record<string, unknown>> };
    };
    management: { uninstallSelf(options?: { showConfirmDialog?: boolean }): Promise<void> };
  };
}

/** The PD session token the extension stored after signing in (storage.session: the background's eyes only). */
export async function extensionSession(p: Profile): Promise<string> {
  const sw = p.context.serviceWorkers()[0] ?? p.serviceWorker;
  const s = await sw.evaluate(async () => (await (globalThis as unknown as ChromeGlobal).chrome.storage.session.get('session')).session);
  return (s as { token: string }).token;
}

/** Everything the extension keeps in storage.local — what any of its content scripts could read. */
export async function extensionLocalStorage(p: Profile): Promise<string> {
  const sw = p.context.serviceWorkers()[0] ?? p.serviceWorker;
  return JSON.stringify(await sw.evaluate(async () => (globalThis as unknown as ChromeGlobal).chrome.storage.local.get(null)));
}

/**
 * Takes the profile's live updates offline, as a dropped connection would: the background's next socket never opens,
 * so no push reaches a panel and what it shows goes stale. Waits out a socket that lingers from pages closed just
 * before (the background keeps one 5 s after the last view closes). Returns `attempts()` — sockets tried since, to
 * prove a panel opened after this has no live link — and `restore()`, which lets later sockets through again.
 */
export async function cutLive(p: Profile): Promise<{ attempts: () => Promise<number>; restore: () => Promise<void> }> {
  const sw = () => p.context.serviceWorkers()[0] ?? p.serviceWorker;
  await sw().evaluate(() => {
    type Cut = { real: typeof WebSocket; realClose: WebSocket['close']; attempts: number; closed: boolean };
    const g = globalThis as unknown as { WebSocket: typeof WebSocket; __pdLiveCut?: Cut };
    if (g.__pdLiveCut) return;
    const cut: Cut = { real: g.WebSocket, realClose: g.WebSocket.prototype.close, attempts: 0, closed: false };
    g.__pdLiveCut = cut;
    // A socket open now is closed by the background itself once its linger ends; note when that happens.
    g.WebSocket.prototype.close = function (this: WebSocket, ...args: Parameters<WebSocket['close']>) {
      cut.closed = true;
      return cut.realClose.apply(this, args);
    };
    // The next ones hang in "connecting", like a socket behind a dead network.
    // biome-ignore lint/complexity/useArrowFunction: the background calls it with `new`, which an arrow function refuses
    g.WebSocket = function () {
      cut.attempts++;
      return { readyState: 0, send() {}, close() {}, onopen: null, onmessage: null, onerror: null, onclose: null };
    } as unknown as typeof WebSocket;
  });
  // Up to the linger and some: a socket kept from earlier pages is gone after this, whether or not there was one.
  const deadline = Date.now() + 8_000;
  while (Date.now() < deadline) {
    if (await sw().evaluate(() => (globalThis as unknown as { __pdLiveCut: { closed: boolean } }).__pdLiveCut.closed)) break;
    await sleep(200);
  }
  return {
    attempts: () => sw().evaluate(() => (globalThis as unknown as { __pdLiveCut?: { attempts: number } }).__pdLiveCut?.attempts ?? 0),
    restore: () =>
      sw().evaluate(() => {
        const g = globalThis as unknown as { WebSocket: typeof WebSocket; __pdLiveCut?: { real: typeof WebSocket; realClose: WebSocket['close'] } };
        if (!g.__pdLiveCut) return;
        g.WebSocket = g.__pdLiveCut.real;
        g.WebSocket.prototype.close = g.__pdLiveCut.realClose;
        delete g.__pdLiveCut;
      }),
  };
}

export function popupUrl(p: Profile): string {
  return `chrome-extension://${p.extensionId}/popup.html`;
}

export async function openPopup(p: Profile): Promise<Page> {
  const page = await p.context.newPage();
  await page.setViewportSize({ width: 400, height: 640 });
  await page.goto(popupUrl(p));
  return page;
}

/** Ids of the browser notifications the extension is showing ("pd:<PD notification id>"). */
export async function browserNotificationIds(p: Profile): Promise<string[]> {
  const sw = p.context.serviceWorkers()[0] ?? p.serviceWorker;
  return sw.evaluate(async () => Object.keys(await (globalThis as unknown as ChromeGlobal).chrome.notifications.getAll()));
}

export async function shot(page: Page, file: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, file) });
}

// ---------------------------------------------------------------------------------------------------------------
// Driving the panel as a user does. Its shadow root is closed: Playwright's locators (and any page script) see
// nothing inside it. The browser's accessibility tree does — it is what a screen reader reads — so every panel step
// finds controls there by role and accessible name, and clicks them with the mouse at their on-screen box
// (CDP Input events: `isTrusted === true`, the only clicks the panel's destructive controls answer).

interface AxNode {
  nodeId: string;
  parentId?: string;
  childIds?: string[];
  ignored: boolean;
  role?: { value?: unknown };
  name?: { value?: unknown };
  properties?: { name: string; value: { value?: unknown } }[];
  backendDOMNodeId?: number;
}

export type AxName = string | RegExp;
export interface AxTarget {
  role: string;
  name: AxName;
}
export interface AxOptions {
  /** Look only inside this node (e.g. the panel: { role: 'region', name: 'Producer Dashboard' }). */
  within?: AxTarget;
  timeout?: number;
}

/** The panel as the accessibility tree names it (`<section aria-label="Producer Dashboard">`). */
export const PANEL: AxTarget = { role: 'region', name: 'Producer Dashboard' };

const cdpSessions = new WeakMap<Page, Promise<CDPSession>>();
function cdp(page: Page): Promise<CDPSession> {
  let s = cdpSessions.get(page);
  if (!s) {
    s = page
      .context()
      .newCDPSession(page)
      .then(async (session) => {
        await session.send('DOM.enable');
        await session.send('Accessibility.enable');
        return session;
      });
    cdpSessions.set(page, s);
  }
  return s;
}

const str = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
const matches = (name: AxName, value: string) => (typeof name === 'string' ? value === name : name.test(value));

async function axTree(page: Page) {
  const session = await cdp(page);
  const { nodes } = (await session.send('Accessibility.getFullAXTree')) as unknown as { nodes: AxNode[] };
  const byId = new Map(nodes.map((n) => [n.nodeId, n]));
  const descendants = function* (root: AxNode): Generator<AxNode> {
    for (const id of root.childIds ?? []) {
      const child = byId.get(id);
      if (!child) continue;
      yield child;
      yield* descendants(child);
    }
  };
  const find = (target: AxTarget, within?: AxTarget): AxNode[] => {
    // A modal <dialog> (showModal) is in the top layer and makes the rest inert: the accessibility tree no longer
    // nests it in the panel's region, so a dialog is looked up in the whole tree (names are specific enough).
    if (target.role === 'dialog') within = undefined;
    const scopes = within ? nodes.filter((n) => str(n.role?.value) === within.role && matches(within.name, str(n.name?.value))) : [nodes[0]!];
    const found: AxNode[] = [];
    for (const scope of scopes)
      for (const n of descendants(scope))
        if (!n.ignored && str(n.role?.value) === target.role && matches(target.name, str(n.name?.value))) found.push(n);
    return found;
  };
  /** The text a user reads inside a node (its static texts, in order). */
  const text = (root: AxNode): string =>
    [...descendants(root)]
      .filter((n) => str(n.role?.value) === 'StaticText')
      .map((n) => str(n.name?.value))
      .join(' ')
      .replace(/\s+/g, ' ');
  return { nodes, find, text };
}

async function poll<T>(what: string, timeout: number, fn: () => Promise<T | null>): Promise<T> {
  const deadline = Date.now() + timeout;
  let last: unknown = null;
  for (;;) {
    try {
      const v = await fn();
      if (v !== null) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}${last ? ` (${String(last)})` : ''}`);
    await sleep(100);
  }
}

const describeTarget = (t: AxTarget, o: AxOptions) =>
  `${t.role} "${String(t.name)}"${o.within ? ` in ${o.within.role} "${String(o.within.name)}"` : ''}`;

/** How many nodes with this role and name the accessibility tree has right now. */
export async function axCount(page: Page, target: AxTarget, opts: AxOptions = {}): Promise<number> {
  return (await axTree(page)).find(target, opts.within).length;
}

/** Waits until a node with this role and name is in the accessibility tree; returns its text. */
export async function axWaitFor(page: Page, target: AxTarget, opts: AxOptions = {}): Promise<string> {
  return poll(describeTarget(target, opts), opts.timeout ?? 30_000, async () => {
    const tree = await axTree(page);
    const [node] = tree.find(target, opts.within);
    return node ? tree.text(node) || str(node.name?.value) : null;
  });
}

/** The text a user reads inside a node (e.g. a collaborator's row), '' if it is not there. */
export async function axText(page: Page, target: AxTarget, opts: AxOptions = {}): Promise<string> {
  const tree = await axTree(page);
  const [node] = tree.find(target, opts.within);
  return node ? tree.text(node) : '';
}

/** The node that has keyboard focus, as the accessibility tree names it (role and name), or null. */
export async function axFocused(page: Page): Promise<{ role: string; name: string } | null> {
  const tree = await axTree(page);
  // The page's root is marked focused too whenever the page has focus: the element is the last one marked.
  const focused = tree.nodes.filter((n) => !n.ignored && n.properties?.some((p) => p.name === 'focused' && p.value.value === true));
  const node = focused[focused.length - 1];
  return node ? { role: str(node.role?.value), name: str(node.name?.value) } : null;
}

/** Waits until `text` is on screen inside `within` (or anywhere). */
export async function axWaitForText(page: Page, text: string, opts: AxOptions = {}): Promise<void> {
  await poll(`text "${text}"${opts.within ? ` in ${opts.within.role} "${String(opts.within.name)}"` : ''}`, opts.timeout ?? 30_000, async () => {
    const tree = await axTree(page);
    const roots = opts.within ? tree.find(opts.within) : [tree.nodes[0]!];
    return roots.some((r) => tree.text(r).includes(text)) ? true : null;
  });
}

/** Clicks a control as the user does: found by role and name, scrolled into view, a real mouse click at its centre. */
export async function userClick(page: Page, target: AxTarget, opts: AxOptions = {}): Promise<void> {
  const session = await cdp(page);
  // Found, scrolled to and measured in one step, retried as a whole: a re-render (a live push refreshing the row)
  // may replace the node in between, and the user then clicks the control as it is now. One that is gone for good
  // times out here, naming the control.
  const [x, y] = await poll(`enabled ${describeTarget(target, opts)} with a box on screen`, opts.timeout ?? 30_000, async () => {
    const [node] = (await axTree(page)).find(target, opts.within);
    if (!node?.backendDOMNodeId) return null;
    if (node.properties?.some((p) => p.name === 'disabled' && p.value.value === true)) return null;
    const backendNodeId = node.backendDOMNodeId;
    await session.send('DOM.scrollIntoViewIfNeeded', { backendNodeId });
    const { quads } = (await session.send('DOM.getContentQuads', { backendNodeId })) as { quads: number[][] };
    const q = quads[0];
    if (!q) return null;
    return [(q[0]! + q[2]! + q[4]! + q[6]!) / 4, (q[1]! + q[3]! + q[5]! + q[7]!) / 4] as const;
  });
  await page.mouse.click(x, y);
}

/** What a script of the page could do with a control it got hold of: `element.click()` in the page's own world —
 *  an untrusted event. (The page cannot even reach the control: this uses the debugger to hand it over.) */
export async function scriptedClick(page: Page, target: AxTarget, opts: AxOptions = {}): Promise<void> {
  const session = await cdp(page);
  const [node] = (await axTree(page)).find(target, opts.within);
  if (!node?.backendDOMNodeId) throw new Error(`no ${describeTarget(target, opts)}`);
  const { object } = (await session.send('DOM.resolveNode', { backendNodeId: node.backendDOMNodeId })) as { object: { objectId: string } };
  await session.send('Runtime.callFunctionOn', {
    objectId: object.objectId,
    functionDeclaration: 'function () { this.click(); this.dispatchEvent(new MouseEvent("click", { bubbles: true, composed: true })); }',
  });
}

/** What a script of the page sees of the panel: its host element, and whether it can open its shadow root. */
export async function pageViewOfPanel(page: Page): Promise<{ host: boolean; shadowRoot: boolean; text: string }> {
  return page.evaluate(() => {
    const host = document.querySelector('pd-panel');
    return { host: !!host, shadowRoot: !!host?.shadowRoot, text: (host as HTMLElement | null)?.innerText ?? '' };
  });
}

/** axe-core's source, injected into the page under test (Chromium here, Firefox in firefox.ts). */
export const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** One axe violation: its rule, impact, help text and the nodes it found (their HTML, cut short). */
export interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  nodes: string[];
}

/** An async function (source) that runs axe under `selector` and answers, as JSON, its serious and critical
 *  violations of WCAG 2 A/AA and best practice. */
export const axeRunFunction = (selector: string) => `async () => {
  const r = await window.axe.run(${JSON.stringify(selector)}, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa', 'best-practice'] }, rules: { region: { enabled: false } } });
  return JSON.stringify(r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.html.slice(0, 160)) })));
}`;

/** A function (source) of the panel's HTML: copies it into an open container #pd-axe-copy on the page, where axe
 *  can see it (the panel's own shadow root is closed). */
export const AXE_COPY_FUNCTION = `(html) => {
  document.getElementById('pd-axe-copy')?.remove();
  const copy = document.createElement('div');
  copy.id = 'pd-axe-copy';
  copy.setAttribute('style', 'position:absolute;left:0;top:0;width:760px;z-index:2147483647');
  copy.innerHTML = html;
  // An open modal <dialog> is in the top layer; its copy keeps its place in the flow.
  for (const d of copy.querySelectorAll('dialog[open]')) d.setAttribute('style', 'position:static;display:block');
  document.body.append(copy);
}`;

/** axe under `selector` in a Chromium page, injected through the debugger (so the page's CSP does not apply). */
async function axeChromium(page: Page, selector: string): Promise<AxeViolation[]> {
  await page.evaluate(`if (!window.axe) { ${AXE_SOURCE}\n }`);
  return JSON.parse((await page.evaluate(`(${axeRunFunction(selector)})()`)) as string);
}

/** axe-core's serious and critical violations (WCAG 2 A/AA, best practice) on an extension page (the popup, the
 *  options page). */
export function axeViolationsChromium(page: Page): Promise<AxeViolation[]> {
  return axeChromium(page, 'html');
}

/** axe-core on the panel in Chromium. Its shadow root is closed, so axe (a page script) cannot see into it: as the
 *  Firefox check does (firefox.ts), what is on screen in the panel — its DOM, ARIA and own stylesheet, read through
 *  the debugger, which pierces closed roots — is copied into an open container on the same page and checked there. */
export async function axePanelViolationsChromium(page: Page): Promise<AxeViolation[]> {
  const cdp = await page.context().newCDPSession(page);
  try {
    interface DomNode {
      nodeId: number;
      localName?: string;
      children?: DomNode[];
      shadowRoots?: DomNode[];
    }
    const { root } = (await cdp.send('DOM.getDocument', { depth: -1, pierce: true })) as { root: DomNode };
    const find = (n: DomNode): DomNode | null => {
      if (n.localName === 'pd-panel' && n.shadowRoots?.length) return n;
      for (const c of [...(n.children ?? []), ...(n.shadowRoots ?? [])]) {
        const f = find(c);
        if (f) return f;
      }
      return null;
    };
    const host = find(root);
    if (!host) throw new Error('no panel on this page');
    let html = '';
    for (const child of host.shadowRoots![0]!.children ?? []) {
      html += ((await cdp.send('DOM.getOuterHTML', { nodeId: child.nodeId })) as { outerHTML: string }).outerHTML;
    }
    await page.evaluate(`(${AXE_COPY_FUNCTION})(${JSON.stringify(html)})`);
    return await axeChromium(page, '#pd-axe-copy');
  } finally {
    await page.evaluate(() => document.getElementById('pd-axe-copy')?.remove()).catch(() => {});
    await cdp.detach().catch(() => {});
  }
}
