import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Dropbox, DropboxResponseError } from 'dropbox';
import { emulatorFetch, startEmulator, type RunningEmulator, type StartOptions } from '../src/index.ts';

export async function start(opts: StartOptions = {}) {
  return startEmulator({ seed: 'demo', ...opts });
}

/** An SDK client for an account, signed in through the control API (no browser). */
export function client(emu: RunningEmulator, account: string): Dropbox {
  const { access_token } = emu.control.issueTokens(account);
  return new Dropbox({ accessToken: access_token, fetch: emulatorFetch(emu.url) });
}

/** The rejection of an SDK call, as DropboxResponseError (fails the test if the call succeeded). */
export async function failure(p: Promise<unknown>): Promise<DropboxResponseError<any>> {
  try {
    await p;
  } catch (e) {
    if (e instanceof DropboxResponseError) return e;
    throw e;
  }
  throw new Error('expected the call to fail');
}

export async function rpc(emu: RunningEmulator, route: string, token: string | null, body: unknown, headers: Record<string, string> = {}) {
  const h: Record<string, string> = { 'Content-Type': 'application/json', ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  const res = await fetch(`${emu.url}/2/${route}`, { method: 'POST', headers: h, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

export interface Received {
  body: string;
  headers: IncomingHttpHeaders;
}

/** A local webhook receiver that records raw bodies; `status` decides what it answers. */
export async function receiver(statusFor: (n: number) => number = () => 200) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({ body: Buffer.concat(chunks).toString('utf8'), headers: req.headers });
      res.statusCode = statusFor(received.length);
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/dropbox/webhook`;
  return {
    url,
    received,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export const MAYA = 'maya@pd.example';
export const NOAH = 'noah@pd.example';
export const LEO = 'leo@pd.example';
export const SAM = 'sam@pd.example';
export const AVA = 'ava@pd.example';

export function folderId(emu: RunningEmulator, name: string): string {
  const f = emu.seeded.folders.find((x) => x.name === name);
  if (!f) throw new Error('no seeded folder ' + name);
  return f.shared_folder_id;
}

export function accountId(emu: RunningEmulator, email: string): string {
  return emu.seeded.accounts[email].account_id;
}
