import { beforeEach, describe, expect, it } from 'vitest';
import { findFirst, findPanelPlacement, SELECTORS } from '../dropbox-page/selectors';
import { placeHost } from '../dropbox-page/controller';
import { loadFixture } from './helpers/fixtures';

describe('selectors on saved Dropbox pages', () => {
  beforeEach(() => {
    document.body.innerHTML = '';
  });

  it('never names a hashed or versioned class', () => {
    for (const list of Object.values(SELECTORS)) {
      for (const s of list) expect(s).not.toMatch(/_[a-z0-9]{5}_\d+|_\d+-\d+-\d+|\.dig-|\._/);
    }
  });

  it('finds the folder header on a full folder page', () => {
    loadFixture('folder-page.html');
    const placement = findPanelPlacement(document);
    expect(placement.kind).toBe('header');
    expect(placement.anchor?.getAttribute('data-testid')).toBe('page-header');
  });

  it('finds the page-level Share control, not the per-row ones, when the header hooks are gone', () => {
    loadFixture('folder-page-no-header.html');
    const placement = findPanelPlacement(document);
    expect(placement.kind).toBe('share');
    expect(placement.anchor?.getAttribute('role')).toBe('toolbar');
    expect(findFirst(document, 'shareButton')?.closest('[role="row"]')).toBeNull();
  });

  it('falls back to floating when neither header nor share controls exist', () => {
    loadFixture('folder-page-no-anchors.html');
    expect(findPanelPlacement(document)).toEqual({ kind: 'floating', anchor: null });
    // The per-row Share buttons are still there, and still not anchors.
    expect(document.querySelectorAll('button[aria-label="Share"]').length).toBe(3);
  });

  it("finds Dropbox's Download button by its test id", () => {
    loadFixture('folder-page.html');
    expect(findFirst(document, 'downloadButton')?.textContent).toBe('Download');
    loadFixture('folder-page-no-anchors.html');
    expect(findFirst(document, 'downloadButton')).toBeNull();
  });

  it('places the panel host after the anchor, and placing again changes nothing', () => {
    loadFixture('folder-page.html');
    const host = document.createElement('pd-panel');
    expect(placeHost(host, document)).toBe('header');
    expect(host.previousElementSibling?.getAttribute('data-testid')).toBe('page-header');
    const parent = host.parentElement;
    const next = host.nextElementSibling;
    expect(placeHost(host, document)).toBe('header');
    expect(host.parentElement).toBe(parent);
    expect(host.nextElementSibling).toBe(next);
  });

  it('places the host at the end of the body when floating', () => {
    loadFixture('folder-page-no-anchors.html');
    const host = document.createElement('pd-panel');
    expect(placeHost(host, document)).toBe('floating');
    expect(host.parentElement).toBe(document.body);
  });
});
