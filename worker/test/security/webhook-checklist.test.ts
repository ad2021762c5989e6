// The Standard Webhooks checklist for POST /dropbox/webhook, cases not already in test/dropbox/webhook.test.ts
// (which covers: missing, empty, other secret, truncated, hex + extra digits, re-serialised JSON, invalid JSON,
// bad accounts list, 413 by Content-Length and by stream, exactly 1 MB, the published test vector). A replayed
// notification producing exactly one state change is covered end to end in test/dropbox/reconcile.test.ts
// ("a duplicated and re-delivered notification still makes exactly one change and one notification"); a replay
// queueing no extra work (so no extra Dropbox calls) is the replay test below.
import { SELF, env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { signBody } from '../../src/dropbox/signature.ts';
import type { Job } from '../../src/jobs/messages.ts';
import { webhook } from '../../src/webhook.ts';
import { writesSoFar } from '../fuzz/db-state.ts';

const SECRET = 'checklist-secret';
const enc = (s: string) => new TextEncoder().encode(s);
const ACCOUNT = 'dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc';
const BODY = JSON.stringify({ list_folder: { accounts: [ACCOUNT] }, delta: { users: [12345] } });

async function post(body: BodyInit, headers: Record<string, string>) {
  const sent: Job[] = [];
  const queue = {
    async send(b: Job) {
      sent.push(b);
    },
    async sendBatch(msgs: Iterable<MessageSendRequest<Job>>) {
      for (const m of msgs) sent.push(m.body);
    },
  } as unknown as Queue;
  const res = await webhook.request(
    'http://pd.test/dropbox/webhook',
    { method: 'POST', body, headers },
    { ...env, DROPBOX_APP_SECRET: SECRET, JOBS: queue },
  );
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, sent };
}

describe('webhook signature checklist (Standard Webhooks)', () => {
  it('the right MAC written in uppercase hex is the same 32 bytes: accepted; an uppercase wrong MAC is not', async () => {
    const good = await signBody(SECRET, enc(BODY));
    const upper = await post(BODY, { 'X-Dropbox-Signature': good.toUpperCase() });
    expect([upper.status, upper.sent.length]).toEqual([200, 1]);
    const wrong = (await signBody(SECRET, enc(BODY + ' '))).toUpperCase();
    const forged = await post(BODY, { 'X-Dropbox-Signature': wrong });
    expect([forged.status, forged.body.error.code, forged.sent.length]).toEqual([403, 'invalid_signature', 0]);
  });

  it('a signature made for another body is refused (403), whatever that body was', async () => {
    for (const other of ['', '{}', BODY.replace(ACCOUNT, 'dbid:someone-else'), BODY + '\n']) {
      const r = await post(BODY, { 'X-Dropbox-Signature': await signBody(SECRET, enc(other)) });
      expect([other, r.status, r.sent.length]).toEqual([other, 403, 0]);
    }
  });

  it('an empty body correctly signed: 400 invalid_json, nothing queued', async () => {
    const r = await post('', { 'X-Dropbox-Signature': await signBody(SECRET, new Uint8Array()) });
    expect([r.status, r.body.error.code, r.sent.length]).toEqual([400, 'invalid_json', 0]);
  });

  it('bytes that are not UTF-8, correctly signed: 400 invalid_json, nothing queued', async () => {
    const bytes = new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]); // {"\xff\xfe":1}
    const r = await post(bytes, { 'X-Dropbox-Signature': await signBody(SECRET, bytes) });
    expect([r.status, r.body.error.code, r.sent.length]).toEqual([400, 'invalid_json', 0]);
  });

  it('signature formats from other providers are not accepted (prefixes, several signatures, a repeated header)', async () => {
    const good = await signBody(SECRET, enc(BODY));
    for (const header of [`sha256=${good}`, `v1,${good}`, `v1=${good}`, `${good},${good}`, `${good} ${good}`, `t=1,v1=${good}`, btoa(good)]) {
      const r = await post(BODY, { 'X-Dropbox-Signature': header });
      expect([header, r.status, r.sent.length]).toEqual([header, 403, 0]);
    }
    const headers = new Headers();
    headers.append('X-Dropbox-Signature', good);
    headers.append('X-Dropbox-Signature', good); // joined as "<mac>, <mac>"
    const twice = await post(BODY, Object.fromEntries(headers));
    expect([twice.status, twice.sent.length]).toEqual([403, 0]);
  });

  it('the signature covers the bytes, not the Content-Type: a correctly signed body is accepted with any content type', async () => {
    // A different body per content type: the same bytes again would be a replay (next test).
    for (const [i, ct] of ['application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/octet-stream'].entries()) {
      const body = JSON.stringify({ list_folder: { accounts: [ACCOUNT] }, delta: { users: [700 + i] } });
      const r = await post(body, { 'X-Dropbox-Signature': await signBody(SECRET, enc(body)), 'Content-Type': ct });
      expect([ct, r.status, r.sent.length]).toEqual([ct, 200, 1]);
    }
  });

  it('a replayed notification is acknowledged every time (so Dropbox stops retrying) but queues nothing while the reconcile it queued has not started; after that, the same body queues again', async () => {
    // A linked account whose reconcile state the test moves by hand (what the queue consumer does).
    const dbid = 'dbid:AAReplayReplayReplayReplayReplayReplay0';
    await env.DB.batch([
      env.DB.prepare(
        `INSERT INTO accounts (id, dropbox_account_id, email, email_lower, display_name, created_at, updated_at) VALUES ('acc_replay', ?, 'r@x.test', 'r@x.test', 'R', '', '')`,
      ).bind(dbid),
      env.DB.prepare(`INSERT INTO dropbox_tokens (account_id, dropbox_account_id, refresh_token, updated_at) VALUES ('acc_replay', ?, 'x', 0)`).bind(
        dbid,
      ),
      env.DB.prepare(`INSERT INTO dropbox_account_sync (account_id, last_started_at) VALUES ('acc_replay', 0)`),
    ]);
    const body = JSON.stringify({ list_folder: { accounts: [dbid] }, delta: { users: [4242] } });
    const sig = await signBody(SECRET, enc(body));
    const first = await post(body, { 'X-Dropbox-Signature': sig });
    const replays = await Promise.all(Array.from({ length: 5 }, () => post(body, { 'X-Dropbox-Signature': sig })));
    expect([first.status, first.sent]).toEqual([200, [{ kind: 'reconcile-account', dropboxAccountId: dbid, at: expect.any(Number) }]]);
    expect(replays.map((r) => [r.status, r.sent.length])).toEqual(Array(5).fill([200, 0]));

    // The queued reconcile ran (it read everything up to then): the same bytes are a new notification again.
    await env.DB.prepare(`UPDATE dropbox_account_sync SET last_started_at = ? WHERE account_id = 'acc_replay'`).bind(Date.now()).run();
    const later = await post(body, { 'X-Dropbox-Signature': sig });
    expect([later.status, later.sent]).toEqual([200, [{ kind: 'reconcile-account', dropboxAccountId: dbid, at: expect.any(Number) }]]);
    const replayAgain = await post(body, { 'X-Dropbox-Signature': sig });
    expect([replayAgain.status, replayAgain.sent.length]).toEqual([200, 0]);
  });

  it('refused notifications write nothing to the database (the receiver never touches D1)', async () => {
    const before = await writesSoFar();
    for (const signature of [undefined, '', 'f'.repeat(64), (await signBody('wrong', enc(BODY))).slice(0, 64)]) {
      const res = await SELF.fetch('http://pd.test/dropbox/webhook', {
        method: 'POST',
        body: BODY,
        headers: signature === undefined ? {} : { 'X-Dropbox-Signature': signature },
      });
      expect(res.status).toBe(403);
      await res.arrayBuffer();
    }
    expect(await writesSoFar()).toBe(before);
  });

  it('the verification challenge cannot be turned into a page: text/plain, nosniff, echoed byte for byte', async () => {
    for (const challenge of ['<script>alert(1)</script>', '<?xml version="1.0"?><x/>', '{"json":true}', '\u202Eevil', 'a'.repeat(4000)]) {
      const res = await SELF.fetch(`http://pd.test/dropbox/webhook?challenge=${encodeURIComponent(challenge)}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await res.text()).toBe(challenge);
    }
  });
});
