// Issue 12, item 1: "an owner can give a collaborator access until a date". At expiry PD revokes exactly as a manual
// revoke does; the notices say it expired. Reminders 3 days and 1 day before; fires within a minute; never twice;
// a re-invite clears it; bad dates are refused with a code.
import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../src/index.ts';
import { recordFileUpload } from '../../src/domain/index.ts';
import { runAccessSchedules } from '../../src/jobs/schedules.ts';
import { person, share, snapshot, trackOf, type Person } from './helpers.ts';

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
const count = async (q: string, ...args: unknown[]) =>
  (await env.DB.prepare(q)
    .bind(...args)
    .first<{ n: number }>())!.n;
const notices = async (p: Person, kind?: string) =>
  ((await p.get('/notifications')).body.notifications as any[]).filter((n) => !kind || n.kind === kind);

/** Moves a scheduled end to an exact time (the API refuses the past; the cron must still honour it). */
const setEnd = (collaboratorId: string, at: string) =>
  env.DB.prepare('UPDATE collaborators SET access_expires_at = ? WHERE id = ?').bind(at, collaboratorId).run();

async function cronTick() {
  const ctx = createExecutionContext();
  await worker.scheduled!(createScheduledController({ cron: '* * * * *', scheduledTime: Date.now() }), env, ctx);
  await waitOnExecutionContext(ctx);
}

describe('expiring access', () => {
  it('is set on invite, shown to the owner and to the collaborator (panel and popup), and never to other collaborators', async () => {
    const olivia = await person('Olivia Owner');
    const ben = await person('Ben Beats');
    const cara = await person('Cara Keys');
    const trackId = await trackOf(olivia, 'Until Friday');
    const until = iso(Date.now() + 10 * DAY);
    const benId = await share(olivia, trackId, ben, 'editor', { accessExpiresAt: until });
    await share(olivia, trackId, cara, 'viewer');

    const owner = await olivia.get(`/tracks/${trackId}`);
    expect(owner.body.collaborators.find((c: any) => c.id === benId)).toMatchObject({ accessExpiresAt: until, headsUp: null, status: 'active' });
    const mine = await ben.get(`/tracks/${trackId}`);
    expect(mine.body.myAccessEndsAt).toBe(until);
    const lib = await ben.get('/library');
    expect(lib.body.items.find((i: any) => i.track.id === trackId).accessEndsAt).toBe(until);
    const other = await cara.get(`/tracks/${trackId}`);
    expect(other.body.collaborators.find((c: any) => c.id === benId).accessExpiresAt).toBeNull();
    expect(other.body.myAccessEndsAt).toBeNull();
  });

  it('is changed and removed on an existing collaborator; each change is in the history and told to them once', async () => {
    const olivia = await person('Olivia Owner');
    const ben = await person('Ben Beats');
    const trackId = await trackOf(olivia, 'Changeable');
    const benId = await share(olivia, trackId, ben, 'editor');
    const path = `/tracks/${trackId}/collaborators/${benId}/expiry`;
    const first = iso(Date.now() + 20 * DAY);
    const r1 = await olivia.put(path, { accessExpiresAt: first });
    expect(r1.status).toBe(200);
    expect(r1.body).toMatchObject({ changed: true, collaborator: { accessExpiresAt: first } });
    // The same date again changes nothing and notifies nobody.
    const again = await olivia.put(path, { accessExpiresAt: first });
    expect(again.body.changed).toBe(false);
    // A date with another offset is the same instant in UTC.
    const later = new Date(Date.now() + 30 * DAY);
    later.setUTCMilliseconds(0);
    const withOffset = later.toISOString().replace('.000Z', '+00:00');
    const r2 = await olivia.put(path, { accessExpiresAt: withOffset });
    expect(r2.body.collaborator.accessExpiresAt).toBe(later.toISOString());
    const r3 = await olivia.put(path, { accessExpiresAt: null });
    expect(r3.body).toMatchObject({ changed: true, collaborator: { accessExpiresAt: null } });
    expect((await olivia.put(path, { accessExpiresAt: null })).body.changed).toBe(false);

    const set = await notices(ben, 'access_expiry_set');
    expect(set.map((n) => n.notice.accessEndsAt)).toEqual([null, later.toISOString(), first]);
    const history = (await olivia.get(`/tracks/${trackId}/history`)).body.entries.map((e: any) => e.kind);
    expect(history.filter((k: string) => k.startsWith('access_expiry'))).toEqual(['access_expiry_removed', 'access_expiry_set', 'access_expiry_set']);
  });

  it('at the boundary: one millisecond before nothing happens; at the time PD revokes exactly as a manual revoke, and says it expired', async () => {
    const olivia = await person('Olivia Owner');
    const ben = await person('Ben Beats');
    const trackId = await trackOf(olivia, 'On The Dot');
    const benId = await share(olivia, trackId, ben, 'editor', { role: 'producer', splits: { master: 20, publishing: 10, writer: 5 } });
    const comment = (await ben.post(`/tracks/${trackId}/comments`, { body: 'Kick too loud.' })).body.comment.id;
    await ben.post(`/tracks/${trackId}/comments/${comment}/pin`, { pinned: true });
    await ben.patch(`/tracks/${trackId}`, { bpm: 126 });
    await recordFileUpload(env.DB, { trackId, actorId: ben.account.id, path: '/x/stems.wav', via: 'dropbox' });
    const at = Date.now() + 5 * DAY;
    expect((await olivia.put(`/tracks/${trackId}/collaborators/${benId}/expiry`, { accessExpiresAt: iso(at) })).status).toBe(200);

    await runAccessSchedules(env.DB, at - 1);
    expect((await ben.get(`/tracks/${trackId}`)).status).toBe(200);

    const summary = await runAccessSchedules(env.DB, at);
    expect(summary.expired).toBeGreaterThanOrEqual(1);
    const gone = await ben.get(`/tracks/${trackId}`);
    expect([gone.status, gone.body.error.code]).toEqual([403, 'access_ended']);
    // What a manual revoke keeps: the record and credits, the comment (still pinned), the edits.
    const detail = (await olivia.get(`/tracks/${trackId}`)).body;
    expect(detail.collaborators.find((c: any) => c.id === benId)).toMatchObject({
      status: 'revoked',
      endedBySchedule: 'expiry',
      role: 'producer',
      splits: { master: 20, publishing: 10, writer: 5 },
      accessExpiresAt: null,
    });
    expect(detail.comments.find((c: any) => c.id === comment)).toMatchObject({ pinned: true, authorName: 'Ben Beats' });
    expect(detail.track.bpm).toBe(126);
    // The Dropbox removal is queued, as for a revoke.
    expect(await count(`SELECT count(*) AS n FROM dropbox_changes WHERE collaborator_id = ? AND kind = 'remove_member'`, benId)).toBe(1);
    // Their sync says removed/revoked.
    const sync = await ben.get('/sync?cursor=0');
    expect(sync.body.changes.filter((c: any) => c.trackId === trackId).at(-1)).toMatchObject({ change: 'removed', reason: 'revoked' });
    // Both are told, and the notices say it expired — not an access_revoked from the owner.
    expect(await notices(ben, 'access_revoked')).toEqual([]);
    const benNotice = await notices(ben, 'access_expired');
    expect(benNotice).toHaveLength(1);
    expect(benNotice[0].notice).toMatchObject({ accessEndsAt: iso(at), endedBy: 'expiry' });
    const oliviaNotice = await notices(olivia, 'access_expired');
    expect(oliviaNotice).toHaveLength(1);
    expect(oliviaNotice[0]).toMatchObject({ trackId, actor: { name: 'Ben Beats' }, notice: { collaborator: 'Ben Beats', endedBy: 'expiry' } });
    const history = (await olivia.get(`/tracks/${trackId}/history`)).body.entries;
    expect(history[0]).toMatchObject({ kind: 'access_expired', collaboratorId: benId, details: { expiresAt: iso(at), endedBy: 'expiry' } });

    // Never twice: later ticks change nothing.
    const before = await snapshot();
    await runAccessSchedules(env.DB, at + 60_000);
    await runAccessSchedules(env.DB, at + DAY);
    const after = await snapshot();
    expect(after).toEqual(before);
  });

  it('fires from the real cron within its minute and survives a restart (the schedule is in D1, not in memory)', async () => {
    const olivia = await person('Olivia Owner');
    const ben = await person('Ben Beats');
    const trackId = await trackOf(olivia, 'Cron Minute');
    const benId = await share(olivia, trackId, ben, 'viewer');
    await olivia.put(`/tracks/${trackId}/collaborators/${benId}/expiry`, { accessExpiresAt: iso(Date.now() + DAY) });
    // The time passes while no worker is running: only D1 remembers it.
    await setEnd(benId, iso(Date.now() - 30_000));
    await cronTick();
    expect((await ben.get(`/tracks/${trackId}`)).body.error.code).toBe('access_ended');
    await cronTick();
    expect(await notices(ben, 'access_expired')).toHaveLength(1);
  });

  it('reminds 3 days and 1 day before, once each', async () => {
    const olivia = await person('Olivia Owner');
    const ben = await person('Ben Beats');
    const trackId = await trackOf(olivia, 'Reminded');
    const benId = await share(olivia, trackId, ben, 'viewer');
    const now = Date.now();
    const at = now + 10 * DAY;
    await olivia.put(`/tracks/${trackId}/collaborators/${benId}/expiry`, { accessExpiresAt: iso(at) });
    const reminders = async () => (await notices(ben, 'access_expiring')).map((n) => n.notice.reminder);
    await runAccessSchedules(env.DB, at - 4 * DAY);
    expect(await reminders()).toEqual([]);
    await runAccessSchedules(env.DB, at - 3 * DAY + 1000);
    await runAccessSchedules(env.DB, at - 3 * DAY + 60_000);
    expect(await reminders()).toEqual(['3_days']);
    await runAccessSchedules(env.DB, at - 2 * DAY);
    expect(await reminders()).toEqual(['3_days']);
    await runAccessSchedules(env.DB, at - DAY + 1000);
    await runAccessSchedules(env.DB, at - DAY + 60_000);
    expect(await reminders()).toEqual(['1_day', '3_days']);
    expect((await notices(ben, 'access_expiring'))[0].notice.accessEndsAt).toBe(iso(at));
  });

  it('an expiry set less than a day ahead sends no separate reminder (its own notice said so)', async () => {
    const olivia = await person('Olivia Owner');
    const ben = await person('Ben Beats');
    const trackId = await trackOf(olivia, 'Short Notice');
    const benId = await share(olivia, trackId, ben, 'viewer');
    await olivia.put(`/tracks/${trackId}/collaborators/${benId}/expiry`, { accessExpiresAt: iso(Date.now() + 12 * 3_600_000) });
    await runAccessSchedules(env.DB, Date.now() + 60_000);
    expect(await notices(ben, 'access_expiring')).toEqual([]);
    expect(await notices(ben, 'access_expiry_set')).toHaveLength(1);
  });

  it('a re-invite clears it: the new period of access has no end unless the new invitation sets one', async () => {
    const olivia = await person('Olivia Owner');
    const ben = await person('Ben Beats');
    const trackId = await trackOf(olivia, 'Second Chance');
    const benId = await share(olivia, trackId, ben, 'viewer', { accessExpiresAt: iso(Date.now() + 2 * DAY) });
    await setEnd(benId, iso(Date.now() - 1000));
    await runAccessSchedules(env.DB);
    expect((await olivia.get(`/tracks/${trackId}`)).body.collaborators[0].status).toBe('revoked');
    // Shared again without a date: no end, and the cron leaves them alone.
    await share(olivia, trackId, ben, 'viewer');
    const row = await env.DB.prepare('SELECT access_expires_at, expiry_reminded, ended_by_schedule FROM collaborators WHERE id = ?')
      .bind(benId)
      .first<any>();
    expect(row).toEqual({ access_expires_at: null, expiry_reminded: 0, ended_by_schedule: null });
    await runAccessSchedules(env.DB, Date.now() + 400 * DAY);
    expect((await ben.get(`/tracks/${trackId}`)).status).toBe(200);
    // Shared a third time with a date: that date.
    await olivia.post(`/tracks/${trackId}/collaborators/${benId}/revoke`);
    const until = iso(Date.now() + 3 * DAY);
    await share(olivia, trackId, ben, 'viewer', { accessExpiresAt: until });
    expect((await ben.get(`/tracks/${trackId}`)).body.myAccessEndsAt).toBe(until);
  });

  it("for all of one person's tracks from the sharing panel: set, then removed", async () => {
    const olivia = await person('Olivia Owner');
    const ben = await person('Ben Beats');
    const dan = await person('Dan Drums');
    const tracks = [await trackOf(olivia, 'A'), await trackOf(olivia, 'B'), await trackOf(olivia, 'C')];
    for (const t of tracks) await share(olivia, t, ben, 'editor');
    await share(olivia, tracks[0], dan, 'editor');
    const until = iso(Date.now() + 7 * DAY);
    const key = encodeURIComponent(ben.email.toLowerCase());
    const set = await olivia.put(`/sharing/${key}/expiry`, { accessExpiresAt: until });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ changedCount: 3, trackIds: [...tracks].sort() });
    for (const t of tracks) expect((await ben.get(`/tracks/${t}`)).body.myAccessEndsAt).toBe(until);
    expect((await dan.get(`/tracks/${tracks[0]}`)).body.myAccessEndsAt).toBeNull();
    const removed = await olivia.put(`/sharing/${key}/expiry`, { accessExpiresAt: null });
    expect(removed.body.changedCount).toBe(3);
    for (const t of tracks) expect((await ben.get(`/tracks/${t}`)).body.myAccessEndsAt).toBeNull();
    // Somebody the owner never shared with.
    const nobody = await olivia.put(`/sharing/${encodeURIComponent('nobody@example.test')}/expiry`, { accessExpiresAt: until });
    expect([nobody.status, nobody.body.error.code]).toEqual([404, 'person_not_found']);
  });

  it('bad input: past, more than 5 years ahead, not ISO-8601 → 400 with a code, nothing stored', async () => {
    const olivia = await person('Olivia Owner');
    const ben = await person('Ben Beats');
    const trackId = await trackOf(olivia, 'Bad Dates');
    const benId = await share(olivia, trackId, ben, 'viewer');
    const path = `/tracks/${trackId}/collaborators/${benId}/expiry`;
    const before = await snapshot();
    const cases: [unknown, string][] = [
      [iso(Date.now() - 60_000), 'expiry_in_past'],
      [iso(Date.now()), 'expiry_in_past'],
      [iso(Date.now() + 5 * 366 * DAY), 'expiry_too_far'],
      ['next friday', 'validation_failed'],
      ['2027-01-31', 'validation_failed'],
      ['2027-01-31T18:00:00', 'validation_failed'], // no zone: ambiguous
      ['2027-02-30T18:00:00Z', 'validation_failed'],
      [1798761600000, 'validation_failed'],
      [undefined, 'validation_failed'],
    ];
    for (const [value, code] of cases) {
      const res = await olivia.put(path, value === undefined ? {} : { accessExpiresAt: value });
      expect([value, res.status, res.body.error.code]).toEqual([value, 400, code]);
    }
    const invite = await olivia.post(`/tracks/${trackId}/invitations`, { email: 'new@example.test', accessExpiresAt: iso(Date.now() - DAY) });
    expect([invite.status, invite.body.error.code]).toEqual([400, 'expiry_in_past']);
    const person2 = await olivia.put(`/sharing/${encodeURIComponent(ben.email)}/expiry`, { accessExpiresAt: iso(Date.now() + 6 * 365 * DAY) });
    expect([person2.status, person2.body.error.code]).toEqual([400, 'expiry_too_far']);
    expect(await snapshot()).toEqual(before);
  });

  it('only the owner sets it; an ended access cannot get one', async () => {
    const olivia = await person('Olivia Owner');
    const ben = await person('Ben Beats');
    const cara = await person('Cara Keys');
    const trackId = await trackOf(olivia, 'Owner Only');
    const benId = await share(olivia, trackId, ben, 'editor');
    const caraId = await share(olivia, trackId, cara, 'editor');
    const until = { accessExpiresAt: iso(Date.now() + DAY * 2) };
    const byEditor = await ben.put(`/tracks/${trackId}/collaborators/${caraId}/expiry`, until);
    expect([byEditor.status, byEditor.body.error.code]).toEqual([403, 'owner_only']);
    await cara.post(`/tracks/${trackId}/leave`);
    const ended = await olivia.put(`/tracks/${trackId}/collaborators/${caraId}/expiry`, until);
    expect([ended.status, ended.body.error.code]).toEqual([409, 'collaborator_not_active']);
    expect((await olivia.put(`/tracks/${trackId}/collaborators/${benId}/expiry`, until)).status).toBe(200);
  });
});

describe('expiry racing a manual revoke or a leave: exactly one wins, one notification', () => {
  for (const other of ['revoke', 'leave'] as const) {
    it(`expiry vs ${other}`, async () => {
      const olivia = await person('Olivia Owner');
      const outcomes = new Set<string>();
      for (let i = 0; i < 6; i++) {
        const ben = await person(`Ben ${other} ${i}`);
        const trackId = await trackOf(olivia, `Race ${other} ${i}`);
        const benId = await share(olivia, trackId, ben, 'editor', { accessExpiresAt: iso(Date.now() + DAY) });
        await setEnd(benId, iso(Date.now() - 1));
        const act = other === 'revoke' ? olivia.post(`/tracks/${trackId}/collaborators/${benId}/revoke`) : ben.post(`/tracks/${trackId}/leave`);
        const calls: Promise<unknown>[] = [act, runAccessSchedules(env.DB)];
        await Promise.all(i % 2 ? calls : calls.reverse());
        const row = await env.DB.prepare('SELECT status, ended_by_schedule FROM collaborators WHERE id = ?').bind(benId).first<any>();
        outcomes.add(`${row.status}/${row.ended_by_schedule}`);
        const ended = await count(
          `SELECT count(*) AS n FROM track_history WHERE track_no = (SELECT no FROM tracks WHERE id = ?) AND kind IN (SELECT code FROM history_kinds WHERE name IN ('access_revoked', 'collaborator_left', 'access_expired'))`,
          trackId,
        );
        expect(ended).toBe(1);
        // One notice to the collaborator (expired or revoked), or to the owner for a leave.
        expect(
          await count(
            `SELECT count(*) AS n FROM notifications WHERE track_id = ? AND recipient_id = ? AND kind IN ('access_revoked', 'access_expired')`,
            trackId,
            ben.account.id,
          ),
        ).toBe(row.status === 'left' ? 0 : 1);
        expect(await count(`SELECT count(*) AS n FROM dropbox_changes WHERE track_id = ? AND kind IN ('remove_member', 'relinquish')`, trackId)).toBe(
          1,
        );
        expect(await count(`SELECT count(*) AS n FROM library_changes WHERE track_id = ? AND change = 'removed'`, trackId)).toBe(1);
      }
      expect(outcomes.size).toBeGreaterThan(0);
    }, 30_000);
  }
});
