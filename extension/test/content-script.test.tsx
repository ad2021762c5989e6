// The real content script on saved Dropbox-like pages, talking to the real background over WXT's fake browser
// (the background talks to an in-memory worker).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor, within } from '@testing-library/preact';
import { ContentScriptContext } from 'wxt/utils/content-script-context';
import { mountPanel } from '../entrypoints/dropbox.content/mount-panel';
import { startBackground } from './helpers/background';
import { testUserGesture, userClick } from './helpers/user-gesture';
import { FakeWorker, LEO, MAYA, SAM } from './helpers/fake-worker';
import { dropboxNodes, loadFixture, MIDNIGHT_DRIVE_PATH, setUrl } from './helpers/fixtures';

let ctx: ContentScriptContext | null = null;
/** The panel's closed shadow root, as only the extension holds it (mountPanel's answer); the page gets null. */
let shadow: ShadowRoot | null = null;
const pageErrors: unknown[] = [];
const onError = (e: ErrorEvent) => pageErrors.push(e.error ?? e.message);

function seed() {
  const worker = new FakeWorker();
  worker.addTrack({
    title: 'Midnight Drive',
    owner: MAYA,
    path: MIDNIGHT_DRIVE_PATH,
    collaborators: [
      { account: LEO, accessLevel: 'editor', role: 'vocalist' },
      { account: SAM, accessLevel: 'viewer', role: 'engineer' },
    ],
  });
  worker.addTrack({ title: 'Glass Hearts', owner: MAYA, path: '/PRODUCER-DASHBOARD/Night Sessions/Glass Hearts', collaborators: [{ account: LEO }] });
  return worker;
}

/** The content script's panel, with the test's user-gesture gate (happy-dom has no trusted events). */
async function startContentScript() {
  ctx = new ContentScriptContext('dropbox', { matches: ['https://www.dropbox.com/*'], cssInjectionMode: 'manual' });
  shadow = (await mountPanel(ctx, { isUserGesture: testUserGesture })).ui.shadow;
}

function host(): HTMLElement {
  const el = document.querySelector('pd-panel');
  if (!el) throw new Error('no PD panel host on the page');
  return el as HTMLElement;
}

function panel() {
  if (!shadow) throw new Error('the panel is not mounted');
  return within(shadow as unknown as HTMLElement);
}

beforeEach(() => {
  pageErrors.length = 0;
  window.addEventListener('error', onError);
});

afterEach(() => {
  ctx?.abort();
  ctx = null;
  window.removeEventListener('error', onError);
  expect(pageErrors).toEqual([]);
});

describe('content script on a Dropbox folder page', () => {
  it("shows the owner's panel right after Dropbox's folder header, inside a shadow root", async () => {
    const { signInAs } = await startBackground(seed());
    await signInAs(MAYA);
    loadFixture('folder-page.html');
    const before = dropboxNodes();
    await startContentScript();

    await waitFor(() => expect(panel().getByRole('heading', { name: 'Midnight Drive' })).toBeTruthy());
    expect(host().previousElementSibling?.getAttribute('data-testid')).toBe('page-header');
    // Closed: the page's scripts get no shadow root to read.
    expect(shadow?.mode).toBe('closed');
    expect(host().shadowRoot).toBeNull();
    const leo = panel().getByRole('listitem', { name: 'Leo Vance' });
    expect(leo.textContent).toContain('vocalist · Editor');
    expect(leo.textContent).toContain('Master 25% · Publishing 25% · Writer 25%');
    expect(leo.textContent).toContain('Active');
    expect(within(leo).getByRole('button', { name: 'Revoke Leo Vance' })).toBeTruthy();
    expect(within(leo).getByRole('button', { name: 'Downgrade to Viewer' })).toBeTruthy();
    expect(within(leo).getByRole('button', { name: 'Revoke All for Leo Vance' })).toBeTruthy();
    // Nothing of Dropbox's was removed or changed.
    expect(dropboxNodes()).toEqual(before);
  });

  it('revokes from the panel: the confirmation names person and track, then the row shows Revoked and Dropbox pending', async () => {
    const { signInAs } = await startBackground(seed());
    await signInAs(MAYA);
    loadFixture('folder-page.html');
    await startContentScript();
    await waitFor(() => panel().getByRole('button', { name: 'Revoke Leo Vance' }));
    userClick(panel().getByRole('button', { name: 'Revoke Leo Vance' }));
    const dialog = panel().getByRole('dialog', { name: "Revoke Leo Vance's access to “Midnight Drive”?" });
    userClick(within(dialog).getByRole('button', { name: 'Revoke access' }));
    await waitFor(() => expect(panel().getByRole('listitem', { name: 'Leo Vance' }).textContent).toContain('Revoked'));
    expect(panel().getByText(/Leo Vance's access to “Midnight Drive” was revoked/)).toBeTruthy();
    expect(panel().getByRole('listitem', { name: 'Leo Vance' }).textContent).toContain('Dropbox change pending');
    expect(panel().queryByRole('button', { name: 'Revoke Leo Vance' })).toBeNull();
  });

  it('shows a collaborator Leave Track, and after leaving, that access has ended', async () => {
    const { signInAs } = await startBackground(seed());
    await signInAs(LEO);
    loadFixture('folder-page.html');
    await startContentScript();
    await waitFor(() => panel().getByRole('button', { name: 'Leave Track' }));
    expect(panel().getByText(/You are Editor · shared by Maya Reyes/)).toBeTruthy();
    userClick(panel().getByRole('button', { name: 'Leave Track' }));
    const dialog = panel().getByRole('dialog', { name: 'Leave “Midnight Drive”?' });
    // Dropbox's own Download button is on this page: the dialog offers it.
    expect(within(dialog).getByRole('button', { name: 'Download the files first' })).toBeTruthy();
    userClick(within(dialog).getByRole('button', { name: 'Leave Track' }));
    await waitFor(() => expect(shadow?.querySelector('[data-state="access_ended"]')).toBeTruthy());
    // One calm confirmation: not a second box repeating that the access ended.
    expect(panel().getByText(/You left “Midnight Drive”/)).toBeTruthy();
    expect(panel().queryByText(/access to this track has ended/)).toBeNull();
    expect(shadow!.querySelectorAll('.pd-alert').length).toBe(1);
    expect(shadow!.querySelector('.pd-alert-warn')).toBeNull();
  });

  it('falls back to the share toolbar, then to a floating panel, when Dropbox drops its anchors', async () => {
    const { signInAs } = await startBackground(seed());
    await signInAs(MAYA);
    loadFixture('folder-page-no-header.html');
    await startContentScript();
    await waitFor(() => panel().getByRole('heading', { name: 'Midnight Drive' }));
    expect(host().previousElementSibling?.getAttribute('role')).toBe('toolbar');
    expect(shadow?.querySelector('.pd-panel')?.getAttribute('data-placement')).toBe('share');
    ctx?.abort();
    document.querySelectorAll('pd-panel').forEach((el) => el.remove());

    loadFixture('folder-page-no-anchors.html');
    await startContentScript();
    await waitFor(() => panel().getByRole('heading', { name: 'Midnight Drive' }));
    expect(host().parentElement).toBe(document.body);
    expect(shadow?.querySelector('.pd-panel')?.getAttribute('data-placement')).toBe('floating');
    expect(panel().getByRole('button', { name: 'Hide' })).toBeTruthy();
  });

  it("follows Dropbox's in-page navigation and re-attaches when Dropbox re-renders its header", async () => {
    const { signInAs } = await startBackground(seed());
    await signInAs(MAYA);
    loadFixture('folder-page.html');
    await startContentScript();
    await waitFor(() => panel().getByRole('heading', { name: 'Midnight Drive' }));

    // SPA navigation: the URL changes and Dropbox swaps the header for a new one.
    setUrl('https://www.dropbox.com/home/PRODUCER-DASHBOARD/Night%20Sessions/Glass%20Hearts');
    const oldHeader = document.querySelector('[data-testid="page-header"]')!;
    const newHeader = oldHeader.cloneNode(true) as HTMLElement;
    newHeader.querySelector('h1')!.textContent = 'Glass Hearts';
    oldHeader.replaceWith(newHeader);

    await waitFor(() => expect(panel().getByRole('heading', { name: 'Glass Hearts' })).toBeTruthy());
    expect(host().previousElementSibling).toBe(newHeader);
    expect(document.querySelectorAll('pd-panel')).toHaveLength(1);

    // A folder that is not a track.
    setUrl('https://www.dropbox.com/home/Holiday%20photos');
    newHeader.querySelector('h1')!.textContent = 'Holiday photos';
    await waitFor(() => expect(panel().getByText('This folder is not a Producer Dashboard track.')).toBeTruthy());

    // The Dropbox root: no panel at all.
    setUrl('https://www.dropbox.com/home');
    newHeader.querySelector('h1')!.textContent = 'Dropbox';
    await waitFor(() => expect(document.querySelector('pd-panel')).toBeNull());
    expect(document.querySelector('[data-testid="page-header"]')).toBe(newHeader);
  });

  it("shows the folder's track while a file of it is open in the previewer (?preview=)", async () => {
    const { signInAs } = await startBackground(seed());
    await signInAs(LEO);
    loadFixture(
      'folder-page.html',
      'https://www.dropbox.com/home/PRODUCER-DASHBOARD/Night%20Sessions/Midnight%20Drive?preview=Midnight+Drive+-+Mix+v3.wav',
    );
    await startContentScript();
    await waitFor(() => panel().getByRole('button', { name: 'Leave Track' }));
    expect(panel().getByRole('heading', { name: 'Midnight Drive' })).toBeTruthy();
  });

  it('shows the signed-out state with Sign in with Dropbox, and the track once signed in elsewhere', async () => {
    const { signInAs } = await startBackground(seed());
    loadFixture('folder-page.html');
    await startContentScript();
    await waitFor(() => panel().getByRole('button', { name: 'Sign in with Dropbox' }));
    expect(panel().getByText(/Sign in to see and manage this folder's Producer Dashboard track/)).toBeTruthy();
    // The user signs in from the toolbar popup: the panel follows.
    await signInAs(MAYA);
    await waitFor(() => expect(panel().getByRole('heading', { name: 'Midnight Drive' })).toBeTruthy());
  });

  it('shows "unreachable" with a Retry that works once the worker is back', async () => {
    const worker = seed();
    const { signInAs } = await startBackground(worker);
    await signInAs(MAYA);
    worker.unreachable = true;
    loadFixture('folder-page.html');
    await startContentScript();
    await waitFor(() => panel().getByText(/Producer Dashboard is unreachable/));
    worker.unreachable = false;
    userClick(panel().getByRole('button', { name: 'Retry' }));
    await waitFor(() => panel().getByRole('heading', { name: 'Midnight Drive' }));
  });
});
