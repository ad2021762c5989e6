// Tokens encrypted at rest, sessions hashed: people sign in through the real flow (PKCE authorize at the Dropbox
// emulator, code exchange at the worker), the worker uses and refreshes their Dropbox tokens, and then every
// value of every column of every table in D1 is searched for the tokens — in plain text and in the encodings a
// careless implementation would use (base64, base64url, hex).
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { decryptToken } from '../../src/dropbox/crypto.ts';
import { hashToken } from '../../src/domain/index.ts';
import { everyStoredValue } from '../fuzz/db-state.ts';
import { EMULATOR, Harness, control } from '../dropbox/harness.ts';

const h = new Harness();
const OWNER = 'olivia.atrest@pd.test';
const MEMBER = 'ben.atrest@pd.test';
let owner: { session: string; account: { id: string } };
let member: { session: string; account: { id: string } };

const b64 = (s: string) => btoa(String.fromCharCode(...new TextEncoder().encode(s)));
const b64url = (s: string) => b64(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const hex = (s: string) => [...new TextEncoder().encode(s)].map((b) => b.toString(16).padStart(2, '0')).join('');

/** Where (table.column) any of these secrets, or an encoding of one, is stored. */
async function whereStored(secrets: Record<string, string>): Promise<string[]> {
  const values = await everyStoredValue();
  const found: string[] = [];
  for (const [name, secret] of Object.entries(secrets)) {
    // Long enough fragments that a match is not a coincidence; also catches a token stored cut or embedded.
    const needles = [secret, secret.slice(0, 24), secret.slice(-24), b64(secret), b64url(secret), hex(secret), hex(secret).toUpperCase()];
    for (const { table, column, value } of values) {
      if (needles.some((n) => n.length >= 16 && value.includes(n))) found.push(`${name} in ${table}.${column}`);
    }
  }
  return found;
}

async function tokens(accountId: string) {
  const row = (await env.DB.prepare('SELECT refresh_token, access_token FROM dropbox_tokens WHERE account_id = ?')
    .bind(accountId)
    .first<{ refresh_token: string; access_token: string }>())!;
  return {
    refresh: await decryptToken(env.TOKEN_ENCRYPTION_KEY, row.refresh_token, `${accountId}:refresh`),
    access: await decryptToken(env.TOKEN_ENCRYPTION_KEY, row.access_token, `${accountId}:access`),
  };
}

/** The token really is the Dropbox token (the emulator accepts it), not something the worker made up. */
async function dropboxAccepts(accessToken: string): Promise<number> {
  const res = await fetch(`${EMULATOR}/2/users/get_current_account`, { method: 'POST', headers: { Authorization: `Bearer ${accessToken}` } });
  await res.arrayBuffer();
  return res.status;
}

beforeAll(async () => {
  await h.reset({
    accounts: [
      { email: OWNER, display_name: 'Olivia AtRest' },
      { email: MEMBER, display_name: 'Ben AtRest' },
    ],
    folders: [{ name: 'Vault', owner: OWNER, path: '/PD/Vault', members: [{ account: MEMBER, access_level: 'editor' }] }],
  });
  owner = await h.signIn(OWNER);
  member = await h.signIn(MEMBER);
  await h.drain(); // both accounts' Dropbox baselines are read with their tokens
  const imported = await h.json<{ imported: { trackId: string }[] }>('/api/v1/dropbox/import', { method: 'POST', session: owner.session, json: {} });
  expect(imported.imported).toHaveLength(1);
});

describe('secrets at rest', () => {
  it('Dropbox refresh and access tokens appear nowhere in D1 in plain text (or base64/hex), only as AES-GCM ciphertext', async () => {
    const o = await tokens(owner.account.id);
    const m = await tokens(member.account.id);
    expect(await dropboxAccepts(o.access)).toBe(200);
    expect(await dropboxAccepts(m.access)).toBe(200);
    expect(
      await whereStored({
        'owner refresh token': o.refresh,
        'owner access token': o.access,
        'member refresh token': m.refresh,
        'member access token': m.access,
      }),
    ).toEqual([]);
  });

  it('a refreshed access token is stored encrypted too', async () => {
    const before = await tokens(owner.account.id);
    await control('tokens/expire', {});
    // The next Dropbox call finds the token expired, refreshes it and persists the new one.
    const again = await h.json<{ imported: unknown[] }>('/api/v1/dropbox/import', { method: 'POST', session: owner.session, json: {} });
    expect(again.imported).toHaveLength(1);
    const after = await tokens(owner.account.id);
    expect(after.access).not.toBe(before.access);
    expect(await dropboxAccepts(after.access)).toBe(200);
    expect(
      await whereStored({ 'refreshed access token': after.access, 'refresh token': after.refresh, 'expired access token': before.access }),
    ).toEqual([]);
  });

  it('session tokens are stored only as their SHA-256: the token is nowhere, its hash is in sessions.token_hash', async () => {
    expect(await whereStored({ 'owner session': owner.session, 'member session': member.session })).toEqual([]);
    const values = await everyStoredValue();
    for (const s of [owner.session, member.session]) {
      const hash = await hashToken(s);
      expect(values.filter((v) => v.value === hash).map((v) => `${v.table}.${v.column}`)).toEqual(['sessions.token_hash']);
    }
    // And the stored hash cannot be used as a session.
    const hash = await hashToken(owner.session);
    expect((await h.fetch('/api/v1/me', { session: hash })).status).toBe(401);
  });

  it('the app secret and the token key are not stored in D1, and a ciphertext is useless under another key or another account', async () => {
    expect(await whereStored({ DROPBOX_APP_SECRET: env.DROPBOX_APP_SECRET, TOKEN_ENCRYPTION_KEY: env.TOKEN_ENCRYPTION_KEY })).toEqual([]);
    const row = (await env.DB.prepare('SELECT refresh_token FROM dropbox_tokens WHERE account_id = ?')
      .bind(owner.account.id)
      .first<{ refresh_token: string }>())!;
    const otherKey = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
    await expect(decryptToken(otherKey, row.refresh_token, `${owner.account.id}:refresh`)).rejects.toThrow();
    await expect(decryptToken(env.TOKEN_ENCRYPTION_KEY, row.refresh_token, `${member.account.id}:refresh`)).rejects.toThrow();
  });

  it('the scan itself finds a token that is stored in the clear (so an empty result means something)', async () => {
    const planted = `sl.planted-${crypto.randomUUID()}-${crypto.randomUUID()}`;
    await env.DB.prepare(`UPDATE dropbox_account_sync SET last_error = ? WHERE account_id = ?`)
      .bind(`refresh failed for ${b64url(planted)}`, owner.account.id)
      .run();
    try {
      expect(await whereStored({ planted })).toEqual(['planted in dropbox_account_sync.last_error']);
    } finally {
      await env.DB.prepare(`UPDATE dropbox_account_sync SET last_error = NULL WHERE account_id = ?`).bind(owner.account.id).run();
    }
  });
});
