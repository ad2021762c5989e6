import { browser } from 'wxt/browser';
import { patternOrigin } from '../../build-settings';
import { DROPBOX_WEB_ORIGINS, parseDropboxUrl } from '../../dropbox-page/url';

/**
 * URL of the tab the popup is about: the active tab of the last focused window; when the popup itself is open as
 * a tab (e.g. from a notification), the most recently used Dropbox tab instead.
 */
export async function activeDropboxUrl(): Promise<string | null> {
  const own = browser.runtime.getURL('/');
  const [active] = await browser.tabs.query({ active: true, lastFocusedWindow: true });
  if (active?.url && !active.url.startsWith(own)) return active.url;
  // Port-less patterns (Firefox ignores ports in patterns); parseDropboxUrl then keeps the exact origins only.
  const patterns = DROPBOX_WEB_ORIGINS.map((o) => `${patternOrigin(o, 'firefox')}/*`);
  const dropboxTabs = (await browser.tabs.query({ url: patterns })).filter((t) => t.url && parseDropboxUrl(t.url));
  dropboxTabs.sort((a, b) => (b.lastAccessed ?? 0) - (a.lastAccessed ?? 0));
  return dropboxTabs[0]?.url ?? null;
}
