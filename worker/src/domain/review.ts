// Stale-access review (issue 12, item 3): for the owner, everyone who can still open their tracks, with each
// track's stage and each person's last activity, riskiest first; and the weekly digest the cron sends when someone
// has had idle Editor access to an unreleased track for longer than the owner's threshold.
//
// Last activity is what PD saw, read from what PD already keeps (nothing is written on reads): their comments and
// their history entries on the track (edits, uploads, pins, joining), and their last sign-in or session use
// (sessions.last_used_at, moved at most once an hour). One batch of 3 statements, whatever the number of tracks.
import type { ReviewPerson, ReviewResponse, ReviewSettings, ReviewTrack, Stage } from '@pd/shared';
import type { HeadsUp } from '@pd/shared';
import { newId } from './db.ts';
import { prepare, sql, type Sql } from './sql.ts';

export const DEFAULT_IDLE_DAYS = 30;
/** Owners whose weekly digest is looked at per cron tick (one statement set each tick, whatever the number). */
export const DIGEST_OWNERS_PER_TICK = 10;
export const DIGEST_EVERY_DAYS = 7;
const DAY_MS = 86_400_000;

interface ReviewRow {
  id: string;
  email: string;
  email_lower: string;
  display_name: string;
  account_id: string | null;
  status: 'active' | 'invited';
  access_level: 'editor' | 'viewer';
  invited_at: string;
  joined_at: string | null;
  access_expires_at: string | null;
  expiry_heads_up: number;
  expiry_note: string | null;
  expiry_set_at: string | null;
  track_id: string;
  title: string;
  stage: Stage;
  last_track_activity: string | null;
}

/** The latest activity of a collaborator record on its track (their comment or history entry), as SQL: one
 *  primary-key probe of track_activity, which triggers keep (migration 0026). */
const lastTrackActivity = (c: string, t: string): Sql => sql`MAX(
  COALESCE(${rawCol(c, 'joined_at')}, ''),
  COALESCE((SELECT a.last_at FROM track_activity a WHERE a.track_id = ${rawCol(t, 'id')} AND a.account_id = ${rawCol(c, 'account_id')}), ''))`;
const rawCol = (alias: string, column: string): Sql => ({ text: `${alias}.${column}`, params: [] });

const lastSignIn = (account: Sql): Sql =>
  sql`COALESCE((SELECT MAX(COALESCE(s.last_used_at, s.created_at)) FROM sessions s WHERE s.account_id = ${account}), '')`;

const days = (from: string | null, nowMs: number): number => (from ? Math.max(0, Math.floor((nowMs - Date.parse(from)) / DAY_MS)) : 0);

const latest = (...xs: (string | null | undefined)[]): string | null =>
  xs.filter((x): x is string => !!x).reduce<string | null>((a, b) => (a === null || b > a ? b : a), null);

/** GET /sharing/review: one batch; sorted riskiest first (unreleased, Editors, longest idle). */
export async function stalenessReview(db: D1Database, ownerId: string, nowMs = Date.now()): Promise<ReviewResponse> {
  const [rowsRes, signInRes, settingsRes] = await db.batch([
    prepare(
      db,
      sql`SELECT c.id, c.email, c.email_lower, c.display_name, c.account_id, c.status, c.access_level, c.invited_at, c.joined_at,
                 c.access_expires_at, c.expiry_heads_up, c.expiry_note, c.expiry_set_at, t.id AS track_id, t.title, t.stage,
                 NULLIF(${lastTrackActivity('c', 't')}, '') AS last_track_activity
          FROM tracks t JOIN collaborators c ON c.track_id = t.id
          WHERE t.owner_id = ${ownerId} AND c.status IN ('active', 'invited')`,
    ),
    prepare(
      db,
      sql`SELECT s.account_id, MAX(COALESCE(s.last_used_at, s.created_at)) AS at FROM sessions s
          WHERE s.account_id IN (SELECT c.account_id FROM tracks t JOIN collaborators c ON c.track_id = t.id
                                 WHERE t.owner_id = ${ownerId} AND c.status = 'active' AND c.account_id IS NOT NULL)
          GROUP BY s.account_id`,
    ),
    prepare(db, sql`SELECT idle_days, last_digest_at FROM owner_review WHERE owner_id = ${ownerId}`),
  ]);
  const settingsRow = settingsRes.results[0] as { idle_days: number; last_digest_at: string | null } | undefined;
  const settings: ReviewSettings = { idleDays: settingsRow?.idle_days ?? DEFAULT_IDLE_DAYS, lastDigestAt: settingsRow?.last_digest_at ?? null };
  const signIns = new Map((signInRes.results as { account_id: string; at: string }[]).map((r) => [r.account_id, r.at]));
  const people = new Map<string, ReviewPerson>();
  for (const r of rowsRes.results as ReviewRow[]) {
    const signIn = r.account_id ? (signIns.get(r.account_id) ?? null) : null;
    let p = people.get(r.email_lower);
    if (!p) {
      p = {
        personKey: r.email_lower,
        displayName: r.display_name,
        email: r.email,
        accountId: r.account_id,
        lastActivityAt: null,
        lastSignInAt: null,
        idleDays: 0,
        unreleasedCount: 0,
        editorCount: 0,
        staleCount: 0,
        tracks: [],
      };
      people.set(r.email_lower, p);
    }
    if (!p.accountId && r.account_id) {
      p.accountId = r.account_id;
      p.displayName = r.display_name;
    }
    p.lastSignInAt = latest(p.lastSignInAt, signIn);
    // Per track: their activity there, or their last sign-in anywhere in PD, whichever is later.
    const trackActivity = r.status === 'active' ? latest(r.last_track_activity, signIn) : null;
    const idleDays = days(trackActivity ?? r.invited_at, nowMs);
    const released = r.stage === 'released';
    const headsUp: HeadsUp | null =
      r.access_expires_at && r.expiry_heads_up === 1
        ? { note: r.expiry_note, accessEndsAt: r.access_expires_at, sentAt: r.expiry_set_at ?? '' }
        : null;
    const track: ReviewTrack = {
      trackId: r.track_id,
      title: r.title,
      stage: r.stage,
      released,
      collaboratorId: r.id,
      status: r.status,
      accessLevel: r.access_level,
      lastActivityAt: trackActivity,
      idleDays,
      accessExpiresAt: r.access_expires_at,
      headsUp,
      stale:
        r.status === 'active' &&
        r.access_level === 'editor' &&
        !released &&
        !!trackActivity &&
        nowMs - Date.parse(trackActivity) > settings.idleDays * DAY_MS,
    };
    p.tracks.push(track);
    p.lastActivityAt = latest(p.lastActivityAt, trackActivity);
    if (!released) p.unreleasedCount++;
    if (r.access_level === 'editor') p.editorCount++;
    if (track.stale) p.staleCount++;
  }
  const risk = (t: Pick<ReviewTrack, 'released' | 'accessLevel' | 'idleDays'>) => [
    t.released ? 1 : 0,
    t.accessLevel === 'editor' ? 0 : 1,
    -t.idleDays,
  ];
  const cmp = (a: number[], b: number[]) => a.reduce((d, x, i) => d || x - b[i], 0);
  const list = [...people.values()];
  for (const p of list) {
    p.tracks.sort((a, b) => cmp(risk(a), risk(b)) || a.title.localeCompare(b.title));
    p.idleDays = p.lastActivityAt ? days(p.lastActivityAt, nowMs) : Math.max(...p.tracks.map((t) => t.idleDays));
  }
  // A person is as risky as their riskiest track; then more stale tracks first.
  list.sort((a, b) => cmp(risk(a.tracks[0]), risk(b.tracks[0])) || b.staleCount - a.staleCount || a.displayName.localeCompare(b.displayName));
  return { people: list, settings, generatedAt: new Date(nowMs).toISOString() };
}

export async function setReviewSettings(db: D1Database, ownerId: string, idleDays: number): Promise<ReviewSettings> {
  const row = await prepare(
    db,
    sql`INSERT INTO owner_review (owner_id, idle_days) VALUES (${ownerId}, ${idleDays})
        ON CONFLICT (owner_id) DO UPDATE SET idle_days = excluded.idle_days
        RETURNING idle_days, last_digest_at`,
  ).first<{ idle_days: number; last_digest_at: string | null }>();
  return { idleDays: row!.idle_days, lastDigestAt: row!.last_digest_at };
}

/**
 * The weekly digest (cron): claims up to DIGEST_OWNERS_PER_TICK owners whose digest is due (next one a week later,
 * whether or not this one finds anything), and notifies those with idle Editor access to an unreleased track longer
 * than their threshold — one notification per owner, on the track idle the longest. 3 statements per tick.
 */
export async function sendStaleAccessDigests(db: D1Database, nowMs = Date.now()): Promise<number> {
  const now = new Date(nowMs).toISOString();
  const next = new Date(nowMs + DIGEST_EVERY_DAYS * DAY_MS).toISOString();
  const eventId = newId('evt');
  const idle = sql`NULLIF(MAX(${lastTrackActivity('c', 't')}, ${lastSignIn(sql`c.account_id`)}), '')`;
  const [, , marked] = await db.batch([
    prepare(
      db,
      sql`UPDATE owner_review SET next_digest_at = ${next}, digest_event = ${eventId}
          WHERE owner_id IN (SELECT owner_id FROM owner_review WHERE next_digest_at <= ${now} ORDER BY next_digest_at LIMIT ${DIGEST_OWNERS_PER_TICK})`,
    ),
    prepare(
      db,
      sql`INSERT INTO notifications (recipient_id, kind, track_id, actor_id, actor_name, via, created_at, notice)
          SELECT owner_id, 'stale_access_digest', track_id, NULL, 'Producer Dashboard', 'app', ${now},
                 json_object('digest', json_object('people', people, 'tracks', tracks, 'idleDays', idle_days))
          FROM (
            -- One min() aggregate: SQLite takes track_id from the row idle the longest.
            SELECT owner_id, idle_days, track_id, MIN(last_activity) AS oldest,
                   count(DISTINCT email_lower) AS people, count(DISTINCT track_id) AS tracks
            FROM (SELECT o.owner_id, o.idle_days, c.email_lower, t.id AS track_id, ${idle} AS last_activity
                  FROM owner_review o JOIN tracks t ON t.owner_id = o.owner_id JOIN collaborators c ON c.track_id = t.id
                  WHERE o.digest_event = ${eventId} AND c.status = 'active' AND c.access_level = 'editor' AND t.stage <> 'released')
            WHERE last_activity < strftime('%Y-%m-%dT%H:%M:%fZ', ${now}, '-' || idle_days || ' days')
            GROUP BY owner_id)`,
    ),
    prepare(
      db,
      sql`UPDATE owner_review SET last_digest_at = ${now}
          WHERE digest_event = ${eventId} AND EXISTS (SELECT 1 FROM notifications n WHERE n.recipient_id = owner_review.owner_id
                AND n.kind = 'stale_access_digest' AND n.created_at = ${now})`,
    ),
  ]);
  // Owners notified (the INSERT's own count would include its title trigger's write).
  return marked.meta.changes ?? 0;
}
