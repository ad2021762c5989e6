// The built extension in Debian's Chromium, against a real local worker (wrangler dev, local D1) and the Dropbox
// emulator. Two browser profiles: Maya (owner) and Leo (collaborator). Dropbox's web pages are the saved fixture
// served for https://www.dropbox.com/home/** by Playwright routing, and, in the last scenario, the emulator's own
// Dropbox-like web UI (what a developer sees with `npm start`).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { LibraryResponse, NotificationsResponse } from '@pd/shared';
import {
  api,
  axCount,
  axeViolationsChromium,
  axText,
  axWaitFor,
  axWaitForText,
  browserNotificationIds,
  extensionLocalStorage,
  extensionSession,
  launchProfile,
  openEmulatorFolder,
  openPopup,
  PANEL,
  pageViewOfPanel,
  scriptedClick,
  shot,
  signInDirect,
  startStack,
  type ChromeGlobal,
  type Profile,
  type Stack,
  userClick,
} from './harness';

const OWNER_FOLDER = (track: string, project: string) =>
  `https://www.dropbox.com/home/PRODUCER-DASHBOARD/${encodeURIComponent(project)}/${encodeURIComponent(track)}`;
const MEMBER_FOLDER = (track: string) => `https://www.dropbox.com/home/${encodeURIComponent(track)}`;

let stack: Stack;
let maya: Profile;
let leo: Profile;
let mayaSession: string;

/** Sign in through the popup, as a user does: Sign in with Dropbox → browser.identity.launchWebAuthFlow opens the
 *  authorize page the worker announces (the emulator's) → pick the account → redirect to chromiumapp.org → the
 *  worker exchanges the code with the PKCE verifier. */
async function signInThroughPopup(p: Profile, email: string, screenshots = false): Promise<Page> {
  const page = await openPopup(p);
  await page.getByRole('button', { name: 'Sign in with Dropbox' }).waitFor();
  if (screenshots) {
    await shot(page, 'popup-signed-out.png');
    expect(await axeViolationsChromium(page)).toEqual([]);
  }
  const authWindow = p.context.waitForEvent('page', { predicate: (pg) => pg.url().startsWith(`${stack.emu.url}/oauth2/authorize`) });
  await page.getByRole('button', { name: 'Sign in with Dropbox' }).click();
  const auth = await authWindow;
  const account = auth.locator(`button[data-email="${email}"]`);
  await account.waitFor();
  if (screenshots) await shot(auth, 'dropbox-authorize.png');
  await account.click();
  await page.getByRole('tab', { name: 'My tracks' }).waitFor({ timeout: 30_000 });
  await expect(page.getByText(`Signed in as`).textContent()).resolves.toContain(email === 'maya@pd.example' ? 'Maya Reyes' : 'Leo Vance');
  return page;
}

/** A collaborator's row in the panel. */
const row = (name: string) => ({ role: 'listitem', name });
const inPanel = { within: PANEL };
const rowText = (page: Page, name: string) => axText(page, row(name), inPanel);

beforeAll(async () => {
  stack = await startStack();
  // Sam and Ava exist in PD before the import (they never open a browser here).
  await signInDirect(stack, 'sam@pd.example');
  await signInDirect(stack, 'ava@pd.example');
  leo = await launchProfile(stack, 'leo');
  maya = await launchProfile(stack, 'maya');
  const leoPopup = await signInThroughPopup(leo, 'leo@pd.example', true);
  await leoPopup.close();
  const mayaPopup = await signInThroughPopup(maya, 'maya@pd.example');
  await mayaPopup.close();
  // Maya's Dropbox shared folders become PD tracks (the import has no extension UI; the worker's API does it).
  mayaSession = await signInDirect(stack, 'maya@pd.example');
  await api(stack, mayaSession, 'POST', '/dropbox/import', {});
}, 600_000); // a wxt build and wrangler's start on a loaded 2-core machine can take minutes

afterAll(async () => {
  await maya?.close().catch(() => {});
  await leo?.close().catch(() => {});
  await stack?.stop();
});

describe('Producer Dashboard extension in Chromium', () => {
  it('owner revokes from the injected panel → the collaborator no longer has the track and is notified', async () => {
    const page = await maya.context.newPage();
    await page.goto(OWNER_FOLDER('Midnight Drive', 'After Hours'));
    await expect(axWaitFor(page, row('Leo Vance'), inPanel)).resolves.toContain('Editor');
    await shot(page, 'panel-owner.png');

    // What a script of dropbox.com gets: the host element, no shadow root, no text — no names, emails or splits.
    await expect(pageViewOfPanel(page)).resolves.toEqual({ host: true, shadowRoot: false, text: '' });
    // And a button it got hold of anyway does nothing when the script clicks it (untrusted events).
    await scriptedClick(page, { role: 'button', name: 'Revoke Leo Vance' }, inPanel);
    await page.waitForTimeout(500);
    await expect(axCount(page, { role: 'dialog', name: /Revoke/ }, inPanel)).resolves.toBe(0);

    await userClick(page, { role: 'button', name: 'Revoke Leo Vance' }, inPanel);
    const dialog = { role: 'dialog', name: "Revoke Leo Vance's access to “Midnight Drive”?" };
    await axWaitFor(page, dialog, inPanel);
    await shot(page, 'confirm-revoke.png');
    await scriptedClick(page, { role: 'button', name: 'Revoke access' }, { within: dialog });
    await page.waitForTimeout(500);
    await expect(axCount(page, dialog, inPanel)).resolves.toBe(1); // still asking: the script's click did nothing
    await userClick(page, { role: 'button', name: 'Revoke access' }, { within: dialog });
    await axWaitForText(page, "Leo Vance's access to “Midnight Drive” was revoked", inPanel);
    await expect.poll(() => rowText(page, 'Leo Vance'), { timeout: 15_000 }).toContain('Revoked');
    await shot(page, 'panel-after-revoke.png');

    // Leo's side: his popup syncs on open; the track is gone from "Shared with me" and the notification is there.
    const popup = await openPopup(leo);
    await popup.getByRole('tab', { name: 'My tracks' }).click();
    const shared = popup.getByRole('list', { name: 'Tracks shared with me' });
    await shared.waitFor();
    await expect.poll(() => shared.getByRole('listitem', { name: 'Glass Hearts' }).count()).toBe(1);
    await expect(shared.getByRole('listitem', { name: 'Midnight Drive' }).count()).resolves.toBe(0);
    await popup.getByRole('tab', { name: /Notifications/ }).click();
    const list = popup.getByRole('list', { name: 'Notifications' });
    await list.getByText('Maya Reyes revoked your access to “Midnight Drive”.', { exact: false }).waitFor();
    await shot(popup, 'popup-collaborator-notifications.png');
    const notes = await api<NotificationsResponse>(stack, await extensionSession(leo), 'GET', '/notifications');
    const revoked = notes.notifications.find((n) => n.kind === 'access_revoked' && n.trackTitle === 'Midnight Drive')!;
    expect(await browserNotificationIds(leo)).toContain(`pd:${revoked.id}`);
    await popup.close();

    // Sharing again is not an undo: Maya invites Leo again from the same row, Leo accepts in his popup.
    await userClick(page, { role: 'button', name: 'Invite Leo Vance again' }, inPanel);
    const invite = { role: 'dialog', name: 'Invite Leo Vance again to “Midnight Drive”?' };
    await expect(axWaitFor(page, invite, inPanel)).resolves.toContain('Leo Vance gets access again only after they accept it.');
    await userClick(page, { role: 'button', name: 'Send invitation' }, { within: invite });
    await axWaitForText(page, 'Leo Vance was invited again to “Midnight Drive”.', inPanel);
    await expect.poll(() => rowText(page, 'Leo Vance'), { timeout: 15_000 }).toContain('Invited');

    const again = await openPopup(leo);
    await again.getByRole('tab', { name: /Notifications/ }).click();
    const invitation = again.getByRole('list', { name: 'Pending invitations' }).getByRole('listitem', { name: 'Invitation to Midnight Drive' });
    await invitation.waitFor({ timeout: 15_000 });
    await expect(invitation.textContent()).resolves.toContain('Maya Reyes invited you to “Midnight Drive” as Editor.');
    await invitation.getByRole('button', { name: 'Accept' }).click();
    await again.getByText('You accepted “Midnight Drive”.', { exact: false }).waitFor({ timeout: 15_000 });
    await again.getByRole('tab', { name: 'My tracks' }).click();
    await again.getByRole('list', { name: 'Tracks shared with me' }).getByRole('listitem', { name: 'Midnight Drive' }).waitFor({ timeout: 15_000 });
    await again.close();
    await page.reload();
    await expect.poll(() => rowText(page, 'Leo Vance'), { timeout: 30_000 }).toContain('Active');
    await page.close();
  });

  it("collaborator leaves from the toolbar → the owner's panel shows 'left' and the owner is notified", async () => {
    // Leo looks at his copy of Glass Hearts (mounted at his Dropbox root): the panel offers Leave Track.
    const dropboxTab = await leo.context.newPage();
    await dropboxTab.goto(MEMBER_FOLDER('Glass Hearts'));
    await axWaitFor(dropboxTab, { role: 'button', name: 'Leave Track' }, inPanel);
    await shot(dropboxTab, 'panel-collaborator.png');
    await scriptedClick(dropboxTab, { role: 'button', name: 'Leave Track' }, inPanel); // a page script: ignored
    await dropboxTab.waitForTimeout(500);
    await expect(axCount(dropboxTab, { role: 'dialog', name: 'Leave “Glass Hearts”?' }, inPanel)).resolves.toBe(0);
    await userClick(dropboxTab, { role: 'button', name: 'Leave Track' }, inPanel);
    const leaveDialog = { role: 'dialog', name: 'Leave “Glass Hearts”?' };
    await expect(axWaitFor(dropboxTab, leaveDialog, inPanel)).resolves.toContain('The shared files will be removed from your Dropbox.');
    await shot(dropboxTab, 'confirm-leave.png');
    await scriptedClick(dropboxTab, { role: 'button', name: 'Leave Track' }, { within: leaveDialog }); // ignored too
    await userClick(dropboxTab, { role: 'button', name: 'Cancel' }, { within: leaveDialog });
    await expect.poll(() => axCount(dropboxTab, leaveDialog, inPanel)).toBe(0);

    // A folder that is not a PD track says so (and Dropbox's page is untouched).
    const other = await leo.context.newPage();
    await other.goto('https://www.dropbox.com/home/Holiday%20photos');
    await axWaitForText(other, 'This folder is not a Producer Dashboard track.', inPanel);
    await shot(other, 'panel-not-a-track.png');
    await other.close();

    // The toolbar popup: this tab's track, then one-click Leave from My tracks.
    const popup = await openPopup(leo);
    const current = popup.getByTestId('current-track');
    await current.waitFor({ timeout: 15_000 });
    await expect(current.textContent()).resolves.toContain('Glass Hearts');
    await shot(popup, 'popup-current-track.png');
    await popup.getByRole('tab', { name: 'My tracks' }).click();
    const shared = popup.getByRole('list', { name: 'Tracks shared with me' });
    await shared.getByRole('listitem', { name: 'Glass Hearts' }).getByRole('button', { name: 'Leave' }).click();
    const dialog = popup.getByRole('dialog', { name: 'Leave “Glass Hearts”?' });
    await dialog.waitFor();
    await shot(popup, 'popup-confirm-leave.png');
    expect(await axeViolationsChromium(popup)).toEqual([]);
    await dialog.getByRole('button', { name: 'Leave Track' }).click();
    await popup.getByText('You left “Glass Hearts”. Its files are being removed from your Dropbox; Maya Reyes can invite you again.').waitFor();
    await expect.poll(() => shared.getByRole('listitem', { name: 'Glass Hearts' }).count()).toBe(0);
    await shot(popup, 'popup-after-leave.png');

    // Maya's panel on the same track shows Leo as "Left"; her popup and a browser notification say so.
    const page = await maya.context.newPage();
    await page.goto(OWNER_FOLDER('Glass Hearts', 'After Hours'));
    await axWaitFor(page, row('Leo Vance'), inPanel);
    await expect.poll(() => rowText(page, 'Leo Vance'), { timeout: 15_000 }).toContain('Left');
    await shot(page, 'panel-owner-left.png');
    const mayaPopup = await openPopup(maya);
    await mayaPopup.getByRole('tab', { name: /Notifications/ }).click();
    await mayaPopup.getByRole('list', { name: 'Notifications' }).getByText('Leo Vance left “Glass Hearts”.').waitFor();
    await shot(mayaPopup, 'popup-owner-notifications.png');
    const notes = await api<NotificationsResponse>(stack, await extensionSession(maya), 'GET', '/notifications');
    const left = notes.notifications.find((n) => n.kind === 'collaborator_left' && n.trackTitle === 'Glass Hearts')!;
    expect(await browserNotificationIds(maya)).toContain(`pd:${left.id}`);
    for (const p of [dropboxTab, popup, page, mayaPopup]) await p.close();
  });

  it('Revoke All on 3 tracks: count, progress, done in PD and in Dropbox', async () => {
    const popup = await openPopup(maya);
    await popup.getByRole('tab', { name: 'My tracks' }).click();
    const sam = popup.getByRole('list', { name: 'People you share with' }).getByRole('listitem', { name: 'Sam Ortiz' });
    await sam.waitFor({ timeout: 15_000 });
    await expect(sam.textContent()).resolves.toContain('3 tracks');
    await shot(popup, 'popup-sharing-panel.png');
    await sam.getByRole('button', { name: 'Revoke All for Sam Ortiz' }).click();
    const dialog = popup.getByRole('dialog', { name: "Revoke all of Sam Ortiz's access?" });
    await dialog.waitFor();
    await shot(popup, 'confirm-revoke-all.png');
    expect(await axeViolationsChromium(popup)).toEqual([]);
    await dialog.getByRole('button', { name: 'Revoke All (3)' }).click();
    await popup.getByRole('progressbar', { name: 'Revoke All progress' }).waitFor();
    await shot(popup, 'revoke-all-progress.png');
    await popup.getByText('Done: Sam Ortiz no longer has access to 3 tracks, in PD and in Dropbox.').waitFor({ timeout: 60_000 });
    await shot(popup, 'revoke-all-done.png');

    // Dropbox agrees: Sam is no longer a member of any of Maya's folders.
    const state = (await (await fetch(`${stack.emu.url}/_control/state`)).json()) as {
      folders: { name: string; owner: string; members: { email?: string; account?: string }[] }[];
    };
    const samFolders = state.folders.filter((f) => JSON.stringify(f.members).includes('sam@pd.example'));
    expect(samFolders.map((f) => f.name)).toEqual([]);
    await popup.close();
  });

  it('a Dropbox change that fails shows on the panel with Retry, and Retry finishes it', async () => {
    // Dropbox will refuse the next member removal (the job ends "failed").
    const fault = await fetch(`${stack.emu.url}/_control/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ route: '2/sharing/remove_folder_member', kind: 'job_failed', count: 1 }),
    });
    expect(fault.ok).toBe(true);

    const page = await maya.context.newPage();
    await page.goto(OWNER_FOLDER('Midnight Drive', 'After Hours'));
    await axWaitFor(page, row('Ava Chen'), inPanel);
    await userClick(page, { role: 'button', name: 'Revoke Ava Chen' }, inPanel);
    await userClick(
      page,
      { role: 'button', name: 'Revoke access' },
      { within: { role: 'dialog', name: "Revoke Ava Chen's access to “Midnight Drive”?" } },
    );
    await expect.poll(() => rowText(page, 'Ava Chen'), { timeout: 30_000 }).toContain('Dropbox change failed');
    await expect(rowText(page, 'Ava Chen')).resolves.toContain('Revoked'); // PD revoked at once, whatever Dropbox does
    await shot(page, 'panel-dropbox-failed.png');

    await userClick(page, { role: 'button', name: 'Retry' }, { within: row('Ava Chen') });
    await expect.poll(() => rowText(page, 'Ava Chen'), { timeout: 30_000 }).not.toContain('Dropbox change');
    const state = (await (await fetch(`${stack.emu.url}/_control/state`)).json()) as { folders: { name: string; members: unknown[] }[] };
    const midnight = state.folders.find((f) => f.name === 'Midnight Drive')!;
    expect(JSON.stringify(midnight.members)).not.toContain('ava@pd.example');
    await page.close();
  });

  it("on the Dropbox emulator's web UI: the owner's panel after the folder header, the collaborator's Leave Track, and a revoke that takes the folder out of the collaborator's Dropbox", async () => {
    // Leo's copy of Neon Rain, at his Dropbox root in the emulator's web UI: the panel offers Leave Track.
    const leoPage = await openEmulatorFolder(stack, leo, 'leo@pd.example', '/Neon Rain');
    await expect(leoPage.getByTestId('emulator-web-user').textContent()).resolves.toContain('Leo Vance');
    await axWaitFor(leoPage, { role: 'button', name: 'Leave Track' }, inPanel);
    await expect(axText(leoPage, PANEL)).resolves.toContain('shared by Maya Reyes');
    await shot(leoPage, 'emulator-panel-collaborator.png');

    // Maya's folder at her path: every collaborator, and the panel placed right after the folder header.
    const page = await openEmulatorFolder(stack, maya, 'maya@pd.example', '/PRODUCER-DASHBOARD/City Lights/Neon Rain');
    await expect(axWaitFor(page, row('Leo Vance'), inPanel)).resolves.toMatch(/Active[\s\S]*Editor/);
    const next = await page.evaluate(() => document.querySelector('[data-testid="page-header"]')?.nextElementSibling?.localName);
    expect(next).toBe('pd-panel');
    await shot(page, 'emulator-panel-owner.png');

    await userClick(page, { role: 'button', name: 'Revoke Leo Vance' }, inPanel);
    const dialog = { role: 'dialog', name: "Revoke Leo Vance's access to “Neon Rain”?" };
    await axWaitFor(page, dialog, inPanel);
    await userClick(page, { role: 'button', name: 'Revoke access' }, { within: dialog });
    await axWaitForText(page, "Leo Vance's access to “Neon Rain” was revoked", inPanel);
    await expect.poll(() => rowText(page, 'Leo Vance'), { timeout: 15_000 }).toContain('Revoked');
    // Dropbox follows: once the removal job is done, the folder is gone from Leo's Dropbox (the emulator's page is a
    // 404) and Maya's Share list no longer names him.
    await expect.poll(() => rowText(page, 'Leo Vance'), { timeout: 30_000 }).not.toContain('Dropbox change');
    await shot(page, 'emulator-panel-after-revoke.png');
    // Leo loses the track on his next sync (opening the popup syncs): he is notified, and his page — a 404 now,
    // the folder left his Dropbox — no longer offers Leave Track.
    const leoPopup = await openPopup(leo);
    await leoPopup.getByRole('tab', { name: /Notifications/ }).click();
    await leoPopup
      .getByRole('list', { name: 'Notifications' })
      .getByText('Maya Reyes revoked your access to “Neon Rain”.', { exact: false })
      .waitFor();
    await leoPopup.close();
    expect((await leoPage.reload())?.status()).toBe(404);
    await leoPage.getByTestId('not-found').waitFor();
    await axWaitForText(leoPage, 'This folder is not a Producer Dashboard track.', { ...inPanel, timeout: 15_000 });
    await expect(axCount(leoPage, { role: 'button', name: 'Leave Track' }, inPanel)).resolves.toBe(0);
    await shot(leoPage, 'emulator-collaborator-after-revoke.png');
    await page.reload();
    await expect(page.getByTestId('share-members').textContent()).resolves.not.toContain('leo@pd.example');
    for (const p of [leoPage, page]) await p.close();
  });

  it('issue 12: the owner sets an end date and sends a heads-up from the panel; the collaborator sees both, with the note', async () => {
    const page = await maya.context.newPage();
    await page.goto(OWNER_FOLDER('Midnight Drive', 'After Hours'));
    await expect.poll(() => rowText(page, 'Leo Vance'), { timeout: 30_000 }).toContain('Active');

    // An end date (the dialog proposes 30 days from now).
    await userClick(page, { role: 'button', name: 'End date for Leo Vance' }, inPanel);
    const expiry = { role: 'dialog', name: "When does Leo Vance's access end?" };
    await expect(axWaitFor(page, expiry, inPanel)).resolves.toContain('reminded 3 days and 1 day before');
    await shot(page, 'panel-expiry.png');
    await userClick(page, { role: 'button', name: 'Save end date' }, { within: expiry });
    await axWaitForText(page, "Leo Vance's access to “Midnight Drive” ends", inPanel);
    await expect.poll(() => rowText(page, 'Leo Vance'), { timeout: 15_000 }).toContain('Access until');
    const leoSession = await extensionSession(leo);
    const lib = await api<LibraryResponse>(stack, leoSession, 'GET', '/library');
    const endsAt = Date.parse(lib.items.find((i) => i.track.title === 'Midnight Drive')?.accessEndsAt ?? '');
    expect(endsAt - Date.now()).toBeGreaterThan(29 * 86_400_000);
    expect(endsAt - Date.now()).toBeLessThan(31 * 86_400_000);

    // The heads-up, from the Revoke confirmation: "Give a heads-up first", a note, 48 hours.
    await userClick(page, { role: 'button', name: 'Revoke Leo Vance' }, inPanel);
    const revoke = { role: 'dialog', name: "Revoke Leo Vance's access to “Midnight Drive”?" };
    await axWaitFor(page, revoke, inPanel);
    await userClick(page, { role: 'button', name: 'Give a heads-up first' }, { within: revoke });
    const headsUp = { role: 'dialog', name: 'Give Leo Vance a heads-up' };
    await axWaitFor(page, headsUp, inPanel);
    await userClick(page, { role: 'textbox', name: 'Heads-up note' }, { within: headsUp });
    await page.keyboard.type('We are wrapping the EP this week. Grab the stems you need!');
    await shot(page, 'panel-heads-up.png');
    await userClick(page, { role: 'button', name: 'Send heads-up' }, { within: headsUp });
    await axWaitForText(page, "Heads-up sent: Leo Vance's access to “Midnight Drive” ends in 48 hours.", inPanel);
    await expect.poll(() => rowText(page, 'Leo Vance'), { timeout: 15_000 }).toContain('Heads-up sent');
    await expect(rowText(page, 'Leo Vance')).resolves.toContain('Grab the stems you need!');

    // Leo: the popup says when his access ends, the notification carries the note, and the browser announced it.
    const popup = await openPopup(leo);
    await popup.getByRole('tab', { name: 'My tracks' }).click();
    const item = popup.getByRole('list', { name: 'Tracks shared with me' }).getByRole('listitem', { name: 'Midnight Drive' });
    await expect.poll(() => item.textContent(), { timeout: 15_000 }).toContain('Your access ends');
    await popup.getByRole('tab', { name: /Notifications/ }).click();
    const list = popup.getByRole('list', { name: 'Notifications' });
    await list.getByText('Heads-up from Maya Reyes: your access to “Midnight Drive” ends', { exact: false }).waitFor({ timeout: 15_000 });
    await expect(list.textContent()).resolves.toContain('Grab the stems you need!');
    await shot(popup, 'popup-heads-up.png');
    const notes = await api<NotificationsResponse>(stack, leoSession, 'GET', '/notifications');
    const n = notes.notifications.find((x) => x.kind === 'heads_up' && x.trackTitle === 'Midnight Drive')!;
    expect(n.headsUp?.note).toBe('We are wrapping the EP this week. Grab the stems you need!');
    await expect.poll(() => browserNotificationIds(leo), { timeout: 70_000 }).toContain(`pd:${n.id}`);
    await popup.close();

    // Maya cancels the heads-up: Leo keeps his access.
    await userClick(page, { role: 'button', name: 'End date for Leo Vance' }, inPanel);
    await userClick(page, { role: 'button', name: 'Remove end date' }, { within: expiry });
    await axWaitForText(page, 'Heads-up cancelled: Leo Vance keeps access to “Midnight Drive”.', inPanel);
    await expect.poll(() => rowText(page, 'Leo Vance'), { timeout: 15_000 }).not.toContain('Heads-up sent');
    await expect(rowText(page, 'Leo Vance')).resolves.toContain('Active');
    await page.close();
  });

  it('the session token is only where the background reads it: not in storage.local, which content scripts can read', async () => {
    for (const p of [maya, leo]) {
      const token = await extensionSession(p);
      expect(token.length).toBeGreaterThan(20);
      const local = await extensionLocalStorage(p);
      expect(local).not.toContain(token);
      expect(local).toContain('sealedSession'); // the copy for the next browser start, sealed by the background's key
    }
  });

  it('a session ended from another device: the popup and the panel say so and offer to sign in again', async () => {
    const leoPage = await leo.context.newPage();
    await leoPage.goto(MEMBER_FOLDER('Midnight Drive'));
    await axWaitFor(leoPage, { role: 'button', name: 'Leave Track' }, inPanel);
    // Leo signs out everywhere from another device (the API, as his phone would).
    const phone = await signInDirect(stack, 'leo@pd.example');
    await expect(api<{ signedOut: boolean; sessionsEnded: number }>(stack, phone, 'POST', '/auth/signout-everywhere')).resolves.toMatchObject({
      signedOut: true,
    });
    const popup = await openPopup(leo); // opening the popup syncs: the worker says the session is over
    await popup.getByText('Your Producer Dashboard session was ended', { exact: false }).waitFor({ timeout: 15_000 });
    await popup.getByRole('button', { name: 'Sign in with Dropbox' }).waitFor();
    await shot(popup, 'popup-session-ended.png');
    await popup.close();
    await axWaitForText(leoPage, 'Your Producer Dashboard session was ended', { ...inPanel, timeout: 15_000 });
    await axWaitFor(leoPage, { role: 'button', name: 'Sign in with Dropbox' }, inPanel);
    await expect(axCount(leoPage, { role: 'button', name: 'Leave Track' }, inPanel)).resolves.toBe(0);
    await shot(leoPage, 'panel-session-ended.png');
    await leoPage.close();
  });

  it("Sign out everywhere from the options page (the popup's Settings): a confirmation, then every session of the account ends", async () => {
    const popup = await openPopup(maya);
    const optionsTab = maya.context.waitForEvent('page', { predicate: (pg) => pg.url().endsWith('/options.html') });
    await popup.getByRole('button', { name: 'Settings' }).click();
    const options = await optionsTab;
    await options.getByRole('button', { name: 'Sign out everywhere' }).click();
    const dialog = options.getByRole('dialog', { name: 'Sign out everywhere?' });
    await expect(dialog.textContent()).resolves.toContain('this one included');
    await shot(options, 'options-confirm-sign-out-everywhere.png');
    expect(await axeViolationsChromium(options)).toEqual([]);
    await dialog.getByRole('button', { name: 'Sign out everywhere' }).click();
    await options.getByText(/Signed out everywhere: \d+ sessions ended/).waitFor({ timeout: 15_000 });
    await options.getByText('Not signed in: use the toolbar button → Sign in with Dropbox.').waitFor();
    // Maya's other session (the one the import used) is over too.
    const res = await fetch(`${stack.workerUrl}/api/v1/library`, { headers: { authorization: `Bearer ${mayaSession}` } });
    expect(res.status).toBe(401);
    await options.close();
  });

  it('uninstalling the extension ends its session (the uninstall URL)', async () => {
    // Leo signs in again, then removes the extension.
    const popup = await signInThroughPopup(leo, 'leo@pd.example');
    await popup.close();
    const token = await extensionSession(leo);
    expect((await fetch(`${stack.workerUrl}/api/v1/library`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    const uninstallTab = leo.context.waitForEvent('page', { predicate: (pg) => pg.url().includes('/api/v1/auth/uninstalled'), timeout: 30_000 });
    await leo.serviceWorker
      .evaluate(() => (globalThis as unknown as ChromeGlobal).chrome.management.uninstallSelf({ showConfirmDialog: false }))
      .catch(() => undefined); // the service worker goes away with the extension
    await uninstallTab;
    await expect
      .poll(async () => (await fetch(`${stack.workerUrl}/api/v1/library`, { headers: { authorization: `Bearer ${token}` } })).status, {
        timeout: 15_000,
      })
      .toBe(401);
  });
});
