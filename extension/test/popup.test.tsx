import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { userClick } from './helpers/user-gesture';
import { App } from '../entrypoints/popup/App';
import { Options } from '../entrypoints/options/Options';
import { settingsItem } from '../utils/storage';
import type { PdApi } from '../utils/messaging';
import { startBackground } from './helpers/background';
import { FakeWorker, LEO, MAYA, SAM } from './helpers/fake-worker';
import { MIDNIGHT_DRIVE_URL } from './helpers/fixtures';
import { renderWithApi } from './helpers/render';

let worker: FakeWorker;
let api: PdApi;
let signInAs: (a: typeof MAYA) => Promise<unknown>;
const ids: Record<string, string> = {};

beforeEach(async () => {
  cleanup();
  worker = new FakeWorker();
  for (const title of ['Midnight Drive', 'Glass Hearts', 'Neon Rain']) {
    ids[title] = worker.addTrack({
      title,
      owner: MAYA,
      path: `/PRODUCER-DASHBOARD/Night Sessions/${title}`,
      collaborators: [
        { account: LEO, accessLevel: 'editor' },
        ...(title === 'Midnight Drive' ? [{ account: SAM, accessLevel: 'viewer' as const }] : []),
      ],
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
    // Settings live on the options page: the button opens it.
    const openOptionsPage = vi.fn(async () => {});
    Object.assign(fakeBrowser.runtime, { openOptionsPage });
    userClick(screen.getByRole('button', { name: 'Settings' }));
    await waitFor(() => expect(openOptionsPage).toHaveBeenCalledOnce());
    expect(screen.queryByLabelText('Producer Dashboard worker URL')).toBeNull();
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
    userClick(await screen.findByRole('tab', { name: 'My tracks' }));
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
    userClick(await screen.findByRole('tab', { name: 'My tracks' }));
    const shared = await screen.findByRole('list', { name: 'Tracks shared with me' });
    expect(
      within(shared)
        .getAllByRole('listitem')
        .map((li) => li.getAttribute('aria-label')),
    ).toEqual(['Midnight Drive', 'Glass Hearts', 'Neon Rain']);
    userClick(within(within(shared).getByRole('listitem', { name: 'Glass Hearts' })).getByRole('button', { name: 'Leave' }));
    const dialog = await screen.findByRole('dialog', { name: 'Leave “Glass Hearts”?' });
    userClick(within(dialog).getByRole('button', { name: 'Leave Track' }));
    await waitFor(() =>
      expect(within(screen.getByRole('list', { name: 'Tracks shared with me' })).queryByRole('listitem', { name: 'Glass Hearts' })).toBeNull(),
    );
    expect(screen.getByText('You left “Glass Hearts”. Its files are being removed from your Dropbox; Maya Reyes can invite you again.')).toBeTruthy();
  });

  it('notifications: unread count, the revoke notice, Mark all read', async () => {
    await signInAs(LEO);
    const col = worker.tracks.get(ids['Neon Rain']!)!.collaborators[0]!;
    await worker.fetch(`http://pd.test/api/v1/tracks/${ids['Neon Rain']}/collaborators/${col.id}/revoke`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${worker.session(MAYA)}` },
    });
    popup(null);
    // The count is read out as part of the tab's name (the badge itself is decoration, hidden from screen readers).
    const tab = await screen.findByRole('tab', { name: /^Notifications\s*1 unread$/ });
    userClick(tab);
    const list = await screen.findByRole('list', { name: 'Notifications' });
    expect(list.textContent).toContain('Maya Reyes revoked your access to “Neon Rain”. It has left your library and your Dropbox.');
    userClick(screen.getByRole('button', { name: 'Mark all read' }));
    await screen.findByText('All read');
    await waitFor(() => expect(screen.getByRole('tab', { name: /Notifications/ }).textContent).not.toContain('unread'));

    // My tracks no longer lists the revoked track.
    userClick(screen.getByRole('tab', { name: 'My tracks' }));
    const shared = await screen.findByRole('list', { name: 'Tracks shared with me' });
    expect(within(shared).queryByRole('listitem', { name: 'Neon Rain' })).toBeNull();
  });

  it('options page: refuses a bad worker URL and saves a good one', async () => {
    await signInAs(MAYA);
    renderWithApi(<Options developmentBuild />, api);
    await screen.findByText('Signed in as Maya Reyes.');
    fireEvent.input(screen.getByLabelText('Producer Dashboard worker URL'), { target: { value: 'http://pd.example.com' } });
    userClick(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Use an https:// address (http:// only for localhost).')).toBeTruthy();
    fireEvent.input(screen.getByLabelText('Producer Dashboard worker URL'), { target: { value: 'https://pd.example.com/' } });
    fireEvent.input(screen.getByLabelText('Dropbox authorize URL (override)'), { target: { value: 'http://localhost:8788/oauth2/authorize' } });
    userClick(screen.getByRole('button', { name: 'Save' }));
    await screen.findByText('Saved.');
    expect(await settingsItem.getValue()).toEqual({ workerUrl: 'https://pd.example.com/', authorizeUrl: 'http://localhost:8788/oauth2/authorize' });
  });

  it('options page of a production build: no development-only fields', async () => {
    renderWithApi(<Options developmentBuild={false} />, api);
    await screen.findByLabelText('Producer Dashboard worker URL');
    expect(screen.queryByLabelText('Dropbox authorize URL (override)')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Back' })).toBeNull();
  });

  it('asks for access to www.dropbox.com when the browser withheld it (Firefox)', async () => {
    const contains = vi.fn(async () => false);
    const request = vi.fn(async () => true);
    Object.assign(fakeBrowser.permissions, { contains, request });
    popup(null);
    const allow = await screen.findByRole('button', { name: 'Allow on www.dropbox.com' });
    expect(contains).toHaveBeenCalledWith({ origins: ['https://www.dropbox.com/*'] });
    userClick(allow);
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Allow on www.dropbox.com' })).toBeNull());
    expect(request).toHaveBeenCalledWith({ origins: ['https://www.dropbox.com/*'] });
  });
});

describe('popup: invitations waiting for my answer', () => {
  /** Maya revokes Leo from Neon Rain, then invites him again, straight on the worker. */
  async function revokeAndInviteLeoAgain() {
    const auth = { Authorization: `Bearer ${worker.session(MAYA)}` };
    const col = worker.tracks.get(ids['Neon Rain']!)!.collaborators[0]!;
    await worker.fetch(`http://pd.test/api/v1/tracks/${ids['Neon Rain']}/collaborators/${col.id}/revoke`, { method: 'POST', headers: auth });
    const res = await worker.fetch(`http://pd.test/api/v1/tracks/${ids['Neon Rain']}/invitations`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ email: LEO.email, accessLevel: 'editor' }),
    });
    expect(res.status).toBe(201);
    return col;
  }

  it('Accept: the invitation is listed with who invited me and as what; the track is back in Shared with me at once', async () => {
    await signInAs(LEO);
    await revokeAndInviteLeoAgain();
    popup(null);
    userClick(await screen.findByRole('tab', { name: /Notifications/ }));
    const pending = await screen.findByRole('list', { name: 'Pending invitations' });
    const item = within(pending).getByRole('listitem', { name: 'Invitation to Neon Rain' });
    expect(item.textContent).toContain('Maya Reyes invited you to “Neon Rain” as Editor.');
    const syncsBefore = worker.requests.filter((r) => r.startsWith('GET /sync')).length;
    userClick(within(item).getByRole('button', { name: 'Accept' }));
    await screen.findByText('You accepted “Neon Rain”. It is in My tracks → Shared with me.');
    await waitFor(() => expect(screen.queryByRole('list', { name: 'Pending invitations' })).toBeNull());

    userClick(screen.getByRole('tab', { name: 'My tracks' }));
    const shared = await screen.findByRole('list', { name: 'Tracks shared with me' });
    expect(within(shared).getByRole('listitem', { name: 'Neon Rain' })).toBeTruthy();
    // The background synced on accept, so every view (and the badge) sees the track.
    expect(worker.requests.filter((r) => r.startsWith('GET /sync')).length).toBeGreaterThan(syncsBefore);
  });

  it('Decline asks first, then tells the owner; the collaborator shows as declined', async () => {
    await signInAs(LEO);
    const col = await revokeAndInviteLeoAgain();
    popup(null);
    userClick(await screen.findByRole('tab', { name: /Notifications/ }));
    const item = await screen.findByRole('listitem', { name: 'Invitation to Neon Rain' });
    userClick(within(item).getByRole('button', { name: 'Decline' }));
    expect(item.textContent).toContain('Decline “Neon Rain”? Maya Reyes will be told.');
    userClick(within(item).getByRole('button', { name: 'Cancel' }));
    expect(col.status).toBe('invited');
    userClick(within(item).getByRole('button', { name: 'Decline' }));
    userClick(within(item).getByRole('button', { name: 'Yes, decline' }));
    await screen.findByText('You declined the invitation to “Neon Rain”. Maya Reyes is told.');
    expect(col.status).toBe('declined');
    expect(worker.notifications.find((n) => n.recipientId === MAYA.id && n.kind === 'invitation_declined')).toBeTruthy();
    await waitFor(() => expect(screen.queryByRole('list', { name: 'Pending invitations' })).toBeNull());
  });

  it('an invitation that is no longer pending: the worker says so and the list drops it', async () => {
    await signInAs(LEO);
    await revokeAndInviteLeoAgain();
    popup(null);
    userClick(await screen.findByRole('tab', { name: /Notifications/ }));
    const item = await screen.findByRole('listitem', { name: 'Invitation to Neon Rain' });
    worker.invitations[0]!.status = 'cancelled'; // Maya cancelled it meanwhile
    userClick(within(item).getByRole('button', { name: 'Accept' }));
    await screen.findByText('This invitation was already cancelled.');
    await waitFor(() => expect(screen.queryByRole('list', { name: 'Pending invitations' })).toBeNull());
    userClick(screen.getByRole('tab', { name: 'My tracks' }));
    const shared = await screen.findByRole('list', { name: 'Tracks shared with me' });
    expect(within(shared).queryByRole('listitem', { name: 'Neon Rain' })).toBeNull();
  });
});
