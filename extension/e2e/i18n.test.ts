// The built extension in a Spanish Chromium (--lang=es-ES): a producer whose browser speaks Spanish gets the panel on
// Dropbox's folder page, the Revoke confirmation and the toolbar popup in Spanish, with dates and numbers written the
// Spanish way — against the real local worker and the Dropbox emulator, and with axe's accessibility check there
// too. The other e2e files run in English (launchProfile's default, whatever the machine's locale).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LibraryResponse, TrackDetail } from '@pd/shared';
import {
  api,
  axePanelViolationsChromium,
  axeViolationsChromium,
  axText,
  axWaitFor,
  axWaitForText,
  launchProfile,
  openPopup,
  PANEL,
  shot,
  signInDirect,
  startStack,
  type Profile,
  type Stack,
  userClick,
} from './harness';

const FOLDER = 'https://www.dropbox.com/home/PRODUCER-DASHBOARD/After%20Hours/Midnight%20Drive';
/** A fixed end of access, so the row shows a date in the Spanish format (10:15 UTC: the same day in any time zone of the machine within ±10 h). */
const ENDS = '2030-01-15T10:15:00.000Z';

let stack: Stack;
let maya: Profile;

const inPanel = { within: PANEL };
const row = (name: string) => ({ role: 'listitem', name });

beforeAll(async () => {
  stack = await startStack();
  await signInDirect(stack, 'sam@pd.example');
  maya = await launchProfile(stack, 'maya-es', { lang: 'es-ES' });

  // Sign in through the Spanish popup, as a user does.
  const popup = await openPopup(maya);
  await popup.getByRole('button', { name: 'Iniciar sesión con Dropbox' }).waitFor();
  expect(await popup.evaluate(() => document.documentElement.lang)).toBe('es');
  const authWindow = maya.context.waitForEvent('page', { predicate: (pg) => pg.url().startsWith(`${stack.emu.url}/oauth2/authorize`) });
  await popup.getByRole('button', { name: 'Iniciar sesión con Dropbox' }).click();
  const auth = await authWindow;
  await auth.locator('button[data-email="maya@pd.example"]').click();
  await popup.getByRole('tab', { name: 'Mis temas' }).waitFor({ timeout: 30_000 });
  await popup.close();

  // Her Dropbox folders become tracks; Sam's access to Midnight Drive gets an end date to show.
  const session = await signInDirect(stack, 'maya@pd.example');
  await api(stack, session, 'POST', '/dropbox/import', {});
  const library = await api<LibraryResponse>(stack, session, 'GET', '/library?limit=200');
  const track = library.items.find((i) => i.track.title === 'Midnight Drive')!;
  const detail = await api<TrackDetail>(stack, session, 'GET', `/tracks/${track.track.id}`);
  const sam = detail.collaborators.find((c) => c.displayName === 'Sam Ortiz')!;
  await api(stack, session, 'PUT', `/tracks/${track.track.id}/collaborators/${sam.id}/expiry`, { accessExpiresAt: ENDS });
}, 600_000);

afterAll(async () => {
  await maya?.close().catch(() => {});
  await stack?.stop();
});

describe('Producer Dashboard in Spanish (Chromium, --lang=es-ES)', () => {
  it('the panel, the Revoke confirmation and the popup speak Spanish; dates are Spanish; axe finds nothing serious', async () => {
    // The browser's own i18n picked the Spanish messages and the Spanish locale.
    const uiLanguage = await maya.serviceWorker.evaluate(() =>
      (globalThis as unknown as { chrome: { i18n: { getUILanguage(): string } } }).chrome.i18n.getUILanguage(),
    );
    expect(uiLanguage).toMatch(/^es/);

    const page = await maya.context.newPage();
    await page.goto(FOLDER);
    await expect(axWaitFor(page, row('Leo Vance'), inPanel)).resolves.toContain('Editor');
    const panel = await axText(page, PANEL);
    expect(panel).toContain('Este tema es tuyo · 3 colaboradores');
    expect(panel).toContain('Activo');
    expect(panel).toContain('Máster');
    // Sam's end date, written as a Spanish browser writes it.
    const expectedDate = new Intl.DateTimeFormat('es-ES', { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(ENDS));
    await expect(axText(page, row('Sam Ortiz'), inPanel)).resolves.toContain(`Acceso hasta el ${expectedDate}`);
    expect(expectedDate).toMatch(/^15 ene 2030/);
    expect(panel).not.toMatch(/Revoke|Collaborators|You own this track/);
    await shot(page, 'panel-es.png');
    expect(await axePanelViolationsChromium(page)).toEqual([]);

    // The Revoke confirmation: title, body and buttons in Spanish.
    await userClick(page, { role: 'button', name: 'Revocar a Leo Vance' }, inPanel);
    const dialog = { role: 'dialog', name: '¿Revocar el acceso de Leo Vance a «Midnight Drive»?' };
    const text = await axWaitFor(page, dialog, inPanel);
    expect(text).toContain('El acceso termina de inmediato. En su próxima sincronización:');
    expect(text).toContain('Sus créditos se mantienen: nombre, rol y reparto siguen en el tema.');
    expect(text).toContain('Cambiar a Lector');
    expect(text).toContain('Revocar acceso');
    await shot(page, 'confirm-revoke-es.png');
    expect(await axePanelViolationsChromium(page)).toEqual([]);
    await userClick(page, { role: 'button', name: 'Revocar acceso' }, { within: dialog });
    await axWaitForText(page, 'Se revocó el acceso de Leo Vance a «Midnight Drive». Recibirá un aviso.', inPanel);
    await expect.poll(() => axText(page, row('Leo Vance'), inPanel), { timeout: 15_000 }).toContain('Revocado');
    await page.close();

    // The toolbar popup: tabs, the sharing panel's counts, all in Spanish.
    const popup = await openPopup(maya);
    await expect(popup.title()).resolves.toBe('Producer Dashboard');
    await popup.getByRole('tab', { name: 'Esta pestaña' }).waitFor();
    await popup.getByRole('tab', { name: 'Mis temas' }).click();
    await popup.getByRole('heading', { name: 'Panel de uso compartido' }).waitFor();
    const people = popup.getByRole('list', { name: 'Personas con las que compartes' });
    await expect(people.getByRole('listitem', { name: 'Sam Ortiz' }).textContent()).resolves.toMatch(/\d+ temas?/);
    await expect(people.getByRole('button', { name: 'Revocar todo a Sam Ortiz' }).count()).resolves.toBe(1);
    await popup.getByRole('tab', { name: 'Revisión' }).click();
    await popup.getByRole('heading', { name: 'Revisión de accesos' }).waitFor();
    await shot(popup, 'popup-es.png');
    expect(await axeViolationsChromium(popup)).toEqual([]);
    await popup.close();
  });
});
