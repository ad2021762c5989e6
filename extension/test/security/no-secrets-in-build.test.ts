// @vitest-environment node
// "The app secret never reaches the extension": build the Chrome and Firefox extensions (production, as shipped)
// in a shell where the worker's secrets are set, as they would be on a developer's machine, and scan every file
// of both builds for those secrets, the project's known secret values, and generic secret shapes. The scanner is
// first shown to catch secrets planted in a build-like folder.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filesUnder, scanDir, type Finding } from './secret-scan.ts';

const extensionDir = path.resolve(import.meta.dirname, '../..');
const repo = path.resolve(extensionDir, '..');
const out = mkdtempSync(path.join(tmpdir(), 'pd-secret-scan-'));

const random = (bytes: number) => Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString('base64');

/** Secrets present in the build's environment for this run: if the build pulled any env into the bundle, they show. */
const BUILD_ENV_SECRETS = {
  DROPBOX_APP_SECRET: `app-secret-${random(18).replace(/[+/=]/g, '')}`,
  TOKEN_ENCRYPTION_KEY: random(32),
  WXT_PD_PLANTED_SECRET: `wxt-${random(18).replace(/[+/=]/g, '')}`,
  VITE_PD_PLANTED_SECRET: `vite-${random(18).replace(/[+/=]/g, '')}`,
};

/** The project's own secret values: local defaults (scripts/local.mjs), the test worker's, and any .dev.vars. */
function knownSecrets(): Record<string, string> {
  const found: Record<string, string> = {};
  const grab = (file: string, re: RegExp, label: string) => {
    if (!existsSync(file)) return;
    for (const m of readFileSync(file, 'utf8').matchAll(re)) found[`${label}:${m[1]}`] = m[2] ?? '';
  };
  grab(path.join(repo, 'scripts/local.mjs'), /(appSecret|tokenKey):\s*'([^']+)'/g, 'scripts/local.mjs');
  grab(path.join(repo, 'worker/vitest.config.ts'), /(DROPBOX_APP_SECRET|TOKEN_ENCRYPTION_KEY):\s*'([^']+)'/g, 'worker/vitest.config.ts');
  grab(path.join(repo, 'worker/test/global-setup.ts'), /(EMULATOR_APP_SECRET)\s*=\s*'([^']+)'/g, 'worker/test/global-setup.ts');
  for (const vars of ['.dev.vars', 'worker/.dev.vars'])
    grab(path.join(repo, vars), /^\s*([A-Z_]*(?:SECRET|KEY|TOKEN)[A-Z_]*)\s*=\s*"?([^"\n]+)"?/gm, vars);
  // Not secrets: the public OAuth client id.
  for (const k of Object.keys(found)) if (/APP_KEY/.test(k)) delete found[k];
  return found;
}

function build(browserArgs: string[]) {
  const r = spawnSync('npx', ['wxt', 'build', ...browserArgs], {
    cwd: extensionDir,
    encoding: 'utf8',
    env: { ...process.env, ...BUILD_ENV_SECRETS, PD_EXTENSION_OUT_DIR: out, WXT_PD_WORKER_URL: 'https://pd-worker.example.workers.dev' },
  });
  if (r.status !== 0) throw new Error(`wxt build ${browserArgs.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
}

const show = (f: Finding[]) => f.map((x) => `${x.file}: ${x.what} … ${JSON.stringify(x.excerpt)}`);

beforeAll(() => {
  build([]);
  build(['-b', 'firefox', '--mv3']);
}, 180_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('no secret in the built extension', () => {
  it('the scanner catches secrets planted in a build (values in any encoding, and generic secret shapes)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pd-planted-'));
    try {
      const secrets = { ...knownSecrets(), ...BUILD_ENV_SECRETS };
      const appSecret = BUILD_ENV_SECRETS.DROPBOX_APP_SECRET;
      const plant = (name: string, text: string) => {
        mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
        writeFileSync(path.join(dir, name), text);
      };
      plant('clean.js', 'const a=1;export{a};');
      plant('background.js', `var t={clientId:"pd-local-app-key",s:"${appSecret}"};`);
      plant('chunks/b64.js', `atob("${Buffer.from(appSecret).toString('base64')}")`);
      plant('chunks/hex.js', `"${Buffer.from(BUILD_ENV_SECRETS.TOKEN_ENCRYPTION_KEY, 'base64').toString('hex')}"`);
      plant('content-scripts/key.js', `const k="${random(32)}";`);
      plant('icon/x.png', `\x89PNG\x00\x00-----BEGIN PRIVATE KEY-----\nMIIE\n`);
      plant('popup.js', 'fetch(u,{body:"grant_type=authorization_code&client_secret="+s})');
      plant('manifest.json', `{"name":"x","token":"sl.${'B'.repeat(40)}"}`);
      plant('options.js', `const cfg={apiKey:"0123456789abcdef"}`);
      const findings = scanDir(dir, secrets);
      const by = (file: string) => findings.filter((f) => f.file === file).map((f) => f.what);
      expect(by('clean.js')).toEqual([]);
      expect(by('background.js')).toContain('secret value DROPBOX_APP_SECRET');
      expect(by(path.join('chunks', 'b64.js'))).toContain('secret value DROPBOX_APP_SECRET');
      expect(by(path.join('chunks', 'hex.js'))).toContain('secret value TOKEN_ENCRYPTION_KEY');
      expect(by(path.join('content-scripts', 'key.js'))).toContain('base64 32-byte key');
      expect(by(path.join('icon', 'x.png'))).toContain('private key');
      expect(by('popup.js')).toContain('OAuth client secret');
      expect(by('manifest.json')).toContain('Dropbox access token');
      expect(by('options.js')).toContain('secret-named literal');
      // The project's own known values are recognised too.
      for (const [name, value] of Object.entries(knownSecrets())) {
        plant('known.js', `x="${value}"`);
        expect(
          scanDir(dir, { [name]: value })
            .filter((f) => f.file === 'known.js')
            .map((f) => f.what),
        ).toContain(`secret value ${name}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('knows the project’s secret values it is looking for', () => {
    const names = Object.keys(knownSecrets());
    expect(names).toEqual(expect.arrayContaining(['scripts/local.mjs:appSecret', 'scripts/local.mjs:tokenKey']));
  });

  for (const target of ['chrome-mv3', 'firefox-mv3']) {
    it(`${target}: no file contains a secret`, () => {
      const dir = path.join(out, target);
      const files = filesUnder(dir);
      expect(files.map((f) => path.relative(dir, f))).toEqual(expect.arrayContaining(['manifest.json', 'background.js']));
      expect(show(scanDir(dir, { ...knownSecrets(), ...BUILD_ENV_SECRETS }))).toEqual([]);
    });
  }

  for (const target of ['chrome-mv3', 'firefox-mv3']) {
    it(`${target}: the manifest asks for no more than it needs (Dropbox and the worker, identity, storage, alarms, notifications)`, () => {
      const manifest = JSON.parse(readFileSync(path.join(out, target, 'manifest.json'), 'utf8'));
      expect([...manifest.permissions].sort()).toEqual(['alarms', 'identity', 'notifications', 'storage']);
      expect([...manifest.host_permissions].sort()).toEqual(['https://pd-worker.example.workers.dev/*', 'https://www.dropbox.com/*']);
      expect(manifest.optional_permissions ?? []).toEqual([]);
      expect(manifest.optional_host_permissions ?? []).toEqual([]);
      // No web page can message the extension or load its files; content scripts only on Dropbox's own pages (all of
      // them: the web app navigates in-page; the script activates on folder views and previews only).
      expect(manifest.externally_connectable).toBeUndefined();
      expect(manifest.web_accessible_resources ?? []).toEqual([]);
      expect(manifest.content_scripts.flatMap((c: { matches: string[] }) => c.matches)).toEqual(['https://www.dropbox.com/*']);
      // The default MV3 content security policy (no remote code, no eval) is not loosened.
      expect(manifest.content_security_policy).toBeUndefined();
    });
  }

  it('the extension’s own builds in extension/.output (if any were made) are clean too', () => {
    for (const target of ['chrome-mv3', 'firefox-mv3']) {
      const dir = path.join(extensionDir, '.output', target);
      if (!existsSync(dir)) continue;
      expect(show(scanDir(dir, knownSecrets()))).toEqual([]);
    }
  });
});

describe('the production build reads Dropbox only', () => {
  // Built above with WXT_PD_WORKER_URL on https and no emulator origin. The manifest test above shows the content
  // script matches https://www.dropbox.com/* only; a development build would also carry the Dropbox emulator's
  // web origin (build-settings.ts), which must not be anywhere in the shipped code.
  for (const target of ['chrome-mv3', 'firefox-mv3']) {
    it(`${target}: the Dropbox emulator's web origin is in no file`, () => {
      const dir = path.join(out, target);
      const files = filesUnder(dir).filter((f) => /\.(js|json|html)$/.test(f));
      expect(files.length).toBeGreaterThan(3);
      const withEmulator = files.filter((f) => /localhost:8788|WXT_PD_DROPBOX_WEB_ORIGIN/.test(readFileSync(f, 'utf8')));
      expect(withEmulator.map((f) => path.relative(dir, f))).toEqual([]);
    });
  }
});
