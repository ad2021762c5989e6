// Types for scripts/local-worker.mjs (imported by the extension's TypeScript e2e harness).
import type { ChildProcess } from 'node:child_process';

export declare const root: string;
export declare const quietEnv: Record<string, string | undefined>;
export declare function freePort(): Promise<number>;
export declare function tempDir(prefix: string): string;

export interface ProcessGroupOptions {
  /** Echo every output line as `[name] line`. */
  verbose?: boolean;
  /** Count output lines matching each pattern (in `counts`). */
  patterns?: Record<string, RegExp>;
  /** How many output lines `tail` keeps. */
  tailLines?: number;
  /** Append all output to this file. */
  logFile?: string;
}

export interface ProcessGroup {
  name: string;
  child: ChildProcess;
  tail: string[];
  lines: { count: number };
  counts: Record<string, number>;
  /** The kept tail of the output, joined. */
  log(): string;
  readonly exited: { code: number | null; signal: NodeJS.Signals | null } | null;
  /** Synchronous SIGTERM to the process group (for exit handlers). */
  kill(): void;
  /** SIGTERM to the process group (SIGKILL after 5 s); resolves once it exited. */
  stop(): Promise<void>;
}

export declare function startProcessGroup(
  name: string,
  cmd: string,
  args: string[],
  env: Record<string, string | undefined>,
  opts?: ProcessGroupOptions,
): ProcessGroup;

export declare function migrateLocalD1(persistDir: string, opts?: { env?: Record<string, string> }): void;
export declare function bundleWorker(outDir: string, opts?: { script?: string; env?: Record<string, string> }): string;
export declare function emulatorVars(emulatorUrl: string): Record<string, string>;

export interface LocalWorkerOptions extends ProcessGroupOptions {
  /** Local D1 (and queue) state; a snapshot bundle is written here too. */
  persistDir: string;
  /** Free port by default. */
  port?: number;
  /** Free port by default. */
  inspectorPort?: number;
  /** Apply the D1 migrations first (default true). */
  migrate?: boolean;
  /** Point the worker at this emulator (DROPBOX_* origins, local app key/secret, token key). */
  emulatorUrl?: string;
  /** More `--var`s; they override the emulator ones. */
  vars?: Record<string, string>;
  /** true (default): bundle a snapshot into persistDir; a string: a config from bundleWorker(); false: the source tree. */
  snapshot?: boolean | string;
  /** Worker entry to bundle (default worker/src/index.ts). */
  script?: string;
  /** Extra environment for wrangler. */
  env?: Record<string, string>;
  /** Extra `wrangler dev` flags. */
  args?: string[];
  /** How long to wait for /health (default 120 s). */
  readyTimeoutMs?: number;
}

export interface LocalWorker extends ProcessGroup {
  url: string;
  port: number;
  persistDir: string;
  /** The wrangler config it runs with. */
  config: string;
}

export interface ApiOptions {
  method?: string;
  session?: string;
  json?: unknown;
}

export interface LocalWorker extends ProcessGroup {
  /** One JSON request to this worker (throws on anything but 2xx). */
  api(pathname: string, opts?: ApiOptions): Promise<any>;
  /** Rows of one SQL statement against its local D1. */
  query(sql: string): any[];
  /** Runs a .sql file against its local D1. */
  runSqlFile(file: string): unknown;
  /** Sign-in through an in-process emulator. */
  signIn(emu: unknown, email: string): Promise<{ session: string; account: { id: string } }>;
}

export declare function workerApi(baseUrl: string, pathname: string, opts?: ApiOptions): Promise<any>;
export declare function emulatorSignInBody(emu: unknown, email: string): { code: string; codeVerifier: string; redirectUri: string };
export declare function signInThroughEmulator(
  api: (pathname: string, opts?: ApiOptions) => Promise<any>,
  emu: unknown,
  email: string,
): Promise<{ session: string; account: { id: string } }>;
export declare function startLocalWorker(opts: LocalWorkerOptions): Promise<LocalWorker>;
