// Plain constants of the contract, without zod: what the browser extension needs at run time imports them from
// '@pd/shared/limits' (and the live socket's from '@pd/shared/live'), so zod — and its `new Function` JIT probe, which
// addons.mozilla.org's linter flags — never enters the extension's bundles. The worker keeps importing '@pd/shared'.

/** Longest heads-up note (characters, after trimming). */
export const HEADS_UP_NOTE_MAX = 1000;
/** How far ahead an expiry may be set. */
export const MAX_EXPIRY_YEARS = 5;
/** When a heads-up ends the access. */
export const HEADS_UP_ENDS_IN = ['now', '24h', '48h', '7d'] as const;
