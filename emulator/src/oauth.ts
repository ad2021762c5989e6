/**
 * OAuth 2 like Dropbox's: the authorize page (web origin) and the token endpoint (API origin), with PKCE S256,
 * single-use codes, 4-hour `sl.` access tokens, refresh tokens only for token_access_type=offline, and standard
 * OAuth JSON errors (400 {"error":"invalid_grant","error_description":…}).
 */
import type { Hono } from 'hono';
import { ACCESS_TOKEN_TTL_S, DEFAULT_SCOPE, type EmulatorContext } from './context.ts';
import { faultResponse, json } from './rpc.ts';
import type { Account } from './state.ts';
import { randomToken, sha256Base64Url } from './util.ts';

export class OAuthPageError extends Error {}

export interface AuthorizeParams {
  client_id?: string;
  response_type?: string;
  redirect_uri?: string;
  state?: string;
  code_challenge?: string;
  code_challenge_method?: string;
  token_access_type?: string;
  scope?: string;
  login_hint?: string;
}

const PKCE_CHARS = /^[A-Za-z0-9\-._~]{43,128}$/;

/** Checks the authorize request the way Dropbox's page does; throws OAuthPageError with the page's message. */
export function validateAuthorize(ctx: EmulatorContext, p: AuthorizeParams) {
  if (!p.client_id) throw new OAuthPageError('Missing client_id.');
  if (p.client_id !== ctx.options.appKey) throw new OAuthPageError(`Invalid client_id: "${p.client_id}".`);
  if (p.response_type !== 'code')
    throw new OAuthPageError(`Invalid response_type: "${p.response_type ?? ''}". This app must use response_type=code.`);
  if (!p.redirect_uri) throw new OAuthPageError('Missing redirect_uri.');
  let u: URL;
  try {
    u = new URL(p.redirect_uri);
  } catch {
    throw new OAuthPageError(`Invalid redirect_uri: "${p.redirect_uri}".`);
  }
  const allowed = ctx.options.redirectUris;
  const localhost = u.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname);
  if (allowed ? !allowed.includes(p.redirect_uri) : !(u.protocol === 'https:' || localhost)) {
    throw new OAuthPageError(
      `Invalid redirect_uri: "${p.redirect_uri}". It must exactly match one of the redirect URIs you've pre-configured for your app (including the path).`,
    );
  }
  if (p.code_challenge !== undefined || p.code_challenge_method !== undefined) {
    if (!p.code_challenge) throw new OAuthPageError('Missing code_challenge.');
    if (p.code_challenge_method !== 'S256') throw new OAuthPageError(`Invalid code_challenge_method: "${p.code_challenge_method ?? ''}". Use S256.`);
    if (!PKCE_CHARS.test(p.code_challenge)) throw new OAuthPageError('Invalid code_challenge.');
  }
  if (p.token_access_type && !['online', 'offline', 'legacy'].includes(p.token_access_type)) {
    throw new OAuthPageError(`Invalid token_access_type: "${p.token_access_type}".`);
  }
}

/** The user picked an account and approved: a single-use code and the redirect URL carrying it. */
export function approve(ctx: EmulatorContext, p: AuthorizeParams, acc: Account): { code: string; redirect: string } {
  validateAuthorize(ctx, p);
  const code = randomToken(43);
  ctx.codes.set(code, {
    code,
    account_id: acc.account_id,
    client_id: p.client_id!,
    redirect_uri: p.redirect_uri ?? null,
    code_challenge: p.code_challenge ?? null,
    token_access_type: p.token_access_type ?? null,
    scope: p.scope || DEFAULT_SCOPE,
    expiresAt: ctx.now() + 10 * 60 * 1000,
    used: false,
  });
  const u = new URL(p.redirect_uri!);
  u.searchParams.set('code', code);
  if (p.state !== undefined) u.searchParams.set('state', p.state);
  return { code, redirect: u.toString() };
}

function deny(p: AuthorizeParams): string {
  const u = new URL(p.redirect_uri!);
  u.searchParams.set('error', 'access_denied');
  u.searchParams.set('error_description', 'The user chose not to give your app access to their Dropbox account.');
  if (p.state !== undefined) u.searchParams.set('state', p.state);
  return u.toString();
}

const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

function page(title: string, body: string, status = 200) {
  return new Response(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;color:#1e1919}h1{font-size:1.4rem}
button{display:block;width:100%;text-align:left;padding:.7rem 1rem;margin:.4rem 0;border:1px solid #bbb5ae;background:#fff;border-radius:6px;cursor:pointer;font-size:1rem}
button:hover{background:#f7f5f2}.email{color:#736c64;font-size:.85rem}.cancel{text-align:center;color:#736c64}</style></head>
<body>${body}</body></html>`,
    { status, headers: { 'Content-Type': 'text/html; charset=utf-8', 'X-Frame-Options': 'DENY' } },
  );
}

function errorPage(message: string) {
  return page(
    'Dropbox - 400',
    `<h1>Error (400)</h1><p>It seems the app you were using submitted a bad request. If you would like to report this error to the app's developer, include the information below.</p><p data-testid="oauth-error">${esc(message)}</p>`,
    400,
  );
}

const PARAM_KEYS: (keyof AuthorizeParams)[] = [
  'client_id',
  'response_type',
  'redirect_uri',
  'state',
  'code_challenge',
  'code_challenge_method',
  'token_access_type',
  'scope',
  'login_hint',
];

function pick(get: (k: string) => string | undefined): AuthorizeParams {
  const p: AuthorizeParams = {};
  for (const k of PARAM_KEYS) {
    const v = get(k);
    if (v !== undefined && v !== null) p[k] = v;
  }
  return p;
}

type TokenErrorCode = 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unsupported_grant_type';
const tokenError = (error: TokenErrorCode, error_description: string, status = 400) => json(status, { error, error_description });

/** The account a token request is about (refresh token or code), for account-scoped faults. */
function faultAccount(ctx: EmulatorContext, params: Map<string, string>): string | null {
  const rt = ctx.refreshTokens.get(params.get('refresh_token') ?? '');
  if (rt) return rt.account_id;
  return ctx.codes.get(params.get('code') ?? '')?.account_id ?? null;
}

export function registerOAuth(app: Hono, ctx: EmulatorContext) {
  app.get('/oauth2/authorize', (c) => {
    const p = pick((k) => c.req.query(k));
    try {
      validateAuthorize(ctx, p);
    } catch (e) {
      if (e instanceof OAuthPageError) return errorPage(e.message);
      throw e;
    }
    const accounts = [...ctx.state.accounts.values()];
    // Emulator shortcut: a login_hint naming a seeded account approves at once (tests, scripted demos).
    const hinted = p.login_hint ? ctx.state.findAccount(p.login_hint) : undefined;
    if (hinted) return c.redirect(approve(ctx, p, hinted).redirect, 302);
    const hidden = PARAM_KEYS.filter((k) => p[k] !== undefined)
      .map((k) => `<input type="hidden" name="${k}" value="${esc(p[k]!)}">`)
      .join('');
    const buttons = accounts
      .map(
        (a) =>
          `<button type="submit" name="account" value="${esc(a.account_id)}" data-email="${esc(a.email)}">${esc(a.display_name)}<br><span class="email">${esc(a.email)}</span></button>`,
      )
      .join('');
    return page(
      'API Request Authorization - Dropbox',
      `<h1>Choose an account</h1><p>Signing in to <b>${esc(p.client_id!)}</b> (local Dropbox emulator). The app will be able to see your shared folders and their members.</p>
<form method="post" action="/oauth2/authorize">${hidden}${buttons || '<p>No accounts are seeded.</p>'}
<button type="submit" name="deny" value="1" class="cancel">Cancel</button></form>`,
    );
  });

  app.post('/oauth2/authorize', async (c) => {
    const form = await c.req.parseBody();
    const get = (k: string) => (typeof form[k] === 'string' ? (form[k] as string) : undefined);
    const p = pick(get);
    try {
      validateAuthorize(ctx, p);
    } catch (e) {
      if (e instanceof OAuthPageError) return errorPage(e.message);
      throw e;
    }
    if (get('deny')) return c.redirect(deny(p), 302);
    const acc = ctx.state.findAccount(get('account'));
    if (!acc) return errorPage('Unknown account.');
    return c.redirect(approve(ctx, p, acc).redirect, 302);
  });

  app.post('/oauth2/token', async (c) => {
    const started = Date.now();
    let accountId: string | null = null;
    let faultKind: string | undefined;
    const finish = (res: Response) => {
      ctx.recordCall({ at: ctx.now(), route: 'oauth2/token', account_id: accountId, status: res.status, ms: Date.now() - started, fault: faultKind });
      return res;
    };
    // Dropbox takes parameters from the query string (the SDK sends them there) or a form body.
    const params = new Map<string, string>(Object.entries(c.req.query()));
    const ctype = (c.req.header('content-type') ?? '').toLowerCase();
    if (ctype.startsWith('application/x-www-form-urlencoded')) {
      const body = new URLSearchParams(await c.req.text());
      for (const [k, v] of body) params.set(k, v);
    }
    const basic = /^Basic\s+(.+)$/i.exec(c.req.header('authorization') ?? '');
    if (basic) {
      const [id, secret] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
      if (id) params.set('client_id', id);
      if (secret !== undefined) params.set('client_secret', secret);
    }
    const fault = ctx.faults.pick('oauth2/token', undefined, faultAccount(ctx, params));
    if (fault) {
      faultKind = fault.kind;
      if (fault.kind === 'expired_token') return finish(tokenError('invalid_grant', 'refresh token has been revoked'));
      const r = await faultResponse(ctx, fault, 'oauth2/token');
      if (r) return finish(r);
    }
    const clientId = params.get('client_id');
    const secret = params.get('client_secret');
    const grant = params.get('grant_type');
    if (!grant) return finish(tokenError('invalid_request', 'No grant_type'));
    if (grant !== 'authorization_code' && grant !== 'refresh_token')
      return finish(tokenError('unsupported_grant_type', `unsupported grant_type: ${grant}`));
    if (!clientId || clientId !== ctx.options.appKey)
      return finish(tokenError('invalid_client', 'Invalid client_id or client_secret', basic ? 401 : 400));
    if (secret !== undefined && secret !== ctx.options.appSecret)
      return finish(tokenError('invalid_client', 'Invalid client_id or client_secret', basic ? 401 : 400));

    if (grant === 'authorization_code') {
      const code = ctx.codes.get(params.get('code') ?? '');
      if (!code || code.expiresAt < ctx.now()) return finish(tokenError('invalid_grant', "code doesn't exist or has expired"));
      if (code.used) return finish(tokenError('invalid_grant', 'code has already been used'));
      if (code.client_id !== clientId) return finish(tokenError('invalid_grant', 'code was issued to a different client'));
      if (code.redirect_uri !== null && params.get('redirect_uri') !== code.redirect_uri)
        return finish(tokenError('invalid_grant', 'redirect_uri mismatch'));
      if (code.code_challenge) {
        const verifier = params.get('code_verifier');
        if (!verifier) return finish(tokenError('invalid_request', 'No code_verifier provided'));
        if (!PKCE_CHARS.test(verifier) || sha256Base64Url(verifier) !== code.code_challenge)
          return finish(tokenError('invalid_grant', 'invalid code verifier'));
      } else if (secret === undefined) {
        return finish(tokenError('invalid_request', 'No auth function available for given request'));
      }
      code.used = true;
      const acc = ctx.state.accounts.get(code.account_id);
      if (!acc) return finish(tokenError('invalid_grant', 'the account no longer exists'));
      accountId = acc.account_id;
      const { access, refresh } = ctx.issueTokens(acc, {
        offline: code.token_access_type === 'offline',
        pkce: !!code.code_challenge,
        client_id: clientId,
        scope: code.scope,
      });
      const body: Record<string, unknown> = {
        access_token: access.token,
        token_type: 'bearer',
        expires_in: ACCESS_TOKEN_TTL_S,
        scope: access.scope,
        uid: String(acc.uid),
        account_id: acc.account_id,
      };
      if (refresh) body.refresh_token = refresh.token;
      return finish(json(200, body));
    }

    const rt = ctx.refreshTokens.get(params.get('refresh_token') ?? '');
    if (!rt) return finish(tokenError('invalid_grant', 'refresh token is malformed'));
    if (rt.revoked) return finish(tokenError('invalid_grant', 'refresh token has been revoked'));
    if (rt.client_id !== clientId) return finish(tokenError('invalid_grant', 'refresh token was issued to a different client'));
    if (!rt.pkce && secret === undefined) return finish(tokenError('invalid_request', 'No auth function available for given request'));
    accountId = rt.account_id;
    const access = ctx.newAccessToken(rt.account_id, rt.scope, rt.token);
    return finish(json(200, { access_token: access.token, token_type: 'bearer', expires_in: ACCESS_TOKEN_TTL_S }));
  });
}
