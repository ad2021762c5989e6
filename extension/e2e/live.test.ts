// Issue 11 item 1 end to end: two browser profiles (Maya owns, Leo collaborates) with the built extension, a real
// worker (wrangler dev: D1, queue, the per-account Durable Object) and the Dropbox emulator. Open panels change by
// themselves: no reload, no popup opened, no action of the viewer. Each test logs how long it took; the 2 s goal
// (p95) is measured by the live bench (bench/live.md), not asserted here, so a loaded CI machine cannot fail it —
// without the push the panel would wait for the 1-minute sync alarm, far past these tests' 10 s bound.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LibraryResponse, TrackDetail } from '@pd/shared';
import type { Page } from 'playwright-core';
import {
  api,
  axCount,
  axFocused,
  axText,
  axWaitFor,
  launchProfile,
  openPopup,
  PANEL,
  shot,
  signInDirect,
  startStack,
  userClick,
  type Profile,
  type Stack,
} from './harness';

const OWNER_FOLDER = (track: string, project: string) =>
  `https://www.dropbox.com/home/PRODUCER-DASHBOARD/${encodeURIComponent(project)}/${encodeURIComponent(track)}`;
const MEMBER_FOLDER = (track: string) => `https://www.dropbox.com/home/${encodeURIComponent(track)}`;
const inPanel = { within: PANEL };
const row = (name: string) => ({ role: 'listitem', name });

let stack: Stack;
let maya: Profile;
let leo: Profile;
let mayaSession: string;
let avaSession: string;

async function signInThroughPopup(p: Profile, email: string): Promise<void> {
  const page = await openPopup(p);
  const authWindow = p.context.waitForEvent('page', { predicate: (pg) => pg.url().startsWith(`${stack.emu.url}/oauth2/authorize`) });
  await page.getByRole('button', { name: 'Sign in with Dropbox' }).click();
  const auth = await authWindow;
  await auth.locator(`button[data-email="${email}"]`).click();
  await page.getByRole('tab', { name: 'My tracks' }).waitFor({ timeout: 30_000 });
  await page.close();
}

async function trackNamed(title: string): Promise<TrackDetail> {
  const lib = await api<LibraryResponse>(stack, mayaSession, 'GET', '/library?limit=100');
  const item = lib.items.find((i) => i.track.title === title);
  if (!item) throw new Error(`no track ${title}`);
  return api<TrackDetail>(stack, mayaSession, 'GET', `/tracks/${item.track.id}`);
}

/** Milliseconds until `done()` holds, polling every 25 ms; throws after `timeout`. */
async function timeUntil(done: () => Promise<boolean>, timeout: number, what: string): Promise<number> {
  const t0 = performance.now();
  while (performance.now() - t0 < timeout) {
    if (await done().catch(() => false)) return performance.now() - t0;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${what}: not within ${timeout} ms`);
}

/** The panel's text (the accessibility tree of its closed shadow root). */
const panelText = (page: Page) => axText(page, PANEL);

beforeAll(async () => {
  stack = await startStack();
  leo = await launchProfile(stack, 'leo');
  maya = await launchProfile(stack, 'maya');
  await signInThroughPopup(leo, 'leo@pd.example');
  await signInThroughPopup(maya, 'maya@pd.example');
  mayaSession = await signInDirect(stack, 'maya@pd.example');
  avaSession = await signInDirect(stack, 'ava@pd.example');
  await api(stack, mayaSession, 'POST', '/dropbox/import', {});
});

afterAll(async () => {
  await maya?.close().catch(() => {});
  await leo?.close().catch(() => {});
  await stack?.stop();
});

describe('live panels', () => {
  it("owner revokes → the collaborator's open panel shows the access ending, without a reload, within 2 s, even under his open Leave dialog", async () => {
    const leoPage = await leo.context.newPage();
    await leoPage.goto(MEMBER_FOLDER('Midnight Drive'));
    await axWaitFor(leoPage, { role: 'button', name: 'Leave Track' }, inPanel);
    // The panel holds the background's socket from now on; give it a moment to open.
    await leoPage.waitForTimeout(1500);
    // Leo is reading his Leave confirmation when it happens.
    await userClick(leoPage, { role: 'button', name: 'Leave Track' }, inPanel);
    const leaveDialog = { role: 'dialog', name: 'Leave “Midnight Drive”?' };
    await axWaitFor(leoPage, leaveDialog);

    const track = await trackNamed('Midnight Drive');
    const leoRow = track.collaborators.find((c) => c.displayName === 'Leo Vance')!;
    // Maya revokes (her API call is the same commit her panel's Revoke makes); timing starts when it returns.
    await api(stack, mayaSession, 'POST', `/tracks/${track.track.id}/collaborators/${leoRow.id}/revoke`);
    const ms = await timeUntil(async () => (await panelText(leoPage)).includes('The owner revoked your access to this track'), 10_000, "Leo's panel");
    console.log(`live e2e: revoke committed → collaborator's panel updated in ${Math.round(ms)} ms`);
    // His dialog went with the track view, and focus is on the panel that says why, not lost on the page.
    expect(await axCount(leoPage, leaveDialog)).toBe(0);
    await expect.poll(() => axFocused(leoPage), { timeout: 5_000 }).toEqual({ role: 'region', name: 'Producer Dashboard' });
    await shot(leoPage, 'panel-live-access-ended.png');
    await leoPage.close();
  });

  it("a collaborator leaves in Dropbox → the owner's open panel stops showing them Active within 2 s of PD recording it", async () => {
    const page = await maya.context.newPage();
    await page.goto(OWNER_FOLDER('Glass Hearts', 'After Hours'));
    await expect(axWaitFor(page, row('Leo Vance'), inPanel)).resolves.toContain('Active');
    await page.waitForTimeout(1500);
    const track = await trackNamed('Glass Hearts');

    const t0 = performance.now();
    await stack.emu.control.act({ as: 'leo@pd.example', folder: 'Glass Hearts', action: 'leave_folder' });
    await stack.emu.control.webhooks.flush();
    // When the worker has committed it (the webhook → queue → reconciliation path), as its API shows…
    const committed = await timeUntil(
      async () =>
        (await api<TrackDetail>(stack, mayaSession, 'GET', `/tracks/${track.track.id}`)).collaborators.find((c) => c.displayName === 'Leo Vance')
          ?.status !== 'active',
      30_000,
      'PD recording the Dropbox-side leave',
    );
    // …and when Maya's panel, untouched, stops showing him Active.
    const shown = await timeUntil(async () => !(await axText(page, row('Leo Vance'), inPanel)).includes('Active'), 30_000, "Maya's panel");
    // 30 s above is the Dropbox → webhook → queue path; from PD's commit to the panel, the push must do it (the
    // sync alarm would take up to a minute).
    const afterCommit = Math.max(0, shown - committed);
    console.log(
      `live e2e: Dropbox-side leave → recorded in PD after ${Math.round(committed)} ms → owner's panel updated ${Math.round(afterCommit)} ms later (${Math.round(performance.now() - t0)} ms from the Dropbox act)`,
    );
    expect(afterCommit).toBeLessThan(10_000);
    await shot(page, 'panel-live-left-in-dropbox.png');
    await page.close();
  });

  it('a push that ends a row under an open Revoke dialog closes it, puts focus on that row, and revokes nothing', async () => {
    const page = await maya.context.newPage();
    await page.goto(OWNER_FOLDER('Midnight Drive', 'After Hours'));
    await expect(axWaitFor(page, row('Ava Chen'), inPanel)).resolves.toContain('Active');
    await page.waitForTimeout(1500);
    await userClick(page, { role: 'button', name: 'Revoke Ava Chen' }, inPanel);
    const dialog = { role: 'dialog', name: "Revoke Ava Chen's access to “Midnight Drive”?" };
    await axWaitFor(page, dialog);
    // While Maya reads the confirmation, Ava leaves through PD.
    const track = await trackNamed('Midnight Drive');
    await api(stack, avaSession, 'POST', `/tracks/${track.track.id}/leave`);
    const ms = await timeUntil(async () => (await axCount(page, dialog)) === 0, 10_000, 'the dialog closing on the push');
    console.log(`live e2e: collaborator left under an open Revoke dialog → dialog closed ${Math.round(ms)} ms later`);
    expect(await axText(page, row('Ava Chen'), inPanel)).toContain('Left');
    expect(await axFocused(page)).toEqual({ role: 'listitem', name: 'Ava Chen' });
    const after = await api<TrackDetail>(stack, mayaSession, 'GET', `/tracks/${track.track.id}`);
    expect(after.collaborators.find((c) => c.displayName === 'Ava Chen')).toMatchObject({ status: 'left' });
    await shot(page, 'panel-live-row-ended-under-dialog.png');
    await page.close();
  });

  it('the collaborator\'s open popup follows too: a track the owner revokes leaves "Shared with me" while it is open', async () => {
    const popup = await openPopup(leo);
    await popup.getByRole('tab', { name: 'My tracks' }).click();
    const shared = popup.getByRole('list', { name: 'Tracks shared with me' });
    await shared.getByRole('listitem', { name: 'Neon Rain' }).waitFor({ timeout: 15_000 });
    await popup.waitForTimeout(1500);
    const track = await trackNamed('Neon Rain');
    const leoRow = track.collaborators.find((c) => c.displayName === 'Leo Vance')!;
    await api(stack, mayaSession, 'POST', `/tracks/${track.track.id}/collaborators/${leoRow.id}/revoke`);
    const ms = await timeUntil(async () => (await shared.getByRole('listitem', { name: 'Neon Rain' }).count()) === 0, 10_000, "Leo's popup");
    console.log(`live e2e: revoke committed → collaborator's open popup updated in ${Math.round(ms)} ms`);
    await popup.close();
  });
});
