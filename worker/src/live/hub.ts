// One Durable Object per account (issue 11 item 1): holds that person's open panel/popup sockets with the WebSocket
// Hibernation API (idle sockets cost no duration: the object is evicted while they stay connected) and pushes
// {trackIds, cursor} to them when the worker tells it something they can see has changed. It never holds track data:
// the extension re-reads through the authenticated API, so a push can only ever say "look again".
import { CLOSE_REAUTH, CLOSE_SIGNED_OUT, LIVE_MAX_SOCKETS, LIVE_PROTOCOL, type LivePush } from '@pd/shared';
import { DurableObject } from 'cloudflare:workers';
import { refuse } from './route.ts';

/** How long a socket may stay open on one session check; then it is closed with CLOSE_REAUTH and the client
 *  reconnects through the worker, which checks the session again (a signed-out session loses its socket by then). */
export const SESSION_RECHECK_MS = 10 * 60_000;

/** Kept on each socket across hibernation. */
interface SocketInfo {
  accountId: string;
  /** SHA-256 of the session token that opened it (sign-out closes exactly that session's sockets). */
  sessionHash: string;
  /** Epoch ms after which the socket must re-check its session. */
  checkBy: number;
}

export class LiveHub extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Keep-alive pings are answered by the runtime without waking the object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('ping', 'pong'));
  }

  /** The socket upgrade, forwarded by the worker (worker/src/live/route.ts) after it checked the session. */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get('Upgrade')?.toLowerCase() !== 'websocket') {
      return new Response('Expected Upgrade: websocket', { status: 426 });
    }
    const accountId = request.headers.get('X-PD-Account') ?? '';
    const sessionHash = request.headers.get('X-PD-Session') ?? '';
    if (!accountId || !sessionHash) return new Response('Missing account', { status: 400 });
    // A cap per account: sockets overdue for their session check (a client that vanished without closing) make
    // room first; past the cap the new one is refused, and the client's backoff tries again later.
    const now = Date.now();
    let open = 0;
    for (const ws of this.ctx.getWebSockets()) {
      const info = ws.deserializeAttachment() as SocketInfo | null;
      if (!info || info.checkBy < now) safeClose(ws, CLOSE_REAUTH, 'session check due');
      else open++;
    }
    if (open >= LIVE_MAX_SOCKETS) {
      return refuse('rate_limited', `Too many live connections open for this account (${LIVE_MAX_SOCKETS}): close a panel or try again later.`, 429);
    }
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server, [sessionHash]);
    server.serializeAttachment({ accountId, sessionHash, checkBy: now + SESSION_RECHECK_MS } satisfies SocketInfo);
    return new Response(null, { status: 101, webSocket: client, headers: { 'Sec-WebSocket-Protocol': LIVE_PROTOCOL } });
  }

  /** Sends the push to every open socket of this account; answers how many received it. */
  async publish(push: Omit<LivePush, 'type'>): Promise<number> {
    const message = JSON.stringify({ type: 'changed', trackIds: push.trackIds, cursor: push.cursor } satisfies LivePush);
    const now = Date.now();
    let sent = 0;
    for (const ws of this.ctx.getWebSockets()) {
      const info = ws.deserializeAttachment() as SocketInfo | null;
      if (!info || info.checkBy < now) {
        // Overdue for a session check: the client reconnects (and re-reads, so this push is not lost to it).
        safeClose(ws, CLOSE_REAUTH, 'session check due');
        continue;
      }
      try {
        ws.send(message);
        sent++;
      } catch {
        safeClose(ws, 1011, 'send failed');
      }
    }
    return sent;
  }

  /** Sign-out: closes the sockets of one session (its token hash), or of every session of the account. */
  async endSessions(sessionHash?: string): Promise<number> {
    const sockets = sessionHash ? this.ctx.getWebSockets(sessionHash) : this.ctx.getWebSockets();
    for (const ws of sockets) safeClose(ws, CLOSE_SIGNED_OUT, 'signed out');
    return sockets.length;
  }

  /** How many sockets are open (tests and the bench). */
  async openSockets(): Promise<number> {
    return this.ctx.getWebSockets().length;
  }

  // Clients only ever send "ping" (auto-answered above). Anything else is a client bug: say so and hang up.
  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    if (message === 'ping') {
      ws.send('pong');
      return;
    }
    safeClose(ws, 1003, 'this socket only receives');
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    // Complete the closing handshake (a no-op where the runtime already answered the close).
    safeClose(ws, code === 1005 || code === 1006 ? 1000 : code, reason);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    safeClose(ws, 1011, 'socket error');
  }
}

function safeClose(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code, reason);
  } catch {
    // Already closed.
  }
}
