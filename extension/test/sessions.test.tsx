// Issue 8, item 5 (extension side): the uninstall URL ends the session, Sign out everywhere, and a session the worker
// ends (401 unauthenticated / session_expired, Dropbox needs a new sign-in) shows as signed out, with the reason,
// in the popup and in the panel. Also the worker's rate limits (429 + Retry-After) as a sentence.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { ContentScriptContext } from 'wxt/utils/content-script-context';
import { App } from '../entrypoints/popup/App';
import { Options } from '../entrypoints/options/Options';
import { mountPanel } from '../entrypoints/dropbox.content/mount-panel';
import { rateLimitedMessage } from '../utils/worker-client';
import { errorCode } from '../utils/messaging';
import { startBackground } from './helpers/background';
import { FakeWorker, LEO, MAYA } from './helpers/fake-worker';
import { loadFixture, MIDNIGHT_DRIVE_PATH } from './helpers/fixtures';
import { renderWithApi } from './helpers/render';
import { testUserGesture, userClick } from './helpers/user-gesture';

let worker: FakeWorker;
let ctx: ContentScriptContext | null = null;

beforeEach(() => {
  cleanup();
  worker = new FakeWorker();
  worker.addTrack({ title: 'Midnight Drive', owner: MAYA, path: MIDNIGHT_DRIVE_PATH, collaborators: [{ account: LEO }] });
});
afterEach(() => {
  ctx?.abort();
  ctx = null;
  document.querySelectorAll('pd-panel').forEach((el) => el.remove());
});

describe('uninstall URL', () => {
  it('is set after sign-in to the worker that issued the session, ends that session when opened, and is cleared on sign-out', async () => {
    const { api, signInAs, setUninstallURL } = await startBackground(worker);
    const token = await signInAs(MAYA);
    const url = setUninstallURL.mock.calls.at(-1)![0];
    const [uninstallToken] = [...worker.uninstallTokens].find(([, t]) => t === token)!;
    expect(url).toBe(`http://pd.test/api/v1/auth/uninstalled?token=${uninstallToken}`);

    // The browser opens it after the extension is removed: the worker ends that session.
    await worker.fetch(url);
    expect(worker.sessions.has(token)).toBe(false);

    await signInAs(MAYA);
    await api.signOut();
    expect(setUninstallURL.mock.calls.at(-1)![0]).toBe('');
  });

  it('is re-applied when the background starts with a session, and cleared when the worker ends the session', async () => {
    const { bg, api, signInAs, setUninstallURL } = await startBackground(worker);
    await signInAs(LEO);
    setUninstallURL.mockClear();
    await bg.start();
    expect(setUninstallURL.mock.calls.at(-1)![0]).toMatch(/^http:\/\/pd\.test\/api\/v1\/auth\/uninstalled\?token=uninst_/);
    worker.sessions.clear();
    await api.syncNow();
    expect(setUninstallURL.mock.calls.at(-1)![0]).toBe('');
  });
});

describe('Sign out everywhere', () => {
  it('ends every session of the account (other browsers too) and signs this browser out', async () => {
    const { api, signInAs, setUninstallURL } = await startBackground(worker);
    await signInAs(MAYA);
    const otherBrowser = worker.session(MAYA);
    const leos = worker.session(LEO);
    expect(await api.signOutEverywhere()).toEqual({ signedOut: true, sessionsEnded: 2 });
    expect(worker.sessions.has(otherBrowser)).toBe(false);
    expect(worker.sessions.has(leos)).toBe(true);
    expect(await api.getStatus()).toMatchObject({ signedIn: false, signedOutReason: null });
    expect(setUninstallURL.mock.calls.at(-1)![0]).toBe('');
  });

  it('on the options page: Sign out everywhere → a confirmation naming what happens → signed out, with how many sessions ended', async () => {
    const { api, signInAs } = await startBackground(worker);
    await signInAs(MAYA);
    worker.session(MAYA); // Maya's laptop
    renderWithApi(<Options developmentBuild={false} />, api);
    userClick(await screen.findByRole('button', { name: 'Sign out everywhere' }));
    const dialog = screen.getByRole('dialog', { name: 'Sign out everywhere?' });
    expect(dialog.textContent).toContain('Every browser and computer where you signed in to Producer Dashboard is signed out — this one included.');
    expect(dialog.textContent).toContain('Each of them asks you to sign in with Dropbox again');
    expect(dialog.textContent).toContain('Your tracks, collaborators, invitations and Dropbox files do not change.');

    // A scripted click is not the user's: nothing happens.
    fireEvent.click(within(dialog).getByRole('button', { name: 'Sign out everywhere' }));
    await new Promise((r) => setTimeout(r, 20));
    expect(worker.requests).not.toContain('POST /auth/signout-everywhere');

    userClick(within(dialog).getByRole('button', { name: 'Sign out everywhere' }));
    await screen.findByText('Signed out everywhere: 2 sessions ended, this browser’s included. Sign in again to continue.');
    await screen.findByText('Not signed in: use the toolbar button → Sign in with Dropbox.');
    expect(worker.sessions.size).toBe(0);
  });

  it('when the worker refuses, stays signed in and says why', async () => {
    const { api, signInAs } = await startBackground(worker);
    await signInAs(MAYA);
    worker.rateLimited = { retryAfter: 40 };
    renderWithApi(<App getActiveUrl={async () => null} />, api);
    await screen.findByText(/Sync failed: Too many attempts — try again in 40 s\./);
    cleanup();
    renderWithApi(<Options developmentBuild={false} />, api);
    userClick(await screen.findByRole('button', { name: 'Sign out everywhere' }));
    userClick(within(screen.getByRole('dialog')).getByRole('button', { name: 'Sign out everywhere' }));
    await screen.findByText('Too many attempts — try again in 40 s.');
    worker.rateLimited = null;
    expect((await api.getStatus()).signedIn).toBe(true);
  });
});

describe('a session the worker ends', () => {
  it.each([
    [
      'unauthenticated (signed out everywhere from another browser)',
      (token: string) => worker.sessions.delete(token),
      /session was ended \(for example with “Sign out everywhere”, or from another browser\)\. Sign in with Dropbox again\./,
    ],
    ['session_expired', (token: string) => worker.expired.add(token), /Your Producer Dashboard session expired\. Sign in with Dropbox again\./],
  ])('%s: the popup shows signed out with the reason', async (_name, end, sentence) => {
    const { api, signInAs } = await startBackground(worker);
    const token = await signInAs(MAYA);
    end(token);
    renderWithApi(<App getActiveUrl={async () => null} />, api);
    await screen.findByRole('button', { name: 'Sign in with Dropbox' });
    expect(screen.getByText(sentence)).toBeTruthy();
    expect(errorCode(await api.getSharing().catch((e: unknown) => e))).toBe('signed_out');
  });

  it('Dropbox needs a new sign-in: the panel on the page shows signed out with the reason', async () => {
    const { signInAs } = await startBackground(worker);
    await signInAs(MAYA);
    worker.reauthRequired.add(MAYA.id);
    loadFixture('folder-page.html');
    ctx = new ContentScriptContext('dropbox', { matches: ['https://www.dropbox.com/*'], cssInjectionMode: 'manual' });
    const panel = within((await mountPanel(ctx, { isUserGesture: testUserGesture })).ui.shadow as unknown as HTMLElement);
    await waitFor(() => panel.getByRole('button', { name: 'Sign in with Dropbox' }));
    expect(panel.getByText(/Dropbox no longer accepts Producer Dashboard’s access to your account .* Sign in with Dropbox again\./)).toBeTruthy();
  });

  it('an open panel follows when the session ends elsewhere (the next sync): signed out, with the reason', async () => {
    const { api, signInAs } = await startBackground(worker);
    await signInAs(MAYA);
    loadFixture('folder-page.html');
    ctx = new ContentScriptContext('dropbox', { matches: ['https://www.dropbox.com/*'], cssInjectionMode: 'manual' });
    const panel = within((await mountPanel(ctx, { isUserGesture: testUserGesture })).ui.shadow as unknown as HTMLElement);
    await waitFor(() => panel.getByRole('listitem', { name: 'Leo Vance' }));
    worker.sessions.clear();
    await api.syncNow();
    await waitFor(() => panel.getByRole('button', { name: 'Sign in with Dropbox' }));
    expect(panel.getByText(/session was ended/)).toBeTruthy();
    expect(panel.queryByRole('listitem', { name: 'Leo Vance' })).toBeNull();
  });

  it('signing in again clears the reason', async () => {
    const { api, signInAs } = await startBackground(worker);
    const token = await signInAs(MAYA);
    worker.sessions.delete(token);
    await api.syncNow();
    expect((await api.getStatus()).signedOutReason).toMatch(/session was ended/);
    await signInAs(MAYA);
    expect(await api.getStatus()).toMatchObject({ signedIn: true, signedOutReason: null });
  });
});

describe('changing the worker URL on the options page', () => {
  it('signs out and asks to sign in again, saying why', async () => {
    const { api, signInAs } = await startBackground(worker);
    const token = await signInAs(MAYA);
    renderWithApi(<Options developmentBuild={false} />, api);
    await screen.findByText('Signed in as Maya Reyes.');
    expect(screen.getByText(/Changing it signs you out: your session is only ever sent to the address that issued it\./)).toBeTruthy();
    fireEvent.input(screen.getByLabelText('Producer Dashboard worker URL'), { target: { value: 'https://pd2.example.com' } });
    userClick(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText('Saved.');
    // The popup, opened next, says why.
    cleanup();
    renderWithApi(<App getActiveUrl={async () => null} />, api);
    await screen.findByText(
      'The Producer Dashboard address changed to https://pd2.example.com, so you were signed out: your session is never sent to another address. Sign in again.',
    );
    expect(screen.getByRole('button', { name: 'Sign in with Dropbox' })).toBeTruthy();
    expect(worker.sent.filter((r) => r.url.startsWith('https://pd2.example.com')).every((r) => r.token === null)).toBe(true);
    expect(worker.sessions.has(token)).toBe(false);
  });
});

describe('rate limits (429 + Retry-After)', () => {
  it('sign-in says how long to wait', async () => {
    const { api } = await startBackground(worker);
    fakeBrowser.identity.getRedirectURL = () => 'https://x.chromiumapp.org/';
    vi.spyOn(fakeBrowser.identity, 'launchWebAuthFlow').mockImplementation(
      async (d: { url: string }) => `https://x.chromiumapp.org/?code=code-for:maya@pd.example&state=${new URL(d.url).searchParams.get('state')}`,
    );
    renderWithApi(<App getActiveUrl={async () => null} />, api);
    await screen.findByRole('button', { name: 'Sign in with Dropbox' });
    worker.rateLimited = { retryAfter: 40, path: '/auth/dropbox' };
    userClick(screen.getByRole('button', { name: 'Sign in with Dropbox' }));
    await screen.findByText('Too many attempts — try again in 40 s.');
  });

  it('reads Retry-After in seconds or as an HTTP date', () => {
    expect(rateLimitedMessage('40')).toBe('Too many attempts — try again in 40 s.');
    expect(rateLimitedMessage('600')).toBe('Too many attempts — try again in 10 min.');
    expect(rateLimitedMessage(new Date(Date.UTC(2026, 0, 1, 0, 0, 30)).toUTCString(), Date.UTC(2026, 0, 1))).toBe(
      'Too many attempts — try again in 30 s.',
    );
    expect(rateLimitedMessage(null)).toBe('Too many attempts — try again in a moment.');
    expect(rateLimitedMessage('soon')).toBe('Too many attempts — try again in a moment.');
  });
});
