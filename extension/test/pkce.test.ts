import { describe, expect, it } from 'vitest';
import { buildAuthorizeUrl, codeChallengeS256, createCodeVerifier, createState, parseAuthorizeRedirect } from '../utils/pkce';

describe('PKCE (S256)', () => {
  it('matches the RFC 7636 appendix B example', async () => {
    expect(await codeChallengeS256('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('creates verifiers of legal length and alphabet, different every time', () => {
    const a = createCodeVerifier();
    const b = createCodeVerifier();
    expect(a).toMatch(/^[A-Za-z0-9\-_]{43,128}$/);
    expect(a).not.toBe(b);
    expect(createState()).not.toBe(createState());
  });

  it('builds the Dropbox authorize URL with offline access and S256', () => {
    const url = new URL(
      buildAuthorizeUrl({
        authorizeUrl: 'https://www.dropbox.com/oauth2/authorize',
        clientId: 'pd-app',
        redirectUri: 'https://abc.chromiumapp.org/',
        codeChallenge: 'CH',
        state: 'ST',
      }),
    );
    expect(url.origin + url.pathname).toBe('https://www.dropbox.com/oauth2/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: 'pd-app',
      response_type: 'code',
      redirect_uri: 'https://abc.chromiumapp.org/',
      state: 'ST',
      token_access_type: 'offline',
      code_challenge: 'CH',
      code_challenge_method: 'S256',
    });
  });

  it('reads the code from the redirect and refuses a foreign state or a refusal', () => {
    expect(parseAuthorizeRedirect('https://abc.chromiumapp.org/?code=C0DE&state=ST', 'ST')).toBe('C0DE');
    expect(() => parseAuthorizeRedirect('https://abc.chromiumapp.org/?code=C0DE&state=OTHER', 'ST')).toThrow(/did not match/);
    expect(() => parseAuthorizeRedirect('https://abc.chromiumapp.org/?error=access_denied&state=ST', 'ST')).toThrow(/cancelled/);
    expect(() => parseAuthorizeRedirect('https://abc.chromiumapp.org/?state=ST', 'ST')).toThrow(/no authorization code|did not return/i);
  });
});
