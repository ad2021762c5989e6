// Dropbox webhook receiver. GET: the unsigned verification challenge. POST: a signed notification that
// names accounts whose files changed (and nothing else). We verify the signature on the raw bytes before
// parsing, enqueue one reconcile job per account and answer at once: no Dropbox call and no D1 access on
// the request path. Anything non-200 makes Dropbox retry for ~10 minutes, so only a queue failure is a 5xx.
import { Hono } from 'hono';
import { verifySignature } from './dropbox/signature.ts';
import { sendJobs, type ReconcileAccountJob } from './jobs/messages.ts';

export const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;

const fail = (code: string, message: string, status: 400 | 403 | 413 | 500) =>
  new Response(JSON.stringify({ error: { code, message } }), {
    status,
    headers: { 'Content-Type': 'application/json', 'X-Content-Type-Options': 'nosniff' },
  });

/** Reads at most `limit` bytes; returns null as soon as the body is longer (whatever Content-Length said). */
async function readLimited(req: Request, limit: number): Promise<ArrayBuffer | null> {
  if (!req.body) return new ArrayBuffer(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out.buffer;
}

/** `list_folder.accounts` of a notification: the v2 account ids (never the numeric `delta.users`). */
export function notifiedAccounts(payload: unknown): string[] | null {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return null;
  const lf = (payload as { list_folder?: unknown }).list_folder;
  if (lf === undefined) return [];
  const accounts = (lf as { accounts?: unknown } | null)?.accounts;
  if (!Array.isArray(accounts)) return null;
  const ids = accounts.filter((a): a is string => typeof a === 'string' && a.length > 0 && a.length <= 64);
  return [...new Set(ids)];
}

export const webhook = new Hono<{ Bindings: Env }>();

webhook.get('/dropbox/webhook', (c) => {
  // WHATWG decoding (as Dropbox and browsers do): an ill-formed %-escape becomes U+FFFD instead of staying raw.
  const challenge = new URL(c.req.url).searchParams.get('challenge');
  if (!challenge) return fail('missing_challenge', 'The challenge query parameter is required.', 400);
  return new Response(challenge, {
    status: 200,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' },
  });
});

webhook.post('/dropbox/webhook', async (c) => {
  const declared = c.req.header('content-length');
  if (declared !== undefined && (!/^\d+$/.test(declared) || Number(declared) > MAX_WEBHOOK_BODY_BYTES)) {
    return fail('payload_too_large', 'Notification bodies are limited to 1 MB.', 413);
  }
  const raw = await readLimited(c.req.raw, MAX_WEBHOOK_BODY_BYTES);
  if (raw === null) return fail('payload_too_large', 'Notification bodies are limited to 1 MB.', 413);

  if (!(await verifySignature(c.env.DROPBOX_APP_SECRET, raw, c.req.header('x-dropbox-signature')))) {
    return fail('invalid_signature', 'X-Dropbox-Signature is missing or does not match the body.', 403);
  }

  let payload: unknown;
  try {
    payload = JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(raw));
  } catch {
    return fail('invalid_json', 'The notification body is not valid JSON.', 400);
  }
  const accounts = notifiedAccounts(payload);
  if (accounts === null) return fail('invalid_notification', 'list_folder.accounts must be a list of account ids.', 400);

  const at = Date.now();
  const jobs: ReconcileAccountJob[] = accounts.map((dropboxAccountId) => ({ kind: 'reconcile-account', dropboxAccountId, at }));
  try {
    await sendJobs(c.env.JOBS, jobs);
  } catch (e) {
    // Not acknowledged: Dropbox delivers the notification again.
    console.error('webhook: enqueue failed', e);
    return fail('enqueue_failed', 'Could not queue the notification; Dropbox will retry.', 500);
  }
  return new Response(null, { status: 200 });
});
