// The same add-on in Firefox (Debian's firefox-esr, WebDriver BiDi through puppeteer-core), against a real local
// worker and the Dropbox emulator: sign-in through identity.launchWebAuthFlow, revoke from the panel, leave from the
// panel and from the popup, Revoke All, notifications (in the popup and as browser notifications). Dropbox's pages
// are the emulator's own Dropbox-like web UI (a development build's content script runs there; in Firefox its match
// pattern has no port). Every destructive click is a BiDi input action (trusted); a page script's click is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotificationsResponse } from '@pd/shared';
import { api, PANEL, signInDirect, startStack, type Stack } from './harness';
import {
  type AnyTab,
  axeViolations,
  type FirefoxProfile,
  type Tab,
  ffClick,
  ffCount,
  ffScriptedClick,
  ffShot,
  ffText,
  ffWaitFor,
  ffWaitForText,
  firefoxNotificationIds,
  firefoxSession,
  launchFirefox,
  openEmulatorFolderFirefox,
  openPopupFirefox,
} from './firefox';

let stack: Stack;
let maya: FirefoxProfile;
let leo: FirefoxProfile;

const inPanel = { within: PANEL };
const row = (name: string) => ({ role: 'listitem', name });
const rowText = (page: AnyTab, name: string) => ffText(page, row(name), inPanel);

/** Sign in as a user does: the popup's Sign in with Dropbox → launchWebAuthFlow opens the emulator's authorize page
 *  in a window of its own → pick the account → Firefox catches the redirect to its extensions.allizom.org URL. */
async function signInThroughPopup(p: FirefoxProfile, email: string, screenshots = false): Promise<Tab> {
  const popup = await openPopupFirefox(p);
  await ffWaitFor(popup, { role: 'button', name: 'Sign in with Dropbox' });
  if (screenshots) {
    await ffShot(popup, 'firefox-popup-signed-out.png');
    expect(await axeViolations(popup, 'page')).toEqual([]);
  }
  const authTarget = p.browser.waitForTarget((t) => t.url().startsWith(`${stack.emu.url}/oauth2/authorize`), { timeout: 30_000 });
  await ffClick(popup, { role: 'button', name: 'Sign in with Dropbox' });
  const auth = (await (await authTarget).page())!;
  const account = await auth.waitForSelector(`button[data-email="${email}"]`);
  if (screenshots) await ffShot(auth, 'firefox-dropbox-authorize.png');
  await account!.click();
  await ffWaitFor(popup, { role: 'tab', name: 'My tracks' });
  await ffWaitForText(popup, email === 'maya@pd.example' ? 'Maya Reyes' : 'Leo Vance');
  return popup;
}

beforeAll(async () => {
  stack = await startStack({ browser: 'firefox' });
  await signInDirect(stack, 'sam@pd.example');
  await signInDirect(stack, 'ava@pd.example');
  leo = await launchFirefox(stack, 'leo');
  maya = await launchFirefox(stack, 'maya', { colorScheme: 'dark' }); // Maya's browser is in dark mode, Leo's in light
  await (await signInThroughPopup(leo, 'leo@pd.example', true)).close();
  await (await signInThroughPopup(maya, 'maya@pd.example')).close();
  const mayaSession = await signInDirect(stack, 'maya@pd.example');
  await api(stack, mayaSession, 'POST', '/dropbox/import', {});
}, 600_000); // two wxt builds' worth of time on a loaded machine, and two Firefox starts

afterAll(async () => {
  await maya?.close().catch(() => {});
  await leo?.close().catch(() => {});
  await stack?.stop();
});

describe('Producer Dashboard add-on in Firefox', () => {
  it('signed in through launchWebAuthFlow: the session token is in storage.session only', async () => {
    for (const p of [maya, leo]) {
      const token = await firefoxSession(p);
      expect(token.length).toBeGreaterThan(20);
      expect((await fetch(`${stack.workerUrl}/api/v1/library`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    }
  });

  it("owner revokes from the panel (a page script's click is refused) → the collaborator is notified in the popup and by a browser notification", async () => {
    const page = await openEmulatorFolderFirefox(stack, maya, 'maya@pd.example', '/PRODUCER-DASHBOARD/After Hours/Midnight Drive');
    await expect(ffWaitFor(page, row('Leo Vance'), inPanel)).resolves.toContain('Editor');
    await ffShot(page, 'firefox-panel-owner.png');
    expect(await axeViolations(page, 'panel')).toEqual([]);
    // A page script sees the host element only.
    await expect(
      page.evaluate(() => ({ host: !!document.querySelector('pd-panel'), root: !!document.querySelector('pd-panel')?.shadowRoot })),
    ).resolves.toEqual({
      host: true,
      root: false,
    });
    await ffScriptedClick(page, { role: 'button', name: 'Revoke Leo Vance' }, inPanel);
    await new Promise((r) => setTimeout(r, 500));
    await expect(ffCount(page, { role: 'dialog', name: "Revoke Leo Vance's access to “Midnight Drive”?" }, inPanel)).resolves.toBe(0);

    await ffClick(page, { role: 'button', name: 'Revoke Leo Vance' }, inPanel);
    const dialog = { role: 'dialog', name: "Revoke Leo Vance's access to “Midnight Drive”?" };
    await ffWaitFor(page, dialog, inPanel);
    await ffShot(page, 'firefox-confirm-revoke.png');
    expect(await axeViolations(page, 'panel')).toEqual([]);
    await ffScriptedClick(page, { role: 'button', name: 'Revoke access' }, { within: dialog });
    await new Promise((r) => setTimeout(r, 500));
    await expect(ffCount(page, dialog, inPanel)).resolves.toBe(1); // still asking: the script's click did nothing
    await ffClick(page, { role: 'button', name: 'Revoke access' }, { within: dialog });
    await ffWaitForText(page, "Leo Vance's access to “Midnight Drive” was revoked", inPanel);
    await expect.poll(() => rowText(page, 'Leo Vance'), { timeout: 15_000 }).toContain('Revoked');
    await ffShot(page, 'firefox-panel-after-revoke.png');

    const popup = await openPopupFirefox(leo);
    await ffClick(popup, { role: 'tab', name: /Notifications/ });
    await ffWaitForText(popup, 'Maya Reyes revoked your access to “Midnight Drive”.', { within: { role: 'list', name: 'Notifications' } });
    await ffShot(popup, 'firefox-popup-notifications.png');
    expect(await axeViolations(popup, 'page')).toEqual([]);
    await popup.close();
    const notes = await api<NotificationsResponse>(stack, await firefoxSession(leo), 'GET', '/notifications');
    const revoked = notes.notifications.find((n) => n.kind === 'access_revoked' && n.trackTitle === 'Midnight Drive')!;
    await expect.poll(() => firefoxNotificationIds(leo), { timeout: 15_000 }).toContain(`pd:${revoked.id}`);
    await page.close();
  });

  it("collaborator leaves from the panel → the owner's panel shows Left and the owner is notified", async () => {
    const page = await openEmulatorFolderFirefox(stack, leo, 'leo@pd.example', '/Glass Hearts');
    await ffWaitFor(page, { role: 'button', name: 'Leave Track' }, inPanel);
    await ffScriptedClick(page, { role: 'button', name: 'Leave Track' }, inPanel);
    await new Promise((r) => setTimeout(r, 500));
    const leaveDialog = { role: 'dialog', name: 'Leave “Glass Hearts”?' };
    await expect(ffCount(page, leaveDialog, inPanel)).resolves.toBe(0);
    await ffClick(page, { role: 'button', name: 'Leave Track' }, inPanel);
    await expect(ffWaitFor(page, leaveDialog, inPanel)).resolves.toContain('The shared files will be removed from your Dropbox.');
    await ffShot(page, 'firefox-confirm-leave.png');
    expect(await axeViolations(page, 'panel')).toEqual([]);
    await ffClick(page, { role: 'button', name: 'Leave Track' }, { within: leaveDialog });
    await ffWaitForText(page, 'You left “Glass Hearts”.', inPanel);

    const owner = await openEmulatorFolderFirefox(stack, maya, 'maya@pd.example', '/PRODUCER-DASHBOARD/After Hours/Glass Hearts');
    await ffWaitFor(owner, row('Leo Vance'), inPanel);
    await expect.poll(() => rowText(owner, 'Leo Vance'), { timeout: 15_000 }).toContain('Left');
    const popup = await openPopupFirefox(maya);
    await ffClick(popup, { role: 'tab', name: /Notifications/ });
    await ffWaitForText(popup, 'Leo Vance left “Glass Hearts”.', { within: { role: 'list', name: 'Notifications' } });
    await popup.close();
    const notes = await api<NotificationsResponse>(stack, await firefoxSession(maya), 'GET', '/notifications');
    const left = notes.notifications.find((n) => n.kind === 'collaborator_left' && n.trackTitle === 'Glass Hearts')!;
    await expect.poll(() => firefoxNotificationIds(maya), { timeout: 15_000 }).toContain(`pd:${left.id}`);
    await page.close();
    await owner.close();
  });

  it('collaborator leaves from the popup (My tracks → Leave → confirm)', async () => {
    const popup = await openPopupFirefox(leo);
    await ffClick(popup, { role: 'tab', name: 'My tracks' });
    const shared = { role: 'list', name: 'Tracks shared with me' };
    await ffWaitFor(popup, row('Neon Rain'), { within: shared });
    await ffClick(popup, { role: 'button', name: 'Leave' }, { within: row('Neon Rain') });
    const dialog = { role: 'dialog', name: 'Leave “Neon Rain”?' };
    await ffWaitFor(popup, dialog);
    await ffShot(popup, 'firefox-popup-confirm-leave.png');
    expect(await axeViolations(popup, 'page')).toEqual([]);
    await ffClick(popup, { role: 'button', name: 'Leave Track' }, { within: dialog });
    await ffWaitForText(popup, 'You left “Neon Rain”. Its files are being removed from your Dropbox;');
    await expect.poll(() => ffCount(popup, row('Neon Rain'), { within: shared })).toBe(0);
    await popup.close();
  });

  it('Revoke All from the popup: count, progress, done in PD and in Dropbox', async () => {
    const popup = await openPopupFirefox(maya);
    await ffClick(popup, { role: 'tab', name: 'My tracks' });
    const sam = row('Sam Ortiz');
    await expect(ffWaitFor(popup, sam, { within: { role: 'list', name: 'People you share with' } })).resolves.toMatch(/\d+ tracks?/);
    const count = Number(/(\d+) tracks?/.exec(await ffText(popup, sam))![1]);
    await ffClick(popup, { role: 'button', name: 'Revoke All for Sam Ortiz' });
    const dialog = { role: 'dialog', name: "Revoke all of Sam Ortiz's access?" };
    await ffWaitFor(popup, dialog);
    expect(await axeViolations(popup, 'page')).toEqual([]);
    await ffClick(popup, { role: 'button', name: `Revoke All (${count})` }, { within: dialog });
    await ffWaitForText(popup, `Done: Sam Ortiz no longer has access to ${count} track`, { timeout: 60_000 });
    await ffShot(popup, 'firefox-revoke-all-done.png');
    const state = (await (await fetch(`${stack.emu.url}/_control/state`)).json()) as { folders: { name: string; members: unknown[] }[] };
    expect(state.folders.filter((f) => JSON.stringify(f.members).includes('sam@pd.example')).map((f) => f.name)).toEqual([]);
    await popup.close();
  });
});
