// The add-on's settings page (Chrome: Options; Firefox: about:addons → Preferences; the popup's Settings button):
// the worker URL, the development-only authorize-URL override (development builds only), and Sign out everywhere.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { useApi } from '../../components/api-context';
import { Alert } from '../../components/ui';
import type { ExtensionStatus } from '../../utils/messaging';
import { Settings } from '../popup/Settings';
import { t } from '../../utils/i18n';

export function Options({ developmentBuild }: { developmentBuild: boolean }) {
  const api = useApi();
  const [status, setStatus] = useState<ExtensionStatus | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const load = useCallback(() => {
    void api
      .getStatus()
      .then(setStatus)
      .catch(() => setStatus(null));
  }, [api]);
  useEffect(load, [load]);

  return (
    <main class="pd-root pd-page">
      <h1 class="pd-title">{t('options_title')}</h1>
      {notice && <Alert kind="ok">{notice}</Alert>}
      {status?.signedOutReason && <Alert kind="warn">{status.signedOutReason}</Alert>}
      {status && (
        <p class="pd-small pd-muted">{status.signedIn ? t('options_signed_in_as', status.account?.displayName ?? '') : t('options_not_signed_in')}</p>
      )}
      <Settings
        developmentFields={developmentBuild}
        onSaved={load}
        onSignedOutEverywhere={
          status?.signedIn
            ? (message) => {
                setNotice(message);
                load();
              }
            : undefined
        }
      />
    </main>
  );
}
