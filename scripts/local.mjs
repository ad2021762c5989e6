// Embedded local defaults shared by `npm start`, benchmarks and end-to-end scripts.
// None of these are real secrets: they only work against the local Dropbox emulator.
import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

export const LOCAL = {
  workerPort: 8787,
  emulatorPort: 8788,
  workerUrl: 'http://localhost:8787',
  emulatorUrl: 'http://localhost:8788',
  appKey: 'pd-local-app-key',
  appSecret: 'pd-local-app-secret',
  tokenKey: 'cGQtbG9jYWwtdG9rZW4tZW5jcnlwdGlvbi1rZXktMzI=',
  demoOwners: ['maya@pd.example', 'noah@pd.example'],
  quietWrangler: {
    WRANGLER_SEND_METRICS: 'false',
    WRANGLER_SEND_ERROR_REPORTS: 'false',
    CLOUDFLARE_CF_FETCH_ENABLED: 'false',
    WRANGLER_HIDE_BANNER: 'true',
  },
  /** `wrangler dev` flags that point the worker at an emulator instead of Dropbox. */
  wranglerVars(emulatorUrl) {
    return [
      '--var',
      `DROPBOX_API_ORIGIN:${emulatorUrl}`,
      '--var',
      `DROPBOX_WEB_ORIGIN:${emulatorUrl}`,
      '--var',
      `DROPBOX_APP_KEY:${LOCAL.appKey}`,
      '--var',
      `DROPBOX_APP_SECRET:${LOCAL.appSecret}`,
      '--var',
      `TOKEN_ENCRYPTION_KEY:${LOCAL.tokenKey}`,
    ];
  },
};

/** Waits until `url` answers below 500; with `proc` (a child with an `exited` field), fails at once if it exits first. */
export async function waitFor(url, timeoutMs, proc) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    if (proc?.exited) throw new Error(`the process serving ${url} exited (${JSON.stringify(proc.exited)}) before it answered`);
    try {
      const r = await fetch(url);
      if (r.status < 500) return;
      last = `HTTP ${r.status}`;
    } catch (e) {
      last = e.message;
    }
    await sleep(250);
  }
  throw new Error(`${url} did not come up within ${timeoutMs} ms (${last})`);
}

async function json(res, what) {
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  if (!res.ok) throw new Error(`${what}: HTTP ${res.status} ${typeof body === 'string' ? body : JSON.stringify(body)}`);
  return body;
}

/**
 * Sign in as a demo account through the real PKCE flow: the emulator issues the authorization code
 * (its control API stands in for clicking its authorize page), the worker exchanges it. `headers` go with the
 * exchange (e.g. a `CF-Connecting-IP` of its own: sign-in is rate-limited per client address).
 */
export async function demoSignIn(workerUrl, emulatorUrl, email, { headers = {} } = {}) {
  const verifier = randomBytes(48).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const redirectUri = 'http://localhost/pd-demo-callback';
  const { code } = await json(
    await fetch(`${emulatorUrl}/_control/authorize`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        account: email,
        client_id: LOCAL.appKey,
        redirect_uri: redirectUri,
        code_challenge: challenge,
        code_challenge_method: 'S256',
        token_access_type: 'offline',
      }),
    }),
    `authorize ${email}`,
  );
  const signedIn = await json(
    await fetch(`${workerUrl}/api/v1/auth/dropbox`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ code, codeVerifier: verifier, redirectUri }),
    }),
    `sign in ${email}`,
  );
  return { session: signedIn.session ?? signedIn.token, account: signedIn.account };
}

export async function importFolders(workerUrl, session) {
  const r = await json(
    await fetch(`${workerUrl}/api/v1/dropbox/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${session}`, 'content-type': 'application/json' },
      body: '{}',
    }),
    'import',
  );
  const n = r.imported?.length ?? r.importedCount ?? r.tracks?.length ?? 0;
  return `${n} shared folder(s) imported`;
}
