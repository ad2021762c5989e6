/**
 * The control API: seed data, act as a user directly in "Dropbox", inject faults, steer webhooks, read the call log.
 * HTTP under /_control (JSON, no auth) and the same operations as typed methods (startEmulator().control).
 */
import type { Hono } from 'hono';
import type { CallRecord, EmulatorContext, SeedOption } from './context.ts';
import { RouteError } from './errors.ts';
import { FAULT_KINDS, type Fault, type FaultSpec } from './faults.ts';
import { taggedError } from './errors.ts';
import { inTree, routeSpec, specTable, tagPath } from './spec.ts';
import { approve, OAuthPageError, type AuthorizeParams } from './oauth.ts';
import { SeedError, type SeedResult, type SeedSpec } from './seed.ts';
import { ACCESS_LEVELS, PLANS, type AccessLevel, type Account, type MemberSelector, type Plan, type SharedFolder } from './state.ts';
import type { WebhookDelivery, WebhookSettings } from './webhooks.ts';

export class ControlError extends Error {
  constructor(
    public code: string,
    message: string,
    public status = 400,
  ) {
    super(message);
  }
}

/** Identify a folder by shared_folder_id or by name (folder). */
export interface FolderRef {
  shared_folder_id?: string;
  folder?: string;
}

export type ActRequest = { as: string } & FolderRef &
  (
    | { action: 'leave_folder'; leave_a_copy?: boolean }
    | { action: 'remove_member'; member: string; leave_a_copy?: boolean }
    | { action: 'unshare'; leave_a_copy?: boolean }
    | { action: 'upload_file'; path: string; size?: number }
    | { action: 'add_member'; member: string; access_level?: AccessLevel }
    | { action: 'change_access'; member: string; access_level: AccessLevel }
    | { action: 'rename_mount'; path: string }
    | { action: 'accept_invite' }
    | { action: 'decline_invite' }
    | { action: 'add_group'; group: string; access_level?: AccessLevel }
    | { action: 'set_plan'; plan: Plan }
  );

export interface ActResult {
  ok: true;
  action: string;
  shared_folder_id?: string;
  path?: string;
  async_job_id?: string;
}

export interface StateDump {
  seq: number;
  accounts: {
    account_id: string;
    uid: number;
    email: string;
    display_name: string;
    linked: boolean;
    plan: Plan;
    mounts: { shared_folder_id: string; path: string }[];
    private_paths: string[];
    log_length: number;
  }[];
  folders: {
    shared_folder_id: string;
    folder_id: string;
    name: string;
    owner: string;
    unshared: boolean;
    acl_update_policy: string;
    members: { account_id: string; email: string; access_type: AccessLevel }[];
    invitees: { email: string; access_type: AccessLevel; account_id?: string }[];
    groups: { group_id: string; group_name: string; access_type: AccessLevel; members: string[] }[];
    files: { path: string; size: number; id: string }[];
  }[];
  tokens: { account_id: string; expires_at: number; revoked: boolean }[];
}

export interface ControlAuthorizeRequest {
  /** email or account_id */
  account: string;
  client_id: string;
  redirect_uri: string;
  code_challenge?: string;
  code_challenge_method?: string;
  state?: string;
  token_access_type?: string;
  scope?: string;
}

export class Control {
  constructor(private ctx: EmulatorContext) {}

  reset(seed: SeedOption = 'empty'): SeedResult {
    return this.ctx.reset(seed);
  }

  seed(spec: SeedSpec | 'demo'): SeedResult {
    return this.ctx.seed(spec);
  }

  state(): StateDump {
    const st = this.ctx.state;
    return {
      seq: st.seq,
      accounts: [...st.accounts.values()].map((a) => ({
        account_id: a.account_id,
        uid: a.uid,
        email: a.email,
        display_name: a.display_name,
        linked: a.linked,
        plan: a.plan,
        mounts: [...a.mounts].map(([shared_folder_id, path]) => ({ shared_folder_id, path })),
        private_paths: [...a.items.values()].map((i) => i.path_display).sort(),
        log_length: a.log.length,
      })),
      folders: [...st.folders.values()].map((f) => ({
        shared_folder_id: f.shared_folder_id,
        folder_id: f.folder_id,
        name: f.name,
        owner: f.owner,
        unshared: f.unshared,
        acl_update_policy: f.acl_update_policy,
        members: [...f.members].map(([id, m]) => ({ account_id: id, email: st.accounts.get(id)?.email ?? '', access_type: m.access_type })),
        invitees: [...f.invitees.values()].map((i) => ({
          email: i.email,
          access_type: i.access_type,
          ...(i.account_id ? { account_id: i.account_id } : {}),
        })),
        groups: [...f.groups].map(([gid, g]) => {
          const group = st.groups.get(gid);
          return {
            group_id: gid,
            group_name: group?.group_name ?? '',
            access_type: g.access_type,
            members: [...(group?.members ?? [])].map((id) => st.accounts.get(id)?.email ?? id),
          };
        }),
        files: [...f.files.values()].map((x) => ({ path: x.rel, size: x.size, id: x.id })),
      })),
      tokens: [...this.ctx.tokens.values()].map((t) => ({ account_id: t.account_id, expires_at: t.expiresAt, revoked: t.revoked })),
    };
  }

  private account(ref: unknown, field = 'as'): Account {
    if (typeof ref !== 'string' && typeof ref !== 'number') throw new ControlError('bad_request', `${field} is required (email or account_id)`);
    const a = this.ctx.state.findAccount(ref);
    if (!a) throw new ControlError('unknown_account', `No account ${String(ref)}`, 404);
    return a;
  }

  private folder(ref: FolderRef, actor?: Account): SharedFolder {
    const st = this.ctx.state;
    if (ref.shared_folder_id !== undefined) {
      const f = st.folders.get(String(ref.shared_folder_id));
      if (!f) throw new ControlError('unknown_folder', `No shared folder ${ref.shared_folder_id}`, 404);
      return f;
    }
    if (typeof ref.folder === 'string') {
      const all = [...st.folders.values()].filter((f) => !f.unshared && f.name.toLowerCase() === ref.folder!.toLowerCase());
      const mine = actor ? all.filter((f) => st.hasAccess(f, actor.account_id) || !!st.inviteeOf(f, actor)) : all;
      const list = mine.length ? mine : all;
      if (list.length === 1) return list[0];
      if (!list.length) throw new ControlError('unknown_folder', `No shared folder named ${ref.folder}`, 404);
      throw new ControlError('ambiguous_folder', `Several shared folders are named ${ref.folder}; pass shared_folder_id`);
    }
    throw new ControlError('bad_request', 'shared_folder_id or folder is required');
  }

  private selector(ref: unknown): MemberSelector {
    if (typeof ref !== 'string' || !ref) throw new ControlError('bad_request', 'member is required (email or account_id)');
    if (ref.startsWith('dbid:')) return { '.tag': 'dropbox_id', dropbox_id: ref };
    const a = this.ctx.state.findAccount(ref);
    return a ? { '.tag': 'dropbox_id', dropbox_id: a.account_id } : { '.tag': 'email', email: ref };
  }

  /**
   * Act as a user in the Dropbox UI. Same permission rules and the same change log + webhooks as the API.
   * Dropbox-side refusals throw RouteError (HTTP: 409 with Dropbox's error body).
   */
  act(req: ActRequest): ActResult {
    const st = this.ctx.state;
    const actor = this.account(req.as);
    const r = req as ActRequest & Record<string, unknown>;
    switch (req.action) {
      case 'leave_folder': {
        const f = this.folder(req, actor);
        const job = st.relinquish(actor, f.shared_folder_id, !!req.leave_a_copy);
        return { ok: true, action: req.action, shared_folder_id: f.shared_folder_id, ...(job ? { async_job_id: job } : {}) };
      }
      case 'remove_member': {
        const f = this.folder(req, actor);
        const job = st.removeFolderMember(actor, f.shared_folder_id, this.selector(req.member), !!req.leave_a_copy);
        return { ok: true, action: req.action, shared_folder_id: f.shared_folder_id, async_job_id: job };
      }
      case 'unshare': {
        const f = this.folder(req, actor);
        const job = st.unshareFolder(actor, f.shared_folder_id, !!req.leave_a_copy);
        return { ok: true, action: req.action, shared_folder_id: f.shared_folder_id, async_job_id: job };
      }
      case 'add_member': {
        const f = this.folder(req, actor);
        st.addFolderMembers(actor, f.shared_folder_id, [
          { member: this.selector(req.member), access_level: this.level(req.access_level ?? 'editor') },
        ]);
        return { ok: true, action: req.action, shared_folder_id: f.shared_folder_id };
      }
      case 'change_access': {
        const f = this.folder(req, actor);
        st.updateFolderMember(actor, f.shared_folder_id, this.selector(req.member), this.level(req.access_level));
        return { ok: true, action: req.action, shared_folder_id: f.shared_folder_id };
      }
      case 'rename_mount': {
        const f = this.folder(req, actor);
        if (typeof req.path !== 'string' || !req.path.startsWith('/'))
          throw new ControlError('bad_request', 'path must be an absolute path like /New Name');
        st.folderFor(actor, f.shared_folder_id);
        const path = st.renameMount(actor, f, req.path);
        return { ok: true, action: req.action, shared_folder_id: f.shared_folder_id, path };
      }
      case 'accept_invite': {
        // The invitee clicks "Add to Dropbox" on the invitation: the same as mount_folder with their token.
        const f = this.folder(req, actor);
        st.mountFolder(actor, f.shared_folder_id);
        return { ok: true, action: req.action, shared_folder_id: f.shared_folder_id, path: actor.mounts.get(f.shared_folder_id) };
      }
      case 'decline_invite': {
        const f = this.folder(req, actor);
        const inv = st.inviteeOf(f, actor);
        if (!inv) throw RouteError.of('access_error', 'not_a_member');
        f.invitees.delete(inv.email.toLowerCase());
        return { ok: true, action: req.action, shared_folder_id: f.shared_folder_id };
      }
      case 'add_group': {
        const f = this.folder(req, actor);
        st.folderFor(actor, f.shared_folder_id);
        if (!st.canManageMembers(f, actor)) throw RouteError.of('no_permission');
        const g =
          st.groups.get(String(req.group)) ?? [...st.groups.values()].find((x) => x.group_name.toLowerCase() === String(req.group).toLowerCase());
        if (!g) throw new ControlError('unknown_group', `No group ${String(req.group)}`, 404);
        if (actor.plan === 'basic' && ['viewer', 'viewer_no_comment'].includes(req.access_level ?? 'editor'))
          throw RouteError.of('insufficient_plan');
        st.addGroup(f, g, this.level(req.access_level ?? 'editor'));
        return { ok: true, action: req.action, shared_folder_id: f.shared_folder_id };
      }
      case 'set_plan': {
        if (!PLANS.includes(req.plan)) throw new ControlError('bad_request', `plan must be one of ${PLANS.join(', ')}`);
        actor.plan = req.plan;
        return { ok: true, action: req.action };
      }
      case 'upload_file': {
        if (typeof req.path !== 'string' || !req.path) throw new ControlError('bad_request', 'path is required');
        let f: SharedFolder;
        let rel: string;
        if (req.shared_folder_id !== undefined || req.folder !== undefined) {
          f = this.folder(req, actor);
          rel = req.path.replace(/^\/+/, '');
        } else {
          // an absolute path in the actor's tree, inside one of their mounts
          const l = req.path.toLowerCase();
          const hit = [...actor.mounts].find(([, mp]) => l.startsWith(mp.toLowerCase() + '/'));
          if (!hit) throw new ControlError('not_in_shared_folder', `${req.path} is not inside a shared folder ${actor.email} has mounted`);
          f = st.folders.get(hit[0])!;
          rel = req.path.slice(hit[1].length + 1);
        }
        st.folderFor(actor, f.shared_folder_id);
        const lvl = st.accessOf(f, actor.account_id)!;
        if (lvl !== 'owner' && lvl !== 'editor') throw RouteError.of('no_permission');
        const size = typeof r.size === 'number' ? r.size : 1_048_576;
        st.upload(f, rel, size, actor);
        return { ok: true, action: req.action, shared_folder_id: f.shared_folder_id, path: (actor.mounts.get(f.shared_folder_id) ?? '') + '/' + rel };
      }
      default:
        throw new ControlError('bad_request', `Unknown action ${String((req as { action?: unknown }).action)}`);
    }
  }

  private level(v: unknown): AccessLevel {
    if (typeof v !== 'string' || !ACCESS_LEVELS.includes(v as AccessLevel) || v === 'owner') {
      throw new ControlError('bad_request', `access_level must be one of ${ACCESS_LEVELS.filter((l) => l !== 'owner').join(', ')}`);
    }
    return v as AccessLevel;
  }

  faults = {
    add: (spec: FaultSpec): Fault => {
      if (!spec || typeof spec.route !== 'string') throw new ControlError('bad_request', 'route is required');
      if (!FAULT_KINDS.includes(spec.kind)) throw new ControlError('bad_request', `kind must be one of ${FAULT_KINDS.join(', ')}`);
      if (spec.kind === 'error' || (spec.kind === 'job_failed' && spec.errorTag !== undefined)) this.checkSpecError(spec);
      if (spec.rate !== undefined && !(spec.rate >= 0 && spec.rate <= 1)) throw new ControlError('bad_request', 'rate must be between 0 and 1');
      const account = spec.account ? this.account(spec.account, 'account').account_id : undefined;
      return this.ctx.faults.add({ ...spec, account, kind: String(spec.kind) as FaultSpec['kind'] });
    },
    list: (): Fault[] => this.ctx.faults.list,
    clear: () => this.ctx.faults.clear(),
    /** seed of the PRNG that decides rate-based faults */
    seed: (n: number) => this.ctx.faults.seed(n),
  };

  /** Injected errors must be ones Dropbox documents for that route (the spec table), at that nesting. */
  private checkSpecError(spec: FaultSpec) {
    const raw = spec.kind === 'error' ? spec.error : spec.errorTag;
    if (raw === undefined || raw === null || (typeof raw !== 'string' && typeof raw !== 'object')) {
      throw new ControlError(
        'bad_request',
        spec.kind === 'error' ? 'error is required: a tag path like access_error/invalid_id, or a tagged object' : 'errorTag must be a tag path',
      );
    }
    const tags = tagPath(taggedError(raw));
    const status = spec.kind === 'error' ? (spec.status ?? 409) : 409;
    if (!Number.isInteger(status) || status < 400 || status > 599)
      throw new ControlError('bad_request', 'status must be an HTTP error status (400–599)');
    const route = spec.route.replace(/^\/+/, '');
    if (status === 401) {
      if (!inTree(specTable().auth_error, tags)) throw new ControlError('not_in_spec', `${tags.join('/')} is not an auth.AuthError tag`);
      return;
    }
    if (status !== 409) return; // 400 plain text, 403, 5xx: no union to check
    if (route === '*') throw new ControlError('bad_request', 'a 409 route error needs one route (each route has its own error union)');
    const rs = routeSpec(route);
    if (!rs) throw new ControlError('not_in_spec', `${route} is not a route of Dropbox's spec`);
    if (!inTree(rs.error.tags, tags)) throw new ControlError('not_in_spec', `${tags.join('/')} is not in ${rs.error.type} (the errors of ${route})`);
  }

  webhooks = {
    configure: (
      s: Partial<
        Pick<WebhookSettings, 'url' | 'enabled' | 'duplicateRate' | 'dropRate' | 'delayMs' | 'onlyLinked' | 'retryDelaysMs' | 'timeoutMs'>
      > & { seed?: number },
    ): WebhookSettings => {
      const { seed, ...rest } = s;
      const rate = (k: 'duplicateRate' | 'dropRate') => {
        const v = rest[k];
        if (v !== undefined && !(typeof v === 'number' && v >= 0 && v <= 1)) throw new ControlError('bad_request', `${k} must be between 0 and 1`);
      };
      rate('duplicateRate');
      rate('dropRate');
      if (rest.delayMs !== undefined && !(typeof rest.delayMs === 'number' && rest.delayMs >= 0))
        throw new ControlError('bad_request', 'delayMs must be a number ≥ 0');
      if (rest.url !== undefined && rest.url !== null && typeof rest.url !== 'string')
        throw new ControlError('bad_request', 'url must be a string or null');
      if (seed !== undefined && typeof seed !== 'number') throw new ControlError('bad_request', 'seed must be a number');
      if (seed !== undefined) this.ctx.webhookPrng.reseed(seed);
      Object.assign(this.ctx.webhooks.settings, rest);
      return { ...this.ctx.webhooks.settings };
    },
    settings: (): WebhookSettings => ({ ...this.ctx.webhooks.settings }),
    log: (): WebhookDelivery[] => this.ctx.webhooks.log,
    clearLog: () => this.ctx.webhooks.clearLog(),
    /** send what is batched now and wait for every delivery (and its retries) to finish */
    flush: async (): Promise<WebhookDelivery[]> => {
      await this.ctx.webhooks.flush();
      return this.ctx.webhooks.log;
    },
  };

  calls(filter: { route?: string; account?: string } = {}): CallRecord[] {
    const acc = filter.account ? (this.ctx.state.findAccount(filter.account)?.account_id ?? filter.account) : undefined;
    return this.ctx.calls.filter((c) => (!filter.route || c.route === filter.route.replace(/^\/+/, '')) && (!acc || c.account_id === acc));
  }

  clearCalls() {
    this.ctx.calls = [];
  }

  /** Current access tokens (of one account, or all) answer 401 expired_access_token. Returns how many. */
  expireTokens(account?: string): number {
    return this.ctx.expireTokens(account ? this.account(account, 'account').account_id : undefined);
  }

  /** Tokens as if the account had just signed in (skips the OAuth pages); marks the account linked. */
  issueTokens(account: string, opts: { offline?: boolean } = {}) {
    const acc = this.account(account, 'account');
    const { access, refresh } = this.ctx.issueTokens(acc, { offline: opts.offline ?? true, pkce: true, client_id: this.ctx.options.appKey });
    return { access_token: access.token, refresh_token: refresh?.token, expires_in: 14_400, account_id: acc.account_id, uid: String(acc.uid) };
  }

  /** The authorize page's "pick this account" without a browser: a code and the redirect URL. */
  authorize(req: ControlAuthorizeRequest): { code: string; redirect: string } {
    const acc = this.account(req.account, 'account');
    const p: AuthorizeParams = { ...req, response_type: 'code' };
    try {
      return approve(this.ctx, p, acc);
    } catch (e) {
      if (e instanceof OAuthPageError) throw new ControlError('invalid_authorize_request', e.message);
      throw e;
    }
  }

  /** Older list_folder cursors of the account answer 409 reset. */
  invalidateCursors(account: string) {
    this.ctx.state.invalidateCursors(this.account(account, 'account'));
  }

  /** How many polls of new async jobs answer in_progress before the final status (default 1). */
  setJobPendingPolls(n: number) {
    this.ctx.state.jobPendingPolls = Math.max(0, Math.floor(n));
  }
}

export function registerControl(app: Hono, ctx: EmulatorContext, control: Control) {
  const body = async (c: { req: { text(): Promise<string> } }): Promise<Record<string, unknown>> => {
    const t = await c.req.text();
    if (!t.trim()) return {};
    try {
      const v = JSON.parse(t);
      if (v && typeof v === 'object' && !Array.isArray(v)) return v;
    } catch {
      /* fallthrough */
    }
    throw new ControlError('bad_json', 'Body must be a JSON object');
  };

  app.onError((e) => {
    if (e instanceof ControlError) return Response.json({ error: { code: e.code, message: e.message } }, { status: e.status });
    if (e instanceof RouteError) return Response.json(e.body(), { status: 409 });
    if (e instanceof SeedError) return Response.json({ error: { code: 'bad_seed', message: e.message } }, { status: 400 });
    console.error('[dropbox-emulator] control error', e);
    return Response.json({ error: { code: 'internal', message: String(e instanceof Error ? e.message : e) } }, { status: 500 });
  });

  app.post('/_control/reset', async (c) => {
    const b = await body(c);
    return c.json(control.reset((b.seed as SeedOption | undefined) ?? 'empty'));
  });
  app.post('/_control/seed', async (c) => {
    const b = await body(c);
    return c.json(control.seed((b.seed as SeedSpec | 'demo' | undefined) ?? (b as SeedSpec)));
  });
  app.get('/_control/state', (c) => c.json(control.state()));
  app.post('/_control/act', async (c) => c.json(control.act((await body(c)) as unknown as ActRequest)));

  app.get('/_control/faults', (c) => c.json({ faults: control.faults.list() }));
  app.post('/_control/faults', async (c) => {
    const b = await body(c);
    if (typeof b.seed === 'number') control.faults.seed(b.seed);
    const specs = Array.isArray(b.faults) ? (b.faults as FaultSpec[]) : b.route !== undefined ? [b as unknown as FaultSpec] : [];
    return c.json({ faults: specs.map((s) => control.faults.add(s)) });
  });
  app.delete('/_control/faults', (c) => {
    control.faults.clear();
    return c.json({ ok: true });
  });

  app.get('/_control/webhooks', (c) => c.json(control.webhooks.settings()));
  app.post('/_control/webhooks', async (c) => c.json(control.webhooks.configure((await body(c)) as Partial<WebhookSettings>)));
  app.get('/_control/webhooks/log', (c) => c.json({ deliveries: control.webhooks.log() }));
  app.delete('/_control/webhooks/log', (c) => {
    control.webhooks.clearLog();
    return c.json({ ok: true });
  });
  app.post('/_control/webhooks/flush', async (c) => c.json({ deliveries: await control.webhooks.flush() }));

  app.get('/_control/calls', (c) => c.json({ calls: control.calls({ route: c.req.query('route'), account: c.req.query('account') }) }));
  app.delete('/_control/calls', (c) => {
    control.clearCalls();
    return c.json({ ok: true });
  });

  app.post('/_control/tokens/expire', async (c) => {
    const b = await body(c);
    return c.json({ expired: control.expireTokens(b.account as string | undefined) });
  });
  app.post('/_control/tokens', async (c) => {
    const b = await body(c);
    return c.json(control.issueTokens(b.account as string, { offline: b.offline as boolean | undefined }));
  });
  app.post('/_control/authorize', async (c) => c.json(control.authorize((await body(c)) as unknown as ControlAuthorizeRequest)));
  app.post('/_control/cursors/invalidate', async (c) => {
    const b = await body(c);
    control.invalidateCursors(b.account as string);
    return c.json({ ok: true });
  });
  app.post('/_control/jobs', async (c) => {
    const b = await body(c);
    if (typeof b.pendingPolls === 'number') control.setJobPendingPolls(b.pendingPolls);
    return c.json({ pendingPolls: ctx.state.jobPendingPolls });
  });
}
