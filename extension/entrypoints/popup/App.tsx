// Toolbar popup: the current tab's track, my tracks (sharing panel / shared with me), notifications. Settings live on
// the options page (entrypoints/options), which the Settings button opens.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { useApi } from '../../components/api-context';
import { Alert, Spinner } from '../../components/ui';
import { useAction } from '../../components/use-action';
import { errorMessage, type ExtensionStatus } from '../../utils/messaging';
import { CurrentTab } from './CurrentTab';
import { MyTracks } from './MyTracks';
import { Review } from './Review';
import { Notifications } from './Notifications';
import { browser } from 'wxt/browser';
import { HostAccess } from './HostAccess';
import { formatNumber, t } from '../../utils/i18n';

type Tab = 'current' | 'mine' | 'review' | 'notifications';

/** The options page, in a tab of its own (the popup closes: it would cover the page). */
export function openSettings() {
  void Promise.resolve()
    .then(() => browser.runtime.openOptionsPage())
    .then(() => window.close())
    .catch(() => {});
}

export function App({ getActiveUrl, initialTab }: { getActiveUrl: () => Promise<string | null>; initialTab?: Tab }) {
  const api = useApi();
  const [status, setStatus] = useState<ExtensionStatus | null>(null);
  const [statusError, setStatusError] = useState<string | null>(null);
  const [tab, setTab] = useState<Tab>(initialTab ?? 'current');
  const [generation, setGeneration] = useState(0);
  /** What the last account action did, said once on the next screen (e.g. "Signed out everywhere: 3 sessions ended."). */
  const [notice, setNotice] = useState<string | null>(null);
  const signIn = useAction();

  const load = useCallback(async () => {
    try {
      setStatusError(null);
      // Opening the popup is a sync point: what changed since the last alarm shows up now.
      await api.syncNow().catch(() => undefined);
      setStatus(await api.getStatus());
    } catch (err) {
      setStatusError(errorMessage(err));
    }
  }, [api]);

  useEffect(() => {
    void load();
  }, [load, generation]);

  const reload = () => setGeneration((g) => g + 1);

  if (statusError) {
    return (
      <div class="pd-popup pd-root">
        <Header />
        <Alert kind="error">{statusError}</Alert>
        <button type="button" class="pd-btn" onClick={reload}>
          {t('common_retry')}
        </button>
      </div>
    );
  }
  if (!status) {
    return (
      <div class="pd-popup pd-root">
        <Header />
        <Spinner label={t('common_loading')} />
      </div>
    );
  }

  if (!status.signedIn) {
    return (
      <div class="pd-popup pd-root" data-state="signed_out">
        <Header />
        <HostAccess />
        <>
          {notice && <Alert kind="ok">{notice}</Alert>}
          {status.signedOutReason && <Alert kind="warn">{status.signedOutReason}</Alert>}
          <p>{t('popup_sign_in_prompt')}</p>
          <button
            type="button"
            class="pd-btn pd-btn-primary"
            disabled={signIn.busy}
            onClick={() =>
              signIn.run(async () => {
                await api.signIn();
                setNotice(null);
                reload();
              })
            }
          >
            {signIn.busy ? t('common_signing_in') : t('common_sign_in')}
          </button>
          {signIn.error && <Alert kind="error">{signIn.error}</Alert>}
          <p class="pd-small pd-muted">
            {t('popup_worker', status.workerUrl)} ·{' '}
            <button type="button" class="pd-link" onClick={openSettings}>
              {t('common_settings')}
            </button>
          </p>
        </>
      </div>
    );
  }

  return (
    <div class="pd-popup pd-root" data-state="signed_in">
      <Header
        account={status.account?.displayName ?? ''}
        onSignOut={() =>
          void api.signOut().then(() => {
            setNotice(t('popup_signed_out_here'));
            reload();
          })
        }
        onSettings={openSettings}
      />
      <HostAccess />
      {status.lastSync && !status.lastSync.ok && <Alert kind="error">{t('popup_sync_failed', status.lastSync.message ?? '')}</Alert>}
      {/* ARIA tabs: one tab stop; ←/→ (and Home/End) move between the tabs and show each at once. */}
      <div class="pd-tabs" role="tablist" aria-label={t('popup_tabs_label')} onKeyDown={(e) => onTabKey(e, tab, setTab)}>
        <TabButton id="current" tab={tab} setTab={setTab}>
          {t('popup_tab_current')}
        </TabButton>
        <TabButton id="mine" tab={tab} setTab={setTab}>
          {t('popup_tab_mine')}
        </TabButton>
        <TabButton id="review" tab={tab} setTab={setTab}>
          {t('popup_tab_review')}
        </TabButton>
        <TabButton id="notifications" tab={tab} setTab={setTab}>
          {t('popup_tab_notifications')}
          {status.unread > 0 && (
            <>
              <span class="pd-badge" aria-hidden="true">
                {formatNumber(status.unread)}
              </span>
              <span class="pd-sr-only">{t('popup_unread', formatNumber(status.unread))}</span>
            </>
          )}
        </TabButton>
      </div>
      {/* The popup's last focus home (components/ui.tsx, Dialog): where focus goes when a push replaces a dialog's view. */}
      <div role="tabpanel" id="pd-tabpanel" aria-labelledby={`pd-tab-${tab}`} data-focus-home="popup">
        {tab === 'current' && <CurrentTab key={generation} getActiveUrl={getActiveUrl} />}
        {tab === 'mine' && <MyTracks key={generation} />}
        {tab === 'review' && <Review key={generation} />}
        {tab === 'notifications' && <Notifications key={generation} onChanged={reload} />}
      </div>
    </div>
  );
}

const TABS: Tab[] = ['current', 'mine', 'review', 'notifications'];

/** Arrow keys in the tab list (WAI-ARIA tabs pattern, automatic activation). */
function onTabKey(e: KeyboardEvent, tab: Tab, setTab: (t: Tab) => void) {
  const i = TABS.indexOf(tab);
  const to: Record<string, number> = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: TABS.length - 1 };
  if (!(e.key in to)) return;
  e.preventDefault();
  const next = TABS[(to[e.key]! + TABS.length) % TABS.length]!;
  setTab(next);
  (e.currentTarget as HTMLElement).querySelector<HTMLElement>(`#pd-tab-${next}`)?.focus();
}

function TabButton({ id, tab, setTab, children }: { id: Tab; tab: Tab; setTab: (t: Tab) => void; children: preact.ComponentChildren }) {
  const stop = tab === id; // one tab stop: the selected tab
  return (
    <button
      type="button"
      role="tab"
      id={`pd-tab-${id}`}
      class="pd-tab"
      aria-selected={tab === id}
      aria-controls="pd-tabpanel"
      tabIndex={stop ? 0 : -1}
      onClick={() => setTab(id)}
    >
      {children}
    </button>
  );
}

function Header({ account, onSignOut, onSettings }: { account?: string; onSignOut?: () => void; onSettings?: () => void }) {
  return (
    <>
      <div class="pd-panel-head">
        <span class="pd-logo" aria-hidden="true">
          PD
        </span>
        <h1 class="pd-title">{t('app_name')}</h1>
      </div>
      {account && (
        <div class="pd-card-row pd-small pd-muted">
          <span class="pd-spacer">{t('popup_signed_in_as', account)}</span>
          {onSettings && (
            <button type="button" class="pd-btn pd-btn-quiet" onClick={onSettings}>
              {t('common_settings')}
            </button>
          )}
          {onSignOut && (
            <button type="button" class="pd-btn pd-btn-quiet" onClick={onSignOut}>
              {t('popup_sign_out')}
            </button>
          )}
        </div>
      )}
    </>
  );
}
