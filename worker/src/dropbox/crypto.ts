// Dropbox tokens at rest: AES-GCM with a key from the TOKEN_ENCRYPTION_KEY secret (base64 of 32 bytes).
// Every value gets its own random 96-bit IV. The additional data binds a ciphertext to its account and
// field, so a refresh token copied onto another row (or into the access-token column) does not decrypt.

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

/** Encrypts `plaintext`; the result is base64(iv || ciphertext+tag). `context` must be given again to decrypt. */
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
  return bytesToBase64(out);
}

export async function decryptToken(secret: string | undefined, sealed: string, context: string): Promise<string> {
  const key = await tokenKey(secret);
  const bytes = base64ToBytes(sealed);
  const pt = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: bytes.subarray(0, IV_BYTES), additionalData: new TextEncoder().encode(context) },
    key,
    bytes.subarray(IV_BYTES),
  );
  return new TextDecoder().decode(pt);
}
