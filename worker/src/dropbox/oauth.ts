// Sign in with Dropbox: the extension ran the authorize step (PKCE, no secret); the worker exchanges the code
// at the token endpoint through the SDK, reads who signed in, and stores the tokens encrypted.
import { oauthClient, clientForAccessToken, type ClientEnv } from './client.ts';
import type { users } from 'dropbox';
import { classifyDropboxError, DropboxCallError } from './errors.ts';
import { rootFromAccount, type DropboxRoot } from './root.ts';

export interface ExchangedTokens {
  accessToken: string;
  accessTokenExpiresAt: number;
  refreshToken: string;
  dropboxAccountId: string;
  email: string;
  displayName: string;
  /** users/get_current_account's account_type: 'basic' | 'pro' | 'business' */
  accountType: string | null;
  /** root_info (+ team name, is_paired): where this account's paths start (src/dropbox/root.ts). */
  root: DropboxRoot | null;
}

export class SignInError extends Error {
  constructor(
    readonly code: 'dropbox_auth_failed' | 'dropbox_offline_access_required' | 'dropbox_unavailable',
    message: string,
  ) {
    super(message);
  }
}

interface TokenResult {
  access_token?: string;
  expires_in?: number;
  refresh_token?: string;
  account_id?: string;
}

export async function exchangeCode(env: ClientEnv, input: { code: string; codeVerifier: string; redirectUri: string }): Promise<ExchangedTokens> {
  const auth = oauthClient(env);
  // The SDK puts these in the query string without encoding them; encode here so any value survives.
  auth.setCodeVerifier(encodeURIComponent(input.codeVerifier));
  let token: TokenResult;
  try {
    const res = (await auth.getAccessTokenFromCode(encodeURIComponent(input.redirectUri), encodeURIComponent(input.code))) as unknown as {
      result: TokenResult;
    };
    token = res.result;
  } catch (e) {
    const err = classifyDropboxError(e);
    if (err.kind === 'bad_request' || err.kind === 'reauth_required' || err.kind === 'auth' || err.kind === 'route') {
      throw new SignInError(
        'dropbox_auth_failed',
        'Dropbox did not accept this sign-in (the code may be expired or already used). Please sign in again.',
      );
    }
    throw new SignInError('dropbox_unavailable', `Dropbox could not be reached to finish the sign-in (${err.message}).`);
  }
  if (!token.access_token) throw new SignInError('dropbox_auth_failed', 'Dropbox returned no access token.');
  if (!token.refresh_token) {
    throw new SignInError('dropbox_offline_access_required', 'Sign-in must request offline access (token_access_type=offline).');
  }
  const client = clientForAccessToken(env, token.access_token);
  let me: users.FullAccount;
  try {
    me = await client.call((d) => d.usersGetCurrentAccount());
  } catch (e) {
    const err = e instanceof DropboxCallError ? e : classifyDropboxError(e);
    throw new SignInError('dropbox_unavailable', `Could not read the Dropbox account (${err.message}).`);
  }
  // Invitations are matched by email: an address Dropbox has not verified could be anyone's.
  if (me.email_verified === false) {
    throw new SignInError('dropbox_auth_failed', 'Your Dropbox email address is not verified yet: confirm it in Dropbox, then sign in again.');
  }
  return {
    accessToken: token.access_token,
    accessTokenExpiresAt: Date.now() + (token.expires_in ?? 14_400) * 1000,
    refreshToken: token.refresh_token,
    dropboxAccountId: me.account_id,
    email: me.email,
    displayName: me.name.display_name,
    accountType: me.account_type?.['.tag'] ?? null,
    root: rootFromAccount(me as Parameters<typeof rootFromAccount>[0]),
  };
}
