// Counts what one invocation costs against Cloudflare's per-invocation limits: D1 queries (every statement of a
// batch counted, the strict reading) and subrequests (Dropbox calls, from the emulator's call log, plus queue
// sends). Local to the reconcile tests until the general counting wrapper of the worker test setup lands.
import { Harness } from './harness.ts';

export const D1_QUERIES_PER_INVOCATION = 1000;
export const SUBREQUESTS_PER_INVOCATION = 1000;

export interface Cost {
  d1: number;
  dropbox: number;
  queueSends: number;
}

/** A D1Database whose every query and batched statement adds one to `cost.d1`. */
export function countingDb(db: D1Database, cost: Cost): D1Database {
  const real = new WeakMap<object, D1PreparedStatement>();
  const wrap = (s: D1PreparedStatement): D1PreparedStatement => {
    const p = new Proxy(s, {
      get(t, k) {
        if (k === 'bind') return (...args: unknown[]) => wrap(t.bind(...args));
        if (k === 'run' || k === 'all' || k === 'first' || k === 'raw')
          return (...args: unknown[]) => {
            cost.d1++;
            return (t[k] as (...a: unknown[]) => unknown).apply(t, args);
          };
        const v = Reflect.get(t, k, t);
        return typeof v === 'function' ? v.bind(t) : v;
      },
    });
    real.set(p, s);
    return p;
  };
  return new Proxy(db, {
    get(t, k) {
      if (k === 'prepare') return (q: string) => wrap(t.prepare(q));
      if (k === 'batch')
        return (stmts: D1PreparedStatement[]) => {
          cost.d1 += stmts.length;
          return t.batch(stmts.map((s) => real.get(s) ?? s));
        };
      if (k === 'exec')
        return (q: string) => {
          cost.d1++;
          return t.exec(q);
        };
      const v = Reflect.get(t, k, t);
      return typeof v === 'function' ? v.bind(t) : v;
    },
  });
}

/** Runs one invocation with counted D1, Dropbox calls and queue sends. */
export async function measure<T>(h: Harness, run: (env: Env) => Promise<T>): Promise<{ result: T; cost: Cost }> {
  const cost: Cost = { d1: 0, dropbox: 0, queueSends: 0 };
  await h.clearCalls();
  const jobs = h.env.JOBS;
  const countingJobs = {
    send: async (...a: Parameters<Queue['send']>) => {
      cost.queueSends++;
      return jobs.send(...a);
    },
    sendBatch: async (...a: Parameters<Queue['sendBatch']>) => {
      cost.queueSends++;
      return jobs.sendBatch(...a);
    },
  } as unknown as Queue;
  const result = await run({ ...h.env, DB: countingDb(h.env.DB, cost), JOBS: countingJobs });
  cost.dropbox = (await h.calls()).length;
  return { result, cost };
}

export const subrequests = (c: Cost) => c.dropbox + c.queueSends;
