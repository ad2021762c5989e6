// Every HTTP route the worker serves, read from the Hono apps themselves, so the fuzz and the authorization matrix
// can fail when a route is added without being covered.
import { api } from '../../src/app.ts';
import { dropboxApi } from '../../src/api-dropbox/index.ts';
import { webhook } from '../../src/webhook.ts';

const join = (prefix: string, path: string) => (prefix + (path === '/' ? '' : path)).replace(/\/$/, '') || '/';

/** "METHOD /path/:param" of every route (middleware entries, method ALL, left out). */
export function servedRoutes(): string[] {
  const out = new Set<string>();
  for (const [prefix, app] of [
    ['/api/v1', api],
    ['/api/v1', dropboxApi],
    ['', webhook],
  ] as const) {
    for (const r of app.routes) if (r.method !== 'ALL') out.add(`${r.method} ${join(prefix, r.path)}`);
  }
  return [...out].sort();
}

/** Fills ":param" placeholders; values are inserted as given (already encoded). */
export function fillPath(template: string, values: Record<string, string>): string {
  return template.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    if (!(name in values)) throw new Error(`no value for :${name} in ${template}`);
    return values[name];
  });
}

export const paramsOf = (template: string): string[] => [...template.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]);
