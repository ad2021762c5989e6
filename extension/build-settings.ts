// Build-time settings, decided once from the build's environment (wxt.config.ts passes process.env). Pure, so the
// rules are unit-tested (test/build-settings.test.ts) and the runtime code can share the constants.
//
// A build is a DEVELOPMENT build exactly when its worker URL is on this machine (localhost, 127.0.0.0/8, [::1]):
// `npm start`, `npm run build` without WXT_PD_WORKER_URL, the e2e and bench builds. Only a development build also
// runs on the Dropbox emulator's web UI (WXT_PD_DROPBOX_WEB_ORIGIN, default http://localhost:8788). A production
// build (WXT_PD_WORKER_URL = the deployed worker) runs on https://www.dropbox.com only, and refuses to build when an
// emulator origin is set, so a stray variable cannot widen what a shipped extension reads.

/** The real Dropbox web app. */
export const DROPBOX_WEB_ORIGIN = 'https://www.dropbox.com';
/** `npm start`'s worker (scripts/local.mjs). */
export const DEV_WORKER_URL = 'http://localhost:8787';
/** `npm start`'s Dropbox emulator, whose web UI serves /home/… folder pages (emulator/src/web.ts). */
export const DEV_DROPBOX_WEB_ORIGIN = 'http://localhost:8788';

export interface BuildSettings {
  /** The worker the extension talks to by default (no trailing slash). */
  workerUrl: string;
  /** True when the worker URL is a loopback URL. */
  development: boolean;
  /** Origin of the Dropbox emulator's web UI the content script also runs on; null = www.dropbox.com only. */
  emulatorWebOrigin: string | null;
}

export type BuildEnv = Record<string, string | undefined>;

/** localhost, *.localhost, 127.0.0.0/8 and [::1]: a URL only this machine serves. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(h) || h === '[::1]';
}

function httpUrl(value: string, variable: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${variable}=${JSON.stringify(value)} is not a URL (expected e.g. http://localhost:8788)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`${variable}=${JSON.stringify(value)} must be an http(s) URL`);
  }
  return url;
}

/** Reads WXT_PD_WORKER_URL and WXT_PD_DROPBOX_WEB_ORIGIN. Throws (failing the build) on a value it cannot honour. */
export function buildSettings(env: BuildEnv): BuildSettings {
  const workerUrl = (env.WXT_PD_WORKER_URL?.trim() || DEV_WORKER_URL).replace(/\/+$/, '');
  const development = isLoopbackHost(httpUrl(workerUrl, 'WXT_PD_WORKER_URL').hostname);

  const raw = env.WXT_PD_DROPBOX_WEB_ORIGIN?.trim();
  let origin: string | null = null;
  if (raw) {
    const url = httpUrl(raw, 'WXT_PD_DROPBOX_WEB_ORIGIN');
    if (url.pathname !== '/' || url.search || url.hash || url.username || url.password) {
      throw new Error(
        `WXT_PD_DROPBOX_WEB_ORIGIN=${JSON.stringify(raw)} must be an origin only (scheme://host[:port]), e.g. ${DEV_DROPBOX_WEB_ORIGIN}`,
      );
    }
    origin = url.origin;
  }
  if (origin === DROPBOX_WEB_ORIGIN) return { workerUrl, development, emulatorWebOrigin: null };
  if (!development) {
    if (origin) {
      throw new Error(
        `WXT_PD_DROPBOX_WEB_ORIGIN=${origin} is for development builds only (a worker on localhost), but this build's worker is ${workerUrl}. ` +
          'Unset WXT_PD_DROPBOX_WEB_ORIGIN: a production build runs on https://www.dropbox.com only.',
      );
    }
    return { workerUrl, development, emulatorWebOrigin: null };
  }
  return { workerUrl, development, emulatorWebOrigin: origin ?? DEV_DROPBOX_WEB_ORIGIN };
}

/** The scheme://host[:port] part of a match pattern for an origin. Firefox's match patterns take no port (MDN;
 *  Firefox bugs 1362809, 1468162): there it is dropped, so the pattern covers every port of that host. */
export function patternOrigin(origin: string, browser: string): string {
  const url = new URL(origin);
  return browser === 'firefox' ? `${url.protocol}//${url.hostname}` : url.origin;
}

/** The content script's match patterns: every page of Dropbox's web app (a single-page app: a folder view can be
 *  reached in-page from any of its pages), plus the emulator's in a development build. The script activates on
 *  folder views and previews only (dropbox-page/url.ts). */
export function contentScriptMatches(settings: BuildSettings, browser: string): string[] {
  const origins = [DROPBOX_WEB_ORIGIN, ...(settings.emulatorWebOrigin ? [settings.emulatorWebOrigin] : [])];
  return [...new Set(origins.map((o) => `${patternOrigin(o, browser)}/*`))];
}

/** Host permissions: Dropbox, the emulator (development), and the worker's origin. */
export function hostPermissions(settings: BuildSettings, browser: string): string[] {
  const origins = [DROPBOX_WEB_ORIGIN, ...(settings.emulatorWebOrigin ? [settings.emulatorWebOrigin] : []), new URL(settings.workerUrl).origin];
  return [...new Set(origins.map((o) => `${patternOrigin(o, browser)}/*`))];
}
