/**
 * Webhook notifications like Dropbox sends them: accounts whose tree changed within a short window are batched
 * into one POST {"list_folder":{"accounts":[…]},"delta":{"users":[…]}}, signed with X-Dropbox-Signature
 * (hex HMAC-SHA256 of the exact body, keyed with the app secret). Key order varies; a delivery may be duplicated;
 * non-200 answers are retried with backoff. Every attempt is logged.
 */
import type { DropboxState } from './state.ts';
import { Prng, signWebhookBody, sleep } from './util.ts';

export interface WebhookAttempt {
  at: number;
  status?: number;
  error?: string;
}
export interface WebhookDelivery {
  id: number;
  /** the exact body bytes that were signed and sent */
  body: string;
  signature: string;
  accounts: string[];
  users: number[];
  url: string | null;
  /** true for the extra copy sent to imitate Dropbox's at-least-once delivery */
  duplicate: boolean;
  attempts: WebhookAttempt[];
  /** skipped: webhooks disabled or no URL; dropped: lost on purpose (dropRate) */
  status: 'pending' | 'delivered' | 'failed' | 'skipped' | 'dropped';
}

export interface WebhookSettings {
  url: string | null;
  enabled: boolean;
  /** 0..1 probability that a notification is sent twice */
  duplicateRate: number;
  /** 0..1 probability that a notification is lost (logged as dropped, never sent): Dropbox gives up after ~10 min */
  dropRate: number;
  /** batching window */
  delayMs: number;
  /** only accounts that authorized the app are notified (Dropbox behaviour); false = every account */
  onlyLinked: boolean;
  /** backoff before each retry after a non-200 / network error */
  retryDelaysMs: number[];
  /** abort a delivery attempt after this long (Dropbox allows 10 s) */
  timeoutMs: number;
}

export class WebhookDispatcher {
  settings: WebhookSettings;
  log: WebhookDelivery[] = [];
  private pending = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private inflight = new Set<Promise<void>>();
  private nextId = 1;
  private closed = false;

  constructor(
    private getState: () => DropboxState,
    private appSecret: () => string,
    private prng: Prng,
    init: Partial<WebhookSettings>,
  ) {
    this.settings = {
      url: null,
      enabled: true,
      duplicateRate: 0,
      dropRate: 0,
      delayMs: 50,
      onlyLinked: true,
      retryDelaysMs: [200, 1000, 3000],
      timeoutMs: 10_000,
      ...init,
    };
  }

  /** called by the state when accounts' trees changed */
  notify(accountIds: string[]) {
    if (this.closed) return;
    for (const id of accountIds) this.pending.add(id);
    if (!this.timer) this.timer = setTimeout(() => void this.flushPending(), this.settings.delayMs);
  }

  private flushPending() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const ids = [...this.pending];
    this.pending.clear();
    const accounts = ids
      .map((id) => this.getState().accounts.get(id))
      .filter((a) => a !== undefined)
      .filter((a) => !this.settings.onlyLinked || a.linked);
    if (!accounts.length) return;
    const listFolder = { accounts: accounts.map((a) => a.account_id) };
    const delta = { users: accounts.map((a) => a.uid) };
    // key order varies between deliveries, like Dropbox's (captures show delta first)
    const payload = this.prng.next() < 0.5 ? { delta, list_folder: listFolder } : { list_folder: listFolder, delta };
    const body = JSON.stringify(payload);
    const copies = this.prng.next() < this.settings.duplicateRate ? 2 : 1;
    const dropped = this.settings.dropRate > 0 && this.prng.next() < this.settings.dropRate;
    for (let i = 0; i < copies; i++) this.deliver(body, listFolder.accounts, delta.users, i > 0, dropped);
  }

  private deliver(body: string, accounts: string[], users: number[], duplicate: boolean, dropped = false) {
    const d: WebhookDelivery = {
      id: this.nextId++,
      body,
      signature: signWebhookBody(body, this.appSecret()),
      accounts,
      users,
      url: this.settings.url,
      duplicate,
      attempts: [],
      status: 'pending',
    };
    this.log.push(d);
    if (dropped) {
      d.status = 'dropped';
      return;
    }
    if (!this.settings.enabled || !d.url) {
      d.status = 'skipped';
      return;
    }
    const p = this.run(d).finally(() => this.inflight.delete(p));
    this.inflight.add(p);
  }

  private async run(d: WebhookDelivery) {
    const delays = [0, ...this.settings.retryDelaysMs];
    for (let i = 0; i < delays.length; i++) {
      if (delays[i]) await sleep(delays[i]);
      if (this.closed) break;
      const attempt: WebhookAttempt = { at: this.getState().now() };
      d.attempts.push(attempt);
      try {
        const res = await fetch(d.url!, {
          method: 'POST',
          body: d.body,
          headers: {
            'Content-Type': 'application/json',
            'User-Agent': 'DropboxWebhooks/1.0',
            Accept: '*/*',
            'Accept-Encoding': 'gzip,deflate',
            'X-Dropbox-Signature': d.signature,
          },
          signal: AbortSignal.timeout(this.settings.timeoutMs),
        });
        attempt.status = res.status;
        await res.arrayBuffer().catch(() => undefined);
        if (res.status === 200) {
          d.status = 'delivered';
          return;
        }
      } catch (e) {
        attempt.error = e instanceof Error ? e.message : String(e);
      }
    }
    d.status = 'failed';
  }

  /** Send what is batched now and wait until every delivery (with its retries) has finished. */
  async flush(): Promise<void> {
    if (this.pending.size) this.flushPending();
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
  }

  clearLog() {
    this.log = [];
  }

  /** Drop anything batched and stop retrying (reset/close). */
  cancelPending() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending.clear();
  }

  close() {
    this.closed = true;
    this.cancelPending();
  }
}
