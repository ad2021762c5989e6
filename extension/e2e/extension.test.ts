// The built extension in Debian's Chromium, against a real local worker (wrangler dev, local D1) and the Dropbox
// emulator. Two browser profiles: Maya (owner) and Leo (collaborator). Dropbox's web pages are the saved fixture
// served for https://www.dropbox.com/home/** by Playwright routing, and, in the last scenario, the emulator's own
// Dropbox-like web UI (what a developer sees with `npm start`).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { NotificationsResponse } from '@pd/shared';
import {
  api,
  browserNotificationIds,
  extensionSession,
  launchProfile,
  openEmulatorFolder,
  openPopup,
  shot,
  signInDirect,
  startStack,
  type Profile,
  type Stack,
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
  if (screenshots) await shot(page, 'popup-signed-out.png');
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

function panel(page: Page) {
  return page.locator('pd-panel');
}

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
});

afterAll(async () => {
  await maya?.close().catch(() => {});
  await leo?.close().catch(() => {});
  await stack?.stop();
});

describe('Producer Dashboard extension in Chromium', () => {
  it('owner revokes from the injected panel → the collaborator no longer has the track and is notified', async () => {
    const page = await maya.context.newPage();
    await page.goto(OWNER_FOLDER('Midnight Drive', 'After Hours'));
    const leoRow = panel(page).getByRole('listitem', { name: 'Leo Vance' });
    await leoRow.waitFor({ timeout: 30_000 });
    await expect(leoRow.textContent()).resolves.toContain('Editor');
    await shot(page, 'panel-owner.png');

    await panel(page).getByRole('button', { name: 'Revoke Leo Vance' }).click();
    const dialog = panel(page).getByRole('dialog');
    await expect(dialog.textContent()).resolves.toContain("Revoke Leo Vance's access to “Midnight Drive”?");
    await shot(page, 'confirm-revoke.png');
    await dialog.getByRole('button', { name: 'Revoke access' }).click();
    await panel(page).getByText("Leo Vance's access to “Midnight Drive” was revoked").waitFor();
    await expect.poll(() => leoRow.textContent(), { timeout: 15_000 }).toContain('Revoked');
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
    await panel(page).getByRole('button', { name: 'Invite Leo Vance again' }).click();
    const invite = panel(page).getByRole('dialog');
    await expect(invite.textContent()).resolves.toContain('Leo Vance gets access again only after they accept it.');
    await invite.getByRole('button', { name: 'Send invitation' }).click();
    await panel(page).getByText('Leo Vance was invited again to “Midnight Drive”.', { exact: false }).waitFor();
    await expect.poll(() => leoRow.textContent(), { timeout: 15_000 }).toContain('Invited');

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
    await expect.poll(() => panel(page).getByRole('listitem', { name: 'Leo Vance' }).textContent(), { timeout: 30_000 }).toContain('Active');
    await page.close();
  });

  it("collaborator leaves from the toolbar → the owner's panel shows 'left' and the owner is notified", async () => {
    // Leo looks at his copy of Glass Hearts (mounted at his Dropbox root): the panel offers Leave Track.
    const dropboxTab = await leo.context.newPage();
    await dropboxTab.goto(MEMBER_FOLDER('Glass Hearts'));
    await panel(dropboxTab).getByRole('button', { name: 'Leave Track' }).waitFor({ timeout: 30_000 });
    await shot(dropboxTab, 'panel-collaborator.png');
    await panel(dropboxTab).getByRole('button', { name: 'Leave Track' }).click();
    const leaveDialog = panel(dropboxTab).getByRole('dialog');
    await expect(leaveDialog.textContent()).resolves.toContain('The shared files will be removed from your Dropbox.');
    await shot(dropboxTab, 'confirm-leave.png');
    await leaveDialog.getByRole('button', { name: 'Cancel' }).click();

    // A folder that is not a PD track says so (and Dropbox's page is untouched).
    const other = await leo.context.newPage();
    await other.goto('https://www.dropbox.com/home/Holiday%20photos');
    await panel(other).getByText('This folder is not a Producer Dashboard track.').waitFor({ timeout: 30_000 });
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
    await dialog.getByRole('button', { name: 'Leave Track' }).click();
    await popup.getByText('You left “Glass Hearts”. Its files are being removed from your Dropbox.').waitFor();
    await expect.poll(() => shared.getByRole('listitem', { name: 'Glass Hearts' }).count()).toBe(0);
    await shot(popup, 'popup-after-leave.png');

    // Maya's panel on the same track shows Leo as "Left"; her popup and a browser notification say so.
    const page = await maya.context.newPage();
    await page.goto(OWNER_FOLDER('Glass Hearts', 'After Hours'));
    const leoRow = panel(page).getByRole('listitem', { name: 'Leo Vance' });
    await leoRow.waitFor({ timeout: 30_000 });
    await expect.poll(() => leoRow.textContent(), { timeout: 15_000 }).toContain('Left');
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
    const avaRow = panel(page).getByRole('listitem', { name: 'Ava Chen' });
    await avaRow.waitFor({ timeout: 30_000 });
    await panel(page).getByRole('button', { name: 'Revoke Ava Chen' }).click();
    await panel(page).getByRole('dialog').getByRole('button', { name: 'Revoke access' }).click();
    await expect.poll(() => avaRow.textContent(), { timeout: 30_000 }).toContain('Dropbox change failed');
    await expect(avaRow.textContent()).resolves.toContain('Revoked'); // PD revoked at once, whatever Dropbox does
    await shot(page, 'panel-dropbox-failed.png');

    await avaRow.getByRole('button', { name: 'Retry' }).click();
    await expect.poll(() => avaRow.textContent(), { timeout: 30_000 }).not.toContain('Dropbox change');
    const state = (await (await fetch(`${stack.emu.url}/_control/state`)).json()) as { folders: { name: string; members: unknown[] }[] };
    const midnight = state.folders.find((f) => f.name === 'Midnight Drive')!;
    expect(JSON.stringify(midnight.members)).not.toContain('ava@pd.example');
    await page.close();
  });

  it("on the Dropbox emulator's web UI: the owner's panel after the folder header, the collaborator's Leave Track, and a revoke that takes the folder out of the collaborator's Dropbox", async () => {
    // Leo's copy of Neon Rain, at his Dropbox root in the emulator's web UI: the panel offers Leave Track.
    const leoPage = await openEmulatorFolder(stack, leo, 'leo@pd.example', '/Neon Rain');
    await expect(leoPage.getByTestId('emulator-web-user').textContent()).resolves.toContain('Leo Vance');
    await panel(leoPage).getByRole('button', { name: 'Leave Track' }).waitFor({ timeout: 30_000 });
    await expect(panel(leoPage).getByText('shared by Maya Reyes').count()).resolves.toBe(1);
    await shot(leoPage, 'emulator-panel-collaborator.png');

    // Maya's folder at her path: every collaborator, and the panel placed right after the folder header.
    const page = await openEmulatorFolder(stack, maya, 'maya@pd.example', '/PRODUCER-DASHBOARD/City Lights/Neon Rain');
    const leoRow = panel(page).getByRole('listitem', { name: 'Leo Vance' });
    await leoRow.waitFor({ timeout: 30_000 });
    await expect(leoRow.textContent()).resolves.toMatch(/Active[\s\S]*Editor/);
    const next = await page.evaluate(() => document.querySelector('[data-testid="page-header"]')?.nextElementSibling?.localName);
    expect(next).toBe('pd-panel');
    await shot(page, 'emulator-panel-owner.png');

    await panel(page).getByRole('button', { name: 'Revoke Leo Vance' }).click();
    const dialog = panel(page).getByRole('dialog');
    await expect(dialog.textContent()).resolves.toContain("Revoke Leo Vance's access to “Neon Rain”?");
    await dialog.getByRole('button', { name: 'Revoke access' }).click();
    await panel(page).getByText("Leo Vance's access to “Neon Rain” was revoked").waitFor();
    await expect.poll(() => leoRow.textContent(), { timeout: 15_000 }).toContain('Revoked');
    // Dropbox follows: once the removal job is done, the folder is gone from Leo's Dropbox (the emulator's page is a
    // 404) and Maya's Share list no longer names him.
    await expect.poll(() => leoRow.textContent(), { timeout: 30_000 }).not.toContain('Dropbox change');
    await shot(page, 'emulator-panel-after-revoke.png');
    // Leo loses the track on his next sync (opening the popup syncs): he is notified, and his page — a 404 now,
    // the folder left his Dropbox — no longer offers Leave Track.
    const leoPopup = await openPopup(leo);
    await leoPopup.getByRole('tab', { name: /Notifications/ }).click();
    await leoPopup.getByRole('list', { name: 'Notifications' }).getByText('Maya Reyes revoked your access to “Neon Rain”.', { exact: false }).waitFor();
    await leoPopup.close();
    expect((await leoPage.reload())?.status()).toBe(404);
    await leoPage.getByTestId('not-found').waitFor();
    await expect
      .poll(() => leoPage.evaluate(() => (document.querySelector('pd-panel')?.shadowRoot?.lastElementChild as HTMLElement | null)?.innerText ?? '(no panel)'), { timeout: 15_000 })
      .toContain('This folder is not a Producer Dashboard track.');
    await expect(panel(leoPage).getByRole('button', { name: 'Leave Track' }).count()).resolves.toBe(0);
    await shot(leoPage, 'emulator-collaborator-after-revoke.png');
    await page.reload();
    await expect(page.getByTestId('share-members').textContent()).resolves.not.toContain('leo@pd.example');
    for (const p of [leoPage, page]) await p.close();
  });
});
