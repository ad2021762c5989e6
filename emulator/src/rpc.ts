/**
 * The RPC pipeline every /2/<route> goes through, in Dropbox's order: fault injection, Content-Type and JSON
 * checks (400 plain text), Bearer auth (401 JSON), the handler (200 JSON or 409 route error), and the call log.
 */
import type { Context, Hono } from 'hono';
import type { AccessToken, EmulatorContext } from './context.ts';
import { AuthError, BadRequest, RouteError, summaryOf, taggedError, type Tagged } from './errors.ts';
import type { Fault } from './faults.ts';
import { inTree, routeSpec, tagPath, type RouteSpec } from './spec.ts';
import type { Account } from './state.ts';
import { PathRootError, pathRootView, type PathView } from './path-root.ts';
import { sleep } from './util.ts';

export interface RpcCall {
  acc: Account;
  token: AccessToken;
  args: Record<string, unknown>;
  /** upload-style routes: the raw body */
  body?: Uint8Array;
  /** a 'job_failed' fault for this route, if one fires: the async job fails with this tag */
  jobFailure?: Tagged;
  /** The namespace the call's paths are relative to (Dropbox-API-Path-Root; default: the caller's home). */
  view: PathView;
}

type Handler = (call: RpcCall) => unknown;

const JSON_TYPES = ['application/json', 'application/json; charset=utf-8', 'text/plain; charset=dropbox-cors-hack'];

export function plain(c: Context, status: number, text: string, headers: Record<string, string> = {}) {
  return new Response(text, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', ...headers } });
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
}

/** The response a fault produces, or null for faults that only delay. */
export async function faultResponse(ctx: EmulatorContext, f: Fault, apiName: string): Promise<Response | null> {
  switch (f.kind) {
    case 'slow':
      await abortableSleep(ctx, f.delayMs ?? 1500);
      return null;
    case 'timeout':
      await abortableSleep(ctx, f.delayMs ?? 30_000);
      return new Response('Gateway Timeout', { status: 504, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
    case 'rate_limit':
    case '429': {
      const retryAfter = f.retryAfter ?? 1;
      const headers = { 'Retry-After': String(retryAfter) };
      if (ctx.faults.plainText429(f))
        return new Response('Too Many Requests', { status: 429, headers: { ...headers, 'Content-Type': 'text/plain; charset=utf-8' } });
      const reason = f.reason ?? 'too_many_requests';
      return json(429, { error_summary: `${reason}/...`, error: { reason: { '.tag': reason }, retry_after: retryAfter } }, headers);
    }
    case '500':
      return new Response(`Error in call to API function "${apiName}": Internal Server Error`, {
        status: 500,
        headers: { 'Content-Type': 'text/plain; charset=utf-8' },
      });
    case '503': {
      const headers: Record<string, string> = { 'Content-Type': 'text/plain; charset=utf-8' };
      if (f.retryAfter !== undefined) headers['Retry-After'] = String(f.retryAfter);
      return new Response('Service Unavailable', { status: 503, headers });
    }
    case 'expired_token':
      return json(401, new AuthError('expired_access_token').body());
    case 'error': {
      const status = f.status ?? 409;
      const err = taggedError(f.error ?? 'no_permission', f.value);
      if (status === 400)
        return new Response(`Error in call to API function "${apiName}": ${summaryOf(err)}`, {
          status,
          headers: { 'Content-Type': 'text/plain; charset=utf-8' },
        });
      if (status === 409) return json(409, new RouteError(err).body());
      return json(status, { error_summary: summaryOf(err) + '..', error: err });
    }
    default:
      return null;
  }
}

async function abortableSleep(ctx: EmulatorContext, ms: number) {
  if (ctx.closeSignal.signal.aborted) return;
  await Promise.race([sleep(ms), new Promise((r) => ctx.closeSignal.signal.addEventListener('abort', r, { once: true }))]);
}

export function authenticate(ctx: EmulatorContext, header: string | undefined, apiName: string): AccessToken {
  if (!header) throw new BadRequest(`Must provide HTTP header "Authorization" or URL parameter "authorization".`);
  const m = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!m)
    throw new BadRequest(
      `Invalid authorization value in HTTP header "Authorization": "${header.slice(0, 20)}".  Expecting "Bearer <oauth2-access-token>".`,
    );
  const t = ctx.tokens.get(m[1]);
  if (!t || t.revoked) throw new AuthError('invalid_access_token');
  if (t.expiresAt <= ctx.now()) throw new AuthError('expired_access_token');
  void apiName;
  return t;
}

/** Every /2/ route the emulator serves (for the spec conformance test). */
export const servedRoutes = new Set<string>();

/**
 * The arguments as the handler sees them: a field the spec does not define was already refused (400); reading one
 * is an emulator bug (the route would depend on something Dropbox never sends).
 */
function specArgs(spec: RouteSpec, apiName: string, args: Record<string, unknown>): Record<string, unknown> {
  const fields = spec.arg.fields ?? {};
  for (const k of Object.keys(args)) if (!Object.hasOwn(fields, k)) throw new BadRequest(`request body: unknown field '${k}'`);
  return new Proxy(args, {
    get(target, key, receiver) {
      // (property names every object answers — toJSON, then, hasOwnProperty… — are not arguments)
      if (typeof key === 'string' && !Object.hasOwn(fields, key) && !(key in Object.prototype) && key !== 'toJSON' && key !== 'then')
        throw new Error(`emulator bug: ${apiName} reads argument '${key}', which the spec does not define`);
      return Reflect.get(target, key, receiver);
    },
  });
}

/** Register POST /2/<apiName>. `noArgs` routes take no body (users/get_current_account). */
export function rpc(
  app: Hono,
  ctx: EmulatorContext,
  apiName: string,
  handler: Handler,
  opts: { noArgs?: boolean; jobs?: boolean; upload?: boolean } = {},
) {
  const route = '2/' + apiName;
  const spec = routeSpec(apiName);
  if (!spec) throw new Error(`emulator route ${apiName} is not in Dropbox's spec (shared/dropbox-spec/table.json)`);
  servedRoutes.add(apiName);
  app.post('/' + route, async (c) => {
    const started = Date.now();
    let accountId: string | null = null;
    let faultKind: string | undefined;
    const finish = (res: Response) => {
      ctx.recordCall({ at: ctx.now(), route, account_id: accountId, status: res.status, ms: Date.now() - started, fault: faultKind });
      return res;
    };
    let deferred: Fault | undefined;
    const bearer = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization')?.trim() ?? '');
    const fault = ctx.faults.pick(route, undefined, bearer ? ctx.tokens.get(bearer[1])?.account_id : null);
    if (fault) {
      faultKind = fault.kind;
      if (fault.afterEffect && fault.kind !== 'slow') deferred = fault;
      else {
        const r = await faultResponse(ctx, fault, apiName);
        if (r) return finish(r);
      }
    }
    try {
      const ctype = (c.req.header('content-type') ?? '').toLowerCase().trim();
      let raw = '';
      let bytes: Uint8Array | undefined;
      if (opts.upload) bytes = new Uint8Array(await c.req.arrayBuffer());
      else raw = await c.req.text();
      let args: Record<string, unknown> = {};
      if (opts.upload) {
        if (ctype !== 'application/octet-stream' && ctype !== 'text/plain; charset=dropbox-cors-hack') {
          throw new BadRequest(
            `Bad HTTP "Content-Type" header: "${ctype}".  Expecting one of "application/octet-stream", "text/plain; charset=dropbox-cors-hack".`,
          );
        }
        raw = c.req.header('dropbox-api-arg') ?? '';
        if (!raw) throw new BadRequest('Must provide HTTP header "Dropbox-API-Arg" or URL parameter "arg".');
      } else if (opts.noArgs) {
        if (raw.trim() !== '' && raw.trim() !== 'null') {
          throw new BadRequest(`request body: expected null, got value`);
        }
      } else {
        if (!JSON_TYPES.includes(ctype)) {
          throw new BadRequest(
            `Bad HTTP "Content-Type" header: "${ctype}".  Expecting one of "application/json", "application/json; charset=utf-8", "text/plain; charset=dropbox-cors-hack".`,
          );
        }
      }
      const token = authenticate(ctx, c.req.header('authorization'), apiName);
      accountId = token.account_id;
      if (!opts.noArgs) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(raw);
        } catch {
          throw new BadRequest(
            opts.upload ? 'HTTP header "Dropbox-API-Arg": could not decode input as JSON' : 'request body: could not decode input as JSON',
          );
        }
        if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
          throw new BadRequest('request body: expected object, got ' + (Array.isArray(parsed) ? 'list' : typeof parsed));
        args = specArgs(spec, apiName, parsed as Record<string, unknown>);
      }
      const acc = ctx.state.accounts.get(token.account_id);
      if (!acc) throw new AuthError('invalid_access_token');
      const view = pathRootView(ctx.state, acc, c.req.header('dropbox-api-path-root'));
      const jf = opts.jobs ? ctx.faults.pick(route, ['job_failed'], acc.account_id) : undefined;
      const jobFailure = jf ? taggedError(jf.errorTag ?? 'no_permission', jf.value) : undefined;
      if (jf) faultKind = 'job_failed';
      const result = await handler({ acc, token, args, jobFailure, body: bytes, view });
      if (deferred) {
        const r = await faultResponse(ctx, deferred, apiName);
        if (r) return finish(r);
      }
      return finish(json(200, result === undefined ? null : result));
    } catch (e) {
      return finish(errorResponse(e, apiName, spec));
    }
  });
}

export function errorResponse(e: unknown, apiName: string, spec?: RouteSpec): Response {
  if (e instanceof RouteError) {
    // The emulator may only answer what Dropbox documents for this route.
    if (spec && !inTree(spec.error.tags, tagPath(e.error))) {
      console.error(`[dropbox-emulator] emulator bug: ${apiName} answered ${summaryOf(e.error)}, which is not in ${spec.error.type}`);
      return new Response(`Error in call to API function "${apiName}": emulator bug: ${summaryOf(e.error)} is not in the spec's ${spec.error.type}`, {
        status: 500,
        headers: { 'Content-Type': 'text/plain; charset=utf-8' },
      });
    }
    return json(409, e.body());
  }
  if (e instanceof AuthError) return json(401, e.body());
  // A Dropbox-API-Path-Root the caller cannot use: 422 with a PathRootError (common.stone).
  if (e instanceof PathRootError) return json(422, e.body());
  if (e instanceof BadRequest)
    return new Response(`Error in call to API function "${apiName}": ${e.message}`, {
      status: 400,
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
    });
  console.error('[dropbox-emulator] internal error in', apiName, e);
  return new Response(`Error in call to API function "${apiName}": Internal Server Error`, {
    status: 500,
    headers: { 'Content-Type': 'text/plain; charset=utf-8' },
  });
}
