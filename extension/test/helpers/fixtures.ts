import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const MIDNIGHT_DRIVE_URL = 'https://www.dropbox.com/home/PRODUCER-DASHBOARD/Night%20Sessions/Midnight%20Drive';
export const MIDNIGHT_DRIVE_PATH = '/PRODUCER-DASHBOARD/Night Sessions/Midnight Drive';

export function fixtureHtml(name: string): string {
  return readFileSync(resolve(import.meta.dirname, '../fixtures', name), 'utf8');
}

/** Loads a saved Dropbox-like page into the test document, at a Dropbox URL. */
export function loadFixture(name: string, url = MIDNIGHT_DRIVE_URL): void {
  const parsed = new DOMParser().parseFromString(fixtureHtml(name), 'text/html');
  document.head.innerHTML = parsed.head.innerHTML;
  document.body.innerHTML = parsed.body.innerHTML;
  setUrl(url);
}

export function setUrl(url: string): void {
  (window as unknown as { happyDOM: { setURL(u: string): void } }).happyDOM.setURL(url);
}

/** Every element of the page that is not ours, as a list of tags: proves we removed nothing of Dropbox's. */
export function dropboxNodes(): string[] {
  return [...document.body.querySelectorAll('*')]
    .filter((el) => !el.closest('pd-panel'))
    .map((el) => el.tagName + (el.getAttribute('data-testid') ? `#${el.getAttribute('data-testid')}` : ''));
}
