// An in-memory stand-in for the PD worker's HTTP API, for unit and DOM tests only: it answers the routes the
// extension calls with the shapes of @pd/shared and the product's rules in their simplest form. The real worker
// (and the Dropbox emulator) are exercised by the end-to-end tests in e2e/.
import type {
  Collaborator,
  Invitation,
  DropboxChangeSummary,
  LibraryChangeReason,
  MyRole,
  Notification,
  NotificationKind,
  Track,
  TrackDetail,
} from '@pd/shared';

export interface FakeAccount {
  id: string;
  email: string;
  displayName: string;
}

interface FakeTrack {
  track: Track;
  /** Each account's own path of the folder (paths differ per user in Dropbox): a decoded /home path
   *  ("/PRODUCER-DASHBOARD/x"), or a decoded web path of another space ("/work/Acme Studio/Rio Park/x", "/personal/x"). */
  paths: Map<string, string>;
  collaborators: Collaborator[];
  changes: DropboxChangeSummary[];
  placement: Map<string, { project: string | null; hidden: boolean }>;
}

const NOW = '2026-11-27T20:00:00.000Z';

export const MAYA: FakeAccount = { id: 'acc_maya', email: 'maya@pd.example', displayName: 'Maya Reyes' };
export const LEO: FakeAccount = { id: 'acc_leo', email: 'leo@pd.example', displayName: 'Leo Vance' };
export const SAM: FakeAccount = { id: 'acc_sam', email: 'sam@pd.example', displayName: 'Sam Ortiz' };

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}
function err(status: number, code: string, message: string): Response {
  return json(status, { error: { code, message } });
}

export class FakeWorker {
  readonly baseUrl = 'http://pd.test';
  readonly accounts = new Map<string, FakeAccount>();
  readonly sessions = new Map<string, string>();
  readonly tracks = new Map<string, FakeTrack>();
  readonly notifications: (Notification & { recipientId: string })[] = [];
  readonly changes: { seq: number; accountId: string; trackId: string; change: 'added' | 'updated' | 'removed'; reason: LibraryChangeReason }[] = [];
  readonly invitations: Invitation[] = [];
  readonly requests: string[] = [];
  /** Every request with its full URL and the bearer token it carried (null: none). */
  readonly sent: { method: string; url: string; token: string | null }[] = [];
  /** Uninstall token → the session it ends. */
  readonly uninstallTokens = new Map<string, string>();
  /** Sessions the worker considers expired (401 session_expired). */
  readonly expired = new Set<string>();
  /** Accounts whose Dropbox sign-in Dropbox refuses (409 dropbox_reauth_required on Dropbox routes). */
  readonly reauthRequired = new Set<string>();
  /** While set: answer 429 rate_limited with this Retry-After (seconds), to every request or to one path only. */
  rateLimited: { retryAfter: number; path?: string } | null = null;
  /** JSON bodies received, by "METHOD /path". */
  readonly bodies = new Map<string, unknown>();
  unreachable = false;
  private seq = 0;
  private ids = 0;

  constructor() {
    for (const a of [MAYA, LEO, SAM]) this.accounts.set(a.id, a);
  }

  /** A session as the worker's sign-in would create it. */
  session(account: FakeAccount): string {
    return this.signIn(account).token;
  }

  /** A sign-in: the session token and its uninstall token (which can only end that session). */
  signIn(account: FakeAccount): { token: string; uninstallToken: string } {
    const token = `tok_${account.id}_${++this.ids}`;
    const uninstallToken = `uninst_${account.id}_${++this.ids}`;
    this.sessions.set(token, account.id);
    this.uninstallTokens.set(uninstallToken, token);
    return { token, uninstallToken };
  }

  addTrack(opts: {
    title: string;
    owner: FakeAccount;
    path: string;
    collaborators?: { account: FakeAccount; accessLevel?: 'editor' | 'viewer'; role?: string; path?: string }[];
  }): string {
    const id = `trk_${++this.ids}`;
    const t: FakeTrack = {
      track: {
        id,
        title: opts.title,
        stage: 'mixing',
        bpm: 92,
        key: 'A minor',
        tags: [],
        archived: false,
        ownerId: opts.owner.id,
        ownerName: opts.owner.displayName,
        dropboxSharedFolderId: `sf_${id}`,
        createdAt: NOW,
        updatedAt: NOW,
        ownerSplits: { master: 50, publishing: 50, writer: 50 },
      },
      paths: new Map([[opts.owner.id, opts.path]]),
      collaborators: [],
      changes: [],
      placement: new Map(),
    };
    this.record(opts.owner.id, id, 'added', 'created');
    for (const c of opts.collaborators ?? []) {
      t.collaborators.push({
        id: `col_${++this.ids}`,
        accountId: c.account.id,
        displayName: c.account.displayName,
        email: c.account.email,
        role: c.role ?? 'producer',
        accessLevel: c.accessLevel ?? 'editor',
        splits: { master: 25, publishing: 25, writer: 25 },
        status: 'active',
        invitedAt: NOW,
        joinedAt: NOW,
        endedAt: null,
        endedVia: null,
      });
      t.paths.set(c.account.id, c.path ?? opts.path);
      this.record(c.account.id, id, 'added', 'accepted');
    }
    this.tracks.set(id, t);
    return id;
  }

  /** Completes every pending Dropbox change (what the worker's queue would do). */
  drainDropbox(status: 'done' | 'failed' = 'done'): void {
    for (const t of this.tracks.values())
      for (const c of t.changes)
        if (c.status === 'pending' || c.status === 'running') {
          c.status = status;
          c.lastError = status === 'failed' ? 'too_many_write_operations' : null;
        }
  }

  private record(accountId: string, trackId: string, change: 'added' | 'updated' | 'removed', reason: LibraryChangeReason) {
    this.changes.push({ seq: ++this.seq, accountId, trackId, change, reason });
  }

  private notify(recipientId: string, kind: NotificationKind, t: FakeTrack, actor: FakeAccount) {
    this.notifications.unshift({
      id: `ntf_${++this.ids}`,
      recipientId,
      kind,
      trackId: t.track.id,
      trackTitle: t.track.title,
      actor: { id: actor.id, name: actor.displayName },
      via: 'app',
      read: false,
      createdAt: NOW,
    });
  }

  private roleOf(t: FakeTrack, accountId: string): MyRole | 'ended' | null {
    if (t.track.ownerId === accountId) return 'owner';
    const c = t.collaborators.find((x) => x.accountId === accountId);
    if (!c) return null;
    if (c.status === 'active') return c.accessLevel;
    return 'ended';
  }

  detail(t: FakeTrack, accountId: string): TrackDetail {
    const role = this.roleOf(t, accountId) as MyRole;
    const p = t.placement.get(accountId) ?? { project: null, hidden: false };
    const mine = t.collaborators.find((c) => c.accountId === accountId);
    const total = (k: 'master' | 'publishing' | 'writer') => {
      const n = t.track.ownerSplits[k] + t.collaborators.reduce((s, c) => s + c.splits[k], 0);
      return { total: n, overAllocated: n > 100 };
    };
    return {
      track: t.track,
      myRole: role,
      project: p.project,
      hidden: p.hidden,
      collaborators: t.collaborators,
      splitTotals: { master: total('master'), publishing: total('publishing'), writer: total('writer') },
      comments: [],
      dropboxChanges: t.changes.filter((c) => c.status !== 'done' && (role === 'owner' || c.collaboratorId === mine?.id)),
    };
  }

  private end(t: FakeTrack, c: Collaborator, status: 'revoked' | 'left', actor: FakeAccount): boolean {
    if (c.status !== 'active' && c.status !== 'invited') return false;
    c.status = status;
    c.endedAt = NOW;
    c.endedVia = 'app';
    t.changes.push({
      id: ++this.ids,
      kind: status === 'revoked' ? 'remove_member' : 'relinquish',
      status: 'pending',
      collaboratorId: c.id,
      attempts: 0,
      lastError: null,
      createdAt: NOW,
      updatedAt: NOW,
    });
    if (c.accountId) this.record(c.accountId, t.track.id, 'removed', status);
    if (status === 'revoked' && c.accountId) this.notify(c.accountId, 'access_revoked', t, actor);
    if (status === 'left') this.notify(t.track.ownerId, 'collaborator_left', t, actor);
    return true;
  }

  fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    if (this.unreachable) throw new TypeError('Failed to fetch');
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const method = (init?.method ?? 'GET').toUpperCase();
    const path = url.pathname.replace(/^\/api\/v1/, '');
    this.requests.push(`${method} ${path}${url.search}`);
    const body = init?.body ? JSON.parse(String(init.body)) : undefined;
    if (body !== undefined) this.bodies.set(`${method} ${path}`, body);
    const token = (init?.headers as Record<string, string> | undefined)?.Authorization?.replace(/^Bearer /, '');
    this.sent.push({ method, url: url.href, token: token ?? null });
    if (this.rateLimited && (!this.rateLimited.path || this.rateLimited.path === path))
      return new Response(JSON.stringify({ error: { code: 'rate_limited', message: 'Too many requests.' } }), {
        status: 429,
        headers: { 'content-type': 'application/json', 'Retry-After': String(this.rateLimited.retryAfter) },
      });

    if (method === 'GET' && path === '/auth/config')
      return json(200, {
        clientId: 'pd-local-app-key',
        authorizeUrl: 'https://dropbox.test/oauth2/authorize',
        tokenAccessType: 'offline',
        codeChallengeMethod: 'S256',
      });
    if (method === 'POST' && path === '/auth/dropbox') {
      const email = String(body?.code ?? '').replace(/^code-for:/, '');
      const account = [...this.accounts.values()].find((a) => a.email === email);
      if (!account || !body?.codeVerifier || !body?.redirectUri) return err(400, 'invalid_grant', 'The authorization code is not valid.');
      const { token: session, uninstallToken } = this.signIn(account);
      return json(200, {
        session,
        uninstallToken,
        expiresAt: '2027-01-01T00:00:00.000Z',
        account: { ...account, dropboxAccountId: `dbid:${account.id}` },
      });
    }
    if (method === 'GET' && path === '/auth/uninstalled') {
      const ended = this.uninstallTokens.get(url.searchParams.get('token') ?? '');
      if (ended) this.sessions.delete(ended);
      return new Response('<p>Producer Dashboard: signed out.</p>', { status: 200, headers: { 'content-type': 'text/html' } });
    }

    if (token && this.expired.has(token)) return err(401, 'session_expired', 'Your session expired.');
    const accountId = token ? this.sessions.get(token) : undefined;
    if (!accountId) return err(401, 'unauthenticated', 'Sign in first.');
    const me = this.accounts.get(accountId)!;
    if (method === 'POST' && path === '/auth/signout') {
      this.sessions.delete(token!);
      return json(200, { signedOut: true });
    }
    if (method === 'POST' && path === '/auth/signout-everywhere') {
      let sessionsEnded = 0;
      for (const [t, a] of [...this.sessions])
        if (a === accountId) {
          this.sessions.delete(t);
          sessionsEnded++;
        }
      return json(200, { signedOut: true, sessionsEnded });
    }

    if (method === 'GET' && path === '/tracks/by-dropbox-path') {
      if (this.reauthRequired.has(accountId))
        return err(409, 'dropbox_reauth_required', 'Dropbox no longer accepts your sign-in: sign in with Dropbox again.');
      const web = url.searchParams.get('path') ?? '';
      if (!/^\/(home|personal|work)\//.test(web))
        return err(400, 'validation_failed', 'path: expected a Dropbox web path such as /home/Folder/Track or /work/Team/Folder.');
      const wanted = placeKey(web, true);
      for (const t of this.tracks.values()) {
        const mine = t.paths.get(accountId);
        if (!mine || placeKey(mine, false) !== wanted) continue;
        const role = this.roleOf(t, accountId);
        // Dropbox may still show the folder after access ended: the lookup finds it, the track read says 403.
        if (role)
          return json(200, {
            track: t.track,
            myRole: role === 'ended' ? 'viewer' : role,
            sharedFolderId: t.track.dropboxSharedFolderId,
            position: 'root',
          });
      }
      return err(404, 'not_a_pd_track', 'This folder is not a Producer Dashboard track you are part of.');
    }

    let m: RegExpExecArray | null;
    if ((m = /^\/tracks\/([^/]+)(\/.*)?$/.exec(path))) {
      const t = this.tracks.get(decodeURIComponent(m[1]!));
      if (!t) return err(404, 'track_not_found', 'No such track.');
      const role = this.roleOf(t, accountId);
      if (role === null) return err(404, 'track_not_found', 'No such track.');
      if (role === 'ended') return err(403, 'access_ended', 'Your access to this track has ended.');
      const rest = m[2] ?? '';
      if (method === 'GET' && rest === '') return json(200, this.detail(t, accountId));
      let c: RegExpExecArray | null;
      if ((c = /^\/collaborators\/([^/]+)(\/revoke)?$/.exec(rest))) {
        if (role !== 'owner') return err(403, 'owner_only', 'Only the track owner can do this.');
        const col = t.collaborators.find((x) => x.id === decodeURIComponent(c![1]!));
        if (!col) return err(404, 'collaborator_not_found', 'No such collaborator.');
        if (method === 'POST' && c[2]) {
          const changed = this.end(t, col, 'revoked', me);
          return json(200, { changed, collaborator: col });
        }
        if (method === 'PATCH') {
          if (col.status !== 'active') return err(409, 'collaborator_not_active', `${col.displayName}'s access has ended.`);
          const changed = col.accessLevel !== body.accessLevel;
          col.accessLevel = body.accessLevel;
          if (changed)
            t.changes.push({
              id: ++this.ids,
              kind: 'update_access',
              status: 'pending',
              collaboratorId: col.id,
              attempts: 0,
              lastError: null,
              createdAt: NOW,
              updatedAt: NOW,
            });
          return json(200, { changed, collaborator: col });
        }
      }
      if (method === 'POST' && rest === '/invitations') {
        if (role !== 'owner') return err(403, 'owner_only', 'Only the track owner can do this.');
        const email = String(body?.email ?? '').trim();
        if (!/^[^@\s]+@[^@\s]+$/.test(email)) return err(400, 'validation_failed', 'email: Invalid email address.');
        if (email.toLowerCase() === this.accounts.get(t.track.ownerId)!.email) return err(409, 'cannot_invite_owner', 'You own this track.');
        const accessLevel = body.accessLevel ?? 'viewer';
        let col = t.collaborators.find((x) => x.email.toLowerCase() === email.toLowerCase());
        if (col?.status === 'active') return err(409, 'already_collaborator', `${col.displayName} is already a collaborator on this track.`);
        if (col?.status === 'invited') return err(409, 'already_invited', `${col.displayName} already has a pending invitation.`);
        const invitee = [...this.accounts.values()].find((a) => a.email === email.toLowerCase()) ?? null;
        if (col) {
          // Sharing again after a revoke, leave or decline: the same record, credits kept.
          col.status = 'invited';
          col.accessLevel = accessLevel;
          if (body.role !== undefined) col.role = body.role;
          col.invitedAt = NOW;
          col.endedAt = null;
          col.endedVia = null;
        } else {
          col = {
            id: `col_${++this.ids}`,
            accountId: null,
            displayName: body.displayName ?? email,
            email,
            role: body.role ?? null,
            accessLevel,
            splits: { master: 0, publishing: 0, writer: 0 },
            status: 'invited',
            invitedAt: NOW,
            joinedAt: null,
            endedAt: null,
            endedVia: null,
          };
          t.collaborators.push(col);
        }
        t.changes.push({
          id: ++this.ids,
          kind: 'add_member',
          status: 'pending',
          collaboratorId: col.id,
          attempts: 0,
          lastError: null,
          createdAt: NOW,
          updatedAt: NOW,
        });
        const invitation: Invitation = {
          id: `inv_${++this.ids}`,
          trackId: t.track.id,
          trackTitle: t.track.title,
          collaboratorId: col.id,
          email,
          accessLevel,
          status: 'pending',
          invitedBy: { id: me.id, name: me.displayName },
          createdAt: NOW,
          respondedAt: null,
        };
        this.invitations.push(invitation);
        if (invitee) this.notify(invitee.id, 'invitation_received', t, me);
        return json(201, { invitation, collaborator: col });
      }
      if (method === 'POST' && rest === '/leave') {
        if (role === 'owner') return err(409, 'owner_cannot_leave', 'You own this track: an owner cannot leave it.');
        const col = t.collaborators.find((x) => x.accountId === accountId)!;
        const changed = this.end(t, col, 'left', me);
        return json(200, { changed, trackId: t.track.id, status: col.status });
      }
      if (method === 'POST' && rest === '/archive') {
        if (role === 'viewer') return err(403, 'editor_required', 'Only the owner or an Editor can archive.');
        t.track.archived = body.archived;
        return json(200, this.detail(t, accountId));
      }
      if (method === 'PUT' && rest === '/placement') {
        const p = t.placement.get(accountId) ?? { project: null, hidden: false };
        if (body.project !== undefined) p.project = body.project;
        if (body.hidden !== undefined) p.hidden = body.hidden;
        t.placement.set(accountId, p);
        return json(200, this.detail(t, accountId));
      }
    }

    if (method === 'POST' && (m = /^\/sharing\/([^/]+)\/revoke-all$/.exec(path))) {
      const key = decodeURIComponent(m[1]!);
      const trackIds: string[] = [];
      for (const t of this.tracks.values()) {
        if (t.track.ownerId !== accountId) continue;
        for (const c of t.collaborators) if (c.email.toLowerCase() === key && this.end(t, c, 'revoked', me)) trackIds.push(t.track.id);
      }
      return json(200, { revokedCount: trackIds.length, trackIds });
    }
    if (method === 'POST' && (m = /^\/dropbox-changes\/(\d+)\/retry$/.exec(path))) {
      for (const t of this.tracks.values())
        for (const c of t.changes)
          if (c.id === Number(m[1])) {
            c.status = 'pending';
            return json(200, { change: c });
          }
      return err(404, 'dropbox_change_not_found', 'No such Dropbox change.');
    }
    if (method === 'GET' && path === '/sharing') {
      const people = new Map<string, { personKey: string; displayName: string; email: string; accountId: string | null; tracks: unknown[] }>();
      for (const t of this.tracks.values()) {
        if (t.track.ownerId !== accountId) continue;
        for (const c of t.collaborators) {
          if (c.status !== 'active' && c.status !== 'invited') continue;
          const key = c.email.toLowerCase();
          const p = people.get(key) ?? { personKey: key, displayName: c.displayName, email: c.email, accountId: c.accountId, tracks: [] };
          p.tracks.push({ trackId: t.track.id, title: t.track.title, collaboratorId: c.id, status: c.status, accessLevel: c.accessLevel });
          people.set(key, p);
        }
      }
      return json(200, { people: [...people.values()] });
    }
    if (method === 'GET' && path === '/library') {
      const items = [...this.tracks.values()]
        .filter((t) => {
          const r = this.roleOf(t, accountId);
          return r !== null && r !== 'ended';
        })
        .map((t) => {
          const d = this.detail(t, accountId);
          return { track: t.track, myRole: d.myRole, project: d.project, hidden: d.hidden };
        });
      return json(200, { items, nextBefore: null, cursor: this.cursorOf(accountId) });
    }
    if (method === 'GET' && path === '/sync') {
      const cursor = Number(url.searchParams.get('cursor') ?? 0);
      const changes = this.changes
        .filter((c) => c.accountId === accountId && c.seq > cursor)
        .map((c) => ({ seq: c.seq, trackId: c.trackId, change: c.change, reason: c.reason, item: null, at: NOW }));
      return json(200, { changes, cursor: changes.at(-1)?.seq ?? cursor, hasMore: false });
    }
    if (method === 'GET' && path === '/invitations')
      return json(200, { invitations: this.invitations.filter((i) => i.status === 'pending' && i.email.toLowerCase() === me.email) });
    if (method === 'POST' && (m = /^\/invitations\/([^/]+)\/(accept|decline)$/.exec(path))) {
      const inv = this.invitations.find((i) => i.id === decodeURIComponent(m![1]!));
      if (!inv) return err(404, 'invitation_not_found', 'No such invitation.');
      if (inv.email.toLowerCase() !== me.email) return err(403, 'invitation_not_yours', 'This invitation was sent to another e-mail address.');
      if (inv.status !== 'pending') return err(409, 'invitation_not_pending', `This invitation was already ${inv.status}.`);
      const t = this.tracks.get(inv.trackId)!;
      const col = t.collaborators.find((c) => c.id === inv.collaboratorId)!;
      inv.respondedAt = NOW;
      if (m[2] === 'accept') {
        inv.status = 'accepted';
        col.status = 'active';
        col.accountId = me.id;
        col.joinedAt = NOW;
        if (!t.paths.has(me.id)) t.paths.set(me.id, `/${t.track.title}`);
        this.record(me.id, t.track.id, 'added', 'accepted');
        this.notify(t.track.ownerId, 'invitation_accepted', t, me);
        return json(200, { invitation: inv, track: this.detail(t, me.id) });
      }
      inv.status = 'declined';
      col.status = 'declined';
      col.endedAt = NOW;
      col.endedVia = 'app';
      t.changes.push({
        id: ++this.ids,
        kind: 'remove_member',
        status: 'pending',
        collaboratorId: col.id,
        attempts: 0,
        lastError: null,
        createdAt: NOW,
        updatedAt: NOW,
      });
      this.notify(t.track.ownerId, 'invitation_declined', t, me);
      return json(200, { invitation: inv });
    }
    const mine = () => this.notifications.filter((n) => n.recipientId === accountId);
    if (method === 'GET' && path === '/notifications') {
      const unreadOnly = url.searchParams.get('unread') === 'true';
      return json(200, { notifications: mine().filter((n) => !unreadOnly || !n.read), nextBefore: null });
    }
    if (method === 'GET' && path === '/notifications/unread-count') return json(200, { unread: mine().filter((n) => !n.read).length });
    if (method === 'POST' && path === '/notifications/read') {
      let marked = 0;
      for (const n of mine())
        if (!n.read && (body.all || body.ids?.includes(n.id))) {
          n.read = true;
          marked++;
        }
      return json(200, { marked, unread: mine().filter((n) => !n.read).length });
    }
    return err(404, 'not_found', `No route ${method} ${path}`);
  };

  private cursorOf(accountId: string): number {
    return this.changes.filter((c) => c.accountId === accountId).at(-1)?.seq ?? 0;
  }
}

/** One key for a folder's place, from the lookup's (encoded) web path or a track's stored (decoded) path. */
function placeKey(p: string, encoded: boolean): string {
  const decode = (x: string) => (encoded ? decodeURIComponent(x) : x);
  const m = /^\/(home|personal|work)(\/.*)?$/.exec(p);
  if (encoded || (m && m[1] !== 'home')) {
    const [, space = 'home', rest = ''] = m ?? [];
    return `${space}:${rest.split('/').filter(Boolean).map(decode).join('/')}`.toLowerCase();
  }
  return `home:${p.split('/').filter(Boolean).join('/')}`.toLowerCase();
}
