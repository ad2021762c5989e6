// The first hour: opened in a tab when the add-on is installed (sign in, where the panel appears, the toolbar
// button), and with #release-notes when an update changes the version.
import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { useApi } from '../../components/api-context';
import { Alert } from '../../components/ui';
import { useAction } from '../../components/use-action';
import { notesSince } from './release-notes';

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
      <h1>{releaseNotes ? `Producer Dashboard ${version}: what’s new` : 'Welcome to Producer Dashboard for Dropbox'}</h1>
      {releaseNotes && (
        <section class="pd-section" aria-labelledby="pd-notes-title">
          <h2 id="pd-notes-title">What changed{previousVersion ? ` since ${previousVersion}` : ''}</h2>
          {notes.map((n) => (
            <div key={n.version}>
              <h3>{n.version}</h3>
              <ul>
                {n.changes.map((c) => (
                  <li key={c}>{c}</li>
                ))}
              </ul>
            </div>
          ))}
        </section>
      )}
      <section class="pd-section" aria-labelledby="pd-step-signin">
        <h2 id="pd-step-signin">1. Sign in with Dropbox</h2>
        {account !== null ? (
          <Alert kind="ok">Signed in as {account}.</Alert>
        ) : (
          <>
            <p>Producer Dashboard acts for you in Dropbox: sign in with the Dropbox account that owns or shares your tracks.</p>
            <button
              type="button"
              class="pd-btn pd-btn-primary"
              disabled={signIn.busy}
              onClick={() => signIn.run(async () => setAccount((await api.signIn()).displayName))}
            >
              {signIn.busy ? 'Signing in…' : 'Sign in with Dropbox'}
            </button>
            {signIn.error && <Alert kind="error">{signIn.error}</Alert>}
          </>
        )}
      </section>
      <section class="pd-section" aria-labelledby="pd-step-panel">
        <h2 id="pd-step-panel">2. Open a track’s folder on www.dropbox.com</h2>
        <p>
          The Producer Dashboard panel appears right under the folder’s header (or at the bottom right when Dropbox shows no header). As the owner you
          see every collaborator with Revoke, Downgrade to Viewer and Revoke All; as a collaborator you see Leave Track.
        </p>
      </section>
      <section class="pd-section" aria-labelledby="pd-step-toolbar">
        <h2 id="pd-step-toolbar">3. The toolbar button</h2>
        <p>
          Pin Producer Dashboard to the toolbar: <strong>This tab</strong> (the track on screen), <strong>My tracks</strong> (everyone you share with,
          and the tracks shared with you) and <strong>Notifications</strong>. Settings are on the add-on’s options page.
        </p>
        <button type="button" class="pd-link" onClick={() => void browser.runtime.openOptionsPage()}>
          Open settings
        </button>
      </section>
    </main>
  );
}
