// Node side of the Dropbox tests: one local Dropbox emulator on a free port for the whole run. Its URL reaches
// the worker as DROPBOX_API_ORIGIN / DROPBOX_WEB_ORIGIN (vitest.config.ts) and the tests as inject('emulatorUrl').
// Webhooks are not delivered anywhere (workerd is not reachable from here): tests read the signed deliveries
// from the emulator's log and POST them to the worker themselves.
import type { TestProject } from 'vitest/node';
import { startEmulator } from '@pd/dropbox-emulator';

export const EMULATOR_APP_SECRET = 'test-app-secret'; // = DROPBOX_APP_SECRET of the test worker

declare module 'vitest' {
  interface ProvidedContext {
    emulatorUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const emu = await startEmulator({ port: 0, seed: 'empty', appKey: 'pd-local-app-key', appSecret: EMULATOR_APP_SECRET });
  project.provide('emulatorUrl', emu.url);
  return async () => {
    await emu.close();
  };
}
