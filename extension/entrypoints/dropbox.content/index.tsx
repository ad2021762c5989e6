// Content script on every https://www.dropbox.com page (and, in a development build, the Dropbox emulator's, added
// by wxt.config.ts): Dropbox is a single-page app, so a folder view can be reached in-page from any other page. It
// activates on folder views of /home, /personal, /work/<team> and file previews (/preview/…, ?preview=) only
// (dropbox-page/url.ts): the PD panel next to Dropbox's folder header or share controls (or floating when neither
// is found), inside a closed shadow root whose destructive controls act only on trusted user events (mount-panel.tsx).
import { mountPanel } from './mount-panel';

export default defineContentScript({
  matches: ['https://www.dropbox.com/*'],
  // At document_end the folder view is parsed: the panel shows without waiting for the page to go idle.
  runAt: 'document_end',
  // Styles go into the shadow root (the `css` option), never into Dropbox's page.
  cssInjectionMode: 'manual',
  async main(ctx) {
    performance.mark('pd:content-script-start');
    try {
      await mountPanel(ctx);
    } catch (err) {
      console.warn(`[Producer Dashboard] the panel could not start on ${location.href}`, err);
    }
  },
});
