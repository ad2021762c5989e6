// Toolbar popup: the current tab's track, my tracks (sharing panel / shared with me), notifications, settings.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { useApi } from '../../components/api-context';
import { Alert, Spinner } from '../../components/ui';
import { useAction } from '../../components/use-action';
import { errorMessage, type ExtensionStatus } from '../../utils/messaging';
import { CurrentTab } from './CurrentTab';
import { MyTracks } from './MyTracks';
import { Review } from './Review';
import { Notifications } from './Notifications';
import { Settings } from './Settings';
import { HostAccess } from './HostAccess';

type Tab = 'current' | 'mine' | 'review' | 'notifications' | 'settings';

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
          Retry
        </button>
      </div>
    );
  }
  if (!status) {
    return (
      <div class="pd-popup pd-root">
        <Header />
        <Spinner label="Loading…" />
      </div>
    );
  }

  if (!status.signedIn) {
    return (
      <div class="pd-popup pd-root" data-state="signed_out">
        <Header />
        <HostAccess />
        {tab === 'settings' ? (
          <Settings onSaved={reload} onClose={() => setTab('current')} />
        ) : (
          <>
            {notice && <Alert kind="ok">{notice}</Alert>}
            {status.signedOutReason && <Alert kind="warn">{status.signedOutReason}</Alert>}
            <p>Sign in to revoke access, leave tracks and see your notifications.</p>
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
              {signIn.busy ? 'Signing in…' : 'Sign in with Dropbox'}
            </button>
            {signIn.error && <Alert kind="error">{signIn.error}</Alert>}
            <p class="pd-small pd-muted">
              Worker: {status.workerUrl} ·{' '}
              <button type="button" class="pd-link" onClick={() => setTab('settings')}>
                Settings
              </button>
            </p>
          </>
        )}
      </div>
    );
  }

  return (
    <div class="pd-popup pd-root" data-state="signed_in">
      <Header
        account={status.account?.displayName ?? ''}
        onSignOut={() =>
          void api.signOut().then(() => {
            setNotice('Signed out of Producer Dashboard in this browser.');
            reload();
          })
        }
        onSettings={() => setTab('settings')}
      />
      <HostAccess />
      {status.lastSync && !status.lastSync.ok && <Alert kind="error">Sync failed: {status.lastSync.message}</Alert>}
      <div class="pd-tabs" role="tablist">
        <TabButton id="current" tab={tab} setTab={setTab}>
          This tab
        </TabButton>
        <TabButton id="mine" tab={tab} setTab={setTab}>
          My tracks
        </TabButton>
        <TabButton id="review" tab={tab} setTab={setTab}>
          Review
        </TabButton>
        <TabButton id="notifications" tab={tab} setTab={setTab}>
          Notifications
          {status.unread > 0 && (
            <span class="pd-badge" aria-label={`${status.unread} unread`}>
              {status.unread}
            </span>
          )}
        </TabButton>
      </div>
      <div role="tabpanel">
        {tab === 'current' && <CurrentTab key={generation} getActiveUrl={getActiveUrl} />}
        {tab === 'mine' && <MyTracks key={generation} />}
        {tab === 'review' && <Review key={generation} />}
        {tab === 'notifications' && <Notifications key={generation} onChanged={reload} />}
        {tab === 'settings' && (
          <Settings
            onSaved={reload}
            onClose={() => setTab('current')}
            onSignedOutEverywhere={(message) => {
              setNotice(message);
              setTab('current');
              reload();
            }}
          />
        )}
      </div>
    </div>
  );
}

function TabButton({ id, tab, setTab, children }: { id: Tab; tab: Tab; setTab: (t: Tab) => void; children: preact.ComponentChildren }) {
  return (
    <button type="button" role="tab" class="pd-tab" aria-selected={tab === id} onClick={() => setTab(id)}>
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
        <h1 class="pd-title">Producer Dashboard</h1>
      </div>
      {account && (
        <div class="pd-card-row pd-small pd-muted">
          <span class="pd-spacer">Signed in as {account}</span>
          {onSettings && (
            <button type="button" class="pd-btn pd-btn-quiet" onClick={onSettings}>
              Settings
            </button>
          )}
          {onSignOut && (
            <button type="button" class="pd-btn pd-btn-quiet" onClick={onSignOut}>
              Sign out
            </button>
          )}
        </div>
      )}
    </>
  );
}
