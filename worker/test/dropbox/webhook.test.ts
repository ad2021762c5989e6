import { SELF, env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { webhook, MAX_WEBHOOK_BODY_BYTES } from '../../src/webhook.ts';
import { signBody, verifySignature } from '../../src/dropbox/signature.ts';
import type { Job } from '../../src/jobs/messages.ts';

/** A JOBS binding that records what the receiver enqueues (the real queue is exercised end to end elsewhere). */
function recordingQueue() {
  const sent: Job[] = [];
  const queue = {
    async send(body: Job) {
      sent.push(body);
    },
    async sendBatch(msgs: Iterable<MessageSendRequest<Job>>) {
      for (const m of msgs) sent.push(m.body);
    },
  } as unknown as Queue;
  return { sent, queue };
}

const SECRET = 'webhook-test-secret';
const dbid = (n: number) => `dbid:AA${String(n).padStart(38, '0')}`.slice(0, 45);

async function post(body: string | Uint8Array | ReadableStream, headers: Record<string, string>, secret = SECRET) {
  const rec = recordingQueue();
  const res = await webhook.request('http://pd.test/dropbox/webhook', { method: 'POST', body, headers, duplex: 'half' } as RequestInit, {
    ...env,
    DROPBOX_APP_SECRET: secret,
    JOBS: rec.queue,
  });
  return { res, sent: rec.sent };
}

describe('webhook signature', () => {
  it('matches the published test vector (secret the_secret)', async () => {
    const body = new TextEncoder().encode('{"delta": {"users": [12345]}}') as Uint8Array<ArrayBuffer>;
    expect(await signBody('the_secret', body)).toBe('0a8c16b085420b960dc78664279fe09e936a2a01b1f91064869d9e77dfd64529');
    expect(await verifySignature('the_secret', body.buffer, '0a8c16b085420b960dc78664279fe09e936a2a01b1f91064869d9e77dfd64529')).toBe(true);
  });

  it('rejects a signature made with another secret, truncated, padded or non-hex', async () => {
    const body = new TextEncoder().encode('{"delta": {"users": [12345]}}').buffer as ArrayBuffer;
    const good = '0a8c16b085420b960dc78664279fe09e936a2a01b1f91064869d9e77dfd64529';
    expect(await verifySignature('other_secret', body, good)).toBe(false);
    expect(await verifySignature('the_secret', body, good.slice(0, 63))).toBe(false);
    expect(await verifySignature('the_secret', body, good.slice(0, 32))).toBe(false);
    expect(await verifySignature('the_secret', body, good + '0')).toBe(false);
    expect(await verifySignature('the_secret', body, 'z'.repeat(64))).toBe(false);
    expect(await verifySignature('the_secret', body, '')).toBe(false);
    expect(await verifySignature(undefined, body, good)).toBe(false);
  });
});

describe('GET /dropbox/webhook (verification challenge)', () => {
  it('echoes the challenge as text/plain with nosniff', async () => {
    const res = await SELF.fetch('http://pd.test/dropbox/webhook?challenge=%3Cscript%3Eabc');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toBe('<script>abc');
  });

  it('answers 400 without a challenge', async () => {
    const res = await SELF.fetch('http://pd.test/dropbox/webhook');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'missing_challenge' } });
  });
});

describe('POST /dropbox/webhook (notification)', () => {
  const payload = JSON.stringify({ delta: { users: [1, 2] }, list_folder: { accounts: [dbid(1), dbid(2), dbid(1)] } });

  it('enqueues one reconcile job per account in list_folder.accounts and answers 200', async () => {
    const { res, sent } = await post(payload, { 'X-Dropbox-Signature': await signBody(SECRET, new TextEncoder().encode(payload)) });
    expect(res.status).toBe(200);
    expect(sent.map((j) => j.kind)).toEqual(['reconcile-account', 'reconcile-account']);
    expect(sent.map((j) => (j as { dropboxAccountId: string }).dropboxAccountId).sort()).toEqual([dbid(1), dbid(2)]);
  });

  it('splits a notification of 250 accounts into batches the queue accepts', async () => {
    const accounts = Array.from({ length: 250 }, (_, i) => dbid(i));
    const body = JSON.stringify({ list_folder: { accounts } });
    const { res, sent } = await post(body, { 'X-Dropbox-Signature': await signBody(SECRET, new TextEncoder().encode(body)) });
    expect(res.status).toBe(200);
    expect(sent).toHaveLength(250);
  });

  it('ignores delta.users (legacy numeric ids): no list_folder → nothing to do', async () => {
    const body = '{"delta": {"users": [12345]}}';
    const { res, sent } = await post(body, { 'X-Dropbox-Signature': await signBody(SECRET, new TextEncoder().encode(body)) });
    expect(res.status).toBe(200);
    expect(sent).toEqual([]);
  });

  it('verifies the raw bytes: the same JSON re-serialised with other spacing is forged', async () => {
    const sig = await signBody(SECRET, new TextEncoder().encode(payload));
    const reserialised = JSON.stringify(JSON.parse(payload), null, 1);
    const { res, sent } = await post(reserialised, { 'X-Dropbox-Signature': sig });
    expect(res.status).toBe(403);
    expect(sent).toEqual([]);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['forged (other secret)', 'other'],
    ['truncated', 'truncated'],
    ['uppercase-padded', 'padded'],
  ])('answers 403 and enqueues nothing when the signature is %s', async (_name, kind) => {
    const good = await signBody(SECRET, new TextEncoder().encode(payload));
    const headers: Record<string, string> = {};
    if (kind === '') headers['X-Dropbox-Signature'] = '';
    if (kind === 'other') headers['X-Dropbox-Signature'] = await signBody('not-the-secret', new TextEncoder().encode(payload));
    if (kind === 'truncated') headers['X-Dropbox-Signature'] = good.slice(0, 40);
    if (kind === 'padded') headers['X-Dropbox-Signature'] = good + 'ab';
    const { res, sent } = await post(payload, headers);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: 'invalid_signature' } });
    expect(sent).toEqual([]);
  });

  it('answers 403 for an empty unsigned body and for a body signed with an empty secret', async () => {
    expect((await post('', {})).res.status).toBe(403);
    const { res } = await post(payload, { 'X-Dropbox-Signature': await signBody('x', new TextEncoder().encode(payload)) }, '');
    expect(res.status).toBe(403);
  });

  it('answers 400 for invalid JSON with a valid signature, and for a malformed accounts list', async () => {
    for (const body of ['{"list_folder": ', '[1,2]', '{"list_folder": {"accounts": "dbid:x"}}']) {
      const { res, sent } = await post(body, { 'X-Dropbox-Signature': await signBody(SECRET, new TextEncoder().encode(body)) });
      expect(res.status).toBe(400);
      expect(sent).toEqual([]);
    }
  });

  it('answers 413 for a body over 1 MB, by Content-Length and by actual length', async () => {
    const big = new Uint8Array(MAX_WEBHOOK_BODY_BYTES + 1).fill(0x20);
    const sig = await signBody(SECRET, big);
    const declared = await post(big, { 'X-Dropbox-Signature': sig, 'Content-Length': String(big.length) });
    expect(declared.res.status).toBe(413);
    expect(declared.sent).toEqual([]);

    // No Content-Length (streamed): the reader stops at the limit.
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 5; i++) c.enqueue(new Uint8Array(256 * 1024 + 1).fill(0x20));
        c.close();
      },
    });
    const streamed = await post(stream, { 'X-Dropbox-Signature': sig });
    expect(streamed.res.status).toBe(413);
    expect(streamed.sent).toEqual([]);
  });

  it('accepts a body of exactly 1 MB', async () => {
    const json = JSON.stringify({ list_folder: { accounts: [dbid(7)] } });
    const body = new Uint8Array(MAX_WEBHOOK_BODY_BYTES).fill(0x20);
    body.set(new TextEncoder().encode(json), 0);
    const { res, sent } = await post(body, { 'X-Dropbox-Signature': await signBody(SECRET, body) });
    expect(res.status).toBe(200);
    expect(sent).toHaveLength(1);
  });

  it('the deployed receiver checks against DROPBOX_APP_SECRET from the environment', async () => {
    const body = JSON.stringify({ list_folder: { accounts: [] } });
    const ok = await SELF.fetch('http://pd.test/dropbox/webhook', {
      method: 'POST',
      body,
      headers: { 'X-Dropbox-Signature': await signBody(env.DROPBOX_APP_SECRET, new TextEncoder().encode(body)) },
    });
    expect(ok.status).toBe(200);
    const forged = await SELF.fetch('http://pd.test/dropbox/webhook', {
      method: 'POST',
      body,
      headers: { 'X-Dropbox-Signature': await signBody('the_secret', new TextEncoder().encode(body)) },
    });
    expect(forged.status).toBe(403);
  });
});
