// Issue 9 item 2 in Chromium: a Dropbox Business team member (Rio, team "Acme Studio", demo seed) browses his team
// space on the emulator's web UI — /work/<team>/<his folder>/<track> and a file preview (/preview/…?role=work) — and
// the built extension shows his track there; the popup says where the panel is (issue 9 item 7).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  axText,
  axWaitFor,
  launchProfile,
  openEmulatorPage,
  openPopup,
  PANEL,
  shot,
  signInDirect,
  startStack,
  type Profile,
  type Stack,
} from './harness';

const RIO = 'rio@acme.example';
const NIGHT_BUS = '/work/Acme%20Studio/Rio%20Park/Night%20Bus';
const PREVIEW = '/preview/Acme%20Studio/Rio%20Park/Night%20Bus/Night%20Bus%20-%20Demo.wav?role=work';

let stack: Stack;
let rio: Profile;

beforeAll(async () => {
  stack = await startStack();
  rio = await launchProfile(stack, 'rio');
  // Sign in through the popup, as a user does (launchWebAuthFlow → the emulator's authorize page → Rio).
  const popup = await openPopup(rio);
  const authWindow = rio.context.waitForEvent('page', { predicate: (pg) => pg.url().startsWith(`${stack.emu.url}/oauth2/authorize`) });
  await popup.getByRole('button', { name: 'Sign in with Dropbox' }).click();
  const auth = await authWindow;
  await auth.locator(`button[data-email="${RIO}"]`).click();
  await popup.getByRole('tab', { name: 'My tracks' }).waitFor({ timeout: 30_000 });
  await popup.close();
  // His shared folder (in his folder of the team space) becomes a track: the import is the worker's API.
  const session = await signInDirect(stack, RIO);
  const imported = (await api(stack, session, 'POST', '/dropbox/import', {})) as { imported: { title: string }[] };
  expect(imported.imported.map((t) => t.title)).toEqual(['Night Bus']);
  // Starting wrangler, the emulator and a build, then a browser, on 2 cores shared with other runs: give it time.
}, 600_000);

afterAll(async () => {
  await rio?.close().catch(() => {});
  await stack?.stop();
});

describe('a Dropbox Business team space in Chromium', () => {
  it('the /work/<team>/… folder and a file preview of it show the track; the popup says where the panel is', async () => {
    const page = await openEmulatorPage(stack, rio, RIO, NIGHT_BUS);
    await axWaitFor(page, { role: 'heading', name: 'Night Bus' }, { within: PANEL });
    await expect(axText(page, PANEL)).resolves.toContain('Owner');
    const next = await page.evaluate(() => document.querySelector('[data-testid="page-header"]')?.nextElementSibling?.localName);
    expect(next).toBe('pd-panel');
    await shot(page, 'emulator-panel-team-space.png');

    // Open the file from the list: Dropbox's previewer, /preview/…?role=work, shows the same track.
    await page.getByRole('link', { name: 'Night Bus - Demo.wav' }).click();
    await page.waitForURL((u) => u.pathname + u.search === PREVIEW);
    await page.getByTestId('file-preview').waitFor();
    await axWaitFor(page, { role: 'heading', name: 'Night Bus' }, { within: PANEL });
    await shot(page, 'emulator-panel-team-preview.png');

    // The popup (opened as a tab, it reads the most recent Dropbox tab): the track, and where its panel is.
    const popup = await openPopup(rio);
    await popup.getByTestId('current-track').waitFor();
    await expect(popup.getByTestId('current-track').textContent()).resolves.toContain('Night Bus');
    await expect(popup.getByTestId('panel-place').textContent()).resolves.toBe('The panel is right below Dropbox’s folder header.');
    await popup.close();
    await page.close();
  });
});
