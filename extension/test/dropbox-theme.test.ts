// Dropbox's own theme decides the panel's colour scheme when the page says which (else the system's does).
import { describe, expect, it } from 'vitest';
import { dropboxTheme, followDropboxTheme } from '../dropbox-page/theme';

function page(html: { htmlAttrs?: Record<string, string>; bodyClass?: string; meta?: string } = {}): Document {
  const doc = document.implementation.createHTMLDocument('Dropbox');
  for (const [k, v] of Object.entries(html.htmlAttrs ?? {})) doc.documentElement.setAttribute(k, v);
  if (html.bodyClass) doc.body.className = html.bodyClass;
  if (html.meta) {
    const m = doc.createElement('meta');
    m.name = 'color-scheme';
    m.content = html.meta;
    doc.head.append(m);
  }
  return doc;
}

describe("Dropbox's theme", () => {
  it('reads the theme a page declares, and nothing when it declares none', () => {
    expect(dropboxTheme(page({ htmlAttrs: { 'data-theme': 'dark' } }))).toBe('dark');
    expect(dropboxTheme(page({ htmlAttrs: { 'data-theme': 'light' } }))).toBe('light');
    expect(dropboxTheme(page({ htmlAttrs: { class: 'maestro theme-dark' } }))).toBe('dark');
    expect(dropboxTheme(page({ bodyClass: 'dig-theme dark-mode' }))).toBe('dark');
    expect(dropboxTheme(page({ meta: 'dark' }))).toBe('dark');
    expect(dropboxTheme(page({ meta: 'light dark' }))).toBeNull();
    expect(dropboxTheme(page({ bodyClass: 'darkroom-feature' }))).toBeNull();
    expect(dropboxTheme(page())).toBeNull();
  });

  it('follows a switch of the page theme until the content script stops', async () => {
    const doc = page();
    const host = doc.createElement('pd-panel');
    doc.body.append(host);
    const stop = new AbortController();
    followDropboxTheme(doc, host, stop.signal);
    expect(host.hasAttribute('data-pd-theme')).toBe(false);
    doc.documentElement.setAttribute('data-theme', 'dark');
    await new Promise((r) => setTimeout(r, 0));
    expect(host.getAttribute('data-pd-theme')).toBe('dark');
    stop.abort();
    doc.documentElement.setAttribute('data-theme', 'light');
    await new Promise((r) => setTimeout(r, 0));
    expect(host.getAttribute('data-pd-theme')).toBe('dark');
  });
});
