// Firefox (MV3) lets people withhold host access: without www.dropbox.com the panel cannot appear. Say so and
// offer to grant it (the request must come from a click in the popup).
import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { Alert } from '../../components/ui';
import { t } from '../../utils/i18n';

const DROPBOX = { origins: ['https://www.dropbox.com/*'] };

export function HostAccess() {
  const [missing, setMissing] = useState(false);
  useEffect(() => {
    Promise.resolve()
      .then(() => browser.permissions.contains(DROPBOX))
      .then((granted) => setMissing(!granted))
      .catch(() => setMissing(false));
  }, []);
  if (!missing) return null;
  return (
    <Alert kind="warn">
      {t('host_access_missing')}{' '}
      <button
        type="button"
        class="pd-btn"
        onClick={() =>
          void browser.permissions
            .request(DROPBOX)
            .then((granted) => setMissing(!granted))
            .catch(() => {})
        }
      >
        {t('host_access_allow')}
      </button>
    </Alert>
  );
}
