import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { App } from '../entrypoints/popup/App';
import { settingsItem } from '../utils/storage';
import type { PdApi } from '../utils/messaging';
import { startBackground } from './helpers/background';
import { FakeWorker, LEO, MAYA, SAM } from './helpers/fake-worker';
import { MIDNIGHT_DRIVE_URL } from './helpers/fixtures';
import { renderWithApi } from './helpers/render';

let worker: FakeWorker;
let api: PdApi;
let signInAs: (a: typeof MAYA) => Promise<void>;
const ids: Record<string, string> = {};

beforeEach(async () => {
  cleanup();
  worker = new FakeWorker();
  for (const title of ['Midnight Drive', 'Glass Hearts', 'Neon Rain']) {
    ids[title] = worker.addTrack({
      title,
      owner: MAYA,
      path: `/PRODUCER-DASHBOARD/Night Sessions/${title}`,
      collaborators: [{ account: LEO, accessLevel: 'editor' }, ...(title === 'Midnight Drive' ? [{ account: SAM, accessLevel: 'viewer' as const }] : [])],
    });
  }
  const bg = await startBackground(worker);
  api = bg.api;
  signInAs = bg.signInAs;
});

function popup(url: string | null = MIDNIGHT_DRIVE_URL) {
  renderWithApi(<App getActiveUrl={async () => url} />, api);
}

describe('popup', () => {
  it('signed out: offers Sign in with Dropbox and the settings', async () => {
    popup();
    await screen.findByRole('button', { name: 'Sign in with Dropbox' });
    expect(screen.getByText(/Worker: http:\/\/pd\.test/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Settings' }));
    expect(screen.getByLabelText('Producer Dashboard worker URL')).toBeTruthy();
  });

  it("owner, on a track's folder: the track, my role, and the collaborators with Revoke", async () => {
    await signInAs(MAYA);
    popup();
    const current = await screen.findByTestId('current-track');
    expect(current.textContent).toContain('Midnight Drive');
    expect(current.textContent).toContain('Owner');
    expect(within(current).getByRole('button', { name: 'Revoke Leo Vance' })).toBeTruthy();
    expect(within(current).getByRole('button', { name: 'Revoke Sam Ortiz' })).toBeTruthy();
  });

  it('collaborator, on a tab that is not Dropbox: points to My tracks', async () => {
    await signInAs(LEO);
    popup('https://example.com/');
    await screen.findByText(/Open a track's folder on dropbox.com to see it here/);
  });

  it("owner's My tracks: the sharing panel grouped by collaborator, with Revoke All", async () => {
    await signInAs(MAYA);
    popup();
    fireEvent.click(await screen.findByRole('tab', { name: 'My tracks' }));
    const people = await screen.findByRole('list', { name: 'People you share with' });
    const leo = within(people).getByRole('listitem', { name: 'Leo Vance' });
    expect(leo.textContent).toContain('leo@pd.example · 3 tracks');
    expect(leo.textContent).toContain('Midnight Drive (Editor)');
    expect(within(leo).getByRole('button', { name: 'Revoke All for Leo Vance' })).toBeTruthy();
    expect(within(people).getByRole('listitem', { name: 'Sam Ortiz' }).textContent).toContain('1 track');
  });

  it("collaborator's My tracks: one-click Leave with its confirmation; the track leaves the list", async () => {
    await signInAs(LEO);
    popup(null);
    fireEvent.click(await screen.findByRole('tab', { name: 'My tracks' }));
    const shared = await screen.findByRole('list', { name: 'Tracks shared with me' });
    expect(within(shared).getAllByRole('listitem').map((li) => li.getAttribute('aria-label'))).toEqual(['Midnight Drive', 'Glass Hearts', 'Neon Rain']);
    fireEvent.click(within(within(shared).getByRole('listitem', { name: 'Glass Hearts' })).getByRole('button', { name: 'Leave' }));
    const dialog = await screen.findByRole('dialog', { name: 'Leave “Glass Hearts”?' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Leave Track' }));
    await waitFor(() =>
      expect(within(screen.getByRole('list', { name: 'Tracks shared with me' })).queryByRole('listitem', { name: 'Glass Hearts' })).toBeNull(),
    );
    expect(screen.getByText('You left “Glass Hearts”. Its files are being removed from your Dropbox.')).toBeTruthy();
  });

  it('notifications: unread count, the revoke notice, Mark all read', async () => {
    await signInAs(LEO);
    const col = worker.tracks.get(ids['Neon Rain']!)!.collaborators[0]!;
    await worker.fetch(`http://pd.test/api/v1/tracks/${ids['Neon Rain']}/collaborators/${col.id}/revoke`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${worker.session(MAYA)}` },
    });
    popup(null);
    const tab = await screen.findByRole('tab', { name: /Notifications/ });
    expect(within(tab).getByLabelText('1 unread')).toBeTruthy();
    fireEvent.click(tab);
    const list = await screen.findByRole('list', { name: 'Notifications' });
    expect(list.textContent).toContain('Maya Reyes revoked your access to “Neon Rain”. It has left your library and your Dropbox.');
    fireEvent.click(screen.getByRole('button', { name: 'Mark all read' }));
    await screen.findByText('All read');
    await waitFor(() => expect(within(screen.getByRole('tab', { name: /Notifications/ })).queryByLabelText(/unread/)).toBeNull());

    // My tracks no longer lists the revoked track.
    fireEvent.click(screen.getByRole('tab', { name: 'My tracks' }));
    const shared = await screen.findByRole('list', { name: 'Tracks shared with me' });
    expect(within(shared).queryByRole('listitem', { name: 'Neon Rain' })).toBeNull();
  });

  it('settings: refuses a bad worker URL and saves a good one', async () => {
    await signInAs(MAYA);
    popup(null);
    fireEvent.click(await screen.findByRole('button', { name: 'Settings' }));
    fireEvent.input(screen.getByLabelText('Producer Dashboard worker URL'), { target: { value: 'http://pd.example.com' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Use an https:// address (http:// only for localhost).')).toBeTruthy();
    fireEvent.input(screen.getByLabelText('Producer Dashboard worker URL'), { target: { value: 'https://pd.example.com/' } });
    fireEvent.input(screen.getByLabelText('Dropbox authorize URL (override)'), { target: { value: 'http://localhost:8788/oauth2/authorize' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText('Saved.');
    expect(await settingsItem.getValue()).toEqual({ workerUrl: 'https://pd.example.com/', authorizeUrl: 'http://localhost:8788/oauth2/authorize' });
  });

  it('asks for access to www.dropbox.com when the browser withheld it (Firefox)', async () => {
    const contains = vi.fn(async () => false);
    const request = vi.fn(async () => true);
    Object.assign(fakeBrowser.permissions, { contains, request });
    popup(null);
    const allow = await screen.findByRole('button', { name: 'Allow on www.dropbox.com' });
    expect(contains).toHaveBeenCalledWith({ origins: ['https://www.dropbox.com/*'] });
    fireEvent.click(allow);
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Allow on www.dropbox.com' })).toBeNull());
    expect(request).toHaveBeenCalledWith({ origins: ['https://www.dropbox.com/*'] });
  });
});
