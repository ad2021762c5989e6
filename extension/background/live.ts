// The live socket (issue 11 item 1): held by the background only while a PD panel or popup is open (each holds a
// port, utils/live-port.ts), to the worker's /api/v1/live, where the account's Durable Object pushes "track X
// changed" after every commit that concerns this person. A push carries ids and a cursor only: the background then
// re-reads through the authenticated API. Reconnects with backoff; every (re)connect starts with a catch-up (the
// sync cursor finds whatever was pushed while the socket was down), and the sync alarm stays the fallback.

import { CLOSE_REAUTH, CLOSE_SIGNED_OUT, type LivePush } from '@pd/shared/live';

export { CLOSE_REAUTH, CLOSE_SIGNED_OUT, LIVE_PROTOCOL, LIVE_TOKEN_PREFIX, type LivePush } from '@pd/shared/live';

export interface LiveTarget {
  url: string;
  protocols: string[];
}

/** The part of WebSocket this module uses (a fake in unit tests). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason?: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export interface LiveSocketOptions {
  /** Where to connect as the signed-in user, or null when signed out (then nothing is opened). */
  target: () => Promise<LiveTarget | null>;
  /** A push (or null: "connected again, catch up on what may have been missed"). */
  onPush: (push: LivePush | null) => void;
  createSocket?: (url: string, protocols: string[]) => SocketLike;
  /** Backoff: first delay, cap (ms). */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Keep-alive ping interval: Chrome keeps an extension service worker alive while its WebSocket is active. */
  pingMs?: number;
  /** The socket stays this long after the last panel/popup closes (a page reload does not reconnect). */
  lingerMs?: number;
  random?: () => number;
}

export type LiveState = 'idle' | 'connecting' | 'open' | 'waiting';

export function liveUrlOf(workerUrl: string): string {
  return `${workerUrl.replace(/^http(s?):/i, 'ws$1:').replace(/\/+$/, '')}/api/v1/live`;
}

export function createLiveSocket(opts: LiveSocketOptions) {
  const createSocket = opts.createSocket ?? ((url, protocols) => new WebSocket(url, protocols) as unknown as SocketLike);
  const backoffMs = opts.backoffMs ?? 1000;
  const maxBackoffMs = opts.maxBackoffMs ?? 30_000;
  const pingMs = opts.pingMs ?? 20_000;
  const lingerMs = opts.lingerMs ?? 5_000;
  const random = opts.random ?? Math.random;

  let holders = 0;
  let socket: SocketLike | null = null;
  let state: LiveState = 'idle';
  let failures = 0;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let lingerTimer: ReturnType<typeof setTimeout> | null = null;
  let pingTimer: ReturnType<typeof setInterval> | null = null;
  /** Bumped by every open/close decision: a stale async step (target lookup, a late event) sees it and stops. */
  let generation = 0;
  const delays: number[] = [];

  const clearTimers = () => {
    if (retryTimer) clearTimeout(retryTimer);
    if (pingTimer) clearInterval(pingTimer);
    retryTimer = null;
    pingTimer = null;
  };

  function drop(code = 1000, reason = 'closed by the extension'): void {
    generation++;
    clearTimers();
    const s = socket;
    socket = null;
    if (s) {
      s.onopen = s.onmessage = s.onerror = null;
      s.onclose = null;
      try {
        s.close(code, reason);
      } catch {
        // already closed
      }
    }
    state = 'idle';
  }

  function scheduleRetry(immediately = false): void {
    if (holders === 0) return;
    const base = immediately ? 0 : Math.min(maxBackoffMs, backoffMs * 2 ** failures);
    // Jitter (50–100 %): many browsers reconnecting after a worker restart do not arrive together.
    const delay = Math.round(base * (0.5 + random() / 2));
    if (!immediately) failures++;
    delays.push(delay);
    state = 'waiting';
    retryTimer = setTimeout(() => {
      retryTimer = null;
      void connect();
    }, delay);
  }

  async function connect(): Promise<void> {
    if (holders === 0 || socket) return;
    const mine = ++generation;
    state = 'connecting';
    let target: LiveTarget | null;
    try {
      target = await opts.target();
    } catch {
      target = null;
    }
    if (mine !== generation || holders === 0) return;
    if (!target) {
      // Signed out: nothing to hold until a sign-in calls restart().
      state = 'idle';
      return;
    }
    let s: SocketLike;
    try {
      s = createSocket(target.url, target.protocols);
    } catch {
      scheduleRetry();
      return;
    }
    socket = s;
    s.onopen = () => {
      if (mine !== generation) return;
      state = 'open';
      failures = 0;
      pingTimer = setInterval(() => {
        try {
          s.send('ping');
        } catch {
          // onclose follows
        }
      }, pingMs);
      // Whatever changed while no socket was open (or before this one) is caught up now.
      opts.onPush(null);
    };
    s.onmessage = (ev) => {
      if (mine !== generation || typeof ev.data !== 'string' || !ev.data.startsWith('{')) return;
      try {
        const push = JSON.parse(ev.data) as LivePush;
        if (push.type === 'changed')
          opts.onPush({ type: 'changed', trackIds: Array.isArray(push.trackIds) ? push.trackIds : null, cursor: Number(push.cursor) || 0 });
      } catch {
        // not ours
      }
    };
    s.onerror = () => {
      // onclose follows with the code.
    };
    s.onclose = (ev) => {
      if (mine !== generation) return;
      clearTimers();
      socket = null;
      state = 'idle';
      // The hub asked for a session re-check: reconnect at once (the worker checks the session again). A signed-out
      // session: the catch-up's API call ends the session here too (401), and target() then says "signed out".
      if (ev.code === CLOSE_REAUTH || ev.code === CLOSE_SIGNED_OUT) {
        opts.onPush(null);
        scheduleRetry(true);
      } else {
        scheduleRetry();
      }
    };
  }

  return {
    /** A panel or popup opened (its port connected). */
    retain(): void {
      holders++;
      if (lingerTimer) {
        clearTimeout(lingerTimer);
        lingerTimer = null;
      }
      if (!socket && state !== 'waiting' && state !== 'connecting') void connect();
    },
    /** One closed; the socket closes shortly after the last one. */
    release(): void {
      holders = Math.max(0, holders - 1);
      if (holders > 0 || lingerTimer) return;
      lingerTimer = setTimeout(() => {
        lingerTimer = null;
        if (holders === 0) {
          failures = 0;
          drop();
        }
      }, lingerMs);
    },
    /** The session changed (sign-in, sign-out, another worker): drop the socket and open again if still held. */
    restart(): void {
      drop();
      failures = 0;
      if (holders > 0) void connect();
    },
    get state(): LiveState {
      return state;
    },
    get holders(): number {
      return holders;
    },
    /** Backoff delays used so far (tests). */
    get delays(): readonly number[] {
      return delays;
    },
  };
}

export type LiveSocket = ReturnType<typeof createLiveSocket>;
