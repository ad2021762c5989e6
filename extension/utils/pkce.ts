// OAuth 2 PKCE (RFC 7636, S256) for "Sign in with Dropbox". The verifier never leaves the background's memory
// except to the worker, which exchanges the code; the extension holds no Dropbox secret.
import { t } from './i18n';

function base64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** 64 random bytes → 86 URL-safe characters (RFC 7636 allows 43–128). */
export function createCodeVerifier(): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(64)));
}

export async function codeChallengeS256(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64Url(new Uint8Array(digest));
}

export function createState(): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(16)));
}

export interface AuthorizeParams {
  authorizeUrl: string;
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  state: string;
}

export function buildAuthorizeUrl(p: AuthorizeParams): string {
  const url = new URL(p.authorizeUrl);
  url.searchParams.set('client_id', p.clientId);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('redirect_uri', p.redirectUri);
  url.searchParams.set('state', p.state);
  url.searchParams.set('token_access_type', 'offline');
  url.searchParams.set('code_challenge', p.codeChallenge);
  url.searchParams.set('code_challenge_method', 'S256');
  return url.toString();
}

export class SignInError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SignInError';
  }
}

/** Reads the code from the URL Dropbox redirected to; rejects a wrong state (CSRF) and Dropbox's error replies. */
export function parseAuthorizeRedirect(redirectedTo: string, expectedState: string): string {
  const url = new URL(redirectedTo);
  // Dropbox answers in the query; tolerate a fragment too.
  const fromHash = new URLSearchParams(url.hash.slice(1));
  const params =
    url.searchParams.has('state') || url.searchParams.has('code') || url.searchParams.has('error') || !fromHash.has('state')
      ? url.searchParams
      : fromHash;
  const error = params.get('error');
  if (error) {
    const description = params.get('error_description');
    if (error === 'access_denied') throw new SignInError('sign_in_cancelled', t('sign_in_cancelled'));
    throw new SignInError('sign_in_failed', t('sign_in_refused', description || error));
  }
  if (params.get('state') !== expectedState) {
    throw new SignInError('sign_in_state_mismatch', t('sign_in_state_mismatch'));
  }
  const code = params.get('code');
  if (!code) throw new SignInError('sign_in_failed', t('sign_in_no_code'));
  return code;
}
