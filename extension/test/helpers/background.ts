import { fakeBrowser } from 'wxt/testing/fake-browser';
import { registerBackground } from '../../background/register';
import { messaging, messagingApi } from '../../utils/messaging';
import { sessionItem, settingsItem } from '../../utils/storage';
import { FakeWorker, type FakeAccount } from './fake-worker';

/** A fresh fake browser with the real background registered against a fake worker. */
export async function startBackground(worker = new FakeWorker()) {
  fakeBrowser.reset();
  messaging.removeAllListeners();
  await settingsItem.setValue({ workerUrl: worker.baseUrl, authorizeUrl: '' });
  const bg = registerBackground({ fetch: worker.fetch });
  const api = messagingApi();
  return {
    worker,
    bg,
    api,
    /** Signs in as an account the way the worker's sign-in would leave the extension. */
    async signInAs(account: FakeAccount) {
      await sessionItem.setValue({ token: worker.session(account), account });
      await bg.sync();
    },
  };
}
