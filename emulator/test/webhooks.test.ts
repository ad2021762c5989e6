import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signWebhookBody, type RunningEmulator } from '../src/index.ts';
import { accountId, AVA, LEO, MAYA, NOAH, receiver, SAM, start } from './helpers.ts';

let emu: RunningEmulator;
let hook: Awaited<ReturnType<typeof receiver>>;

function verify(body: string, signature: string | string[] | undefined, secret: string): boolean {
  if (typeof signature !== 'string') return false;
  const expected = createHmac('sha256', secret).update(Buffer.from(body, 'utf8')).digest();
  const given = Buffer.from(signature, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function accountsIn(body: string): string[] {
  return (JSON.parse(body) as { list_folder: { accounts: string[] } }).list_folder.accounts.slice().sort();
}

beforeEach(async () => {
  hook = await receiver();
  emu = await start({ webhookUrl: hook.url, webhookDelayMs: 30 });
  emu.control.webhooks.configure({ retryDelaysMs: [10, 20, 40] });
  for (const who of [MAYA, NOAH, LEO, SAM, AVA]) emu.control.issueTokens(who); // link every demo account
});
afterEach(async () => {
  await emu.close();
  await hook.close();
});

describe('webhook signature', () => {
  it('matches the reference test vector', () => {
    expect(signWebhookBody('{"delta": {"users": [12345]}}', 'the_secret')).toBe('0a8c16b085420b960dc78664279fe09e936a2a01b1f91064869d9e77dfd64529');
  });
});

describe('notifications', () => {
  it('a collaborator leaving in Dropbox notifies that collaborator, signed over the exact body, and not the owner', async () => {
    emu.control.act({ as: LEO, action: 'leave_folder', folder: 'Midnight Drive' });
    await emu.control.webhooks.flush();
    expect(hook.received).toHaveLength(1);
    const [{ body, headers }] = hook.received;
    expect(verify(body, headers['x-dropbox-signature'], emu.appSecret)).toBe(true);
    expect(verify(body, headers['x-dropbox-signature'], 'another-secret')).toBe(false);
    expect(headers['x-dropbox-signature']).toMatch(/^[0-9a-f]{64}$/);
    expect(headers['content-type']).toBe('application/json');
    expect(headers['user-agent']).toBe('DropboxWebhooks/1.0');
    const parsed = JSON.parse(body);
    expect(parsed.list_folder.accounts).toEqual([accountId(emu, LEO)]);
    expect(parsed.delta.users).toEqual([emu.seeded.accounts[LEO].uid]);
    expect(emu.control.webhooks.log()[0]).toMatchObject({ status: 'delivered', accounts: [accountId(emu, LEO)], duplicate: false });
  });

  it('owners are not notified of membership changes: remove, add, access change, unshare', async () => {
    emu.control.act({ as: MAYA, action: 'remove_member', folder: 'Glass Hearts', member: SAM });
    await emu.control.webhooks.flush();
    emu.control.act({ as: MAYA, action: 'add_member', folder: 'Neon Rain', member: AVA, access_level: 'viewer' });
    await emu.control.webhooks.flush(); // an invitation: nobody's tree changes
    emu.control.act({ as: AVA, action: 'accept_invite', folder: 'Neon Rain' });
    await emu.control.webhooks.flush(); // accepting mounts it in Ava's tree: only Ava is notified
    emu.control.act({ as: MAYA, action: 'change_access', folder: 'Midnight Drive', member: LEO, access_level: 'viewer' });
    await emu.control.webhooks.flush();
    emu.control.act({ as: NOAH, action: 'unshare', folder: 'Golden Hour' });
    await emu.control.webhooks.flush();
    expect(hook.received.map((r) => accountsIn(r.body))).toEqual([
      [accountId(emu, SAM)],
      [accountId(emu, AVA)],
      [accountId(emu, LEO)],
      [accountId(emu, LEO)],
    ]);
    const everyone = hook.received.flatMap((r) => accountsIn(r.body));
    expect(everyone).not.toContain(accountId(emu, MAYA));
    expect(everyone).not.toContain(accountId(emu, NOAH));
  });

  it('a file upload notifies every member with the folder mounted, owner included, batched into one notification', async () => {
    emu.control.act({ as: AVA, action: 'upload_file', folder: 'Midnight Drive', path: 'Vocals v2.wav' });
    emu.control.act({ as: AVA, action: 'upload_file', folder: 'Midnight Drive', path: 'Vocals v3.wav' });
    await emu.control.webhooks.flush();
    expect(hook.received).toHaveLength(1);
    expect(accountsIn(hook.received[0].body)).toEqual([MAYA, LEO, SAM, AVA].map((e) => accountId(emu, e)).sort());
    const users = JSON.parse(hook.received[0].body).delta.users as number[];
    expect(users.slice().sort()).toEqual([MAYA, LEO, SAM, AVA].map((e) => emu.seeded.accounts[e].uid).sort());
  });

  it('accounts that never linked the app are not notified (unless onlyLinked is off)', async () => {
    const fresh = await start({ webhookUrl: hook.url, webhookDelayMs: 10 });
    try {
      fresh.control.act({ as: LEO, action: 'leave_folder', folder: 'Neon Rain' });
      await fresh.control.webhooks.flush();
      expect(hook.received).toHaveLength(0);
      fresh.control.webhooks.configure({ onlyLinked: false });
      fresh.control.act({ as: SAM, action: 'leave_folder', folder: 'Glass Hearts' });
      await fresh.control.webhooks.flush();
      expect(hook.received.map((r) => accountsIn(r.body))).toEqual([[fresh.seeded.accounts[SAM].account_id]]);
    } finally {
      await fresh.close();
    }
  });

  it('duplicateRate 1 delivers every notification twice with the same signed body', async () => {
    emu.control.webhooks.configure({ duplicateRate: 1 });
    emu.control.act({ as: SAM, action: 'leave_folder', folder: 'Glass Hearts' });
    await emu.control.webhooks.flush();
    expect(hook.received).toHaveLength(2);
    expect(hook.received[0].body).toBe(hook.received[1].body);
    expect(hook.received[0].headers['x-dropbox-signature']).toBe(hook.received[1].headers['x-dropbox-signature']);
    expect(emu.control.webhooks.log().map((d) => d.duplicate)).toEqual([false, true]);
  });

  it('dropRate 1 loses notifications: logged as dropped, nothing sent', async () => {
    emu.control.webhooks.configure({ dropRate: 1 });
    emu.control.act({ as: SAM, action: 'leave_folder', folder: 'Glass Hearts' });
    await emu.control.webhooks.flush();
    expect(hook.received).toHaveLength(0);
    expect(emu.control.webhooks.log().map((d) => d.status)).toEqual(['dropped']);
    expect(() => emu.control.webhooks.configure({ dropRate: 2 })).toThrow(/dropRate/);
  });

  it('key order varies between deliveries', async () => {
    const orders = new Set<string>();
    for (const folder of ['Midnight Drive', 'Glass Hearts', 'Neon Rain', 'Paper Planes', 'Golden Hour']) {
      emu.control.act({ as: folder === 'Golden Hour' ? NOAH : LEO, action: 'upload_file', folder, path: 'note.txt' });
      await emu.control.webhooks.flush();
    }
    for (const r of hook.received) orders.add(Object.keys(JSON.parse(r.body)).join(','));
    expect(orders).toEqual(new Set(['delta,list_folder', 'list_folder,delta']));
  });

  it('retries non-200 answers with backoff and logs every attempt', async () => {
    const flaky = await receiver((n) => (n <= 2 ? 500 : 200));
    try {
      emu.control.webhooks.configure({ url: flaky.url });
      emu.control.act({ as: LEO, action: 'leave_folder', folder: 'Paper Planes' });
      await emu.control.webhooks.flush();
      expect(flaky.received).toHaveLength(3);
      const [d] = emu.control.webhooks.log();
      expect(d.status).toBe('delivered');
      expect(d.attempts.map((a) => a.status)).toEqual([500, 500, 200]);
    } finally {
      await flaky.close();
    }
  });

  it('gives up after the retries and marks the delivery failed', async () => {
    const down = await receiver(() => 503);
    try {
      emu.control.webhooks.configure({ url: down.url });
      emu.control.act({ as: LEO, action: 'leave_folder', folder: 'Paper Planes' });
      await emu.control.webhooks.flush();
      expect(down.received).toHaveLength(4);
      expect(emu.control.webhooks.log()[0].status).toBe('failed');
    } finally {
      await down.close();
    }
  });

  it('a viewer cannot upload: the control API answers with Dropbox’s 409 and nothing is sent', async () => {
    const res = await fetch(`${emu.url}/_control/act`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ as: LEO, action: 'upload_file', folder: 'Golden Hour', path: 'x.wav' }),
    });
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ error_summary: 'no_permission/..', error: { '.tag': 'no_permission' } });
    await emu.control.webhooks.flush();
    expect(hook.received).toHaveLength(0);
  });

  it('disabled webhooks are logged as skipped and nothing is sent', async () => {
    emu.control.webhooks.configure({ enabled: false });
    emu.control.act({ as: LEO, action: 'leave_folder', folder: 'Paper Planes' });
    await emu.control.webhooks.flush();
    expect(hook.received).toHaveLength(0);
    expect(emu.control.webhooks.log().map((d) => d.status)).toEqual(['skipped']);
  });
});
