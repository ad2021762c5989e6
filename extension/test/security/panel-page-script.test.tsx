// Issue 8, item 4 — attack: a script of the Dropbox page reads the PD panel (collaborators, emails, splits) and
// clicks Revoke / Revoke All / Leave in it. Before the fix the panel's shadow root was open: `host.shadowRoot`
// handed the page everything, and a scripted click revoked. Now the root is closed and destructive controls act
// only on trusted (user) events.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, waitFor, within } from '@testing-library/preact';
import { ContentScriptContext } from 'wxt/utils/content-script-context';
import contentScript from '../../entrypoints/dropbox.content/index';
import { mountPanel } from '../../entrypoints/dropbox.content/mount-panel';
import { isTrustedEvent } from '../../components/user-gesture';
import { startBackground } from '../helpers/background';
import { FakeWorker, LEO, MAYA, SAM } from '../helpers/fake-worker';
import { loadFixture } from '../helpers/fixtures';
import { testUserGesture, userClick } from '../helpers/user-gesture';

let ctx: ContentScriptContext | null = null;

function seed() {
  const worker = new FakeWorker();
  worker.addTrack({
    title: 'Midnight Drive',
    owner: MAYA,
    path: '/PRODUCER-DASHBOARD/Night Sessions/Midnight Drive',
    collaborators: [
      { account: LEO, accessLevel: 'editor', role: 'vocalist' },
      { account: SAM, accessLevel: 'viewer', role: 'engineer' },
    ],
  });
  return worker;
}

const mutations = (worker: FakeWorker) => worker.requests.filter((r) => !r.startsWith('GET '));

beforeEach(() => {
  ctx = new ContentScriptContext('dropbox', { matches: ['https://www.dropbox.com/*'], cssInjectionMode: 'manual' });
});
afterEach(() => {
  ctx?.abort();
  ctx = null;
  document.querySelectorAll('pd-panel').forEach((el) => el.remove());
});

describe('a script of the Dropbox page against the real content script (production gate: isTrusted)', () => {
  /** Starts the content script as the browser does; returns the closed root as only the extension could hold it. */
  async function start(worker: FakeWorker, as: typeof MAYA) {
    const { signInAs } = await startBackground(worker);
    await signInAs(as);
    loadFixture('folder-page.html');
    const attach = vi.spyOn(Element.prototype, 'attachShadow');
    await contentScript.main(ctx!);
    const root = attach.mock.results.at(-1)?.value as ShadowRoot;
    attach.mockRestore();
    await waitFor(() => within(root as unknown as HTMLElement).getByRole('heading', { name: 'Midnight Drive' }));
    return root;
  }

  it('cannot read collaborators, emails or splits: the shadow root is closed', async () => {
    const worker = seed();
    const root = await start(worker, MAYA);
    await waitFor(() => within(root as unknown as HTMLElement).getByRole('listitem', { name: 'Leo Vance' }));

    // What the page sees: the host element, and nothing inside it.
    const host = document.querySelector('pd-panel')!;
    expect(host).toBeTruthy();
    expect(host.shadowRoot).toBeNull();
    expect(root.mode).toBe('closed');
    const pageText = document.body.textContent ?? '';
    for (const secret of ['Leo Vance', 'leo@pd.example', 'Sam Ortiz', 'Master 25%', 'vocalist']) expect(pageText).not.toContain(secret);
    expect([...document.querySelectorAll('button')].map((b) => b.textContent)).not.toContain('Revoke');
    expect(document.querySelectorAll('pd-panel button, pd-panel li')).toHaveLength(0);
  });

  it('cannot click Revoke, Revoke All or Downgrade, even holding the buttons: scripted clicks are not trusted', async () => {
    const worker = seed();
    const root = await start(worker, MAYA);
    const panel = within(root as unknown as HTMLElement);
    const leo = await waitFor(() => panel.getByRole('listitem', { name: 'Leo Vance' }));
    const before = mutations(worker);

    // Suppose a leak handed the page the buttons: button.click() and dispatchEvent are untrusted events.
    (within(leo).getByRole('button', { name: 'Revoke Leo Vance' }) as HTMLButtonElement).click();
    fireEvent.click(within(leo).getByRole('button', { name: 'Revoke All for Leo Vance' }));
    fireEvent.click(within(leo).getByRole('button', { name: 'Downgrade to Viewer' }));
    await new Promise((r) => setTimeout(r, 50));

    expect(panel.queryByRole('dialog')).toBeNull();
    expect(mutations(worker)).toEqual(before);
    expect(
      worker.tracks
        .values()
        .next()
        .value!.collaborators.map((c) => `${c.displayName}:${c.status}:${c.accessLevel}`),
    ).toEqual(['Leo Vance:active:editor', 'Sam Ortiz:active:viewer']);
  });

  it("cannot click a collaborator's Leave Track", async () => {
    const worker = seed();
    const root = await start(worker, LEO);
    const panel = within(root as unknown as HTMLElement);
    const leave = await waitFor(() => panel.getByRole('button', { name: 'Leave Track' }));
    (leave as HTMLButtonElement).click();
    await new Promise((r) => setTimeout(r, 50));
    expect(panel.queryByRole('dialog')).toBeNull();
    expect(mutations(worker)).toEqual([]);
  });
});

describe('the confirmations answer only the user too (test gate: only userClick is the user)', () => {
  async function start(worker: FakeWorker, as: typeof MAYA) {
    const { signInAs } = await startBackground(worker);
    await signInAs(as);
    loadFixture('folder-page.html');
    const { ui } = await mountPanel(ctx!, { isUserGesture: testUserGesture });
    return within(ui.shadow as unknown as HTMLElement);
  }

  it('Revoke: the user opens the confirmation; a scripted click on "Revoke access" or "Downgrade to Viewer" does nothing', async () => {
    const worker = seed();
    const panel = await start(worker, MAYA);
    userClick(await waitFor(() => panel.getByRole('button', { name: 'Revoke Leo Vance' })));
    const dialog = panel.getByRole('dialog', { name: "Revoke Leo Vance's access to “Midnight Drive”?" });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Revoke access' }));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Downgrade to Viewer' }));
    await new Promise((r) => setTimeout(r, 50));
    expect(mutations(worker)).toEqual([]);
    // The user's own click revokes.
    userClick(within(dialog).getByRole('button', { name: 'Revoke access' }));
    await waitFor(() => expect(panel.getByRole('listitem', { name: 'Leo Vance' }).textContent).toContain('Revoked'));
    expect(mutations(worker)).toHaveLength(1);
  });

  it('Revoke All and Leave: a scripted click on the confirming button does nothing', async () => {
    const worker = seed();
    const panel = await start(worker, MAYA);
    userClick(await waitFor(() => panel.getByRole('button', { name: 'Revoke All for Leo Vance' })));
    const all = await waitFor(() => panel.getByRole('dialog', { name: "Revoke all of Leo Vance's access?" }));
    fireEvent.click(within(all).getByRole('button', { name: 'Revoke All (1)' }));
    await new Promise((r) => setTimeout(r, 50));
    expect(mutations(worker)).toEqual([]);

    ctx?.abort();
    document.querySelectorAll('pd-panel').forEach((el) => el.remove());
    ctx = new ContentScriptContext('dropbox', { matches: ['https://www.dropbox.com/*'], cssInjectionMode: 'manual' });
    const leoWorker = seed();
    const leoPanel = await start(leoWorker, LEO);
    userClick(await waitFor(() => leoPanel.getByRole('button', { name: 'Leave Track' })));
    const leave = leoPanel.getByRole('dialog', { name: 'Leave “Midnight Drive”?' });
    fireEvent.click(within(leave).getByRole('button', { name: 'Leave Track' }));
    await new Promise((r) => setTimeout(r, 50));
    expect(mutations(leoWorker)).toEqual([]);
  });
});

describe('isTrustedEvent, the production gate', () => {
  it('refuses events made by scripts and accepts only what the browser marks trusted', () => {
    expect(isTrustedEvent(new MouseEvent('click', { bubbles: true }))).toBe(false);
    expect(isTrustedEvent(new MouseEvent('click', { isTrusted: true } as MouseEventInit))).toBe(false);
    expect(isTrustedEvent(new KeyboardEvent('keydown', { key: 'Enter' }))).toBe(false);
    // Browsers set isTrusted themselves (an unforgeable own property) for the user's input; happy-dom has none, so
    // the browser's doing is imitated here. The e2e tests click through Chromium for the real thing.
    const real = new MouseEvent('click');
    Object.defineProperty(real, 'isTrusted', { value: true });
    expect(isTrustedEvent(real)).toBe(true);
  });
});
