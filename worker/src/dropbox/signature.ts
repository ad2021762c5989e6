// X-Dropbox-Signature: lowercase hex HMAC-SHA256 of the raw request body, keyed with the app secret.

const hmacKeys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = hmacKeys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    hmacKeys.set(secret, key);
  }
  return key;
}

export async function signBody(secret: string, body: BufferSource): Promise<string> {
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', await hmacKey(secret), body));
  return [...mac].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function hexToBytes(hex: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) return null;
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/**
 * True only if `header` is the 64-hex-digit HMAC of exactly these bytes. A header of the wrong length
 * (missing, truncated) is rejected before any comparison; equal-length values are compared in constant time.
 */
export async function verifySignature(secret: string | undefined, body: ArrayBuffer, header: string | null | undefined): Promise<boolean> {
  if (!secret || !header) return false;
  const given = hexToBytes(header.trim());
  if (!given) return false;
  const expected = new Uint8Array(await crypto.subtle.sign('HMAC', await hmacKey(secret), body));
  return crypto.subtle.timingSafeEqual(expected, given);
}
