// Wires the background's functions to typed messages, the sync alarm and browser events.
import { browser } from 'wxt/browser';
import { messaging, type ProtocolMap } from '../utils/messaging';
import { settingsItem } from '../utils/storage';
import { LIVE_PORT } from '../utils/live-port';
import { createBackground, SYNC_ALARM, type BackgroundOptions } from './service';

/** The page the first hour needs: the welcome page on install, the release notes when an update changed the
 *  version (a developer's reload of the same version opens nothing), nothing otherwise. */
export function firstHourPage(details: { reason: string; previousVersion?: string }, version: string): string | null {
  if (details.reason === 'install') return '/welcome.html';
  if (details.reason === 'update' && details.previousVersion && details.previousVersion !== version) {
    return `/welcome.html?from=${encodeURIComponent(details.previousVersion)}#release-notes`;
  }
  return null;
}

export function registerBackground(opts: BackgroundOptions = {}) {
  const bg = createBackground(opts);

  // @webext-core/messaging answers through sendResponse + `return true`, which is what Chrome (and WXT's fake
  // browser) need for asynchronous replies. Errors thrown by a handler reach the sender as Errors with their code.
  for (const type of Object.keys(bg.handlers) as (keyof ProtocolMap)[]) {
    const handler = bg.handlers[type] as (data: unknown) => Promise<unknown>;
    messaging.onMessage(type, (message) => handler(message.data) as never);
  }

  // Moves a token an older version kept in clear, and re-applies the uninstall URL of the current session.
  void bg.start().catch(() => {});
  // Pointing the extension at another worker ends the session at once (the bearer token never goes to a new address).
  settingsItem.watch(() => void bg.checkWorkerUrl().catch(() => {}));

  // A PD panel (content script) or popup holds the live socket by keeping a port open (utils/live-port.ts).
  browser.runtime.onConnect?.addListener((port) => {
    if (port.name === LIVE_PORT && port.sender?.id === browser.runtime.id) bg.attachLivePort(port as never);
  });

  // Sync every minute, and right away when the browser starts or the extension is installed/updated.
  void browser.alarms.create(SYNC_ALARM, { periodInMinutes: 1, delayInMinutes: 1 });
  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === SYNC_ALARM) void bg.sync();
  });
  browser.runtime.onStartup?.addListener(() => void bg.sync());
  browser.runtime.onInstalled.addListener((details) => {
    void bg.sync();
    const url = firstHourPage(details, browser.runtime.getManifest().version);
    if (url) void Promise.resolve(browser.tabs.create({ url: browser.runtime.getURL(url as '/welcome.html') })).catch(() => {});
  });

  // Clicking a PD notification opens the popup's page in a tab (popups cannot be opened programmatically everywhere).
  browser.notifications.onClicked?.addListener((id) => {
    if (id.startsWith('pd:')) void browser.tabs.create({ url: browser.runtime.getURL('/popup.html') });
  });

  return bg;
}
