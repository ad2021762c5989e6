import { describe, expect, it } from 'vitest';
import { rewriteDropboxUrl } from '../src/index.ts';

describe('rewriteDropboxUrl', () => {
  it('sends every Dropbox host to the emulator origin and leaves other URLs alone', () => {
    const o = 'http://127.0.0.1:9000/';
    expect(rewriteDropboxUrl('https://api.dropboxapi.com/2/files/list_folder', o)).toBe('http://127.0.0.1:9000/2/files/list_folder');
    expect(rewriteDropboxUrl('https://api.dropboxapi.com/oauth2/token?grant_type=refresh_token', o)).toBe(
      'http://127.0.0.1:9000/oauth2/token?grant_type=refresh_token',
    );
    expect(rewriteDropboxUrl('https://content.dropboxapi.com/2/files/upload', o)).toBe('http://127.0.0.1:9000/2/files/upload');
    expect(rewriteDropboxUrl('https://www.dropbox.com/oauth2/authorize?client_id=x', o)).toBe('http://127.0.0.1:9000/oauth2/authorize?client_id=x');
    expect(rewriteDropboxUrl('https://dropbox.com/oauth2/authorize?client_id=x', o)).toBe('http://127.0.0.1:9000/oauth2/authorize?client_id=x');
    expect(rewriteDropboxUrl('https://api.dropboxapi.com.evil.example/2/x', o)).toBe('https://api.dropboxapi.com.evil.example/2/x');
    expect(rewriteDropboxUrl('https://example.com/2/x', o)).toBe('https://example.com/2/x');
  });
});
