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
import { type PlacementKind, placementMessage } from '../../dropbox-page/placement-text';
import { followDropboxTheme } from '../../dropbox-page/theme';
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
  // Dropbox's dark (or light) theme, when its page says so, wins over the system's colour scheme.
  followDropboxTheme(document, ui.shadowHost, ctx.signal);
  const clickDropboxDownload = () => {
    const button = findFirst(document, 'downloadButton');
    if (!button) return false;
    button.click();
    return true;
  };
  // Where the panel is, told to the background (the popup says it): a page whose anchors changed is noticed.
  let reported = '';
  const report = (placement: PlacementKind) => {
    const key = `${location.href}|${placement}`;
    if (key === reported) return;
    reported = key;
    api.reportPanelStatus({ url: location.href, placement, message: placementMessage(placement) }).catch(() => {});
    // For maintainers (and bug reports): a fallback placement means Dropbox's page no longer has the hooks we know.
    if (placement === 'share' || placement === 'floating') {
      console.warn(
        `[Producer Dashboard] ${placementMessage(placement)} Page: ${location.href}. If Dropbox changed its page, update extension/dropbox-page/selectors.ts.`,
      );
    }
  };
  let controller: PanelController | undefined;
  let releaseLive: (() => void) | null = null;
  controller = startPanelController({
    doc: document,
    getHref: () => location.href,
    host: ui.shadowHost,
    signal: ctx.signal,
    resolve: (loc, fresh) => api.resolvePath({ path: loc.folderPath, webPath: loc.webPath, fresh }),
    render: (model, placement) => {
      // The background holds its live socket while this panel shows a folder (utils/live-port.ts).
      if (model && !releaseLive) releaseLive = holdLive((trackIds) => controller?.revalidate(trackIds));
      else if (!model && releaseLive) {
        releaseLive();
        releaseLive = null;
      }
      report(model ? placement : 'none');
      render(
        model ? (
          <UserGestureContext.Provider value={isUserGesture}>
            <ApiContext.Provider value={api}>
              <Panel
                key={model.location.webPath}
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
  // In-page navigation (history.pushState from any Dropbox page, back/forward): WXT's location watcher, popstate, and
  // the Navigation API where the browser has it; the controller's MutationObserver catches the re-render as well.
  ctx.addEventListener(window, 'wxt:locationchange', () => controller?.check());
  ctx.onInvalidated(() => releaseLive?.());
  ctx.addEventListener(window, 'popstate', () => controller?.check());
  const nav = (globalThis as { navigation?: EventTarget }).navigation;
  if (nav?.addEventListener) {
    const onNavigate = () => controller?.check();
    nav.addEventListener('currententrychange', onNavigate);
    ctx.onInvalidated(() => nav.removeEventListener('currententrychange', onNavigate));
  }
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
