// The live socket's wire contract (issue 11 item 1), spoken by the worker's per-account Durable Object
// (worker/src/live/) and the extension's background (extension/background/live.ts).

/** The subprotocol both sides speak; the worker answers with it (a browser drops a socket whose answer lacks it). */
export const LIVE_PROTOCOL = 'pd-live.v1';
/** The session token travels as a second subprotocol, `pd-token.<token>`, never in the URL. */
export const LIVE_TOKEN_PREFIX = 'pd-token.';
/** Close codes: the session must be checked again (reconnect through the worker) / the session was signed out. */
export const CLOSE_REAUTH = 4001;
export const CLOSE_SIGNED_OUT = 4003;
/** At most this many sockets per account at once (one per browser profile with a panel or popup open). */
export const LIVE_MAX_SOCKETS = 20;

/** What a socket receives. trackIds null: "too many to list, re-read everything". cursor: the account's latest
 *  library change (GET /sync?cursor=… catches up from there). */
export interface LivePush {
  type: 'changed';
  trackIds: string[] | null;
  cursor: number;
}
