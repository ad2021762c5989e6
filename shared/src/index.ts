// @pd/shared — the API contract shared by the worker and the extension.
export * from './api.ts';
export * from './api-dropbox.ts';
export * from './text.ts';
export * from './api-access.ts';
export * from './live.ts';
