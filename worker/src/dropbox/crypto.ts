// Dropbox tokens at rest: AES-GCM with a key from the TOKEN_ENCRYPTION_KEY secret (base64 of 32 bytes).
// Every value gets its own random 96-bit IV and names the key that sealed it (`v1:<key id>:`), so the key can be
// rotated: TOKEN_ENCRYPTION_KEY seals, TOKEN_ENCRYPTION_KEY_PREVIOUS still opens (worker/DROPBOX.md, "Rotating").
// The additional data binds a ciphertext to its account and field, so a refresh token copied onto another row (or into the access-token column) does not decrypt.

const IV_BYTES = 12;
const keyCache = new Map<string, Promise<CryptoKey>>();

export class TokenKeyError extends Error {}

export function base64ToBytes(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function bytesToBase64(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
  return btoa(bin);
}

function tokenKey(secret: string | undefined): Promise<CryptoKey> {
  if (!secret) throw new TokenKeyError('TOKEN_ENCRYPTION_KEY is not set');
  let key = keyCache.get(secret);
  if (!key) {
    let raw: Uint8Array<ArrayBuffer>;
    try {
      raw = base64ToBytes(secret.trim());
    } catch {
      throw new TokenKeyError('TOKEN_ENCRYPTION_KEY is not valid base64');
    }
    if (raw.length !== 32) throw new TokenKeyError(`TOKEN_ENCRYPTION_KEY must be 32 bytes, got ${raw.length}`);
    key = crypto.subtle.importKey('raw', raw, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
    keyCache.set(secret, key);
  }
  return key;
}

/** Short id of a key (first 8 hex digits of the SHA-256 of its bytes): names the key a ciphertext was sealed with. */
async function keyId(secret: string): Promise<string> {
  let id = keyIds.get(secret);
  if (!id) {
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', base64ToBytes(secret.trim())));
    id = [...digest.slice(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join('');
    keyIds.set(secret, id);
  }
  return id;
}
const keyIds = new Map<string, string>();

/** `v1:<key id>:<base64(iv || ciphertext+tag)>`; ciphertexts from before key versioning have no prefix. */
const VERSIONED = /^v1:([0-9a-f]{8}):(.*)$/s;

/**
 * Encrypts `plaintext` with the current key; the result is `v1:<key id>:base64(iv || ciphertext+tag)`. `context` must
 * be given again to decrypt.
 */
export async function encryptToken(secret: string | undefined, plaintext: string, context: string): Promise<string> {
  const key = await tokenKey(secret);
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const ct = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: new TextEncoder().encode(context) },
    key,
    new TextEncoder().encode(plaintext),
  );
  const out = new Uint8Array(IV_BYTES + ct.byteLength);
  out.set(iv, 0);
  out.set(new Uint8Array(ct), IV_BYTES);
  return `v1:${await keyId(secret!)}:${bytesToBase64(out)}`;
}

async function open(secret: string, b64: string, context: string): Promise<string> {
  const key = await tokenKey(secret);
  const bytes = base64ToBytes(b64);
  const pt = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: bytes.subarray(0, IV_BYTES), additionalData: new TextEncoder().encode(context) },
    key,
    bytes.subarray(IV_BYTES),
  );
  return new TextDecoder().decode(pt);
}

/**
 * Decrypts with whichever configured key sealed it: the current key or, during a rotation, `previous`
 * (TOKEN_ENCRYPTION_KEY_PREVIOUS). Unprefixed (pre-versioning) values are tried with the current key, then the previous.
 * `stale` is true when the value was not sealed with the current key (the caller re-seals it).
 */
export async function decryptTokenWithKeys(
  keys: { current: string | undefined; previous?: string | undefined },
  sealed: string,
  context: string,
): Promise<{ plaintext: string; stale: boolean }> {
  await tokenKey(keys.current); // refuses a missing or malformed key with TokenKeyError
  const current = keys.current!;
  const previous = keys.previous?.trim() ? keys.previous : undefined;
  const m = VERSIONED.exec(sealed);
  if (m) {
    if (m[1] === (await keyId(current))) return { plaintext: await open(current, m[2], context), stale: false };
    if (previous && m[1] === (await keyId(previous))) return { plaintext: await open(previous, m[2], context), stale: true };
    throw new TokenKeyError(`sealed with key ${m[1]}, which is neither TOKEN_ENCRYPTION_KEY nor TOKEN_ENCRYPTION_KEY_PREVIOUS`);
  }
  try {
    return { plaintext: await open(current, sealed, context), stale: true };
  } catch (e) {
    if (!previous) throw e;
    return { plaintext: await open(previous, sealed, context), stale: true };
  }
}

export async function decryptToken(secret: string | undefined, sealed: string, context: string, previous?: string): Promise<string> {
  return (await decryptTokenWithKeys({ current: secret, previous }, sealed, context)).plaintext;
}
