// Issue 8, item 6 — attack: the PD session token sat in storage.local, which every content script can read, and
// the content script's storage.onChanged listener received each new token; changing the worker URL setting sent
// the bearer token to the new address. Now: storage.session (trusted contexts only) + a sealed copy in storage.local
// that only the background's non-extractable key opens; the session is bound to the worker that issued it.
//
// What a content script can see, in Chrome and Firefox: storage.local and storage.sync (get + onChanged), never
// storage.session while its access level is TRUSTED_CONTEXTS, never the extension origin's IndexedDB (a content
// script runs in the page's origin). WXT's fake browser has one storage for every context, so the tests below read
// exactly the areas a content script can read.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { registerBackground } from '../../background/register';
import { memoryKeyStore } from '../../background/session-store';
import { messaging } from '../../utils/messaging';
import { sealedSessionItem, settingsItem } from '../../utils/storage';
import { startBackground } from '../helpers/background';
import { FakeWorker, LEO, MAYA } from '../helpers/fake-worker';

const REDIRECT = 'https://oaiaeejnfngjihimhhifgbedfocmgghg.chromiumapp.org/';

/** Everything a content script could read: storage.local and storage.sync. */
async function contentScriptView(): Promise<string> {
  return JSON.stringify([await fakeBrowser.storage.local.get(null), await fakeBrowser.storage.sync.get(null)]);
}

function signInThroughDropbox(email: string) {
  fakeBrowser.identity.getRedirectURL = () => REDIRECT;
  vi.spyOn(fakeBrowser.identity, 'launchWebAuthFlow').mockImplementation(async (d: { url: string }) => {
    return `${REDIRECT}?code=code-for:${email}&state=${new URL(d.url).searchParams.get('state')}`;
  });
}

let worker: FakeWorker;
beforeEach(() => {
  worker = new FakeWorker();
  worker.addTrack({ title: 'Midnight Drive', owner: MAYA, path: '/PRODUCER-DASHBOARD/Midnight Drive', collaborators: [{ account: LEO }] });
});

describe('the session token, out of content scripts’ reach', () => {
  it('is kept in storage.session, restricted to trusted contexts; storage.local holds no token', async () => {
    const { api, setAccessLevel } = await startBackground(worker);
    signInThroughDropbox('maya@pd.example');
    await api.signIn();
    const [token] = [...worker.sessions.keys()];
    expect(token).toBeTruthy();

    expect(setAccessLevel).toHaveBeenCalledWith({ accessLevel: 'TRUSTED_CONTEXTS' });
    expect(JSON.stringify(await fakeBrowser.storage.session.get(null))).toContain(token);
    const visible = await contentScriptView();
    expect(visible).not.toContain(token);
    // …and no uninstall token either (it can end the session).
    for (const u of worker.uninstallTokens.keys()) expect(visible).not.toContain(u);
    // What the content script may know: who is signed in.
    expect(visible).toContain('Maya Reyes');
  });

  it("the content script's storage.onChanged never receives the token — sign-in, a second sign-in, sync, sign-out", async () => {
    const heard: string[] = [];
    const { api } = await startBackground(worker);
    fakeBrowser.storage.onChanged.addListener((changes, area) => {
      if (area !== 'session') heard.push(JSON.stringify(changes)); // storage.session changes never reach a content script
    });
    signInThroughDropbox('maya@pd.example');
    await api.signIn();
    await api.syncNow();
    signInThroughDropbox('leo@pd.example');
    await api.signIn();
    await api.signOut();

    expect(worker.sent.filter((r) => r.token).length).toBeGreaterThan(0);
    const tokens = [...new Set(worker.sent.map((r) => r.token).filter(Boolean))] as string[];
    expect(tokens.length).toBeGreaterThanOrEqual(2);
    const all = heard.join('\n');
    for (const t of tokens) expect(all).not.toContain(t);
    // The listener did hear the sign-ins and the sign-out (the public account key), so it was listening.
    expect(all).toContain('"account"');
    expect(all).toContain('Leo Vance');
  });

  it('survives a browser restart through the sealed copy, which only the non-extractable key opens', async () => {
    const keyStore = memoryKeyStore();
    const { api } = await startBackground(worker, { keyStore });
    signInThroughDropbox('maya@pd.example');
    await api.signIn();
    const sealed = await sealedSessionItem.getValue();
    expect(sealed?.data).toBeTruthy();
    const key = (await keyStore.get())!;
    expect(key.extractable).toBe(false);
    await expect(crypto.subtle.exportKey('raw', key)).rejects.toThrow();

    // The browser stops: storage.session is gone; the background starts again with the same key store.
    await fakeBrowser.storage.session.clear();
    messaging.removeAllListeners();
    registerBackground({ fetch: worker.fetch, keyStore });
    expect((await api.getStatus()).signedIn).toBe(true);
    expect((await api.getLibrary()).items.map((i) => i.track.title)).toEqual(['Midnight Drive']);

    // Without the key (another profile copying storage.local, or the key store wiped), the copy is worthless.
    await fakeBrowser.storage.session.clear();
    messaging.removeAllListeners();
    registerBackground({ fetch: worker.fetch, keyStore: memoryKeyStore() });
    expect((await api.getStatus()).signedIn).toBe(false);
    expect(await sealedSessionItem.getValue()).toBeNull();
  });

  it('moves a token an older version kept in clear out of storage.local', async () => {
    const { bg, api } = await startBackground(worker);
    const token = worker.session(MAYA);
    await fakeBrowser.storage.local.set({ session: { token, account: MAYA } });
    await bg.start();
    expect(await contentScriptView()).not.toContain(token);
    expect((await api.getStatus()).account?.displayName).toBe('Maya Reyes');
    await api.getLibrary();
    expect(worker.sent.at(-1)?.token).toBe(token);
  });
});

describe('changing the worker URL setting', () => {
  it('ends the session: the bearer token is never sent to the new address, the old worker is told, the user is asked to sign in again', async () => {
    const { api, signInAs } = await startBackground(worker);
    const token = await signInAs(MAYA);
    await settingsItem.setValue({ workerUrl: 'https://attacker.example', authorizeUrl: '' });
    // Even a call racing the settings watcher does not carry the token to the new address.
    await api.getLibrary().catch(() => undefined);
    await vi.waitFor(async () => expect((await api.getStatus()).signedIn).toBe(false));

    const status = await api.getStatus();
    expect(status.signedOutReason).toBe(
      'The Producer Dashboard address changed to https://attacker.example, so you were signed out: your session is never sent to another address. Sign in again.',
    );
    const toNew = worker.sent.filter((r) => r.url.startsWith('https://attacker.example'));
    expect(toNew.every((r) => r.token === null)).toBe(true);
    expect(worker.sent).toContainEqual({ method: 'POST', url: 'http://pd.test/api/v1/auth/signout', token });
    expect(worker.sessions.has(token)).toBe(false);
    expect(await contentScriptView()).not.toContain(token);
    expect(JSON.stringify(await fakeBrowser.storage.session.get(null))).not.toContain(token);
  });

  it('a worker URL that only differs by a trailing slash is the same worker: nothing ends', async () => {
    const { api, signInAs } = await startBackground(worker);
    await signInAs(MAYA);
    await settingsItem.setValue({ workerUrl: 'http://pd.test/', authorizeUrl: '' });
    await new Promise((r) => setTimeout(r, 20));
    expect((await api.getStatus()).signedIn).toBe(true);
  });
});
