// Per-invocation budget meter (tests and benches only; countStatements below is also used in production). Production Workers stop an invocation past 1,000 D1
// queries (Workers Paid; every statement of a batch counts, the strict reading) and 1,000 subrequests, but local
// workerd enforces neither, so a path that grows with its input passes every local test and fails in production.
// When the binding PD_ENFORCE_BUDGET is "1" (worker/vitest.config.ts sets it; wrangler.toml never does), each
// fetch / queue / scheduled invocation gets its own meter: env.DB and env.JOBS are wrapped, outbound fetch() is
// attributed to the invocation through AsyncLocalStorage (work in ctx.waitUntil counts for its invocation), and
// the first call past a budget throws the way production does AND is written to a log the test setup reads
// (worker/test/apply-migrations.ts fails the test), so a swallowed error cannot hide it.
import { AsyncLocalStorage } from 'node:async_hooks';

export const D1_QUERY_BUDGET = 1000;
export const SUBREQUEST_BUDGET = 1000;

export interface InvocationUsage {
  /** fetch: "METHOD /path"; queue: "queue <kinds>"; scheduled: "scheduled". */
  label: string;
  /** D1 statements run (each statement of a batch counts). */
  d1: number;
  /** fetch() calls plus queue sends (a send/sendBatch is a call to another Cloudflare service). */
  subrequests: number;
}

export interface BudgetLog {
  /** Invocations that went past a budget (each once). */
  violations: InvocationUsage[];
  /** The invocations seen, newest last (kept short). */
  recent: InvocationUsage[];
  /** Largest usage seen per label, for the measurement report. */
  peak: Map<string, InvocationUsage>;
}

const LOG_KEY = Symbol.for('pd.invocation-budget');

/** The log shared by the worker and the tests (same isolate). */
export function budgetLog(): BudgetLog {
  const g = globalThis as unknown as Record<symbol, BudgetLog | undefined>;
  g[LOG_KEY] ??= { violations: [], recent: [], peak: new Map() };
  return g[LOG_KEY];
}

export class BudgetExceededError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BudgetExceededError';
  }
}

const current = new AsyncLocalStorage<InvocationUsage & { over: boolean }>();

function charge(u: InvocationUsage & { over: boolean }, what: 'd1' | 'subrequests', n = 1): void {
  u[what] += n;
  const limit = what === 'd1' ? D1_QUERY_BUDGET : SUBREQUEST_BUDGET;
  const peak = budgetLog().peak.get(u.label);
  if (!peak || peak.d1 + peak.subrequests < u.d1 + u.subrequests)
    budgetLog().peak.set(u.label, { label: u.label, d1: u.d1, subrequests: u.subrequests });
  if (u[what] > limit) {
    if (!u.over) {
      u.over = true;
      budgetLog().violations.push({ label: u.label, d1: u.d1, subrequests: u.subrequests });
    }
    // The messages production gives.
    throw new BudgetExceededError(what === 'd1' ? 'D1: Too many API requests by single worker invocation.' : 'Too many subrequests.');
  }
}

/** Counts calls that are subrequests in production but not fetch() here (Durable Object stubs) against the meter. */
export function chargeSubrequests(n: number): void {
  const u = current.getStore();
  if (u && n > 0) charge(u, 'subrequests', n);
}

let fetchPatched = false;
function patchFetch(): void {
  if (fetchPatched) return;
  fetchPatched = true;
  const real = globalThis.fetch;
  globalThis.fetch = ((input: RequestInfo | URL, init?: RequestInit) => {
    const u = current.getStore();
    if (u) charge(u, 'subrequests');
    return real(input, init);
  }) as typeof fetch;
}

const realStatement = new WeakMap<object, D1PreparedStatement>();

type Charge = (n: number) => void;

function meterStatement(stmt: D1PreparedStatement, charge: Charge): D1PreparedStatement {
  const proxy = new Proxy(stmt, {
    get(target, prop) {
      if (prop === 'bind') return (...args: unknown[]) => meterStatement(target.bind(...args), charge);
      if (prop === 'first' || prop === 'all' || prop === 'run' || prop === 'raw') {
        return (...args: unknown[]) => {
          charge(1);
          return (target[prop] as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  realStatement.set(proxy, stmt);
  return proxy;
}

function meterD1(db: D1Database, charge: Charge): D1Database {
  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'prepare') return (sql: string) => meterStatement(target.prepare(sql), charge);
      if (prop === 'batch') {
        return (statements: D1PreparedStatement[]) => {
          charge(statements.length);
          // Unwrap: also statements prepared on another (e.g. the API's round-trip counting) proxy of this binding.
          return target.batch(statements.map((s) => realStatement.get(s) ?? s));
        };
      }
      if (prop === 'exec') {
        return (sql: string) => {
          charge(Math.max(1, sql.split(';').filter((s) => s.trim()).length));
          return target.exec(sql);
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * Production code that does work in a loop (import of new folders) counts its own D1 statements with this and stops
 * well before the budget, leaving the rest to a continuation. Counts each statement of a batch; never throws.
 */
export function countStatements(db: D1Database, counter: { statements: number }): D1Database {
  return meterD1(db, (n) => {
    counter.statements += n;
  });
}

/** Unwraps a statement made by a metered binding (for code that batches through a different proxy). */
export function unwrapStatement(s: D1PreparedStatement): D1PreparedStatement {
  return realStatement.get(s) ?? s;
}

function meterQueue(q: Queue, u: InvocationUsage & { over: boolean }): Queue {
  return new Proxy(q, {
    get(target, prop) {
      if (prop === 'send' || prop === 'sendBatch') {
        return (...args: unknown[]) => {
          charge(u, 'subrequests');
          return (target[prop] as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

interface MeteredEnv {
  DB: D1Database;
  JOBS: Queue;
  PD_ENFORCE_BUDGET?: string;
}

/**
 * Runs one invocation with a meter when the env asks for it; otherwise calls straight through (production).
 * The handler gets an env whose DB and JOBS count.
 */
export function metered<E extends MeteredEnv, R>(label: string, env: E, run: (env: E) => R): R {
  if (env.PD_ENFORCE_BUDGET !== '1') return run(env);
  const { u, wrapped } = begin(label, env);
  return current.run(u, () => run(wrapped));
}

/**
 * Runs `run` as one metered invocation whatever PD_ENFORCE_BUDGET says, and returns what it used: for tests and
 * benches that call a job's code directly (not through the worker's entry) and report its cost. Past a budget it
 * throws like `metered`.
 */
export async function measureInvocation<E extends MeteredEnv, R>(
  label: string,
  env: E,
  run: (env: E) => Promise<R>,
): Promise<{ result: R; usage: InvocationUsage }> {
  const { u, wrapped } = begin(label, env);
  const result = await current.run(u, () => run(wrapped));
  return { result, usage: { label, d1: u.d1, subrequests: u.subrequests } };
}

function begin<E extends MeteredEnv>(label: string, env: E): { u: InvocationUsage & { over: boolean }; wrapped: E } {
  patchFetch();
  const u = { label, d1: 0, subrequests: 0, over: false };
  const log = budgetLog();
  log.recent.push(u);
  if (log.recent.length > 200) log.recent.shift();
  const wrapped = { ...env, DB: meterD1(env.DB, (n) => charge(u, 'd1', n)), JOBS: meterQueue(env.JOBS, u) } as E;
  return { u, wrapped };
}
