// Settings: which PD worker to talk to, an override of the Dropbox authorize URL, and (signed in) Sign out everywhere.
import { useEffect, useState } from 'preact/hooks';
import { useApi } from '../../components/api-context';
import { Alert, Dialog } from '../../components/ui';
import { useAction } from '../../components/use-action';
import { useUserGesture } from '../../components/user-gesture';
import { DEFAULT_WORKER_URL, settingsItem } from '../../utils/storage';

export function validateUrl(value: string): string | null {
  if (!value.trim()) return null;
  try {
    const u = new URL(value.trim());
    if (u.protocol !== 'https:' && !(u.protocol === 'http:' && (u.hostname === 'localhost' || u.hostname === '127.0.0.1'))) {
      return 'Use an https:// address (http:// only for localhost).';
    }
    return null;
  } catch {
    return 'That is not a valid URL.';
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
      onDone(
        `Signed out everywhere: ${sessionsEnded === 1 ? '1 session' : `${sessionsEnded} sessions`} ended, this browser’s included. Sign in again to continue.`,
      );
    });
  return (
    <section class="pd-section" aria-labelledby="pd-sessions-title">
      <h3 id="pd-sessions-title">Your sessions</h3>
      <p class="pd-small pd-muted">Lost a computer, or signed in somewhere you should not have? End every session at once.</p>
      <button type="button" class="pd-btn pd-btn-danger" onClick={onUserGesture(() => setOpen(true))}>
        Sign out everywhere
      </button>
      {open && (
        <Dialog title="Sign out everywhere?" onClose={() => setOpen(false)} labelId="pd-signout-everywhere-title">
          <ul>
            <li>Every browser and computer where you signed in to Producer Dashboard is signed out — this one included.</li>
            <li>Each of them asks you to sign in with Dropbox again before it shows your tracks.</li>
            <li>Your tracks, collaborators, invitations and Dropbox files do not change.</li>
          </ul>
          {error && <Alert kind="error">{error}</Alert>}
          <div class="pd-dialog-actions">
            <button type="button" class="pd-btn" onClick={() => setOpen(false)} disabled={busy} data-autofocus>
              Cancel
            </button>
            <button type="button" class="pd-btn pd-btn-danger" onClick={onUserGesture(confirm)} disabled={busy}>
              {busy ? 'Signing out…' : 'Sign out everywhere'}
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
      setMessage({ kind: 'ok', text: 'Saved.' });
      onSaved();
    } catch (err) {
      setMessage({ kind: 'error', text: `Could not save: ${err instanceof Error ? err.message : String(err)}` });
    }
  };

  return (
    <form onSubmit={save} aria-label="Settings">
      <h2 class="pd-title">Settings</h2>
      <label class="pd-small" for="pd-worker-url">
        Producer Dashboard worker URL
      </label>
      <input
        id="pd-worker-url"
        class="pd-input"
        style={{ width: '100%' }}
        placeholder={DEFAULT_WORKER_URL}
        value={workerUrl}
        onInput={(e) => setWorkerUrl((e.target as HTMLInputElement).value)}
      />
      <p class="pd-small pd-muted">
        Empty: {DEFAULT_WORKER_URL} (this build's default). Changing it signs you out: your session is only ever sent to the address that issued it.
      </p>
      {developmentFields && (
        <>
          <label class="pd-small" for="pd-authorize-url">
            Dropbox authorize URL (override)
          </label>
          <input
            id="pd-authorize-url"
            class="pd-input"
            style={{ width: '100%' }}
            placeholder="From the worker (/api/v1/auth/config)"
            value={authorizeUrl}
            onInput={(e) => setAuthorizeUrl((e.target as HTMLInputElement).value)}
          />
          <p class="pd-small pd-muted">Development builds only.</p>
        </>
      )}
      {message && <Alert kind={message.kind}>{message.text}</Alert>}
      <div class="pd-dialog-actions">
        {onClose && (
          <button type="button" class="pd-btn" onClick={onClose}>
            Back
          </button>
        )}
        <button type="submit" class="pd-btn pd-btn-primary">
          Save
        </button>
      </div>
      {onSignedOutEverywhere && <SignOutEverywhere onDone={onSignedOutEverywhere} />}
    </form>
  );
}
