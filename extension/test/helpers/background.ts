import { vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { registerBackground } from '../../background/register';
import { memoryKeyStore, type KeyStore } from '../../background/session-store';
import { messaging, messagingApi } from '../../utils/messaging';
import { settingsItem } from '../../utils/storage';
import { FakeWorker, type FakeAccount } from './fake-worker';
import { installFakePorts } from './ports';
import type { BackgroundOptions } from '../../background/service';
import type { SocketLike } from '../../background/live';

/** A socket that never opens (tests that do not look at the live socket). */
function deadSocket(): SocketLike {
  return { readyState: 0, send() {}, close() {}, onopen: null, onmessage: null, onclose: null, onerror: null };
}

/** A fresh fake browser with the real background registered against a fake worker. */
export async function startBackground(
  worker = new FakeWorker(),
  opts: { keyStore?: KeyStore } & Pick<BackgroundOptions, 'createSocket' | 'live'> = {},
) {
  fakeBrowser.reset();
  messaging.removeAllListeners();
  // WXT's fake browser does not implement these two: record the calls.
  const setUninstallURL = vi.fn(async (_url: string) => {});
  const setAccessLevel = vi.fn(async (_options: { accessLevel: string }) => {});
  fakeBrowser.runtime.setUninstallURL = setUninstallURL as never;
  fakeBrowser.storage.session.setAccessLevel = setAccessLevel as never;
  const ports = installFakePorts();
  await settingsItem.setValue({ workerUrl: worker.baseUrl, authorizeUrl: '' });
  const keyStore = opts.keyStore ?? memoryKeyStore();
  // No live socket unless the test brings one (a fake server): a real WebSocket has nowhere to go here.
  const createSocket = opts.createSocket ?? (() => deadSocket());
  const bg = registerBackground({ fetch: worker.fetch, keyStore, createSocket, live: opts.live });
  const api = messagingApi();
  return {
    worker,
    bg,
    ports,
    api,
    keyStore,
    setUninstallURL,
    setAccessLevel,
    /** Signs in as an account the way the worker's sign-in answer would leave the extension. */
    async signInAs(account: FakeAccount) {
      const { token, uninstallToken } = worker.signIn(account);
      await bg.completeSignIn(
        {
          session: token,
          uninstallToken,
          expiresAt: '2027-01-01T00:00:00.000Z',
          account: { ...account, dropboxAccountId: `dbid:${account.id}` },
        } as never,
        worker.baseUrl,
      );
      return token;
    },
  };
}
