// Where the background keeps the PD session (issue 8, item 6). Only the background reads or writes it.
//
// - While the browser runs: storage.session (trusted contexts only — the background and the popup; never a content
//   script, whose storage.onChanged therefore never carries the token).
// - Across browser restarts: a sealed copy in storage.local — AES-GCM with a 256-bit key generated here as
//   NON-EXTRACTABLE and kept in IndexedDB of the extension's origin. A content script can read storage.local (every
//   browser exposes it to them) but only sees ciphertext: the key cannot be exported, and the IndexedDB holding it
//   belongs to the extension's origin, not the page's where content scripts run.
// - The public half (who is signed in, why the extension signed out) is separate, in storage.local (utils/storage.ts).
import { browser } from 'wxt/browser';
import { legacySessionItem, sealedSessionItem, sessionItem, type SealedSession, type Session } from '../utils/storage';

/** Holds the sealing key. The extension's is IndexedDB; tests (happy-dom has no IndexedDB) pass an in-memory one. */
export interface KeyStore {
  get(): Promise<CryptoKey | null>;
  put(key: CryptoKey): Promise<void>;
}

const DB_NAME = 'pd-secrets';
const STORE = 'keys';
const KEY_ID = 'session-seal-v1';

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

/** The key in IndexedDB (structured clone keeps a CryptoKey non-extractable). */
export function indexedDbKeyStore(): KeyStore {
  const open = () => {
    const r = indexedDB.open(DB_NAME, 1);
    r.onupgradeneeded = () => r.result.createObjectStore(STORE);
    return request(r);
  };
  return {
    async get() {
      const db = await open();
      try {
        return ((await request(db.transaction(STORE, 'readonly').objectStore(STORE).get(KEY_ID))) as CryptoKey | undefined) ?? null;
      } finally {
        db.close();
      }
    },
    async put(key) {
      const db = await open();
      try {
        await request(db.transaction(STORE, 'readwrite').objectStore(STORE).put(key, KEY_ID));
      } finally {
        db.close();
      }
    },
  };
}

export function memoryKeyStore(): KeyStore {
  let key: CryptoKey | null = null;
  return {
    get: async () => key,
    put: async (k) => {
      key = k;
    },
  };
}

const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const unb64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

export interface SessionStore {
  get(): Promise<Session | null>;
  set(session: Session): Promise<void>;
  clear(): Promise<void>;
}

export function createSessionStore(keyStore: KeyStore = indexedDbKeyStore()): SessionStore {
  // Content scripts never see storage.session. Chrome's default already; said explicitly so that nothing else can
  // widen it. Firefox does not expose storage.session to content scripts and may lack setAccessLevel.
  const restricted = Promise.resolve()
    .then(() => browser.storage.session.setAccessLevel?.({ accessLevel: 'TRUSTED_CONTEXTS' }))
    .catch(() => undefined);

  async function sealingKey(create: boolean): Promise<CryptoKey | null> {
    const existing = await keyStore.get();
    if (existing || !create) return existing;
    const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
    await keyStore.put(key);
    return key;
  }

  async function seal(session: Session): Promise<SealedSession | null> {
    const key = await sealingKey(true).catch(() => null);
    if (!key) return null; // no IndexedDB: the session lasts until the browser stops, never in clear on disk
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const data = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, new TextEncoder().encode(JSON.stringify(session))));
    return { v: 1, iv: b64(iv), data: b64(data) };
  }

  async function unseal(sealed: SealedSession): Promise<Session | null> {
    try {
      const key = await sealingKey(false);
      if (!key) return null;
      const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: unb64(sealed.iv) }, key, unb64(sealed.data));
      return JSON.parse(new TextDecoder().decode(plain)) as Session;
    } catch {
      return null; // key gone or data altered: signed out
    }
  }

  let loading: Promise<Session | null> | null = null;
  async function load(): Promise<Session | null> {
    await restricted;
    const live = await sessionItem.getValue();
    if (live) return live;
    // The browser restarted (storage.session is empty): open the sealed copy.
    const sealed = await sealedSessionItem.getValue();
    if (sealed) {
      const session = await unseal(sealed);
      if (session) await sessionItem.setValue(session);
      else await sealedSessionItem.removeValue();
      return session;
    }
    return null;
  }

  return {
    get() {
      // Concurrent first reads (alarm + popup) share one unseal.
      loading ??= load().finally(() => {
        loading = null;
      });
      return loading;
    },
    async set(session) {
      await restricted;
      await sessionItem.setValue(session);
      const sealed = await seal(session);
      if (sealed) await sealedSessionItem.setValue(sealed);
      else await sealedSessionItem.removeValue();
    },
    async clear() {
      await sessionItem.removeValue();
      await sealedSessionItem.removeValue();
      await legacySessionItem.removeValue();
    },
  };
}

/** A token an older version kept in clear in storage.local: removed; returned once so the background can move it. */
export async function takeLegacySession(): Promise<{ token: string; account: Session['account'] } | null> {
  const legacy = await legacySessionItem.getValue();
  if (legacy) await legacySessionItem.removeValue();
  return legacy;
}
