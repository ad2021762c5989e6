/**
 * A fetch for `new Dropbox({ fetch })` that sends the SDK's requests to a local origin instead of
 * https://api.dropboxapi.com / https://content.dropboxapi.com / https://www.dropbox.com.
 * The worker reaches the real Dropbox or the emulator by configuration only; this is the same idea.
 */
const DROPBOX_ORIGINS = [
  'https://api.dropboxapi.com',
  'https://content.dropboxapi.com',
  'https://notify.dropboxapi.com',
  'https://www.dropbox.com',
  'https://dropbox.com',
];

export function rewriteDropboxUrl(url: string, origin: string): string {
  const base = origin.replace(/\/+$/, '');
  for (const o of DROPBOX_ORIGINS) if (url === o || url.startsWith(o + '/') || url.startsWith(o + '?')) return base + url.slice(o.length);
  return url;
}

export function emulatorFetch(origin: string, baseFetch: typeof fetch = globalThis.fetch.bind(globalThis)): typeof fetch {
  return ((input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.toString() : input.url;
    const target = rewriteDropboxUrl(url, origin);
    if (typeof input === 'string' || input instanceof URL) return baseFetch(target, init);
    return baseFetch(new Request(target, input), init);
  }) as typeof fetch;
}
