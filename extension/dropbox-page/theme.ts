// Dropbox's own colour theme, when its page says which: the panel then follows Dropbox rather than the system's
// prefers-color-scheme (a user can run Dropbox dark on a light system, or the other way round). Read from the
// page's root elements only (attributes and classes a theme switch sets); nothing found = follow the system.
export type PageTheme = 'dark' | 'light' | null;

const DARK_CLASS = /(?:^|[\s_-])(?:dark|dark-mode|theme-dark|dark-theme)(?:$|[\s_-])/i;
const LIGHT_CLASS = /(?:^|[\s_-])(?:light|light-mode|theme-light|light-theme)(?:$|[\s_-])/i;

export function dropboxTheme(doc: Document): PageTheme {
  for (const el of [doc.documentElement, doc.body]) {
    if (!el) continue;
    for (const name of ['data-theme', 'data-color-scheme', 'data-color-mode']) {
      const v = el.getAttribute(name)?.toLowerCase() ?? '';
      if (v.includes('dark')) return 'dark';
      if (v.includes('light')) return 'light';
    }
    const cls = typeof el.className === 'string' ? el.className : '';
    if (DARK_CLASS.test(cls)) return 'dark';
    if (LIGHT_CLASS.test(cls)) return 'light';
  }
  const meta = doc.querySelector('meta[name="color-scheme"]')?.getAttribute('content')?.trim().toLowerCase();
  if (meta === 'dark' || meta === 'only dark') return 'dark';
  return null;
}

/** Keeps `host`'s data-pd-theme in step with the page's theme until `signal` aborts. */
export function followDropboxTheme(doc: Document, host: HTMLElement, signal: AbortSignal): void {
  const apply = () => {
    const theme = dropboxTheme(doc);
    if (theme) host.setAttribute('data-pd-theme', theme);
    else host.removeAttribute('data-pd-theme');
  };
  apply();
  const observer = new MutationObserver(apply);
  const opts = { attributes: true, attributeFilter: ['class', 'data-theme', 'data-color-scheme', 'data-color-mode'] };
  observer.observe(doc.documentElement, opts);
  if (doc.body) observer.observe(doc.body, opts);
  signal.addEventListener('abort', () => observer.disconnect(), { once: true });
}
