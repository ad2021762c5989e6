// Firefox end to end: Debian's firefox-esr driven over WebDriver BiDi by puppeteer-core, the development build of
// the add-on installed as a temporary add-on (`browser.installExtension(dir)`), one browser (and profile) per person.
//
// The panel sits in a closed shadow root. BiDi serialises an element's shadow root (closed ones too) as a node
// reference, so the tests look controls up there by role and accessible name (`browsingContext.locateNodes`, the
// accessibility locator, started at the shadow root) and click them with BiDi input actions: real pointer events at
// the control's on-screen centre (`isTrusted === true`), the same as a user's click. Page scripts still see nothing.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { AXE_COPY_FUNCTION, AXE_SOURCE, SCREENSHOTS, axeRunFunction, type AxName, type AxTarget, type AxeViolation, type Stack } from './harness';

const FIREFOX = process.env.FIREFOX_PATH || '/usr/bin/firefox-esr';
/** browser_specific_settings.gecko.id in wxt.config.ts. */
export const GECKO_ID = 'producer-dashboard@pd.example';

export interface FirefoxProfile {
  name: string;
  browser: Browser;
  /** The add-on's internal UUID (pinned by a pref, so its pages have a known moz-extension:// origin). */
  uuid: string;
  /** The welcome tab the add-on opens on install: an extension page, from which the tests open the popup's page
   *  (WebDriver BiDi may not navigate to moz-extension:// URLs itself) and read the add-on's storage. */
  launcher: Tab;
  close(): Promise<void>;
}

/** `colorScheme`: what pages see as prefers-color-scheme (the e2e runs one person in each, for both palettes). */
export async function launchFirefox(stack: Stack, name: string, opts: { colorScheme?: 'light' | 'dark' } = {}): Promise<FirefoxProfile> {
  if (!existsSync(FIREFOX)) throw new Error(`Firefox not found at ${FIREFOX}: apt-get install -y firefox-esr`);
  if (!stack.firefoxExtensionPath) throw new Error("startStack({ browser: 'firefox' }) builds the Firefox add-on");
  const dir = join(stack.tmp, `firefox-${name}`);
  mkdirSync(dir, { recursive: true });
  const uuid = randomUUID();
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    userDataDir: dir,
    defaultViewport: { width: 1280, height: 860 },
    extraPrefsFirefox: {
      'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: uuid }),
      // MV3 host permissions are granted at install, as for a user who accepts the install prompt.
      'extensions.originControls.grantByDefault': true,
      // Nothing but loopback: www.dropbox.com must never be reached from a test.
      'network.dns.localDomains': 'www.dropbox.com',
      'browser.shell.checkDefaultBrowser': false,
      'datareporting.policy.dataSubmissionEnabled': false,
      'toolkit.telemetry.enabled': false,
      'app.update.enabled': false,
      // 0 = dark, 1 = light: what prefers-color-scheme answers in web pages and the add-on's pages.
      'layout.css.prefers-color-scheme.content-override': opts.colorScheme === 'dark' ? 0 : 1,
      // Notifications as Firefox's own alert windows (no desktop notification service in a headless CI).
      'alerts.useSystemBackend': false,
      'alerts.disableSlidingEffect': true,
    },
  });
  await browser.installExtension(stack.firefoxExtensionPath);
  const launcher = await extensionTab(browser, (url) => url.startsWith(`moz-extension://${uuid}/welcome.html`));
  // Headless Firefox shows a notification for a few seconds only (then getAll() no longer lists it): the welcome
  // tab, an extension page, hears every one the add-on shows (or that closes at once).
  await evaluate(
    launcher,
    `(() => { window.__pdShown = []; const seen = (id) => window.__pdShown.push(id); browser.notifications.onShown.addListener(seen); browser.notifications.onClosed.addListener(seen); })()`,
  );
  return { name, browser, uuid, launcher, close: () => browser.close() };
}

export const popupUrlFirefox = (p: FirefoxProfile) => `moz-extension://${p.uuid}/popup.html`;

/** A tab driven over raw BiDi: the add-on's own pages, which puppeteer does not always hand out as Pages. */
export interface Tab {
  conn: BidiConnection;
  id: string;
  close(): Promise<void>;
}
export type AnyTab = Tab | Page;
const isPage = (t: AnyTab): t is Page => typeof (t as Page).mainFrame === 'function';
const conn = (browser: Browser): BidiConnection => (browser as unknown as { connection: BidiConnection }).connection;

async function contexts(c: BidiConnection): Promise<{ context: string; url: string }[]> {
  const { result } = await c.send('browsingContext.getTree', { maxDepth: 0 });
  return result.contexts as { context: string; url: string }[];
}

/** The first top-level context whose URL passes `test` (and is not in `known`). */
async function extensionTab(browser: Browser, test: (url: string) => boolean, known = new Set<string>()): Promise<Tab> {
  const c = conn(browser);
  const id = await poll(
    'an extension page',
    30_000,
    async () => (await contexts(c)).find((x) => test(x.url) && !known.has(x.context))?.context ?? null,
  );
  return { conn: c, id, close: () => c.send('browsingContext.close', { context: id }).then(() => {}) };
}

/** Evaluates an expression in the tab's page (its own realm: an extension page sees `browser`). */
export async function evaluate<T>(tab: AnyTab, expression: string): Promise<T> {
  const { result } = await bidiOf(tab).send('script.evaluate', {
    expression,
    awaitPromise: true,
    target: { context: idOf(tab) },
    resultOwnership: 'none',
  });
  const r = result as { type: string; result?: unknown; exceptionDetails?: { text?: string } };
  if (r.type !== 'success') throw new Error(`evaluate failed: ${r.exceptionDetails?.text ?? JSON.stringify(r)}`);
  return deserialize(r.result) as T;
}

/** BiDi remote values → JSON (the shapes the tests read: strings, numbers, booleans, arrays, objects). */
function deserialize(v: unknown): unknown {
  const r = v as { type: string; value?: unknown };
  switch (r.type) {
    case 'array':
      return (r.value as unknown[]).map(deserialize);
    case 'object':
      return Object.fromEntries(
        (r.value as [unknown, unknown][]).map(([k, x]) => [typeof k === 'string' ? k : String(deserialize(k)), deserialize(x)]),
      );
    case 'undefined':
    case 'null':
      return null;
    default:
      return r.value;
  }
}

export async function openPopupFirefox(p: FirefoxProfile): Promise<Tab> {
  const known = new Set((await contexts(conn(p.browser))).map((x) => x.context));
  await evaluate(p.launcher, `void window.open('/popup.html')`);
  const tab = await extensionTab(p.browser, (url) => url === popupUrlFirefox(p), known);
  await tab.conn.send('browsingContext.setViewport', { context: tab.id, viewport: { width: 400, height: 640 } });
  await tab.conn.send('browsingContext.activate', { context: tab.id });
  return tab;
}

/** The emulator's Dropbox-like web UI, signed in as `email` (a cookie in this profile), at that person's folder. */
export async function openEmulatorFolderFirefox(stack: Stack, p: FirefoxProfile, email: string, dropboxPath: string): Promise<Page> {
  const home =
    '/home' +
    dropboxPath
      .split('/')
      .filter(Boolean)
      .map((s) => '/' + encodeURIComponent(s))
      .join('');
  const page = await p.browser.newPage();
  await page.goto(`${stack.emu.url}/login?account=${encodeURIComponent(email)}&next=${encodeURIComponent(home)}`);
  if (new URL(page.url()).pathname !== home) throw new Error(`the emulator's web UI did not open ${home} for ${email} (at ${page.url()})`);
  return page;
}

// ---------------------------------------------------------------------------------------------------------------
// BiDi plumbing.

interface NodeRef {
  sharedId: string;
  value?: { localName?: string; shadowRoot?: { sharedId: string } | null };
}
interface BidiConnection {
  send(method: string, params: unknown): Promise<{ result: Record<string, unknown> }>;
}
const bidiOf = (t: AnyTab): BidiConnection => (isPage(t) ? conn(t.browser()) : t.conn);
const idOf = (t: AnyTab): string => (isPage(t) ? (t.mainFrame() as unknown as { _id: string })._id : t.id);

async function locate(page: AnyTab, locator: unknown, startNodes?: NodeRef[]): Promise<NodeRef[]> {
  const params: Record<string, unknown> = { context: idOf(page), locator };
  if (startNodes) params.startNodes = startNodes.map((n) => ({ sharedId: n.sharedId }));
  const { result } = await bidiOf(page).send('browsingContext.locateNodes', params);
  return result.nodes as NodeRef[];
}

/** Runs `fn` on the nodes in an isolated sandbox (not the page's own scripts' world). */
async function call<T>(page: AnyTab, fn: string, ...nodes: NodeRef[]): Promise<T> {
  const { result } = await bidiOf(page).send('script.callFunction', {
    functionDeclaration: fn,
    arguments: nodes.map((n) => ({ sharedId: n.sharedId })),
    awaitPromise: true,
    target: { context: idOf(page), sandbox: 'pd-e2e' },
    resultOwnership: 'none',
  });
  const r = result as { type: string; result?: { value?: unknown }; exceptionDetails?: { text?: string } };
  if (r.type !== 'success') throw new Error(`script failed: ${r.exceptionDetails?.text ?? JSON.stringify(r)}`);
  return r.result?.value as T;
}

/** Where to search: the page itself (the popup), plus every closed shadow root of a panel host on it. */
async function roots(page: AnyTab): Promise<NodeRef[] | undefined> {
  const hosts = await locate(page, { type: 'css', value: 'pd-panel' });
  const shadows = hosts.flatMap((h) => (h.value?.shadowRoot ? [h.value.shadowRoot] : []));
  return shadows.length > 0 ? shadows : undefined;
}

export interface FfOptions {
  within?: AxTarget;
  timeout?: number;
}

const axLocator = (t: AxTarget) => ({ type: 'accessibility', value: typeof t.name === 'string' ? { role: t.role, name: t.name } : { role: t.role } });
const nameMatches = (name: AxName, value: string) => (typeof name === 'string' ? value === name : name.test(value));

/** Nodes with this role and (exact or matching) accessible name, inside `within` if given. */
async function find(page: AnyTab, target: AxTarget, opts: FfOptions = {}): Promise<NodeRef[]> {
  let starts = await roots(page);
  // A modal <dialog> is in the top layer: Firefox's accessibility tree hangs it off the document, not off the panel
  // region it sits in (in the DOM), so a dialog is looked up in the panel's shadow root as a whole.
  if (opts.within && target.role !== 'dialog') {
    starts = await find(page, opts.within);
    if (starts.length === 0) return [];
  }
  if (typeof target.name === 'string') {
    const nodes = await locate(page, axLocator(target), starts);
    if (nodes.length > 0) return nodes;
  }
  // By role, then the name as the DOM gives it: Firefox's locator does not always resolve aria-labelledby inside a
  // shadow root, and a RegExp name needs this anyway.
  const nodes = await locate(page, { type: 'accessibility', value: { role: target.role } }, starts);
  const out: NodeRef[] = [];
  for (const n of nodes) if (nameMatches(target.name, await accessibleName(page, n))) out.push(n);
  return out;
}

/** Good enough for the regex matches the tests use: aria-label, else the labelled-by text, else the text. */
const accessibleName = (page: AnyTab, n: NodeRef) =>
  call<string>(
    page,
    `(el) => { const root = el.getRootNode(); const by = el.getAttribute('aria-labelledby');
      const t = el.getAttribute('aria-label') || (by && by.split(' ').map((id) => root.getElementById(id)?.textContent ?? '').join(' ')) || el.textContent || '';
      return t.replace(/\\s+/g, ' ').trim(); }`,
    n,
  );

const describe = (t: AxTarget, o: FfOptions) => `${t.role} "${String(t.name)}"${o.within ? ` in ${o.within.role} "${String(o.within.name)}"` : ''}`;

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
    await sleep(150);
  }
}

const TEXT = `(el) => (el.innerText || el.textContent || '').replace(/\\s+/g, ' ').trim()`;

export async function ffCount(page: AnyTab, target: AxTarget, opts: FfOptions = {}): Promise<number> {
  return (await find(page, target, opts)).length;
}

/** Waits until the node is there; returns the text a user reads in it. */
export async function ffWaitFor(page: AnyTab, target: AxTarget, opts: FfOptions = {}): Promise<string> {
  return poll(describe(target, opts), opts.timeout ?? 30_000, async () => {
    const [n] = await find(page, target, opts);
    return n ? call<string>(page, TEXT, n) : null;
  });
}

export async function ffText(page: AnyTab, target: AxTarget, opts: FfOptions = {}): Promise<string> {
  const [n] = await find(page, target, opts);
  return n ? call<string>(page, TEXT, n) : '';
}

export async function ffWaitForText(page: AnyTab, text: string, opts: FfOptions = {}): Promise<void> {
  await poll(`text "${text}"`, opts.timeout ?? 30_000, async () => {
    const scopes = opts.within ? await find(page, opts.within) : ((await roots(page)) ?? (await locate(page, { type: 'css', value: 'body' })));
    for (const s of scopes) if ((await call<string>(page, `(el) => (el.textContent || '').replace(/\\s+/g, ' ')`, s)).includes(text)) return true;
    return null;
  });
}

/** A user's click: the control found by role and name, scrolled into view, then a BiDi pointer move to its centre,
 *  press and release — input events the browser marks trusted. */
export async function ffClick(page: AnyTab, target: AxTarget, opts: FfOptions = {}): Promise<void> {
  const node = await poll(`enabled ${describe(target, opts)}`, opts.timeout ?? 30_000, async () => {
    const [n] = await find(page, target, opts);
    if (!n) return null;
    return (await call<boolean>(page, '(el) => el.disabled === true || el.getAttribute("aria-disabled") === "true"', n)) ? null : n;
  });
  await call(page, `(el) => el.scrollIntoView({ block: 'center', inline: 'center' })`, node);
  await bidiOf(page).send('input.performActions', {
    context: idOf(page),
    actions: [
      {
        type: 'pointer',
        id: 'pd-e2e-mouse',
        parameters: { pointerType: 'mouse' },
        actions: [
          { type: 'pointerMove', x: 0, y: 0, origin: { type: 'element', element: { sharedId: node.sharedId } } },
          { type: 'pointerDown', button: 0 },
          { type: 'pointerUp', button: 0 },
        ],
      },
    ],
  });
  await bidiOf(page).send('input.releaseActions', { context: idOf(page) });
}

/** What a page script could do with a control it got hold of: click() — an untrusted event. */
export async function ffScriptedClick(page: AnyTab, target: AxTarget, opts: FfOptions = {}): Promise<void> {
  const [n] = await find(page, target, opts);
  if (!n) throw new Error(`no ${describe(target, opts)}`);
  await call(page, '(el) => { el.click(); el.dispatchEvent(new MouseEvent("click", { bubbles: true, composed: true })); }', n);
}

/** Keys typed as a user does (BiDi key actions: trusted). */
export async function ffKeys(page: AnyTab, ...keys: string[]): Promise<void> {
  await bidiOf(page).send('input.performActions', {
    context: idOf(page),
    actions: [
      {
        type: 'key',
        id: 'pd-e2e-keyboard',
        actions: keys.flatMap((k) => [
          { type: 'keyDown', value: k },
          { type: 'keyUp', value: k },
        ]),
      },
    ],
  });
}

/** The accessible name (aria-label or text) of the element that has focus, looking into shadow roots. */
export async function ffFocused(page: AnyTab): Promise<string> {
  const scopes = (await roots(page)) ?? [];
  for (const s of scopes) {
    const name = await call<string>(
      page,
      `(root) => { const el = root.activeElement; return el ? (el.getAttribute('aria-label') || el.textContent || '').trim() : ''; }`,
      s,
    );
    if (name) return name;
  }
  return evaluate<string>(
    page,
    `(() => { const el = document.activeElement; return el && el !== document.body ? (el.getAttribute('aria-label') || el.textContent || '').trim() : ''; })()`,
  );
}

/** Runs `fn` in the add-on's own popup page (an extension page: it may read storage.session and notifications). */
export async function inExtension<T>(p: FirefoxProfile, fn: string): Promise<T> {
  return evaluate<T>(p.launcher, `(async () => (${fn})(globalThis.browser))()`);
}

export async function firefoxSession(p: FirefoxProfile): Promise<string> {
  return inExtension<string>(p, `async (browser) => (await browser.storage.session.get('session')).session?.token ?? ''`);
}

export async function firefoxNotificationIds(p: FirefoxProfile): Promise<string[]> {
  return inExtension<string[]>(
    p,
    `async (browser) => [...new Set([...Object.keys(await browser.notifications.getAll()), ...(window.__pdShown ?? [])])]`,
  );
}

export async function ffShot(page: AnyTab, file: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const { result } = await bidiOf(page).send('browsingContext.captureScreenshot', { context: idOf(page) });
  writeFileSync(join(SCREENSHOTS, file), Buffer.from(result.data as string, 'base64'));
}

// ---------------------------------------------------------------------------------------------------------------
// Accessibility check (axe-core). The panel's shadow root is closed, so axe (a page script) cannot see into it: the
// check copies what is on screen in the panel — its DOM, ARIA and its own stylesheet — into an open container on
// the same page and runs axe there. Extension pages (the popup) are checked as they are.

/** axe's serious and critical violations (WCAG 2 A/AA and best practice) on the panel, or on the whole page. */
export async function axeViolations(page: AnyTab, scope: 'panel' | 'page'): Promise<AxeViolation[]> {
  const c = bidiOf(page);
  const ctx = idOf(page);
  const inPage = async (fn: string, args: NodeRef[] = []) => {
    const { result } = await c.send('script.callFunction', {
      functionDeclaration: fn,
      arguments: args.map((n) => ({ sharedId: n.sharedId })),
      awaitPromise: true,
      target: { context: ctx },
      resultOwnership: 'none',
    });
    const r = result as { type: string; result?: unknown; exceptionDetails?: { text?: string } };
    if (r.type !== 'success') throw new Error(`axe: ${r.exceptionDetails?.text ?? JSON.stringify(r)}`);
    return deserialize(r.result);
  };
  await c.send('script.evaluate', { expression: `if (!window.axe) { ${AXE_SOURCE}\n }`, awaitPromise: false, target: { context: ctx } });
  let selector = 'html';
  if (scope === 'panel') {
    const shadows = (await roots(page)) ?? [];
    if (shadows.length === 0) throw new Error('no panel on this page');
    await inPage(`(root) => (${AXE_COPY_FUNCTION})(root.innerHTML)`, shadows);
    selector = '#pd-axe-copy';
  }
  try {
    const out = (await inPage(axeRunFunction(selector))) as string;
    return JSON.parse(out) as AxeViolation[];
  } finally {
    if (scope === 'panel') await inPage(`() => document.getElementById('pd-axe-copy')?.remove()`);
  }
}
