// Settings: which PD worker to talk to, and an override of the Dropbox authorize URL.
import { useEffect, useState } from 'preact/hooks';
import { Alert } from '../../components/ui';
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

export function Settings({ onSaved, onClose }: { onSaved: () => void; onClose: () => void }) {
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
      <p class="pd-small pd-muted">Empty: {DEFAULT_WORKER_URL} (this build's default).</p>
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
      {message && <Alert kind={message.kind}>{message.text}</Alert>}
      <div class="pd-dialog-actions">
        <button type="button" class="pd-btn" onClick={onClose}>
          Back
        </button>
        <button type="submit" class="pd-btn pd-btn-primary">
          Save
        </button>
      </div>
    </form>
  );
}
