// @vitest-environment node
// How a build decides development vs production, and what each may read (wxt.config.ts uses exactly these).
import { describe, expect, it } from 'vitest';
import { buildSettings, contentScriptMatches, hostPermissions, isLoopbackHost } from '../build-settings';

describe('build settings', () => {
  it('a build without settings is a development build for npm start: local worker and the emulator web UI', () => {
    const s = buildSettings({});
    expect(s).toEqual({ workerUrl: 'http://localhost:8787', development: true, emulatorWebOrigin: 'http://localhost:8788' });
    expect(contentScriptMatches(s, 'chrome')).toEqual(['https://www.dropbox.com/*', 'http://localhost:8788/*']);
    expect(hostPermissions(s, 'chrome')).toEqual(['https://www.dropbox.com/*', 'http://localhost:8788/*', 'http://localhost:8787/*']);
  });

  it("npm start's build (WXT_PD_WORKER_URL=http://localhost:8787) is the same development build", () => {
    expect(buildSettings({ WXT_PD_WORKER_URL: 'http://localhost:8787/' })).toEqual(buildSettings({}));
  });

  it('a production build (worker on https, no emulator origin) runs on https://www.dropbox.com/* only', () => {
    const s = buildSettings({ WXT_PD_WORKER_URL: 'https://pd-worker.example.workers.dev' });
    expect(s).toEqual({ workerUrl: 'https://pd-worker.example.workers.dev', development: false, emulatorWebOrigin: null });
    for (const browser of ['chrome', 'firefox']) {
      expect(contentScriptMatches(s, browser)).toEqual(['https://www.dropbox.com/*']);
      expect(hostPermissions(s, browser)).toEqual(['https://www.dropbox.com/*', 'https://pd-worker.example.workers.dev/*']);
    }
  });

  it('a production build refuses an emulator origin instead of shipping it', () => {
    expect(() => buildSettings({ WXT_PD_WORKER_URL: 'https://pd.example.com', WXT_PD_DROPBOX_WEB_ORIGIN: 'http://localhost:8788' })).toThrow(
      /WXT_PD_DROPBOX_WEB_ORIGIN=http:\/\/localhost:8788 is for development builds only/,
    );
    // A worker on another machine over plain http is not a development build either.
    expect(() => buildSettings({ WXT_PD_WORKER_URL: 'http://pd.example.com', WXT_PD_DROPBOX_WEB_ORIGIN: 'http://pd.example.com:8788' })).toThrow(
      /development builds only/,
    );
    // Naming Dropbox itself changes nothing.
    expect(
      buildSettings({ WXT_PD_WORKER_URL: 'https://pd.example.com', WXT_PD_DROPBOX_WEB_ORIGIN: 'https://www.dropbox.com/' }).emulatorWebOrigin,
    ).toBeNull();
  });

  it('a development build takes another emulator origin (normalised), or none when it is www.dropbox.com', () => {
    const s = buildSettings({ WXT_PD_WORKER_URL: 'http://127.0.0.1:40111', WXT_PD_DROPBOX_WEB_ORIGIN: ' http://127.0.0.1:40222/ ' });
    expect(s).toEqual({ workerUrl: 'http://127.0.0.1:40111', development: true, emulatorWebOrigin: 'http://127.0.0.1:40222' });
    expect(contentScriptMatches(s, 'chrome')).toEqual(['https://www.dropbox.com/*', 'http://127.0.0.1:40222/*']);
    expect(buildSettings({ WXT_PD_DROPBOX_WEB_ORIGIN: 'https://www.dropbox.com' }).emulatorWebOrigin).toBeNull();
  });

  it('Firefox patterns carry no port (Firefox ignores ports in match patterns)', () => {
    const s = buildSettings({});
    expect(contentScriptMatches(s, 'firefox')).toEqual(['https://www.dropbox.com/*', 'http://localhost/*']);
    expect(hostPermissions(s, 'firefox')).toEqual(['https://www.dropbox.com/*', 'http://localhost/*']);
  });

  it.each([
    'localhost:8788',
    'http://localhost:8788/home',
    'http://localhost:8788/?x=1',
    'ftp://localhost:8788',
    'http://user:pw@localhost:8788',
    'not a url',
  ])('refuses WXT_PD_DROPBOX_WEB_ORIGIN=%s', (value) => {
    expect(() => buildSettings({ WXT_PD_DROPBOX_WEB_ORIGIN: value })).toThrow(/WXT_PD_DROPBOX_WEB_ORIGIN/);
  });

  it('refuses a worker URL that is not http(s)', () => {
    expect(() => buildSettings({ WXT_PD_WORKER_URL: 'pd.example.com' })).toThrow(/WXT_PD_WORKER_URL/);
  });

  it.each([
    ['localhost', true],
    ['LOCALHOST', true],
    ['pd.localhost', true],
    ['127.0.0.1', true],
    ['127.10.0.3', true],
    ['[::1]', true],
    ['localhost.evil.example', false],
    ['127.0.0.1.evil.example', false],
    ['10.0.0.5', false],
    ['pd.example.com', false],
  ])('loopback host %s: %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });
});
