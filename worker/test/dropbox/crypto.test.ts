import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { decryptToken, encryptToken, TokenKeyError } from '../../src/dropbox/crypto.ts';
import { rewriteDropboxUrl } from '../../src/dropbox/origins.ts';

describe('token encryption (AES-GCM)', () => {
  it('round-trips, with a fresh IV per value', async () => {
    const a = await encryptToken(env.TOKEN_ENCRYPTION_KEY, 'refresh-token-value', 'acc_1:refresh');
    const b = await encryptToken(env.TOKEN_ENCRYPTION_KEY, 'refresh-token-value', 'acc_1:refresh');
    expect(a).not.toBe(b);
    expect(a).not.toContain('refresh-token-value');
    expect(await decryptToken(env.TOKEN_ENCRYPTION_KEY, a, 'acc_1:refresh')).toBe('refresh-token-value');
    expect(await decryptToken(env.TOKEN_ENCRYPTION_KEY, b, 'acc_1:refresh')).toBe('refresh-token-value');
  });

  it('does not decrypt under another account/field, another key, or after tampering', async () => {
    const sealed = await encryptToken(env.TOKEN_ENCRYPTION_KEY, 'secret', 'acc_1:refresh');
    await expect(decryptToken(env.TOKEN_ENCRYPTION_KEY, sealed, 'acc_2:refresh')).rejects.toThrow();
    await expect(decryptToken(env.TOKEN_ENCRYPTION_KEY, sealed, 'acc_1:access')).rejects.toThrow();
    const otherKey = btoa(String.fromCharCode(...new Uint8Array(32).fill(7)));
    await expect(decryptToken(otherKey, sealed, 'acc_1:refresh')).rejects.toThrow();
    const [, kid, b64] = sealed.split(':'); // v1:<key id>:<base64>
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    bytes[bytes.length - 1] ^= 1;
    await expect(decryptToken(env.TOKEN_ENCRYPTION_KEY, `v1:${kid}:${btoa(String.fromCharCode(...bytes))}`, 'acc_1:refresh')).rejects.toThrow();
  });

  it('refuses a key that is not 32 bytes of base64', async () => {
    await expect(encryptToken(btoa('short'), 'x', 'c')).rejects.toBeInstanceOf(TokenKeyError);
    await expect(encryptToken(undefined, 'x', 'c')).rejects.toBeInstanceOf(TokenKeyError);
  });
});

describe('Dropbox origins', () => {
  const real = { DROPBOX_API_ORIGIN: 'https://api.dropboxapi.com', DROPBOX_WEB_ORIGIN: 'https://www.dropbox.com' } as unknown as Env;
  const local = { DROPBOX_API_ORIGIN: 'http://127.0.0.1:9999/', DROPBOX_WEB_ORIGIN: 'http://127.0.0.1:9999' } as unknown as Env;

  it('leaves real Dropbox URLs alone by default', () => {
    for (const u of [
      'https://api.dropboxapi.com/2/files/list_folder',
      'https://content.dropboxapi.com/2/files/upload',
      'https://www.dropbox.com/oauth2/authorize?x=1',
    ]) {
      expect(rewriteDropboxUrl(real, u)).toBe(u);
    }
  });

  it('sends every Dropbox host to the configured origins', () => {
    expect(rewriteDropboxUrl(local, 'https://api.dropboxapi.com/oauth2/token?grant_type=refresh_token')).toBe(
      'http://127.0.0.1:9999/oauth2/token?grant_type=refresh_token',
    );
    expect(rewriteDropboxUrl(local, 'https://content.dropboxapi.com/2/files/upload')).toBe('http://127.0.0.1:9999/2/files/upload');
    expect(rewriteDropboxUrl(local, 'https://www.dropbox.com/oauth2/authorize')).toBe('http://127.0.0.1:9999/oauth2/authorize');
    expect(rewriteDropboxUrl(local, 'https://api.dropboxapi.com.evil.example/2/x')).toBe('https://api.dropboxapi.com.evil.example/2/x');
  });
});
