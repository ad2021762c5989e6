// Looks through every file of a built extension for secrets: the known secret values (and their base64 / hex
// forms), and generic shapes of secrets (private keys, Dropbox tokens, client_secret, 32-byte keys, …).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export interface Finding {
  file: string;
  what: string;
  excerpt: string;
}

/** Generic shapes of secrets that have no business in code shipped to browsers. */
export const SECRET_PATTERNS: { what: string; re: RegExp }[] = [
  { what: 'private key', re: /-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----/ },
  { what: 'OAuth client secret', re: /client_secret/i },
  { what: 'Dropbox access token', re: /\bsl\.[A-Za-z0-9_-]{30,}/ },
  { what: 'AWS access key', re: /\bAKIA[0-9A-Z]{16}\b/ },
  { what: 'GitHub token', re: /\bgh[pousr]_[A-Za-z0-9]{30,}/ },
  { what: 'Slack token', re: /\bxox[abposr]-[A-Za-z0-9-]{10,}/ },
  { what: 'Cloudflare API token variable', re: /CLOUDFLARE_API_TOKEN|CF_API_TOKEN/ },
  { what: 'worker secret name', re: /DROPBOX_APP_SECRET|TOKEN_ENCRYPTION_KEY/ },
  // A base64 key of exactly 32 bytes (the shape of TOKEN_ENCRYPTION_KEY), standing alone.
  { what: 'base64 32-byte key', re: /(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/]{43}=(?![A-Za-z0-9+/=_-])/ },
  // A literal assigned to something named like a secret: secret: "…", apiKey = '…', "password":"…".
  {
    what: 'secret-named literal',
    re: /\b[\w$]*(?:secret|passw(?:or)?d|api_?key|private_?key|encryption_?key)[\w$]*["']?\s*[:=]\s*["'`][^"'`\s]{8,}["'`]/i,
  },
];

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const b64url = (s: string) => Buffer.from(s, 'utf8').toString('base64url');
const hex = (s: string) => Buffer.from(s, 'utf8').toString('hex');

/** The forms a secret value could take in a bundle. */
export function forms(secret: string): string[] {
  const out = new Set([
    secret,
    b64(secret),
    b64(secret).replace(/=+$/, ''),
    b64url(secret),
    hex(secret),
    hex(secret).toUpperCase(),
    JSON.stringify(secret).slice(1, -1),
  ]);
  // A base64 secret (like the token key) may also be shipped decoded.
  if (/^[A-Za-z0-9+/]+=*$/.test(secret) && secret.length % 4 === 0) {
    const raw = Buffer.from(secret, 'base64');
    if (raw.length >= 16) {
      out.add(raw.toString('hex'));
      out.add(raw.toString('latin1'));
    }
  }
  return [...out].filter((f) => f.length >= 8);
}

export function scanText(file: string, text: string, secrets: Record<string, string>): Finding[] {
  const found: Finding[] = [];
  for (const [name, value] of Object.entries(secrets)) {
    for (const f of forms(value)) {
      const at = text.indexOf(f);
      if (at >= 0) {
        found.push({ file, what: `secret value ${name}`, excerpt: text.slice(Math.max(0, at - 20), at + f.length + 20) });
        break;
      }
    }
  }
  for (const { what, re } of SECRET_PATTERNS) {
    const m = re.exec(text);
    if (m) found.push({ file, what, excerpt: text.slice(Math.max(0, m.index - 20), m.index + m[0].length + 20) });
  }
  return found;
}

export function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** Every file under `dir` (binary files are read as Latin-1, so byte strings inside images are checked too). */
export function scanDir(dir: string, secrets: Record<string, string>): Finding[] {
  return filesUnder(dir).flatMap((file) => {
    const buf = readFileSync(file);
    return [
      ...scanText(path.relative(dir, file), buf.toString('utf8'), secrets),
      ...scanText(path.relative(dir, file), buf.toString('latin1'), secrets),
    ].filter((f, i, all) => all.findIndex((g) => g.file === f.file && g.what === f.what) === i);
  });
}
