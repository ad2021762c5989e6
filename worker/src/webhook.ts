// Dropbox webhook receiver. GET: the unsigned verification challenge. POST: a signed notification that
// names accounts whose files changed (and nothing else). We verify the signature on the raw bytes before
// parsing, enqueue one reconcile job per account and answer at once: no Dropbox call on the request path.
// Anything non-200 makes Dropbox retry for ~10 minutes, so only a queue (or D1) failure is a 5xx.
//
// Replays (issue 8): a captured signed body can be sent again by anyone, and each delivery costs Dropbox calls.
// The SHA-256 of each signed body is kept for REPLAY_WINDOW_MS in D1 (table webhook_deliveries: 2–3 indexed
// queries per notification; D1 rather than the Cache API because the cache is per location and not written on
// workers.dev, and rather than a Durable Object because D1 is already bound). The same bytes again within the
// window queue nothing while the reconcile the first delivery queued has not started yet — that reconcile reads
// everything up to the moment it runs, so nothing is lost. Once it has started (or finished), the same body is
// accepted again: Dropbox legitimately repeats a body when the same accounts change again.
import { Hono } from 'hono';
import { verifySignature } from './dropbox/signature.ts';
import { sendJobs, type ReconcileAccountJob } from './jobs/messages.ts';

export const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;
export const REPLAY_WINDOW_MS = 10 * 60_000;

const hex = (buf: ArrayBuffer) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');

/**
 * true: these exact bytes were accepted within the window and the reconcile they queued has not started for any of
 * the notified accounts — a replay, nothing to queue. Otherwise records the delivery and returns false.
 */
export async function isReplay(db: D1Database, raw: ArrayBuffer, accounts: string[], now = Date.now()): Promise<boolean> {
  const hash = hex(await crypto.subtle.digest('SHA-256', raw));
  const [, inserted, renewed] = await db.batch([
    db.prepare('DELETE FROM webhook_deliveries WHERE received_at <= ?').bind(now - REPLAY_WINDOW_MS),
    db.prepare('INSERT INTO webhook_deliveries (body_hash, received_at) VALUES (?, ?) ON CONFLICT (body_hash) DO NOTHING').bind(hash, now),
    // Seen before: accepted again only if a reconcile of one of its accounts started since (or is running now).
    db
      .prepare(
        `UPDATE webhook_deliveries SET received_at = ?1 WHERE body_hash = ?2 AND received_at < ?1 AND EXISTS (
           SELECT 1 FROM json_each(?3) j
           JOIN dropbox_tokens t ON t.dropbox_account_id = j.value
           JOIN dropbox_account_sync s ON s.account_id = t.account_id
           WHERE s.last_started_at >= webhook_deliveries.received_at OR s.lease_until >= ?1)`,
      )
      .bind(now, hash, JSON.stringify(accounts)),
  ]);
  return (inserted.meta.changes ?? 0) === 0 && (renewed.meta.changes ?? 0) === 0;
}

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
  try {
    if (accounts.length > 0 && (await isReplay(c.env.DB, raw, accounts, at))) return new Response(null, { status: 200 });
  } catch (e) {
    console.error('webhook: replay check failed', e);
    return fail('enqueue_failed', 'Could not record the notification; Dropbox will retry.', 500);
  }
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
