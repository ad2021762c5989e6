// Issue 9 items 2 and 7 on saved pages: team-space folders (/work/<team>/…), file previews, in-page navigation from
// any Dropbox page, a page in German (no English label to anchor on), anchors that exist only inside the file list,
// and the popup saying where the panel is and why.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { screen, waitFor, within } from '@testing-library/preact';
import { ContentScriptContext } from 'wxt/utils/content-script-context';
import { mountPanel } from '../entrypoints/dropbox.content/mount-panel';
import { findPanelPlacement } from '../dropbox-page/selectors';
import { placeHost } from '../dropbox-page/controller';
import { App } from '../entrypoints/popup/App';
import { renderWithApi } from './helpers/render';
import { startBackground } from './helpers/background';
import { testUserGesture } from './helpers/user-gesture';
import { FakeWorker, LEO, MAYA } from './helpers/fake-worker';
import { loadFixture, MIDNIGHT_DRIVE_PATH, setUrl } from './helpers/fixtures';

const NIGHT_BUS_URL = 'https://www.dropbox.com/work/Acme%20Studio/Rio%20Park/Night%20Bus';
const PREVIEW_URL = 'https://www.dropbox.com/preview/Acme%20Studio/Rio%20Park/Night%20Bus/Night%20Bus%20-%20Demo.wav?role=work';

let ctx: ContentScriptContext | null = null;
let shadow: ShadowRoot | null = null;

function seed() {
  const worker = new FakeWorker();
  // Maya's track; Leo, a member of the team "Acme Studio", has it in his folder of the team space.
  worker.addTrack({
    title: 'Night Bus',
    owner: MAYA,
    path: '/PRODUCER-DASHBOARD/Night Bus',
    collaborators: [{ account: LEO, accessLevel: 'editor', path: '/work/Acme Studio/Rio Park/Night Bus' }],
  });
  worker.addTrack({ title: 'Midnight Drive', owner: MAYA, path: MIDNIGHT_DRIVE_PATH, collaborators: [{ account: LEO }] });
  return worker;
}

async function startContentScript() {
  ctx = new ContentScriptContext('dropbox', { matches: ['https://www.dropbox.com/*'], cssInjectionMode: 'manual' });
  shadow = (await mountPanel(ctx, { isUserGesture: testUserGesture })).ui.shadow;
}
const panel = () => within(shadow as unknown as HTMLElement);
const host = () => document.querySelector('pd-panel') as HTMLElement | null;

beforeEach(() => {
  document.body.innerHTML = '';
});
afterEach(() => {
  ctx?.abort();
  ctx = null;
  document.querySelectorAll('pd-panel').forEach((el) => el.remove());
});

describe('team spaces and previews', () => {
  it('a /work/<team>/… folder shows its track after the folder header, looked up by its web path', async () => {
    const { signInAs, worker } = await startBackground(seed());
    await signInAs(LEO);
    loadFixture('work-folder-page.html', NIGHT_BUS_URL);
    await startContentScript();
    await waitFor(() => panel().getByRole('heading', { name: 'Night Bus' }));
    expect(panel().getByRole('button', { name: 'Leave Track' })).toBeTruthy();
    expect(host()?.previousElementSibling?.getAttribute('data-testid')).toBe('page-header');
    expect(worker.requests).toContain(`GET /tracks/by-dropbox-path?path=${encodeURIComponent('/work/Acme%20Studio/Rio%20Park/Night%20Bus')}`);
  });

  it('a file preview (/preview/…?role=work) shows the track of the file’s folder', async () => {
    const { signInAs } = await startBackground(seed());
    await signInAs(LEO);
    loadFixture('preview-page.html', PREVIEW_URL);
    await startContentScript();
    await waitFor(() => panel().getByRole('heading', { name: 'Night Bus' }));
    expect(panel().getByRole('button', { name: 'Leave Track' })).toBeTruthy();
  });

  it('comes alive after in-page navigation (pushState) from a Dropbox page that is no folder view', async () => {
    const { signInAs } = await startBackground(seed());
    await signInAs(LEO);
    document.body.innerHTML = '<main role="main"><h1>Recents</h1></main>';
    setUrl('https://www.dropbox.com/recents');
    await startContentScript();
    await new Promise((r) => setTimeout(r, 20));
    expect(host()).toBeNull();
    // Dropbox's router: pushState, then the folder view renders.
    history.pushState({}, '', NIGHT_BUS_URL);
    loadFixture('work-folder-page.html', NIGHT_BUS_URL);
    await waitFor(() => panel().getByRole('heading', { name: 'Night Bus' }));
    // Back to Recents (popstate): the panel goes.
    setUrl('https://www.dropbox.com/recents');
    document.body.innerHTML = '<main role="main"><h1>Recents</h1></main>';
    window.dispatchEvent(new PopStateEvent('popstate'));
    await waitFor(() => expect(host()).toBeNull());
  });
});

describe('the page is honest about where the panel is', () => {
  it('a German page (no data-testid, no English label): the panel still goes after the breadcrumb, found by structure', async () => {
    loadFixture('folder-page-de.html');
    const placement = findPanelPlacement(document);
    expect(placement.kind).toBe('header');
    expect(placement.anchor?.tagName).toBe('NAV');
    expect(placement.anchor?.getAttribute('aria-label')).toBe('Brotkrümelnavigation');

    const { signInAs } = await startBackground(seed());
    await signInAs(MAYA);
    await startContentScript();
    await waitFor(() => panel().getByRole('heading', { name: 'Midnight Drive' }));
    expect(shadow?.querySelector('.pd-panel')?.getAttribute('data-placement')).toBe('header');
  });

  it('without its breadcrumb a German page falls back to the main toolbar (by role), not to a label', () => {
    loadFixture('folder-page-de.html');
    document.querySelector('nav[aria-label="Brotkrümelnavigation"]')!.remove();
    document.querySelector('h1')!.remove();
    const placement = findPanelPlacement(document);
    expect(placement).toMatchObject({ kind: 'share' });
    expect(placement.anchor?.getAttribute('aria-label')).toBe('Ordneraktionen');
  });

  it('anchors that exist only inside the file list are refused: the panel floats, outside the list', async () => {
    loadFixture('folder-page-list-anchors.html');
    expect(findPanelPlacement(document)).toEqual({ kind: 'floating', anchor: null });
    const probe = document.createElement('pd-probe');
    expect(placeHost(probe, document)).toBe('floating');
    expect(probe.parentElement).toBe(document.body);
    expect(probe.closest('[data-pd-fixture="file-list"]')).toBeNull();
    probe.remove();

    const { signInAs, api } = await startBackground(seed());
    await signInAs(MAYA);
    await startContentScript();
    await waitFor(() => panel().getByRole('heading', { name: 'Midnight Drive' }));
    expect(host()?.closest('[role="grid"], ul, table')).toBeNull();
    expect(panel().getByTestId('pd-placement-note').textContent).toBe(
      'Dropbox’s folder header was not found — the panel floats at the bottom right of the page.',
    );
    // The content script told the background; the popup reads it for this page.
    await waitFor(async () => expect((await api.getPanelStatus({ url: location.href }))?.placement).toBe('floating'));
  });

  it('the popup says where the panel is and why', async () => {
    const { signInAs, api } = await startBackground(seed());
    await signInAs(MAYA);
    const url = 'https://www.dropbox.com/home/PRODUCER-DASHBOARD/Night%20Sessions/Midnight%20Drive';
    await api.reportPanelStatus({
      url,
      placement: 'floating',
      message: 'Dropbox’s folder header was not found — the panel floats at the bottom right of the page.',
    });
    renderWithApi(<App getActiveUrl={async () => url} />, api);
    await waitFor(() =>
      expect(screen.getByTestId('panel-place').textContent).toBe(
        'Dropbox’s folder header was not found — the panel floats at the bottom right of the page.',
      ),
    );
  });

  it('the popup says so when the panel never reported from the tab (the content script did not run)', async () => {
    const { signInAs, api } = await startBackground(seed());
    await signInAs(MAYA);
    renderWithApi(<App getActiveUrl={async () => 'https://www.dropbox.com/home/PRODUCER-DASHBOARD/Night%20Sessions/Glass%20Hearts'} />, api);
    await waitFor(() => expect(screen.getByTestId('panel-place').textContent).toMatch(/has not appeared on this page/));
  });
});
