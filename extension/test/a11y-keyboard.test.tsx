// Keyboard and focus, as a keyboard or screen-reader user meets them: the popup's tabs follow the WAI-ARIA tabs
// pattern (one tab stop, arrow keys), and a confirmation dialog is a modal <dialog> that hands focus back to the
// control that opened it.
import { beforeEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { useState } from 'preact/hooks';
import { render } from '@testing-library/preact';
import { App } from '../entrypoints/popup/App';
import { Dialog } from '../components/ui';
import type { PdApi } from '../utils/messaging';
import { startBackground } from './helpers/background';
import { FakeWorker, LEO, MAYA } from './helpers/fake-worker';
import { renderWithApi } from './helpers/render';

let api: PdApi;
let signInAs: (a: typeof MAYA) => Promise<unknown>;

beforeEach(async () => {
  cleanup();
  const worker = new FakeWorker();
  worker.addTrack({
    title: 'Midnight Drive',
    owner: MAYA,
    path: '/PRODUCER-DASHBOARD/Night Sessions/Midnight Drive',
    collaborators: [{ account: LEO, accessLevel: 'editor' }],
  });
  const bg = await startBackground(worker);
  api = bg.api;
  signInAs = bg.signInAs;
});

describe('popup tabs', () => {
  it('one tab stop; ←/→, Home and End move between the tabs and show each panel', async () => {
    await signInAs(MAYA);
    renderWithApi(<App getActiveUrl={async () => null} />, api);
    const list = await screen.findByRole('tablist');
    const tabs = within(list).getAllByRole('tab');
    expect(tabs.map((t) => t.getAttribute('tabindex'))).toEqual(tabs.map((_, i) => (i === 0 ? '0' : '-1')));
    const panel = screen.getByRole('tabpanel');
    expect(panel.getAttribute('aria-labelledby')).toBe(tabs[0]!.id);

    tabs[0]!.focus();
    fireEvent.keyDown(tabs[0]!, { key: 'ArrowRight' });
    await waitFor(() => expect(screen.getByRole('tab', { name: 'My tracks' }).getAttribute('aria-selected')).toBe('true'));
    expect(document.activeElement?.textContent).toBe('My tracks');
    expect(screen.getByRole('tabpanel').getAttribute('aria-labelledby')).toBe('pd-tab-mine');

    fireEvent.keyDown(document.activeElement!, { key: 'End' });
    await waitFor(() => expect(screen.getByRole('tab', { name: /Notifications/ }).getAttribute('aria-selected')).toBe('true'));
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowRight' }); // wraps round
    await waitFor(() => expect(screen.getByRole('tab', { name: 'This tab' }).getAttribute('aria-selected')).toBe('true'));
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowLeft' });
    await waitFor(() => expect(screen.getByRole('tab', { name: /Notifications/ }).getAttribute('aria-selected')).toBe('true'));
    const after = within(list).getAllByRole('tab');
    expect(after.map((t) => t.getAttribute('tabindex'))).toEqual(after.map((_, i) => (i === after.length - 1 ? '0' : '-1')));
  });
});

function Opener() {
  const [open, setOpen] = useState(false);
  return (
    <div>
      <button type="button" onClick={() => setOpen(true)}>
        Revoke Leo Vance
      </button>
      {open && (
        <Dialog title="Revoke Leo?" labelId="t" onClose={() => setOpen(false)}>
          <button type="button" data-autofocus onClick={() => setOpen(false)}>
            Cancel
          </button>
          <button type="button">Revoke access</button>
        </Dialog>
      )}
    </div>
  );
}

describe('confirmation dialog', () => {
  it('is a modal <dialog>, focuses the safe choice, closes on Escape and gives focus back to its opener', async () => {
    render(<Opener />);
    const opener = screen.getByRole('button', { name: 'Revoke Leo Vance' });
    opener.focus();
    fireEvent.click(opener);
    const dialog = await screen.findByRole('dialog', { name: 'Revoke Leo?' });
    expect(dialog.localName).toBe('dialog');
    expect((dialog as HTMLDialogElement).open).toBe(true);
    expect(document.activeElement?.textContent).toBe('Cancel');
    fireEvent(dialog, new Event('cancel', { cancelable: true })); // what Escape fires on a modal dialog
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(document.activeElement).toBe(opener);
  });

  it('Cancel closes it too, and focus returns to the opener', async () => {
    render(<Opener />);
    const opener = screen.getByRole('button', { name: 'Revoke Leo Vance' });
    opener.focus();
    fireEvent.click(opener);
    fireEvent.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(document.activeElement).toBe(opener);
  });
});
