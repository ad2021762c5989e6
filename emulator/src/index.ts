/**
 * @pd/dropbox-emulator — a local Dropbox for tests and `npm start`.
 *
 *   const emu = await startEmulator({ port: 0, webhookUrl, seed: 'demo' });
 *   emu.url; emu.control.act({ as: 'leo@pd.example', action: 'leave_folder', folder: 'Midnight Drive' });
 *   await emu.close();
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createApp } from './app.ts';
import { EmulatorContext, type SeedOption } from './context.ts';
import { Control } from './control.ts';
import type { SeedResult } from './seed.ts';
import type { DropboxState } from './state.ts';

export interface StartOptions {
  /** 0 = a free port (default) */
  port?: number;
  /** default 127.0.0.1 */
  hostname?: string;
  appKey?: string;
  appSecret?: string;
  /** where signed notifications are POSTed (can be changed later: control.webhooks.configure({ url })) */
  webhookUrl?: string;
  /** default 'empty' */
  seed?: SeedOption;
  /** batching window for webhook notifications, default 50 ms */
  webhookDelayMs?: number;
  /** clock (ms) for token expiry and timestamps; default Date.now */
  now?: () => number;
  /** exact redirect URIs accepted by /oauth2/authorize; default: any https URI or http://localhost|127.0.0.1 */
  redirectUris?: string[];
}

export interface RunningEmulator {
  /** e.g. http://127.0.0.1:53121 — serves API, OAuth pages and /_control */
  url: string;
  port: number;
  appKey: string;
  appSecret: string;
  /** the live in-memory Dropbox (replaced by control.reset; read it through this getter) */
  readonly state: DropboxState;
  /** what the initial seed created */
  seeded: SeedResult;
  control: Control;
  /** the Hono app, for in-process requests without a socket: emu.app.request('/2/…') */
  app: ReturnType<typeof createApp>;
  close(): Promise<void>;
}

export const DEFAULT_APP_KEY = 'pd-local-app-key';
export const DEFAULT_APP_SECRET = 'pd-local-app-secret';

export async function startEmulator(opts: StartOptions = {}): Promise<RunningEmulator> {
  const ctx = new EmulatorContext({
    appKey: opts.appKey ?? DEFAULT_APP_KEY,
    appSecret: opts.appSecret ?? DEFAULT_APP_SECRET,
    webhookUrl: opts.webhookUrl,
    webhookDelayMs: opts.webhookDelayMs,
    now: opts.now ?? Date.now,
    redirectUris: opts.redirectUris,
  });
  const control = new Control(ctx);
  const seeded = ctx.seed(opts.seed ?? 'empty');
  const app = createApp(ctx, control);
  const hostname = opts.hostname ?? '127.0.0.1';
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: opts.port ?? 0, hostname }, () => resolve(s));
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  const host = hostname.includes(':') ? `[${hostname}]` : hostname;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    port,
    appKey: ctx.options.appKey,
    appSecret: ctx.options.appSecret,
    get state() {
      return ctx.state;
    },
    seeded,
    control,
    app,
    async close() {
      ctx.closeSignal.abort();
      ctx.webhooks.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
    },
  };
}

export { Control, ControlError } from './control.ts';
export type { ActRequest, ActResult, ControlAuthorizeRequest, FolderRef, StateDump } from './control.ts';
export type { CallRecord, SeedOption } from './context.ts';
export type { FaultKind, FaultSpec, Fault } from './faults.ts';
export { DEMO_ACCOUNTS, DEMO_SEED, DEMO_TEAM } from './seed.ts';
export type { SeedAccount, SeedFolder, SeedResult, SeedSpec, SeededAccount, SeededFolder } from './seed.ts';
export type { AccessLevel, Account, DropboxState, Entry, SharedFolder } from './state.ts';
export { emulatorFetch, rewriteDropboxUrl } from './sdk-fetch.ts';
export { signWebhookBody } from './util.ts';
export type { WebhookDelivery, WebhookSettings } from './webhooks.ts';
