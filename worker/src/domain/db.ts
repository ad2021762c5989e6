// Small D1 helpers shared by the domain: ids, time, splits, plans and a round-trip counter.

export type Via = 'app' | 'dropbox';

/**
 * A mutation prepared but not yet run. Run it with `runPlan` (one `db.batch`, atomic), or concatenate its
 * statements with others (Dropbox reconciliation saves its cursor in the same batch).
 * Every statement is safe to run after state changed since the plan was read: the first one is a
 * conditional UPDATE/INSERT stamping `eventId`, the rest only act where that stamp is present.
 */
export interface Plan {
  statements: D1PreparedStatement[];
  /** The stamp written by this plan's conditional statement. */
  eventId: string;
}

export async function runPlan(db: D1Database, plan: Plan): Promise<D1Result[]> {
  if (plan.statements.length === 0) return [];
  return db.batch(plan.statements);
}

/** Whether the plan's conditional statement (the first) changed a row. */
export const applied = (results: D1Result[]): boolean => (results[0]?.meta.changes ?? 0) > 0;

let lastMs = 0;
/** 64 URL-safe characters in ASCII order, so that comparing two encodings compares the numbers they encode. */
const ORDERED = '-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz';
/**
 * Time-ordered id: `<prefix>_<7 chars of ms><11 chars of random>`, 6 bits a character from an alphabet in ASCII order,
 * so sorting ids (SQLite compares text byte by byte) sorts them by creation time. 42 bits of milliseconds last until
 * 2109; the 11 random characters carry 66 bits. The clock is made strictly increasing within an isolate (Workers
 * freeze Date.now() during a request), so ids made one after the other sort in that order.
 *
 * Ids made before 2026-12 were `<prefix>_<12 hex ms><16 hex random>`. Those all start with '0' after the prefix and
 * today's ids start with 'P' or later, so every id made now still sorts after every older one.
 */
export function newId(prefix: string): string {
  lastMs = Math.max(Date.now(), lastMs + 1);
  let time = '';
  for (let ms = lastMs, i = 0; i < 7; i++, ms = Math.floor(ms / 64)) time = ORDERED[ms % 64] + time;
  const bytes = crypto.getRandomValues(new Uint8Array(11));
  return `${prefix}_${time}${[...bytes].map((b) => ORDERED[b & 63]).join('')}`;
}

export const nowIso = (): string => new Date().toISOString();

/** Percent (two decimals) <-> basis points. */
export const toBp = (percent: number): number => Math.round(percent * 100);
export const fromBp = (bp: number): number => bp / 100;

export const lower = (email: string): string => email.trim().toLowerCase();

/** Counts D1 round trips (each first/all/run/raw/batch/exec call is one). */
export interface RoundTrips {
  count: number;
}

const realStatement = new WeakMap<object, D1PreparedStatement>();

/**
 * Wraps a D1 binding so that every round trip to the database is counted. Used by the API to report
 * `Server-Timing: d1;desc="N round trips"` and by the benchmark to prove Revoke All is constant-cost.
 */
export function countRoundTrips(db: D1Database, counter: RoundTrips): D1Database {
  const wrapStatement = (stmt: D1PreparedStatement): D1PreparedStatement => {
    const proxy = new Proxy(stmt, {
      get(target, prop) {
        if (prop === 'bind') return (...args: unknown[]) => wrapStatement(target.bind(...args));
        if (prop === 'first' || prop === 'all' || prop === 'run' || prop === 'raw') {
          return (...args: unknown[]) => {
            counter.count++;
            return (target[prop] as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    realStatement.set(proxy, stmt);
    return proxy;
  };
  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'prepare') return (sql: string) => wrapStatement(target.prepare(sql));
      if (prop === 'batch') {
        return (statements: D1PreparedStatement[]) => {
          counter.count++;
          return target.batch(statements.map((s) => realStatement.get(s) ?? s));
        };
      }
      if (prop === 'exec') {
        return (sql: string) => {
          counter.count++;
          return target.exec(sql);
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
