// Issue 11 item 1: "Every open panel and popup reflects a change to its track within 2 s of the change committing,
// whoever caused it." The worker side: the socket's authentication, the fan-out of each kind of change to everyone
// it concerns (the person just removed included, nobody else), and the Durable Object's hibernation handlers.
import { SELF, createExecutionContext, createScheduledController, env, runInDurableObject, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../src/index.ts';
import { CLOSE_REAUTH, CLOSE_SIGNED_OUT, LIVE_MAX_SOCKETS, LIVE_PROTOCOL, type LivePush } from '@pd/shared';
import { LIVE_MAX_TRACK_IDS, publishLive } from '../../src/live/publish.ts';
import { recordFileUpload } from '../../src/domain/index.ts';
import { call, person, share, trackOf, type Person } from '../core/helpers.ts';

const upgrade = (protocols: string[] | null, extra: Record<string, string> = {}) =>
  SELF.fetch('http://pd.test/api/v1/live', {
    headers: { Upgrade: 'websocket', ...(protocols ? { 'Sec-WebSocket-Protocol': protocols.join(', ') } : {}), ...extra },
  });

interface Socket {
  ws: WebSocket;
  pushes: LivePush[];
  closed: Promise<{ code: number; reason: string }>;
  /** The next push naming this track (or saying "everything"), within `ms`. */
  pushFor(trackId: string, ms?: number): Promise<LivePush>;
  /** Resolves false if no push for this track arrives within `ms`. */
  quietFor(trackId: string, ms?: number): Promise<boolean>;
}

async function open(p: Person): Promise<Socket> {
  const res = await upgrade([LIVE_PROTOCOL, `pd-token.${p.token}`]);
  expect(res.status).toBe(101);
  const ws = res.webSocket!;
  ws.accept();
  const pushes: LivePush[] = [];
  const waiters: (() => void)[] = [];
  ws.addEventListener('message', (e) => {
    if (typeof e.data === 'string' && e.data.startsWith('{')) pushes.push(JSON.parse(e.data));
    waiters.splice(0).forEach((w) => w());
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.addEventListener('close', (e) => resolve({ code: e.code, reason: e.reason })),
  );
  const find = (trackId: string) => pushes.find((m) => m.trackIds === null || m.trackIds.includes(trackId));
  const wait = (trackId: string, ms: number) =>
    new Promise<LivePush | null>((resolve) => {
      const check = () => {
        const hit = find(trackId);
        if (hit) {
          clearTimeout(timer);
          resolve(hit);
        } else waiters.push(check);
      };
      const timer = setTimeout(() => resolve(null), ms);
      check();
    });
  return {
    ws,
    pushes,
    closed,
    async pushFor(trackId, ms = 5000) {
      const hit = await wait(trackId, ms);
      if (!hit) throw new Error(`no push for ${trackId} within ${ms} ms (got ${JSON.stringify(pushes)})`);
      return hit;
    },
    async quietFor(trackId, ms = 300) {
      return (await wait(trackId, ms)) === null;
    },
  };
}

/** Forget what was pushed so far (a socket per test step). */
const clear = (...sockets: Socket[]) => sockets.forEach((s) => s.pushes.splice(0));

describe('the live socket: who may open it', () => {
  it('needs a WebSocket upgrade (426, our error shape)', async () => {
    const res = await SELF.fetch('http://pd.test/api/v1/live');
    expect(res.status).toBe(426);
    expect(await res.json()).toEqual({ error: { code: 'validation_failed', message: expect.stringContaining('WebSocket') } });
  });

  it('needs a session: none, unknown or ended → 401 and no socket', async () => {
    const ana = await person('Ana Socket');
    for (const res of [await upgrade(null), await upgrade([LIVE_PROTOCOL, 'pd-token.not-a-session']), await upgrade([LIVE_PROTOCOL])]) {
      expect(res.status).toBe(401);
      expect(res.webSocket).toBeNull();
      expect(((await res.json()) as any).error.code).toBe('unauthenticated');
    }
    expect((await call(ana.token, 'POST', '/auth/signout', {})).status).toBe(200);
    const after = await upgrade([LIVE_PROTOCOL, `pd-token.${ana.token}`]);
    expect(after.status).toBe(401);
  });

  it('with the token, the token alone is not enough: the subprotocol must be offered too', async () => {
    const ana = await person('Ana Protocol');
    const res = await upgrade([`pd-token.${ana.token}`]);
    expect(res.status).toBe(400);
  });

  it('opens with the session token in Sec-WebSocket-Protocol, answering with pd-live.v1 (never echoing the token)', async () => {
    const ana = await person('Ana Open');
    const res = await upgrade([LIVE_PROTOCOL, `pd-token.${ana.token}`]);
    expect(res.status).toBe(101);
    expect(res.headers.get('Sec-WebSocket-Protocol')).toBe(LIVE_PROTOCOL);
    res.webSocket!.accept();
    res.webSocket!.close(1000, 'done');
  });

  it('opening is limited per account: past 30 a minute → 429 rate_limited with Retry-After; other accounts still open', async () => {
    const busy = await person('Busy Sockets');
    const calm = await person('Calm Sockets');
    // The binding counts in fixed 60-second windows: if the first 30 straddled a boundary the count restarted, so
    // the refusal comes within at most 30 more. Each socket is closed at once (the per-account cap is another test).
    let res = await upgrade([LIVE_PROTOCOL, `pd-token.${busy.token}`]);
    for (let i = 0; res.status === 101 && i < 60; i++) {
      res.webSocket!.accept();
      res.webSocket!.close(1000, 'done');
      res = await upgrade([LIVE_PROTOCOL, `pd-token.${busy.token}`]);
    }
    expect(res.status).toBe(429);
    expect(res.webSocket).toBeNull();
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await res.json()) as any).error).toEqual({
      code: 'rate_limited',
      message: expect.stringMatching(/live connections opened.*try again/i),
    });
    const other = await open(calm);
    other.ws.close(1000, 'done');
  });

  it(`at most ${LIVE_MAX_SOCKETS} sockets per account: the next is refused (429) until one closes or falls overdue for its session check`, async () => {
    const many = await person('Many Panels');
    const sockets: Socket[] = [];
    for (let i = 0; i < LIVE_MAX_SOCKETS; i++) sockets.push(await open(many));
    const refused = await upgrade([LIVE_PROTOCOL, `pd-token.${many.token}`]);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as any).error).toEqual({
      code: 'rate_limited',
      message: expect.stringMatching(/too many live connections open/i),
    });
    // A client that vanished without closing: its socket is overdue for the session check and makes room.
    const stub = env.LIVE.get(env.LIVE.idFromName(many.account.id));
    await runInDurableObject(stub, (_hub, state) => {
      const [first] = state.getWebSockets();
      first!.serializeAttachment({ ...(first!.deserializeAttachment() as object), checkBy: 0 });
    });
    const admitted = await open(many);
    expect((await Promise.race(sockets.map((s) => s.closed))).code).toBe(CLOSE_REAUTH);
    for (const s of [...sockets, admitted]) s.ws.close(1000, 'done');
  });

  it('one account cannot hear another account’s tracks', async () => {
    const olivia = await person('Olivia Private');
    const eve = await person('Eve Outsider');
    const trackId = await trackOf(olivia, 'Secret Song');
    const eveSocket = await open(eve);
    const oliviaSocket = await open(olivia);
    expect((await olivia.patch(`/tracks/${trackId}`, { title: 'Secret Song (v2)' })).status).toBe(200);
    await oliviaSocket.pushFor(trackId);
    expect(await eveSocket.quietFor(trackId)).toBe(true);
  });
});

describe('every change reaches everyone it concerns', () => {
  async function world() {
    const olivia = await person('Olivia Owner');
    const ben = await person('Ben Beats');
    const cara = await person('Cara Keys');
    const trackId = await trackOf(olivia, 'Neon Rain');
    const benId = await share(olivia, trackId, ben);
    const caraId = await share(olivia, trackId, cara, 'viewer');
    const sockets = { olivia: await open(olivia), ben: await open(ben), cara: await open(cara) };
    return { olivia, ben, cara, trackId, benId, caraId, sockets };
  }

  it('revoke: the collaborator just removed hears it (with their new sync cursor), as do the owner and the others', async () => {
    const w = await world();
    const cursorBefore = (await w.ben.get('/library')).body.cursor;
    expect((await w.olivia.post(`/tracks/${w.trackId}/collaborators/${w.benId}/revoke`)).status).toBe(200);
    const toBen = await w.sockets.ben.pushFor(w.trackId);
    expect(toBen.cursor).toBeGreaterThan(cursorBefore);
    // The cursor the push carries finds the change: "removed, revoked".
    const sync = await w.ben.get(`/sync?cursor=${cursorBefore}`);
    expect(sync.body.cursor).toBe(toBen.cursor);
    expect(sync.body.changes).toEqual([expect.objectContaining({ trackId: w.trackId, change: 'removed', reason: 'revoked' })]);
    await w.sockets.olivia.pushFor(w.trackId);
    await w.sockets.cara.pushFor(w.trackId);
  });

  it('leave: the owner hears it', async () => {
    const w = await world();
    expect((await w.ben.post(`/tracks/${w.trackId}/leave`)).status).toBe(200);
    await w.sockets.olivia.pushFor(w.trackId);
    await w.sockets.ben.pushFor(w.trackId);
  });

  it('Revoke All: the person and the owner hear every track; past 50 tracks the push says "re-read everything"', async () => {
    const olivia = await person('Olivia Many');
    const ben = await person('Ben Many');
    const tracks: string[] = [];
    for (let i = 0; i < LIVE_MAX_TRACK_IDS + 2; i++) {
      const t = await trackOf(olivia, `Track ${i}`);
      await share(olivia, t, ben);
      tracks.push(t);
    }
    const s = { olivia: await open(olivia), ben: await open(ben) };
    expect((await olivia.post(`/sharing/${encodeURIComponent(ben.email)}/revoke-all`)).status).toBe(200);
    const toBen = await s.ben.pushFor(tracks[0]);
    expect(toBen.trackIds).toBeNull();
    expect((await s.olivia.pushFor(tracks.at(-1)!)).trackIds).toBeNull();
  }, 60_000);

  it('invite, accept and decline: the invitee (matched by e-mail) and the owner hear them', async () => {
    const olivia = await person('Olivia Inviter');
    const dan = await person('Dan Drums');
    const erin = await person('Erin Echo');
    const trackId = await trackOf(olivia, 'Paper Planes');
    const s = { olivia: await open(olivia), dan: await open(dan), erin: await open(erin) };
    const inv = await olivia.post(`/tracks/${trackId}/invitations`, { email: dan.email, accessLevel: 'editor' });
    expect(inv.status).toBe(201);
    await s.dan.pushFor(trackId);
    expect(await s.erin.quietFor(trackId)).toBe(true);
    clear(s.olivia, s.dan);
    expect((await dan.post(`/invitations/${inv.body.invitation.id}/accept`)).status).toBe(200);
    await s.olivia.pushFor(trackId);
    await s.dan.pushFor(trackId);

    const inv2 = await olivia.post(`/tracks/${trackId}/invitations`, { email: erin.email, accessLevel: 'viewer' });
    await s.erin.pushFor(trackId);
    clear(s.olivia);
    expect((await erin.post(`/invitations/${inv2.body.invitation.id}/decline`)).status).toBe(200);
    await s.olivia.pushFor(trackId);
  });

  it('metadata, splits and comments: everyone on the track hears them', async () => {
    const w = await world();
    expect((await w.ben.patch(`/tracks/${w.trackId}`, { stage: 'mixing', bpm: 124 })).status).toBe(200);
    await w.sockets.olivia.pushFor(w.trackId);
    await w.sockets.cara.pushFor(w.trackId);
    clear(w.sockets.olivia, w.sockets.ben, w.sockets.cara);
    const splits = await w.olivia.put(`/tracks/${w.trackId}/splits`, {
      collaborators: [{ collaboratorId: w.benId, master: 20, publishing: 25, writer: 30 }],
    });
    expect(splits.status).toBe(200);
    await w.sockets.ben.pushFor(w.trackId);
    await w.sockets.cara.pushFor(w.trackId);
    clear(w.sockets.olivia, w.sockets.ben, w.sockets.cara);
    expect((await w.cara.post(`/tracks/${w.trackId}/comments`, { body: 'Love the bridge.' })).status).toBe(201);
    await w.sockets.olivia.pushFor(w.trackId);
    await w.sockets.ben.pushFor(w.trackId);
  });

  it('a change committed outside a request (reconciliation, a Dropbox change finishing) reaches them on the next publish — the cron tick at the latest', async () => {
    const w = await world();
    // What a webhook reconciliation writes (an upload found in Dropbox), and a queued Dropbox change finishing.
    await recordFileUpload(env.DB, { trackId: w.trackId, actorId: w.ben.account.id, path: '/Neon Rain/vox.wav', via: 'dropbox' });
    await env.DB.prepare(`UPDATE dropbox_changes SET status = 'done' WHERE track_id = ? AND status <> 'done'`).bind(w.trackId).run();
    const ctx = createExecutionContext();
    await worker.scheduled!(createScheduledController({ cron: '* * * * *', scheduledTime: Date.now() }), env, ctx);
    await waitOnExecutionContext(ctx);
    await w.sockets.olivia.pushFor(w.trackId);
    await w.sockets.ben.pushFor(w.trackId);
    await w.sockets.cara.pushFor(w.trackId);
  });

  it('a Dropbox change only being claimed or rescheduled is not a change anyone sees: no push', async () => {
    const w = await world();
    await publishLive(env);
    clear(w.sockets.olivia);
    await env.DB.prepare(`UPDATE dropbox_changes SET next_attempt_at = '2999-01-01T00:00:00.000Z' WHERE track_id = ?`).bind(w.trackId).run();
    await env.DB.prepare(`UPDATE collaborators SET status = status WHERE track_id = ?`).bind(w.trackId).run();
    const res = await publishLive(env);
    expect(res.accounts).toBe(0);
    expect(await w.sockets.olivia.quietFor(w.trackId)).toBe(true);
  });

  it('past its share of Durable Object calls an invocation puts the other accounts back; the next one tells them', async () => {
    const w = await world();
    await publishLive(env);
    clear(w.sockets.olivia, w.sockets.ben, w.sockets.cara);
    await env.DB.prepare(`UPDATE tracks SET title = 'Neon Rain (edit)', updated_at = ? WHERE id = ?`).bind(new Date().toISOString(), w.trackId).run();
    const first = await publishLive(env, { maxAccounts: 1 });
    expect(first.accounts).toBe(1);
    const second = await publishLive(env, { maxAccounts: 10 });
    expect(second.accounts).toBe(2);
    for (const s of Object.values(w.sockets)) await s.pushFor(w.trackId);
    expect((await publishLive(env)).accounts).toBe(0);
  });

  it('a collaborator whose access ended long ago is not told about later edits', async () => {
    const w = await world();
    await w.olivia.post(`/tracks/${w.trackId}/collaborators/${w.benId}/revoke`);
    await w.sockets.ben.pushFor(w.trackId);
    // An hour later…
    await env.DB.prepare(`UPDATE collaborators SET updated_at = '2000-01-01T00:00:00.000Z' WHERE id = ?`).bind(w.benId).run();
    await publishLive(env);
    clear(w.sockets.ben, w.sockets.olivia);
    expect((await w.olivia.patch(`/tracks/${w.trackId}`, { title: 'Neon Rain (final)' })).status).toBe(200);
    await w.sockets.olivia.pushFor(w.trackId);
    expect(await w.sockets.ben.quietFor(w.trackId)).toBe(true);
  });
});

describe('the Durable Object (hibernation handlers)', () => {
  it('answers "ping" with "pong" and hangs up on anything else (1003)', async () => {
    const ana = await person('Ana Ping');
    const s = await open(ana);
    const pong = new Promise((resolve) => s.ws.addEventListener('message', (e) => e.data === 'pong' && resolve(true)));
    s.ws.send('ping');
    expect(await pong).toBe(true);
    s.ws.send('{"type":"hello"}');
    expect((await s.closed).code).toBe(1003);
  });

  it('a socket overdue for its session check is closed with 4001 on the next push (the client reconnects)', async () => {
    const olivia = await person('Olivia Recheck');
    const trackId = await trackOf(olivia, 'Stale Socket');
    const s = await open(olivia);
    const stub = env.LIVE.get(env.LIVE.idFromName(olivia.account.id));
    await runInDurableObject(stub, (_hub, state) => {
      for (const ws of state.getWebSockets()) ws.serializeAttachment({ ...(ws.deserializeAttachment() as object), checkBy: 0 });
    });
    expect((await olivia.patch(`/tracks/${trackId}`, { bpm: 100 })).status).toBe(200);
    expect((await s.closed).code).toBe(CLOSE_REAUTH);
  });

  it('sign-out closes that session’s socket (4003), not the account’s other sessions; sign-out everywhere closes all', async () => {
    const olivia = await person('Olivia Two Browsers');
    const { createSession } = await import('../../src/domain/index.ts');
    const second = (await createSession(env.DB, olivia.account.id)).token;
    const s1 = await open(olivia);
    const s2 = await open({ ...olivia, token: second });
    const stub = env.LIVE.get(env.LIVE.idFromName(olivia.account.id));
    expect(await stub.openSockets()).toBe(2);
    expect((await call(olivia.token, 'POST', '/auth/signout', {})).status).toBe(200);
    expect((await s1.closed).code).toBe(CLOSE_SIGNED_OUT);
    const third = (await createSession(env.DB, olivia.account.id)).token;
    expect((await call(third, 'POST', '/auth/signout-everywhere', {})).status).toBe(200);
    expect((await s2.closed).code).toBe(CLOSE_SIGNED_OUT);
  });

  it('pushes carry only ids and a cursor, never track content', async () => {
    const w = { olivia: await person('Olivia Content') };
    const trackId = await trackOf(w.olivia, 'Do Not Leak');
    const s = await open(w.olivia);
    await w.olivia.patch(`/tracks/${trackId}`, { title: 'Do Not Leak (v2)' });
    const push = await s.pushFor(trackId);
    expect(Object.keys(push).sort()).toEqual(['cursor', 'trackIds', 'type']);
    expect(JSON.stringify(push)).not.toContain('Leak');
  });
});
