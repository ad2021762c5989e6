// Settings: which PD worker to talk to, an override of the Dropbox authorize URL, and (signed in) Sign out everywhere.
import { useEffect, useState } from 'preact/hooks';
import { useApi } from '../../components/api-context';
import { Alert, Dialog } from '../../components/ui';
import { useAction } from '../../components/use-action';
import { useUserGesture } from '../../components/user-gesture';
import { DEFAULT_WORKER_URL, settingsItem } from '../../utils/storage';
import { t, tn } from '../../utils/i18n';

export function validateUrl(value: string): string | null {
  if (!value.trim()) return null;
  try {
    const u = new URL(value.trim());
    if (u.protocol !== 'https:' && !(u.protocol === 'http:' && (u.hostname === 'localhost' || u.hostname === '127.0.0.1'))) {
      return t('settings_https');
    }
    return null;
  } catch {
    return t('settings_invalid_url');
  }
}

/** Ends every PD session of the account — every browser and computer, this one included — after a confirmation that
 *  says exactly that, and what does not change. */
export function SignOutEverywhere({ onDone }: { onDone: (message: string) => void }) {
  const api = useApi();
  const [open, setOpen] = useState(false);
  const { busy, error, run } = useAction();
  const onUserGesture = useUserGesture();
  const confirm = () =>
    run(async () => {
      const { sessionsEnded } = await api.signOutEverywhere();
      setOpen(false);
      onDone(tn('settings_signed_out_everywhere', sessionsEnded));
    });
  return (
    <section class="pd-section" aria-labelledby="pd-sessions-title">
      <h3 id="pd-sessions-title">{t('settings_sessions')}</h3>
      <p class="pd-small pd-muted">{t('settings_sessions_intro')}</p>
      <button type="button" class="pd-btn pd-btn-danger" onClick={onUserGesture(() => setOpen(true))}>
        {t('settings_sign_out_everywhere')}
      </button>
      {open && (
        <Dialog title={t('settings_sign_out_everywhere_title')} onClose={() => setOpen(false)} labelId="pd-signout-everywhere-title">
          <ul>
            <li>{t('settings_soe_every_browser')}</li>
            <li>{t('settings_soe_sign_in_again')}</li>
            <li>{t('settings_soe_nothing_changes')}</li>
          </ul>
          {error && <Alert kind="error">{error}</Alert>}
          <div class="pd-dialog-actions">
            <button type="button" class="pd-btn" onClick={() => setOpen(false)} disabled={busy} data-autofocus>
              {t('common_cancel')}
            </button>
            <button type="button" class="pd-btn pd-btn-danger" onClick={onUserGesture(confirm)} disabled={busy}>
              {busy ? t('settings_signing_out') : t('settings_sign_out_everywhere')}
            </button>
          </div>
        </Dialog>
      )}
    </section>
  );
}

export function Settings({
  onSaved,
  onClose,
  onSignedOutEverywhere,
  developmentFields = false,
}: {
  onSaved: () => void;
  /** Given: a Back button (the settings shown inside another view). */
  onClose?: () => void;
  /** Development builds only: the Dropbox authorize-URL override. */
  developmentFields?: boolean;
  /** Given when signed in: the Sign out everywhere section shows. */
  onSignedOutEverywhere?: (message: string) => void;
}) {
  const [workerUrl, setWorkerUrl] = useState('');
  const [authorizeUrl, setAuthorizeUrl] = useState('');
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);

  useEffect(() => {
    void settingsItem.getValue().then((s) => {
      setWorkerUrl(s.workerUrl);
      setAuthorizeUrl(s.authorizeUrl);
    });
  }, []);

  const save = async (e: Event) => {
    e.preventDefault();
    const problem = validateUrl(workerUrl) ?? validateUrl(authorizeUrl);
    if (problem) {
      setMessage({ kind: 'error', text: problem });
      return;
    }
    try {
      await settingsItem.setValue({ workerUrl: workerUrl.trim(), authorizeUrl: authorizeUrl.trim() });
      setMessage({ kind: 'ok', text: t('settings_saved') });
      onSaved();
    } catch (err) {
      setMessage({ kind: 'error', text: t('settings_could_not_save', err instanceof Error ? err.message : String(err)) });
    }
  };

  return (
    <form onSubmit={save} aria-label={t('common_settings')}>
      <h2 class="pd-title">{t('common_settings')}</h2>
      <label class="pd-small" for="pd-worker-url">
        {t('settings_worker_url')}
      </label>
      <input
        id="pd-worker-url"
        class="pd-input"
        style={{ width: '100%' }}
        placeholder={DEFAULT_WORKER_URL}
        value={workerUrl}
        onInput={(e) => setWorkerUrl((e.target as HTMLInputElement).value)}
      />
      <p class="pd-small pd-muted">{t('settings_worker_url_help', DEFAULT_WORKER_URL)}</p>
      {developmentFields && (
        <>
          <label class="pd-small" for="pd-authorize-url">
            {t('settings_authorize_url')}
          </label>
          <input
            id="pd-authorize-url"
            class="pd-input"
            style={{ width: '100%' }}
            placeholder={t('settings_authorize_placeholder')}
            value={authorizeUrl}
            onInput={(e) => setAuthorizeUrl((e.target as HTMLInputElement).value)}
          />
          <p class="pd-small pd-muted">{t('settings_dev_only')}</p>
        </>
      )}
      {message && <Alert kind={message.kind}>{message.text}</Alert>}
      <div class="pd-dialog-actions">
        {onClose && (
          <button type="button" class="pd-btn" onClick={onClose}>
            {t('settings_back')}
          </button>
        )}
        <button type="submit" class="pd-btn pd-btn-primary">
          {t('common_save')}
        </button>
      </div>
      {onSignedOutEverywhere && <SignOutEverywhere onDone={onSignedOutEverywhere} />}
    </form>
  );
}
