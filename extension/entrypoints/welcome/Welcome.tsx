// The first hour: opened in a tab when the add-on is installed (sign in, where the panel appears, the toolbar
// button), and with #release-notes when an update changes the version.
import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { useApi } from '../../components/api-context';
import { Alert } from '../../components/ui';
import { useAction } from '../../components/use-action';
import { notesSince } from './release-notes';
import { t, tNodes } from '../../utils/i18n';

export function Welcome({ releaseNotes, previousVersion }: { releaseNotes: boolean; previousVersion: string | null }) {
  const api = useApi();
  const [account, setAccount] = useState<string | null>(null);
  const signIn = useAction();
  const version = browser.runtime.getManifest().version;
  const notes = notesSince(releaseNotes ? previousVersion : null);

  useEffect(() => {
    void api
      .getStatus()
      .then((s) => setAccount(s.signedIn ? (s.account?.displayName ?? '') : null))
      .catch(() => setAccount(null));
  }, [api]);

  return (
    <main class="pd-root pd-page">
      <h1>{releaseNotes ? t('welcome_whats_new', version) : t('welcome_title')}</h1>
      {releaseNotes && (
        <section class="pd-section" aria-labelledby="pd-notes-title">
          <h2 id="pd-notes-title">{previousVersion ? t('welcome_what_changed_since', previousVersion) : t('welcome_what_changed')}</h2>
          {notes.map((n) => (
            <div key={n.version}>
              <h3>{n.version}</h3>
              <ul>
                {n.changes.map((c) => (
                  <li key={c}>{t(c)}</li>
                ))}
              </ul>
            </div>
          ))}
        </section>
      )}
      <section class="pd-section" aria-labelledby="pd-step-signin">
        <h2 id="pd-step-signin">{t('welcome_step_sign_in')}</h2>
        {account !== null ? (
          <Alert kind="ok">{t('options_signed_in_as', account)}</Alert>
        ) : (
          <>
            <p>{t('welcome_sign_in_body')}</p>
            <button
              type="button"
              class="pd-btn pd-btn-primary"
              disabled={signIn.busy}
              onClick={() => signIn.run(async () => setAccount((await api.signIn()).displayName))}
            >
              {signIn.busy ? t('common_signing_in') : t('common_sign_in')}
            </button>
            {signIn.error && <Alert kind="error">{signIn.error}</Alert>}
          </>
        )}
      </section>
      <section class="pd-section" aria-labelledby="pd-step-panel">
        <h2 id="pd-step-panel">{t('welcome_step_panel')}</h2>
        <p>{t('welcome_panel_body')}</p>
      </section>
      <section class="pd-section" aria-labelledby="pd-step-toolbar">
        <h2 id="pd-step-toolbar">{t('welcome_step_toolbar')}</h2>
        <p>
          {tNodes(
            'welcome_toolbar_body',
            <strong key="current">{t('popup_tab_current')}</strong>,
            <strong key="mine">{t('popup_tab_mine')}</strong>,
            <strong key="notifications">{t('popup_tab_notifications')}</strong>,
          )}
        </p>
        <button type="button" class="pd-link" onClick={() => void browser.runtime.openOptionsPage()}>
          {t('welcome_open_settings')}
        </button>
      </section>
    </main>
  );
}
