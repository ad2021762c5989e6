// Content script on https://www.dropbox.com/home* (and, in a development build, the Dropbox emulator's /home*,
// added by wxt.config.ts): the PD panel next to Dropbox's folder header or share
// controls (or floating when neither is found), inside a shadow root.
import { render } from 'preact';
import { createShadowRootUi } from 'wxt/utils/content-script-ui/shadow-root';
import panelCss from '../../components/pd.css?inline';
import { ApiContext } from '../../components/api-context';
import { Panel } from '../../components/Panel';
import { startPanelController, type PanelController } from '../../dropbox-page/controller';
import { findFirst } from '../../dropbox-page/selectors';
import { messagingApi } from '../../utils/messaging';
import { browser } from 'wxt/browser';

export default defineContentScript({
  matches: ['https://www.dropbox.com/home*'],
  // At document_end the folder view is parsed: the panel shows without waiting for the page to go idle.
  runAt: 'document_end',
  // Styles go into the shadow root (the `css` option below), never into Dropbox's page.
  cssInjectionMode: 'manual',
  async main(ctx) {
    performance.mark('pd:content-script-start');
    try {
      const api = messagingApi();
      const ui = await createShadowRootUi(ctx, {
        name: 'pd-panel',
        position: 'inline',
        anchor: 'body',
        append: 'last',
        css: panelCss,
        onMount: (container) => container,
        onRemove: (container) => {
          if (container) render(null, container);
        },
      });
      ui.mount();
      const clickDropboxDownload = () => {
        const button = findFirst(document, 'downloadButton');
        if (!button) return false;
        button.click();
        return true;
      };
      let controller: PanelController | undefined;
      controller = startPanelController({
        doc: document,
        getHref: () => location.href,
        host: ui.shadowHost,
        signal: ctx.signal,
        resolve: (path, fresh) => api.resolvePath({ path, fresh }),
        render: (model, placement) => {
          render(
            model ? (
              <ApiContext.Provider value={api}>
                <Panel
                  key={model.location.folderPath}
                  model={model}
                  placement={placement}
                  onRefresh={() => controller?.refresh()}
                  clickDropboxDownload={findFirst(document, 'downloadButton') ? clickDropboxDownload : null}
                />
              </ApiContext.Provider>
            ) : null,
            ui.uiContainer,
          );
        },
        onShown: (path, state) => {
          performance.mark('pd:panel-shown', { detail: { path, state } });
        },
      });
      ctx.addEventListener(window, 'wxt:locationchange', () => controller?.check());
      // Signing in or out (in the popup, or in another tab) re-reads the folder on screen. A plain storage listener:
      // the storage helper library would add ~3 kB (gzipped) to the content script.
      const onStorage = (changes: Record<string, unknown>, area: string) => {
        if (area === 'local' && 'session' in changes) controller?.refresh();
      };
      browser.storage.onChanged.addListener(onStorage);
      ctx.onInvalidated(() => browser.storage.onChanged.removeListener(onStorage));
    } catch (err) {
      console.warn(`[Producer Dashboard] the panel could not start on ${location.href}`, err);
    }
  },
});
