// Issue 11 item 1, the extension's side: the background holds the live socket only while a PD panel or popup is open
// (each holds a port), reconnects with backoff, catches up on every (re)connect, and a push reaches the open view,
// which re-reads the track — a collaborator whose access is revoked sees it leave their open popup.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanup, screen, waitFor } from '@testing-library/preact';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { App } from '../entrypoints/popup/App';
import { LiveContext } from '../components/live-context';
import { createLiveHub, holdLive } from '../utils/live-port';
import { CLOSE_SIGNED_OUT, createLiveSocket, type SocketLike } from '../background/live';
import { startBackground } from './helpers/background';
import { FakeWorker, LEO, MAYA } from './helpers/fake-worker';
import { MIDNIGHT_DRIVE_PATH } from './helpers/fixtures';
import { renderWithApi } from './helpers/render';
import { within } from '@testing-library/preact';
import { ContentScriptContext } from 'wxt/utils/content-script-context';
import { mountPanel } from '../entrypoints/dropbox.content/mount-panel';
import { testUserGesture, userClick } from './helpers/user-gesture';
import { loadFixture } from './helpers/fixtures';

/** The worker's end of the sockets the background opens. */
class FakeSocket implements SocketLike {
  readyState = 0;
  sent: string[] = [];
  closedWith: number | null = null;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason?: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  constructor(
    readonly url: string,
    readonly protocols: string[],
  ) {}
  send(data: string) {
    this.sent.push(data);
  }
  close(code = 1000) {
    this.closedWith = code;
    this.readyState = 3;
  }
  // The server's side:
  accept() {
    this.readyState = 1;
    this.onopen?.({});
  }
  push(trackIds: string[] | null, cursor = 999) {
    this.onmessage?.({ data: JSON.stringify({ type: 'changed', trackIds, cursor }) });
  }
  drop(code = 1006) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
}

function server(opts: { accept?: boolean } = {}) {
  const sockets: FakeSocket[] = [];
  return {
    sockets,
    createSocket: (url: string, protocols: string[]) => {
      const s = new FakeSocket(url, protocols);
      sockets.push(s);
      if (opts.accept !== false) queueMicrotask(() => s.accept());
      return s;
    },
    get last() {
      return sockets.at(-1);
    },
    get open() {
      return sockets.filter((s) => s.readyState === 1 && s.closedWith === null);
    },
  };
}

const fast = { backoffMs: 20, maxBackoffMs: 200, lingerMs: 30, pingMs: 40, random: () => 1 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function seed() {
  const worker = new FakeWorker();
  const trackId = worker.addTrack({
    title: 'Midnight Drive',
    owner: MAYA,
    path: MIDNIGHT_DRIVE_PATH,
    collaborators: [{ account: LEO, accessLevel: 'editor', path: '/Shared/Midnight Drive' }],
  });
  return { worker, trackId };
}

beforeEach(() => cleanup());

describe('the background’s live socket', () => {
  it('is opened only while a panel or popup holds a port, and closed shortly after the last one closes', async () => {
    const srv = server();
    const { signInAs } = await startBackground(seed().worker, { createSocket: srv.createSocket, live: fast });
    const token = await signInAs(MAYA);
    await sleep(50);
    expect(srv.sockets).toHaveLength(0);

    const panel = fakeBrowser.runtime.connect({ name: 'pd-live' });
    await waitFor(() => expect(srv.open).toHaveLength(1));
    // The session token goes in the subprotocol list, never in the URL.
    expect(srv.last!.url).toBe('ws://pd.test/api/v1/live');
    expect(srv.last!.protocols).toEqual(['pd-live.v1', `pd-token.${token}`]);

    const popup = fakeBrowser.runtime.connect({ name: 'pd-live' });
    panel.disconnect();
    await sleep(80);
    expect(srv.open).toHaveLength(1); // the popup still holds it
    expect(srv.sockets).toHaveLength(1); // and no second socket was opened for the second holder

    popup.disconnect();
    await waitFor(() => expect(srv.last!.closedWith).toBe(1000));
    await sleep(100);
    expect(srv.sockets).toHaveLength(1); // closed on purpose: no reconnect
  });

  it('a page reload (port closed and opened again at once) keeps the same socket', async () => {
    const srv = server();
    const { signInAs } = await startBackground(seed().worker, { createSocket: srv.createSocket, live: fast });
    await signInAs(MAYA);
    const before = fakeBrowser.runtime.connect({ name: 'pd-live' });
    await waitFor(() => expect(srv.open).toHaveLength(1));
    before.disconnect();
    fakeBrowser.runtime.connect({ name: 'pd-live' });
    await sleep(80);
    expect(srv.sockets).toHaveLength(1);
    expect(srv.last!.closedWith).toBeNull();
  });

  it('is not opened while signed out; opens on sign-in while held, closes on sign-out', async () => {
    const srv = server();
    const { bg, signInAs } = await startBackground(seed().worker, { createSocket: srv.createSocket, live: fast });
    fakeBrowser.runtime.connect({ name: 'pd-live' });
    await sleep(50);
    expect(srv.sockets).toHaveLength(0);
    await signInAs(LEO);
    await waitFor(() => expect(srv.open).toHaveLength(1));
    await bg.signOut();
    await waitFor(() => expect(srv.last!.closedWith).not.toBeNull());
    await sleep(80);
    expect(srv.open).toHaveLength(0);
    expect(srv.sockets).toHaveLength(1);
  });

  it('reconnects with growing, capped backoff while held, and starts over once a socket opens', async () => {
    const srv = server({ accept: false });
    const { bg, signInAs } = await startBackground(seed().worker, { createSocket: srv.createSocket, live: fast });
    await signInAs(MAYA);
    fakeBrowser.runtime.connect({ name: 'pd-live' });
    await waitFor(() => expect(srv.sockets).toHaveLength(1));
    for (let i = 1; i <= 5; i++) {
      srv.last!.drop();
      await waitFor(() => expect(srv.sockets).toHaveLength(i + 1), { timeout: 1000 });
    }
    expect(bg.live.delays).toEqual([20, 40, 80, 160, 200]);
    srv.last!.accept();
    srv.last!.drop();
    await waitFor(() => expect(srv.sockets).toHaveLength(7));
    expect(bg.live.delays.at(-1)).toBe(20);
  });

  it('backoff is jittered (50–100 % of the step) so browsers do not all come back at once', () => {
    const sockets: FakeSocket[] = [];
    const live = createLiveSocket({
      target: async () => ({ url: 'ws://x', protocols: [] }),
      onPush: () => {},
      createSocket: (u, p) => {
        const s = new FakeSocket(u, p);
        sockets.push(s);
        return s;
      },
      backoffMs: 1000,
      random: () => 0,
    });
    return (async () => {
      live.retain();
      await waitFor(() => expect(sockets).toHaveLength(1));
      sockets[0]!.drop();
      expect(live.delays).toEqual([500]);
      expect(live.state).toBe('waiting');
      live.release();
    })();
  });

  it('keeps the service worker alive with pings while open', async () => {
    const srv = server();
    const { signInAs } = await startBackground(seed().worker, { createSocket: srv.createSocket, live: fast });
    await signInAs(MAYA);
    fakeBrowser.runtime.connect({ name: 'pd-live' });
    await waitFor(() => expect(srv.last?.sent.filter((m) => m === 'ping').length).toBeGreaterThanOrEqual(2), { timeout: 1000 });
  });

  it('a push reaches every open panel/popup with the track ids, and the background catches up with /sync', async () => {
    const srv = server();
    const { worker, signInAs } = await startBackground(seed().worker, { createSocket: srv.createSocket, live: fast });
    await signInAs(LEO);
    const heard: unknown[] = [];
    const port = fakeBrowser.runtime.connect({ name: 'pd-live' });
    port.onMessage.addListener((m: unknown) => heard.push(m));
    await waitFor(() => expect(srv.open).toHaveLength(1));
    // On open: "catch up" (a push may have been missed while no socket was open).
    await waitFor(() => expect(heard).toEqual([{ type: 'changed', trackIds: null }]));
    const syncsBefore = worker.requests.filter((r) => r.startsWith('GET /sync')).length;
    srv.last!.push(['trk_1']);
    await waitFor(() => expect(heard.at(-1)).toEqual({ type: 'changed', trackIds: ['trk_1'] }));
    await waitFor(() => expect(worker.requests.filter((r) => r.startsWith('GET /sync')).length).toBeGreaterThan(syncsBefore));
  });

  it('closed by the worker because the session ended (4003): the catch-up finds out and the extension signs out', async () => {
    const srv = server();
    const { worker, api, signInAs } = await startBackground(seed().worker, { createSocket: srv.createSocket, live: fast });
    const token = await signInAs(LEO);
    fakeBrowser.runtime.connect({ name: 'pd-live' });
    await waitFor(() => expect(srv.open).toHaveLength(1));
    worker.sessions.delete(token); // signed out everywhere, from another browser
    srv.last!.drop(CLOSE_SIGNED_OUT);
    await waitFor(async () => expect((await api.getStatus()).signedIn).toBe(false));
    await sleep(80);
    expect(srv.open).toHaveLength(0);
  });
});

describe('a panel’s or popup’s hold on the socket', () => {
  it('survives the background going away: the port is opened again and the view re-reads', async () => {
    const { ports } = await startBackground(seed().worker);
    const heard: (string[] | null)[] = [];
    const release = holdLive((ids) => heard.push(ids), 10);
    expect(ports.open.size).toBe(1);
    ports.breakAll();
    expect(ports.open.size).toBe(0);
    await waitFor(() => expect(ports.open.size).toBe(1));
    expect(heard).toEqual([null]);
    release();
    expect(ports.open.size).toBe(0);
  });

  it('one port per popup however many views listen; let go when the last one does', async () => {
    const { ports } = await startBackground(seed().worker);
    const subscribe = createLiveHub();
    const a = subscribe(() => {});
    const b = subscribe(() => {});
    expect(ports.open.size).toBe(1);
    a();
    expect(ports.open.size).toBe(1);
    b();
    expect(ports.open.size).toBe(0);
  });
});

describe('live views', () => {
  it('a collaborator’s open popup shows their access ending when the owner revokes it elsewhere, without reopening', async () => {
    const srv = server();
    const { worker, trackId } = seed();
    const bg = await startBackground(worker, { createSocket: srv.createSocket, live: fast });
    await bg.signInAs(LEO);
    renderWithApi(
      <LiveContext.Provider value={createLiveHub()}>
        <App getActiveUrl={async () => 'https://www.dropbox.com/home/Shared/Midnight%20Drive'} />
      </LiveContext.Provider>,
      bg.api,
    );
    await screen.findByTestId('current-track');
    await waitFor(() => expect(srv.open).toHaveLength(1));

    // The owner revokes Leo in their own browser (straight to the worker).
    const maya = worker.session(MAYA);
    const leo = worker.tracks.get(trackId)!.collaborators.find((c) => c.accountId === LEO.id)!;
    const res = await worker.fetch(`http://pd.test/api/v1/tracks/${trackId}/collaborators/${leo.id}/revoke`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${maya}` },
    });
    expect(res.status).toBe(200);
    srv.last!.push([trackId]);
    await screen.findByText(/Your access to this track has ended/);
    expect(screen.queryByTestId('current-track')).toBeNull();
  });

  it('a Leave confirmation in My tracks whose track the owner revokes meanwhile: focus goes to the list, then the tab panel', async () => {
    const srv = server();
    const { worker, trackId } = seed();
    const other = worker.addTrack({
      title: 'Glass Hearts',
      owner: MAYA,
      path: '/PRODUCER-DASHBOARD/Glass Hearts',
      collaborators: [{ account: LEO, accessLevel: 'viewer' }],
    });
    const bg = await startBackground(worker, { createSocket: srv.createSocket, live: fast });
    await bg.signInAs(LEO);
    renderWithApi(
      <LiveContext.Provider value={createLiveHub()}>
        <App getActiveUrl={async () => null} initialTab="mine" />
      </LiveContext.Provider>,
      bg.api,
    );
    await waitFor(() => expect(srv.open).toHaveLength(1));
    const revokeLeo = async (id: string) => {
      const leo = worker.tracks.get(id)!.collaborators.find((c) => c.accountId === LEO.id)!;
      const res = await worker.fetch(`http://pd.test/api/v1/tracks/${id}/collaborators/${leo.id}/revoke`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${worker.session(MAYA)}` },
      });
      expect(res.status).toBe(200);
      srv.last!.push([id]);
    };
    const leaveDialogFor = async (title: string) => {
      const list = await screen.findByRole('list', { name: 'Tracks shared with me' });
      userClick(within(within(list).getByRole('listitem', { name: title })).getByRole('button', { name: 'Leave' }));
      return screen.findByRole('dialog', { name: `Leave “${title}”?` });
    };

    await leaveDialogFor('Glass Hearts');
    await revokeLeo(other);
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    const shared = screen.getByRole('region', { name: 'Shared with me' });
    await waitFor(() => expect(document.activeElement).toBe(shared));
    expect(within(shared).queryByRole('listitem', { name: 'Glass Hearts' })).toBeNull();

    // The last one: the list goes too, and the tab panel (which now says there is nothing) takes the focus.
    await leaveDialogFor('Midnight Drive');
    await revokeLeo(trackId);
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    const panel = screen.getByRole('tabpanel', { name: 'My tracks' });
    await waitFor(() => expect(document.activeElement).toBe(panel));
    expect(screen.queryByRole('region', { name: 'Shared with me' })).toBeNull();
  });

  it('the owner’s open "My tracks" follows a collaborator leaving elsewhere', async () => {
    const srv = server();
    const { worker, trackId } = seed();
    const bg = await startBackground(worker, { createSocket: srv.createSocket, live: fast });
    await bg.signInAs(MAYA);
    renderWithApi(
      <LiveContext.Provider value={createLiveHub()}>
        <App getActiveUrl={async () => null} initialTab="mine" />
      </LiveContext.Provider>,
      bg.api,
    );
    await screen.findByText('Leo Vance');
    await waitFor(() => expect(srv.open).toHaveLength(1));
    const res = await worker.fetch(`http://pd.test/api/v1/tracks/${trackId}/leave`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${worker.session(LEO)}` },
    });
    expect(res.status).toBe(200);
    srv.last!.push([trackId]);
    await waitFor(() => expect(screen.queryByText('Leo Vance')).toBeNull());
  });
});

describe('the panel on a Dropbox folder page', () => {
  it('holds the socket while it shows a folder, and the owner sees a collaborator leave without reloading', async () => {
    const srv = server();
    const { worker, trackId } = seed();
    const bg = await startBackground(worker, { createSocket: srv.createSocket, live: fast });
    await bg.signInAs(MAYA);
    loadFixture('folder-page.html');
    const ctx = new ContentScriptContext('dropbox', { matches: ['https://www.dropbox.com/home*'], cssInjectionMode: 'manual' });
    const shadow = (await mountPanel(ctx, { isUserGesture: testUserGesture })).ui.shadow as unknown as HTMLElement;
    const leoRow = () => within(shadow).getByRole('listitem', { name: 'Leo Vance' });
    await waitFor(() => expect(leoRow().textContent).toContain('Active'));
    expect(bg.ports.open.size).toBe(1);
    await waitFor(() => expect(srv.open).toHaveLength(1));

    const res = await worker.fetch(`http://pd.test/api/v1/tracks/${trackId}/leave`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${worker.session(LEO)}` },
    });
    expect(res.status).toBe(200);
    srv.last!.push([trackId]);
    await waitFor(() => expect(leoRow().textContent).not.toContain('Active'));
    expect(leoRow().textContent).toMatch(/Left/i);

    ctx.abort();
    expect(bg.ports.open.size).toBe(0);
    await waitFor(() => expect(srv.last!.closedWith).toBe(1000));
  });
});

vi.setConfig({ testTimeout: 10_000 });
