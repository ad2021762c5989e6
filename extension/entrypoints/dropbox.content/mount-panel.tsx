// The PD panel on a Dropbox folder page: a CLOSED shadow root (a script of the page gets `host.shadowRoot === null`
// and cannot read collaborators, emails or splits, nor find a button to click), kept in place by the page controller.
import { render } from 'preact';
import { createShadowRootUi, type ShadowRootContentScriptUi } from 'wxt/utils/content-script-ui/shadow-root';
import type { ContentScriptContext } from 'wxt/utils/content-script-context';
import { browser } from 'wxt/browser';
import panelCss from '../../components/pd.css?inline';
import { ApiContext } from '../../components/api-context';
import { Panel } from '../../components/Panel';
import { isTrustedEvent, UserGestureContext, type UserGestureCheck } from '../../components/user-gesture';
import { startPanelController, type PanelController } from '../../dropbox-page/controller';
import { findFirst } from '../../dropbox-page/selectors';
import { messagingApi } from '../../utils/messaging';
import { PUBLIC_SESSION_KEYS } from '../../utils/session-keys';
import { holdLive } from '../../utils/live-port';

export interface MountPanelOptions {
  /** The trusted-event gate of destructive controls: `isTrustedEvent` in the extension; unit tests pass theirs. */
  isUserGesture?: UserGestureCheck;
}

export interface MountedPanel {
  ui: ShadowRootContentScriptUi<HTMLElement>;
  controller: PanelController;
}

export async function mountPanel(ctx: ContentScriptContext, opts: MountPanelOptions = {}): Promise<MountedPanel> {
  const isUserGesture = opts.isUserGesture ?? isTrustedEvent;
  const api = messagingApi();
  const ui = await createShadowRootUi(ctx, {
    name: 'pd-panel',
    position: 'inline',
    anchor: 'body',
    append: 'last',
    css: panelCss,
    mode: 'closed',
    // Keys typed in the panel (the Project field) do not reach Dropbox's keyboard shortcuts or the page's listeners.
    isolateEvents: true,
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
  let releaseLive: (() => void) | null = null;
  controller = startPanelController({
    doc: document,
    getHref: () => location.href,
    host: ui.shadowHost,
    signal: ctx.signal,
    resolve: (path, fresh) => api.resolvePath({ path, fresh }),
    render: (model, placement) => {
      // The background holds its live socket while this panel shows a folder (utils/live-port.ts).
      if (model && !releaseLive) releaseLive = holdLive((trackIds) => controller?.revalidate(trackIds));
      else if (!model && releaseLive) {
        releaseLive();
        releaseLive = null;
      }
      render(
        model ? (
          <UserGestureContext.Provider value={isUserGesture}>
            <ApiContext.Provider value={api}>
              <Panel
                key={model.location.folderPath}
                model={model}
                placement={placement}
                onRefresh={() => controller?.refresh()}
                clickDropboxDownload={findFirst(document, 'downloadButton') ? clickDropboxDownload : null}
              />
            </ApiContext.Provider>
          </UserGestureContext.Provider>
        ) : null,
        ui.uiContainer,
      );
    },
    onShown: (path, state) => {
      performance.mark('pd:panel-shown', { detail: { path, state } });
    },
  });
  ctx.addEventListener(window, 'wxt:locationchange', () => controller?.check());
  ctx.onInvalidated(() => releaseLive?.());
  // Signing in or out (in the popup, or in another tab) re-reads the folder on screen. It listens to the public
  // sign-in state only: the session token is in storage.session, which content scripts cannot read, and its sealed
  // copy in storage.local is useless without the background's key. A plain storage listener: the storage helper
  // library would add ~3 kB (gzipped) to the content script.
  const onStorage = (changes: Record<string, unknown>, area: string) => {
    if (area === 'local' && PUBLIC_SESSION_KEYS.some((k) => k in changes)) controller?.refresh();
  };
  browser.storage.onChanged.addListener(onStorage);
  ctx.onInvalidated(() => browser.storage.onChanged.removeListener(onStorage));
  return { ui, controller };
}
