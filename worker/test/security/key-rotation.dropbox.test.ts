// Issue 8, item 7: TOKEN_ENCRYPTION_KEY can be rotated (worker/DROPBOX.md, "Rotating the token key"). Each stored
// ciphertext names its key (v1:<key id>:…); the old key stays readable as TOKEN_ENCRYPTION_KEY_PREVIOUS while rows
// are re-sealed with the new one (on use, and by the cron for accounts not in use); ciphertexts from before
// versioning (no prefix) are still read. The test rotates a running worker with two signed-in accounts.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { decryptToken, decryptTokenWithKeys, encryptToken } from '../../src/dropbox/crypto.ts';
import { Harness } from '../dropbox/harness.ts';

const h = new Harness();
const MAYA = 'maya.rotate@keys.test';
const NOAH = 'noah.idle@keys.test';
const OLD_KEY = env.TOKEN_ENCRYPTION_KEY;
const NEW_KEY = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));

const rows = async () =>
  (
    await env.DB.prepare('SELECT account_id, refresh_token, access_token FROM dropbox_tokens ORDER BY account_id').all<{
      account_id: string;
      refresh_token: string;
      access_token: string | null;
    }>()
  ).results;
const kid = (sealed: string) => /^v1:([0-9a-f]{8}):/.exec(sealed)?.[1] ?? null;

let maya: { session: string; account: { id: string } };
let noah: { session: string; account: { id: string } };

beforeAll(async () => {
  await h.reset({
    accounts: [
      { email: MAYA, display_name: 'Maya' },
      { email: NOAH, display_name: 'Noah' },
    ],
    folders: [{ name: 'Rotation', owner: MAYA, path: '/PD/Rotation', members: [] }],
  });
  maya = await h.signIn(MAYA);
  noah = await h.signIn(NOAH);
  await h.drain();
});

describe('rotating the token key', () => {
  it('every stored token names the key that sealed it', async () => {
    const all = await rows();
    expect(all.length).toBe(2);
    const kids = new Set(all.flatMap((r) => [kid(r.refresh_token), r.access_token && kid(r.access_token)]).filter(Boolean));
    expect(kids.size).toBe(1);
    expect([...kids][0]).toMatch(/^[0-9a-f]{8}$/);
  });

  it('new key + previous key: everything keeps working, a row in use is re-sealed with the new key at once, the cron re-seals the rest', async () => {
    const oldKid = kid((await rows())[0].refresh_token);
    Object.assign(h.env, { TOKEN_ENCRYPTION_KEY: NEW_KEY, TOKEN_ENCRYPTION_KEY_PREVIOUS: OLD_KEY });

    const imported = await h.fetch('/api/v1/dropbox/import', { method: 'POST', session: maya.session, json: {} });
    expect(imported.status).toBe(200);
    const afterUse = await rows();
    const mayaRow = afterUse.find((r) => r.account_id === maya.account.id)!;
    const noahRow = afterUse.find((r) => r.account_id === noah.account.id)!;
    expect(kid(mayaRow.refresh_token)).not.toBe(oldKid);
    expect(kid(noahRow.refresh_token)).toBe(oldKid); // not used yet

    await h.cron();
    await h.drain();
    for (const r of await rows()) {
      expect(kid(r.refresh_token)).not.toBe(oldKid);
      if (r.access_token) expect(kid(r.access_token)).not.toBe(oldKid);
      // and it really is the new key that opens them
      expect(await decryptToken(NEW_KEY, r.refresh_token, `${r.account_id}:refresh`)).toEqual(expect.any(String));
    }
  });

  it('once re-sealed, the previous key can be removed: Dropbox calls still work for both accounts', async () => {
    Object.assign(h.env, { TOKEN_ENCRYPTION_KEY: NEW_KEY, TOKEN_ENCRYPTION_KEY_PREVIOUS: undefined });
    for (const who of [maya, noah]) {
      const res = await h.fetch('/api/v1/dropbox/import', { method: 'POST', session: who.session, json: {} });
      expect(res.status).toBe(200);
    }
  });

  it('a row sealed with a key the worker no longer has is not a 500: the person is asked to sign in again', async () => {
    const stranger = btoa(String.fromCharCode(...new Uint8Array(32).fill(9)));
    const sealed = await encryptToken(stranger, 'refresh-under-a-lost-key', `${noah.account.id}:refresh`);
    await env.DB.prepare('UPDATE dropbox_tokens SET refresh_token = ?, access_token = NULL WHERE account_id = ?').bind(sealed, noah.account.id).run();
    const res = await h.fetch('/api/v1/dropbox/import', { method: 'POST', session: noah.session, json: {} });
    expect([res.status, ((await res.json()) as { error: { code: string } }).error.code]).toEqual([409, 'dropbox_reauth_required']);
  });

  it('ciphertexts from before key versioning (no prefix) are still read, with the current or the previous key', async () => {
    const legacy = (await encryptToken(OLD_KEY, 'legacy-refresh', 'acc_legacy:refresh')).replace(/^v1:[0-9a-f]{8}:/, '');
    expect(await decryptToken(OLD_KEY, legacy, 'acc_legacy:refresh')).toBe('legacy-refresh');
    expect(await decryptTokenWithKeys({ current: NEW_KEY, previous: OLD_KEY }, legacy, 'acc_legacy:refresh')).toEqual({
      plaintext: 'legacy-refresh',
      stale: true,
    });
    await expect(decryptTokenWithKeys({ current: NEW_KEY }, legacy, 'acc_legacy:refresh')).rejects.toThrow();
  });
});
