import { createHash, createHmac, randomBytes } from 'node:crypto';

/** Hex HMAC-SHA256 of the exact body bytes, keyed with the app secret: the value of X-Dropbox-Signature. */
export function signWebhookBody(body: string | Uint8Array, appSecret: string): string {
  return createHmac('sha256', appSecret).update(body).digest('hex');
}

/** Small deterministic PRNG (mulberry32) so fault rates and webhook duplicates are reproducible. */
export class Prng {
  private s: number;
  constructor(seed = 1) {
    this.s = seed >>> 0;
  }
  reseed(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const B64URL = ALNUM + '-_';

function charsFrom(bytes: Uint8Array, alphabet: string, n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += alphabet[bytes[i % bytes.length] % alphabet.length];
  return out;
}

/** Random opaque token text (base64url alphabet). */
export function randomToken(n: number): string {
  return charsFrom(randomBytes(n), B64URL, n);
}

/** Stable 40-char account id derived from the email: 'dbid:' + 35 chars, like Dropbox's. */
export function accountIdFor(email: string): string {
  const h = createHash('sha256')
    .update('acct:' + email.toLowerCase())
    .digest();
  return 'dbid:AA' + charsFrom(new Uint8Array([...h, ...createHash('sha256').update(h).digest()]), B64URL, 33);
}

/** Stable numeric legacy uid (delta.users) derived from the email. */
export function uidFor(email: string): number {
  const h = createHash('sha256')
    .update('uid:' + email.toLowerCase())
    .digest();
  return 100_000_000 + (h.readUInt32BE(0) % 900_000_000);
}

export function sha256Base64Url(input: string): string {
  return createHash('sha256').update(input).digest('base64url');
}

export function hexDigest(input: string): string {
  return createHash('sha256').update(input).digest('hex');
}

/** Dropbox timestamps: ISO 8601 without milliseconds, 'Z'. */
export function dbxTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function encodeCursor(obj: unknown): string {
  return 'AA' + Buffer.from(JSON.stringify(obj)).toString('base64url');
}

export function decodeCursor<T>(cursor: string): T | null {
  if (typeof cursor !== 'string' || !cursor.startsWith('AA')) return null;
  try {
    const v = JSON.parse(Buffer.from(cursor.slice(2), 'base64url').toString('utf8'));
    return v && typeof v === 'object' ? (v as T) : null;
  } catch {
    return null;
  }
}

export function lower(p: string): string {
  return p.toLowerCase();
}

export function parentOf(pathLower: string): string {
  const i = pathLower.lastIndexOf('/');
  return i <= 0 ? '' : pathLower.slice(0, i);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
