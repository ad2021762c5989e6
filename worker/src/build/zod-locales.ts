// Stands in for zod's `locales` namespace (zod/v4/locales/index.js: 40+ languages, ~360 KiB of the bundle) — see
// wrangler.toml's [alias]. The worker never reads z.locales: its error messages are its own, in English, and zod's
// default English locale is imported by zod itself (classic/external.js: `config(en())`), not through this module.
export {};
