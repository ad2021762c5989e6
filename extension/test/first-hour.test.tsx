// The first hour: a welcome page on install, release notes when an update changes the version, nothing on a reload
// of the same version; the welcome page walks through sign-in.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanup, screen } from '@testing-library/preact';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { firstHourPage } from '../background/register';
import { compareVersions, notesSince, RELEASE_NOTES } from '../entrypoints/welcome/release-notes';
import { Welcome } from '../entrypoints/welcome/Welcome';
import { startBackground } from './helpers/background';
import { FakeWorker, MAYA } from './helpers/fake-worker';
import { renderWithApi } from './helpers/render';

describe('which page the first hour opens', () => {
  it('welcome on install, release notes on an update that changed the version, nothing otherwise', () => {
    expect(firstHourPage({ reason: 'install' }, '0.2.0')).toBe('/welcome.html');
    expect(firstHourPage({ reason: 'update', previousVersion: '0.1.0' }, '0.2.0')).toBe('/welcome.html?from=0.1.0#release-notes');
    expect(firstHourPage({ reason: 'update', previousVersion: '0.2.0' }, '0.2.0')).toBeNull(); // a developer's reload
    expect(firstHourPage({ reason: 'browser_update' }, '0.2.0')).toBeNull();
    expect(firstHourPage({ reason: 'chrome_update' }, '0.2.0')).toBeNull();
  });

  it('release notes since a version: only the newer entries; every entry has changes', () => {
    expect(compareVersions('0.10.0', '0.9.1')).toBe(1);
    expect(compareVersions('1.0', '1.0.0')).toBe(0);
    expect(notesSince(RELEASE_NOTES[0]!.version)).toEqual([]);
    expect(notesSince('0.0.1').length).toBe(RELEASE_NOTES.length);
    for (const n of RELEASE_NOTES) expect(n.changes.length).toBeGreaterThan(0);
  });
});

describe('welcome page', () => {
  beforeEach(() => cleanup());

  it('signed out: step 1 is Sign in with Dropbox; then where the panel appears and the toolbar button', async () => {
    const { api } = await startBackground(new FakeWorker());
    vi.spyOn(fakeBrowser.runtime, 'getManifest').mockReturnValue({ manifest_version: 3, name: 'PD', version: '0.1.0' });
    renderWithApi(<Welcome releaseNotes={false} previousVersion={null} />, api);
    expect(await screen.findByRole('heading', { name: 'Welcome to Producer Dashboard for Dropbox' })).toBeTruthy();
    await screen.findByRole('button', { name: 'Sign in with Dropbox' });
    expect(screen.getByRole('heading', { name: '2. Open a track’s folder on www.dropbox.com' })).toBeTruthy();
    expect(screen.getByText(/appears right under the folder’s header/)).toBeTruthy();
  });

  it('signed in: says who; after an update it lists what changed', async () => {
    const { api, signInAs } = await startBackground(new FakeWorker());
    await signInAs(MAYA);
    vi.spyOn(fakeBrowser.runtime, 'getManifest').mockReturnValue({ manifest_version: 3, name: 'PD', version: RELEASE_NOTES[0]!.version });
    renderWithApi(<Welcome releaseNotes previousVersion="0.0.1" />, api);
    await screen.findByText('Signed in as Maya Reyes.');
    expect(screen.getByRole('heading', { name: `Producer Dashboard ${RELEASE_NOTES[0]!.version}: what’s new` })).toBeTruthy();
    // The notes are message keys, shown as the reader's language says them.
    expect(screen.getByText('Revoke, Downgrade to Viewer and Revoke All from the panel on a track’s Dropbox folder.')).toBeTruthy();
  });
});
