// Drives the worker the way Cloudflare would, deterministically: requests go through the worker's fetch handler,
// every queue message the worker sends is recorded and then delivered to its queue handler (ack/retry observed
// with getQueueResult), and the Dropbox emulator (a real HTTP server on the Node side) stands in for Dropbox.
import { createExecutionContext, createMessageBatch, createScheduledController, env, getQueueResult, waitOnExecutionContext } from 'cloudflare:test';
import { inject } from 'vitest';
import worker from '../../src/index.ts';
import { expandHistoryRows, HISTORY_COLUMNS, HISTORY_JOINS, type HistoryRow } from '../../src/domain/history.ts';
import { runQueueInvocation } from '../../src/jobs/consumer.ts';
import type { Job } from '../../src/jobs/messages.ts';

export const EMULATOR = inject('emulatorUrl');
export const REDIRECT_URI = 'https://pd-test.chromiumapp.org/';

export interface Delivered {
  job: Job;
  /** attempt number (1 = first delivery) */
  attempt: number;
  outcome: 'ack' | 'retry';
  delaySeconds?: number;
}

export async function control<T = unknown>(path: string, body?: unknown, method = body === undefined ? 'GET' : 'POST'): Promise<T> {
  const res = await fetch(`${EMULATOR}/_control/${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`control ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}

export interface SeedResult {
  accounts: Record<string, { account_id: string; email: string; display_name: string }>;
  folders: { shared_folder_id: string; name: string; owner: string; path: string }[];
}

export interface CallRecord {
  route: string;
  account_id?: string;
  status: number;
  fault?: string;
}

const b64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

export class Harness {
  /** Queue messages sent by the worker and not yet delivered. */
  queued: { job: Job; attempts: number; delaySeconds?: number }[] = [];
  /** drain() lets a Dropbox Retry-After pass at once (like the queue delays it does not wait for). */
  skipPaceDelays = true;
  delivered: Delivered[] = [];
  readonly env: Env;
  private seenDeliveries = new Set<number>();
  private msgSeq = 0;

  constructor() {
    const queued = this.queued;
    const jobs = {
      async send(body: Job) {
        queued.push({ job: structuredClone(body), attempts: 0 });
      },
      async sendBatch(msgs: Iterable<MessageSendRequest<Job>>) {
        for (const m of msgs) queued.push({ job: structuredClone(m.body), attempts: 0, delaySeconds: m.delaySeconds });
      },
    } as unknown as Queue;
    this.env = { ...env, JOBS: jobs } as Env;
  }

  /** Fresh emulator state (and no faults, no logs) for this test file. */
  async reset(seed: unknown = 'empty'): Promise<SeedResult> {
    const r = await control<SeedResult>('reset', { seed });
    this.seenDeliveries.clear();
    return r;
  }

  async fetch(path: string, init: RequestInit & { session?: string; json?: unknown } = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    // Each request is its own client address unless the test pins one (sign-in is rate limited per address).
    if (!headers.has('CF-Connecting-IP'))
      headers.set('CF-Connecting-IP', `198.18.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}`);
    if (init.session) headers.set('Authorization', `Bearer ${init.session}`);
    let body = init.body;
    if (init.json !== undefined) {
      headers.set('content-type', 'application/json');
      body = JSON.stringify(init.json);
    }
    const ctx = createExecutionContext();
    const res = await worker.fetch!(
      new Request(`http://pd.test${path}`, { ...init, headers, body }) as Request<unknown, IncomingRequestCfProperties>,
      this.env,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    return res;
  }

  async json<T>(path: string, init: RequestInit & { session?: string; json?: unknown } = {}): Promise<T> {
    const res = await this.fetch(path, init);
    const text = await res.text();
    if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${text}`);
    return JSON.parse(text) as T;
  }

  /** Sign in with Dropbox exactly like the extension: PKCE authorize at the emulator, code exchange at the worker. */
  async signIn(email: string): Promise<{ session: string; account: { id: string; email: string; dropboxAccountId: string; displayName: string } }> {
    const verifier = b64url(crypto.getRandomValues(new Uint8Array(48)));
    const challenge = b64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
    const { code } = await control<{ code: string }>('authorize', {
      account: email,
      client_id: env.DROPBOX_APP_KEY,
      redirect_uri: REDIRECT_URI,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      token_access_type: 'offline',
    });
    return this.json('/api/v1/auth/dropbox', { method: 'POST', json: { code, codeVerifier: verifier, redirectUri: REDIRECT_URI } });
  }

  /** Sends what the emulator has batched and POSTs every new signed notification to the worker's receiver. */
  async deliverWebhooks(): Promise<number> {
    await control('webhooks/flush', {});
    const { deliveries } = await control<{ deliveries: { id: number; body: string; signature: string }[] }>('webhooks/log');
    let n = 0;
    for (const d of deliveries) {
      if (this.seenDeliveries.has(d.id)) continue;
      this.seenDeliveries.add(d.id);
      const res = await this.fetch('/dropbox/webhook', {
        method: 'POST',
        body: d.body,
        headers: { 'Content-Type': 'application/json', 'X-Dropbox-Signature': d.signature },
      });
      if (res.status !== 200) throw new Error(`webhook delivery ${d.id} answered ${res.status}`);
      n++;
    }
    return n;
  }

  /**
   * Delivers queued messages to the worker's queue handler in batches (like Cloudflare: up to `batchSize` at once),
   * re-queueing retried ones, until nothing is left or `maxRounds` batches ran. Delays are not waited for.
   */
  async drain(opts: { batchSize?: number; maxRounds?: number } = {}): Promise<Delivered[]> {
    const out: Delivered[] = [];
    for (let round = 0; round < (opts.maxRounds ?? 100) && this.queued.length; round++) {
      // Delays are not waited for, and that includes a Retry-After that closed an account's Dropbox bucket
      // (src/dropbox/pace.ts): the next round runs as if it had passed. Tests of the pacing itself turn this off.
      if (this.skipPaceDelays) {
        // A 429 also moves the bucket's refill to its Retry-After: that wait is skipped too.
        await env.DB.prepare(
          'UPDATE dropbox_pace SET throttled_until = 0, refilled_at = min(refilled_at, ?1) WHERE throttled_until > 0 OR refilled_at > ?1',
        )
          .bind(Date.now())
          .run();
      }
      const take = this.queued.splice(0, opts.batchSize ?? 10);
      const msgs = take.map((m) => ({ id: `msg-${++this.msgSeq}`, timestamp: new Date(), attempts: m.attempts + 1, body: m.job }));
      const batch = createMessageBatch<Job>('pd-jobs', msgs);
      const ctx = createExecutionContext();
      // What the worker's queue() runs (metered like it); its per-message results carry the retry delays getQueueResult omits.
      const results = await runQueueInvocation(batch, this.env, ctx);
      const result = await getQueueResult(batch, ctx);
      msgs.forEach((m, i) => {
        const retry = result.retryBatch.retry || result.retryMessages.some((r) => r.msgId === m.id);
        // A change told "later" is acked and sent afresh with the delay (it counts its own attempts): a retry too,
        // already back in `queued` through the queue's send.
        const resent = !retry && results[i].retryDelaySeconds !== undefined;
        const d: Delivered = {
          job: m.body,
          attempt: m.attempts,
          outcome: retry || resent ? 'retry' : 'ack',
          delaySeconds: retry || resent ? results[i].retryDelaySeconds : undefined,
        };
        out.push(d);
        if (retry) this.queued.push({ job: m.body, attempts: m.attempts });
        void take[i];
      });
    }
    this.delivered.push(...out);
    return out;
  }

  async cron(): Promise<void> {
    const ctx = createExecutionContext();
    await worker.scheduled!(createScheduledController({ cron: '* * * * *', scheduledTime: Date.now() }), this.env, ctx);
    await waitOnExecutionContext(ctx);
  }

  async calls(route?: string): Promise<CallRecord[]> {
    const q = route ? `?route=${encodeURIComponent(route)}` : '';
    return (await control<{ calls: CallRecord[] }>(`calls${q}`)).calls;
  }

  async clearCalls(): Promise<void> {
    await control('calls', undefined, 'DELETE');
  }

  async act(req: Record<string, unknown>): Promise<unknown> {
    return control('act', req);
  }

  async fault(spec: Record<string, unknown>): Promise<void> {
    await control('faults', spec);
  }

  async clearFaults(): Promise<void> {
    await control('faults', undefined, 'DELETE');
  }
}

/** Rows straight from D1 (what the product would show after a sync). */
export async function collaborator(trackId: string, email: string) {
  return env.DB.prepare('SELECT * FROM collaborators WHERE track_id = ? AND email_lower = ?').bind(trackId, email.toLowerCase()).first<{
    id: string;
    status: string;
    access_level: string;
    ended_via: string | null;
    ended_by: string | null;
    account_id: string | null;
    dropbox_state: string | null;
  }>();
}

export async function notificationsOf(accountId: string) {
  const { results } = await env.DB.prepare('SELECT kind, track_id, actor_id, via FROM notifications WHERE recipient_id = ? ORDER BY id')
    .bind(accountId)
    .all<{ kind: string; track_id: string; actor_id: string | null; via: string }>();
  return results;
}

/** A track's history entries, oldest first, as the history API hands them out (upload groups expanded). */
export async function historyOf(trackId: string) {
  const { results } = await env.DB.prepare(
    `SELECT ${HISTORY_COLUMNS} FROM track_history h ${HISTORY_JOINS} WHERE h.track_no = (SELECT no FROM tracks WHERE id = ?) ORDER BY h.id DESC`,
  )
    .bind(trackId)
    .all<HistoryRow>();
  return expandHistoryRows(results)
    .reverse()
    .map((e) => ({ kind: e.kind, actor_id: e.actor.id, via: e.via, details: JSON.stringify(e.details) }));
}

export async function changesOf(trackId: string) {
  const { results } = await env.DB.prepare(
    'SELECT id, kind, status, attempts, rate_limited, last_error, params FROM dropbox_changes WHERE track_id = ? ORDER BY id',
  )
    .bind(trackId)
    .all<{ id: number; kind: string; status: string; attempts: number; rate_limited: number; last_error: string | null; params: string }>();
  return results;
}
