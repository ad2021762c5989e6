// Build-time target of the `wxt/browser` alias (see wxt.config.ts): every `browser.*` call in the extension goes
// through Mozilla's webextension-polyfill, so Chrome and Firefox get the same promise-based API.
// Tests do not use this file: WXT's vitest plugin points `wxt/browser` at its fake browser instead.
import polyfill from 'webextension-polyfill';
import type { WxtBrowser } from 'wxt/browser';

export const browser = polyfill as unknown as WxtBrowser;
export default browser;
