import { defineConfig } from 'wxt';
import preact from '@preact/preset-vite';
import { resolve } from 'node:path';
import { buildSettings, contentScriptMatches, DROPBOX_WEB_ORIGIN, hostPermissions } from './build-settings';

// The worker the extension talks to (WXT_PD_WORKER_URL, default http://localhost:8787; the user can still change it
// in the popup's settings), and whether this is a development build: a worker on localhost makes one, and only a
// development build also runs on the Dropbox emulator's web UI (WXT_PD_DROPBOX_WEB_ORIGIN, default
// http://localhost:8788). See build-settings.ts.
const settings = buildSettings(process.env);

// Public half of the development signing key: it pins the extension id (oaiaeejnfngjihimhhifgbedfocmgghg) so the
// OAuth redirect https://<id>.chromiumapp.org/ stays the same across installs. Not a secret.
const CHROME_DEV_PUBLIC_KEY =
  'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAoZv53xAEWOnfVw+0EXMS5kLeAw6qxc8/NpAmSBPYhD5Jy9cnfCfVoTC/f+d42kgxSm3npw/aRCl+wbusfuXu48osd22BXvHopv+TLE6tUHYx/sICAwgd43r2qBZSrwB9sgD+SZRITJSCU774YMg7e3w793TH6qk6kzyCRXO7MFQdfk+DtU9aQsX25ggArNYztwePOzKTzem6zSCb0c0jplId3QR0SJAgLZ75hZb72iCp8TgsD0p8pJI5/C1+Anr2JyFgiAu730ygyUqk0LGpFNTEKFDAX+W2dcWoewyjwHcTPt2OsqXVw0UuFhBp3xQf3G9ZEX2tSAK2B2G4PLAUxwIDAQAB';

export default defineConfig({
  srcDir: '.',
  // e2e and bench build into their own folder so they never clobber a developer's .output.
  outDir: process.env.PD_EXTENSION_OUT_DIR || '.output',
  vite: () => ({
    plugins: [preact()],
    build: process.env.PD_SOURCEMAP ? { sourcemap: true } : {},
    define: {
      'import.meta.env.WXT_PD_WORKER_URL': JSON.stringify(settings.workerUrl),
      // Read by dropbox-page/url.ts: '' in a production build, so the emulator's origin is not even in the code.
      'import.meta.env.WXT_PD_DROPBOX_WEB_ORIGIN': JSON.stringify(settings.emulatorWebOrigin ?? ''),
      // Read by utils/storage.ts: the options page shows development-only fields only in a development build.
      'import.meta.env.WXT_PD_DEVELOPMENT': JSON.stringify(String(settings.development)),
    },
  }),
  hooks: {
    // The content script declares https://www.dropbox.com/*; a development build adds the emulator's pages.
    'build:manifestGenerated'(wxt, manifest) {
      for (const script of manifest.content_scripts ?? []) {
        if (script.matches?.includes(`${DROPBOX_WEB_ORIGIN}/*`)) script.matches = contentScriptMatches(settings, wxt.config.browser);
      }
    },
    // wxt/browser -> Mozilla's webextension-polyfill (the same promise API in Chrome and Firefox) in the background
    // and the popup, which use many extension APIs. The content script only reads runtime.id and listens to
    // storage.onChanged, which both browsers' native `browser`/`chrome` offer as is: it skips the polyfill to stay
    // small (~3 kB gzipped) on every Dropbox page.
    'vite:build:extendConfig'(entrypoints, config) {
      if (entrypoints.every((e) => e.type === 'content-script')) return;
      const polyfill = { find: /^wxt\/browser$/, replacement: resolve(import.meta.dirname, 'platform/browser.ts') };
      config.resolve ??= {};
      const alias = config.resolve.alias;
      config.resolve.alias = Array.isArray(alias)
        ? [polyfill, ...alias]
        : [polyfill, ...Object.entries(alias ?? {}).map(([find, replacement]) => ({ find, replacement: String(replacement) }))];
    },
  },
  manifest: ({ browser }) => ({
    // Translated by the browser from public/_locales/<lang>/messages.json (en, es, de, ja; English by default).
    name: '__MSG_ext_name__',
    description: '__MSG_ext_description__',
    default_locale: 'en',
    permissions: ['identity', 'storage', 'alarms', 'notifications'],
    host_permissions: hostPermissions(settings, browser),
    action: { default_title: 'Producer Dashboard' },
    // Firefox: what the add-on transmits, in Mozilla's data-collection categories (shown at install; PRIVACY.md says
    // more): the Dropbox sign-in (authorization code, PKCE verifier) and the PD session token → authenticationInfo;
    // the path of the Dropbox folder on screen, sent to look its track up → browsingActivity. Desktop only: sign-in
    // needs identity.launchWebAuthFlow, which Firefox for Android does not have, so no gecko_android key (and AMO's
    // upload form gets "Firefox" only). 142: the first version whose desktop and Android builds both know
    // data_collection_permissions (web-ext lint warns below that).
    // Chrome: the development key pins the dev id; a store package must not carry a `key` (the store assigns the id).
    ...(browser === 'firefox'
      ? {
          browser_specific_settings: {
            gecko: {
              id: 'producer-dashboard@pd.example',
              strict_min_version: '142.0',
              data_collection_permissions: { required: ['authenticationInfo', 'browsingActivity'] },
            },
          },
        }
      : settings.development
        ? { key: CHROME_DEV_PUBLIC_KEY }
        : {}),
  }),
  zip: {
    // The Firefox sources zip is the whole monorepo (the extension imports @pd/shared).
    sourcesRoot: '..',
    excludeSources: [
      '**/node_modules/**',
      '**/.output/**',
      '**/.wxt/**',
      '**/.wrangler/**',
      '**/.tmp/**',
      '.git/**',
      'extension/e2e/screenshots/**',
      'extension/e2e/artifacts/**',
      'extension/.e2e-output/**',
    ],
  },
});
