/** Shared context of one emulator instance: state, tokens, OAuth codes, faults, call log, webhooks. */
import { Faults } from './faults.ts';
import { DEMO_SEED, SeedError, applySeed, seedProblems, type SeedResult, type SeedSpec } from './seed.ts';
import { DropboxState, type Account } from './state.ts';
import { Prng, randomToken } from './util.ts';
import { WebhookDispatcher } from './webhooks.ts';

export const ACCESS_TOKEN_TTL_S = 14_400;
export const DEFAULT_SCOPE = 'account_info.read files.metadata.read files.content.read files.content.write sharing.read sharing.write';

export interface AccessToken {
  token: string;
  account_id: string;
  expiresAt: number;
  scope: string;
  refreshToken?: string;
  revoked: boolean;
}
export interface RefreshToken {
  token: string;
  account_id: string;
  client_id: string;
  /** issued through PKCE: refreshing needs no client_secret */
  pkce: boolean;
  scope: string;
  revoked: boolean;
}
export interface AuthCode {
  code: string;
  account_id: string;
  client_id: string;
  redirect_uri: string | null;
  code_challenge: string | null;
  token_access_type: string | null;
  scope: string;
  expiresAt: number;
  used: boolean;
}
export interface CallRecord {
  seq: number;
  at: number;
  /** e.g. '2/sharing/remove_folder_member' or 'oauth2/token' */
  route: string;
  account_id: string | null;
  status: number;
  ms: number;
  fault?: string;
}

export type SeedOption = 'demo' | 'empty' | SeedSpec;

export interface EmulatorOptions {
  appKey: string;
  appSecret: string;
  webhookUrl?: string;
  webhookDelayMs?: number;
  now: () => number;
  /** exact redirect URIs accepted by /oauth2/authorize; default: any https URI and http://localhost / 127.0.0.1 */
  redirectUris?: string[];
}

export class EmulatorContext {
  state!: DropboxState;
  webhooks: WebhookDispatcher;
  faults = new Faults();
  tokens = new Map<string, AccessToken>();
  refreshTokens = new Map<string, RefreshToken>();
  codes = new Map<string, AuthCode>();
  calls: CallRecord[] = [];
  private callSeq = 0;
  webhookPrng = new Prng(7);
  /** timers of 'slow'/'timeout' faults, cancelled on close */
  closeSignal = new AbortController();

  constructor(public options: EmulatorOptions) {
    this.webhooks = new WebhookDispatcher(
      // the state is replaced on reset; the dispatcher always reads the current one
      () => this.state,
      () => this.options.appSecret,
      this.webhookPrng,
      { url: options.webhookUrl ?? null, delayMs: options.webhookDelayMs ?? 50 },
    );
    this.state = this.freshState();
  }

  now(): number {
    return this.options.now();
  }

  private freshState(): DropboxState {
    return new DropboxState(
      () => this.options.now(),
      (ids) => this.webhooks.notify(ids),
    );
  }

  reset(seed: SeedOption = 'empty'): SeedResult {
    if (seed !== 'demo' && seed !== 'empty') {
      const problems = seedProblems(seed);
      if (problems.length) throw new SeedError(problems); // refuse before wiping anything
    }
    this.webhooks.cancelPending();
    this.webhooks.clearLog();
    this.state = this.freshState();
    this.tokens.clear();
    this.refreshTokens.clear();
    this.codes.clear();
    this.faults.clear();
    this.calls = [];
    return this.seed(seed);
  }

  seed(seed: SeedOption): SeedResult {
    if (seed === 'empty') return { accounts: {}, folders: [] };
    return applySeed(this.state, seed === 'demo' ? DEMO_SEED : seed);
  }

  recordCall(r: Omit<CallRecord, 'seq'>) {
    this.calls.push({ seq: ++this.callSeq, ...r });
  }

  issueTokens(acc: Account, opts: { offline: boolean; pkce: boolean; client_id: string; scope?: string }) {
    const scope = opts.scope ?? DEFAULT_SCOPE;
    let refresh: RefreshToken | undefined;
    if (opts.offline) {
      refresh = { token: randomToken(64), account_id: acc.account_id, client_id: opts.client_id, pkce: opts.pkce, scope, revoked: false };
      this.refreshTokens.set(refresh.token, refresh);
    }
    const access = this.newAccessToken(acc.account_id, scope, refresh?.token);
    acc.linked = true;
    return { access, refresh };
  }

  newAccessToken(accountId: string, scope: string, refreshToken?: string): AccessToken {
    const t: AccessToken = {
      token: 'sl.' + randomToken(136),
      account_id: accountId,
      expiresAt: this.now() + ACCESS_TOKEN_TTL_S * 1000,
      scope,
      refreshToken,
      revoked: false,
    };
    this.tokens.set(t.token, t);
    return t;
  }

  /** Current access tokens answer 401 expired_access_token from now on. */
  expireTokens(accountId?: string): number {
    let n = 0;
    for (const t of this.tokens.values()) {
      if (accountId && t.account_id !== accountId) continue;
      if (t.expiresAt > this.now() - 1) {
        t.expiresAt = this.now() - 1;
        n++;
      }
    }
    return n;
  }
}
