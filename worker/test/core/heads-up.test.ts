// Issue 12, item 2: "Communicate with your collaborators before revoking access. A heads-up is professional
// courtesy." A heads-up is a scheduled revoke with a note: told at once (note, time, download offer), cancellable,
// can be ended early, kept in the access history, limited and sanitised.
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { runAccessSchedules } from '../../src/jobs/schedules.ts';
import { person, share, snapshot, trackOf, type Person } from './helpers.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const count = async (q: string, ...args: unknown[]) =>
  (await env.DB.prepare(q)
    .bind(...args)
    .first<{ n: number }>())!.n;
const notices = async (p: Person, kind?: string) =>
  ((await p.get('/notifications')).body.notifications as any[]).filter((n) => !kind || n.kind === kind);

async function setup(title: string) {
  const olivia = await person('Olivia Owner');
  const ben = await person('Ben Beats');
  const trackId = await trackOf(olivia, title);
  const benId = await share(olivia, trackId, ben, 'editor');
  return { olivia, ben, trackId, benId, path: `/tracks/${trackId}/collaborators/${benId}` };
}

describe('a heads-up before a revoke', () => {
  it('tells the collaborator at once, with the note and when access ends; at that time the access ends as a revoke', async () => {
    const { olivia, ben, trackId, benId, path } = await setup('Heads Up');
    const t0 = Date.now();
    const res = await olivia.post(`${path}/heads-up`, { note: 'Wrapping the EP on Friday.\r\nGrab the stems you need!', endsIn: '48h' });
    expect(res.status).toBe(200);
    const ends = res.body.collaborator.accessExpiresAt as string;
    expect(Date.parse(ends) - t0).toBeGreaterThanOrEqual(48 * HOUR - 1000);
    expect(Date.parse(ends) - t0).toBeLessThan(48 * HOUR + 60_000);
    expect(res.body.collaborator.headsUp).toMatchObject({ note: 'Wrapping the EP on Friday.\nGrab the stems you need!', accessEndsAt: ends });

    // Notified at once: the note travels with the notification (headsUp), and the access end.
    const [n] = await notices(ben, 'heads_up');
    expect(n).toMatchObject({
      trackId,
      actor: { name: 'Olivia Owner' },
      headsUp: { note: 'Wrapping the EP on Friday.\nGrab the stems you need!', accessEndsAt: ends },
    });
    expect(n.notice.accessEndsAt).toBe(ends);
    // Their panel shows it, and they still have access until then.
    const mine = await ben.get(`/tracks/${trackId}`);
    expect(mine.status).toBe(200);
    expect(mine.body.myHeadsUp).toMatchObject({ note: expect.stringContaining('Friday'), accessEndsAt: ends });
    // Kept in the access history.
    const history = (await olivia.get(`/tracks/${trackId}/history`)).body.entries;
    expect(history[0]).toMatchObject({
      kind: 'heads_up_sent',
      collaboratorId: benId,
      details: { note: expect.stringContaining('Friday'), accessEndsAt: ends, endsIn: '48h' },
    });

    await runAccessSchedules(env.DB, Date.parse(ends) - 1);
    expect((await ben.get(`/tracks/${trackId}`)).status).toBe(200);
    await runAccessSchedules(env.DB, Date.parse(ends));
    expect((await ben.get(`/tracks/${trackId}`)).body.error.code).toBe('access_ended');
    const [ended] = await notices(ben, 'access_expired');
    expect(ended.notice).toMatchObject({ endedBy: 'heads_up', headsUp: { note: expect.stringContaining('Friday') } });
    const after = (await olivia.get(`/tracks/${trackId}/history`)).body.entries;
    expect(after[0]).toMatchObject({
      kind: 'access_expired',
      details: { endedBy: 'heads_up', headsUp: { note: expect.stringContaining('Friday') } },
    });
    expect((await olivia.get(`/tracks/${trackId}`)).body.collaborators[0]).toMatchObject({ status: 'revoked', endedBySchedule: 'heads_up' });
  });

  it('cancelled: the collaborator is told, the time passes and nothing happens', async () => {
    const { olivia, ben, trackId, path } = await setup('Cancelled');
    const res = await olivia.post(`${path}/heads-up`, { note: 'Last week on this one.', endsIn: '7d' });
    const ends = Date.parse(res.body.collaborator.accessExpiresAt);
    const cancel = await olivia.put(`${path}/expiry`, { accessExpiresAt: null });
    expect(cancel.body).toMatchObject({ changed: true, collaborator: { accessExpiresAt: null, headsUp: null, status: 'active' } });
    expect(await notices(ben, 'heads_up_cancelled')).toHaveLength(1);
    expect((await olivia.get(`/tracks/${trackId}/history`)).body.entries[0]).toMatchObject({
      kind: 'heads_up_cancelled',
      details: { note: 'Last week on this one.' },
    });
    const before = await snapshot();
    await runAccessSchedules(env.DB, ends + 60_000);
    expect(await snapshot()).toEqual(before);
    expect((await ben.get(`/tracks/${trackId}`)).status).toBe(200);
    expect((await ben.get(`/tracks/${trackId}`)).body.myHeadsUp).toBeNull();
  });

  it('ended early by the owner: the revoke now, one notice; the cron later does nothing more', async () => {
    const { olivia, ben, trackId, benId, path } = await setup('Early');
    await olivia.post(`${path}/heads-up`, { endsIn: '24h' });
    const early = await olivia.post(`${path}/expiry/end-now`);
    expect(early.status).toBe(200);
    expect(early.body).toMatchObject({ changed: true, collaborator: { status: 'revoked', endedBySchedule: 'heads_up' } });
    expect((await ben.get(`/tracks/${trackId}`)).body.error.code).toBe('access_ended');
    await runAccessSchedules(env.DB, Date.now() + 2 * DAY);
    expect(await notices(ben, 'access_expired')).toHaveLength(1);
    expect(await count(`SELECT count(*) AS n FROM dropbox_changes WHERE collaborator_id = ? AND kind = 'remove_member'`, benId)).toBe(1);
    const again = await olivia.post(`${path}/expiry/end-now`);
    expect([again.status, again.body.error.code]).toEqual([409, 'collaborator_not_active']);
  });

  it('ending early when nothing is scheduled any more: 409 no_schedule (nothing happens)', async () => {
    const { olivia, ben, trackId, path } = await setup('Nothing To End');
    const res = await olivia.post(`${path}/expiry/end-now`);
    expect([res.status, res.body.error.code]).toEqual([409, 'no_schedule']);
    expect((await ben.get(`/tracks/${trackId}`)).status).toBe(200);
  });

  it('"now": access ends at once, with one notice that carries the note', async () => {
    const { olivia, ben, trackId, path } = await setup('Right Now');
    const res = await olivia.post(`${path}/heads-up`, { note: 'Thanks for everything.', endsIn: 'now' });
    expect(res.body.collaborator).toMatchObject({ status: 'revoked', endedBySchedule: 'heads_up' });
    expect((await ben.get(`/tracks/${trackId}`)).body.error.code).toBe('access_ended');
    const all = await notices(ben);
    expect(all.map((n) => n.kind)).toEqual(['access_expired', 'invitation_received']);
    expect(all[0].headsUp).toMatchObject({ note: 'Thanks for everything.' });
    const kinds = (await olivia.get(`/tracks/${trackId}/history`)).body.entries.map((e: any) => e.kind);
    expect(kinds.slice(0, 2)).toEqual(['access_expired', 'heads_up_sent']);
  });

  it('for Revoke All: every track of that person gets the heads-up', async () => {
    const olivia = await person('Olivia Owner');
    const ben = await person('Ben Beats');
    const tracks = [await trackOf(olivia, 'One'), await trackOf(olivia, 'Two')];
    for (const t of tracks) await share(olivia, t, ben, 'viewer');
    const res = await olivia.post(`/sharing/${encodeURIComponent(ben.email)}/heads-up`, { note: 'Moving on after this release.', endsIn: '7d' });
    expect(res.body).toMatchObject({ changedCount: 2, trackIds: [...tracks].sort() });
    const got = await notices(ben, 'heads_up');
    expect(got.map((n) => n.trackId).sort()).toEqual([...tracks].sort());
    expect(got.every((n) => n.headsUp.note === 'Moving on after this release.')).toBe(true);
    const now = await olivia.post(`/sharing/${encodeURIComponent(ben.email)}/heads-up`, { endsIn: 'now' });
    expect(now.body).toMatchObject({ changedCount: 2, endedCount: 2 });
    for (const t of tracks) expect((await ben.get(`/tracks/${t}`)).body.error.code).toBe('access_ended');
  });

  it('the note is limited and sanitised like other text; refused input stores nothing', async () => {
    const { olivia, ben, path } = await setup('Sanitised');
    const before = await snapshot();
    for (const body of [
      { note: 'x'.repeat(1001), endsIn: '24h' },
      { note: 'evil\u202Egnp.exe', endsIn: '24h' },
      { note: 'zero\u200Bwidth', endsIn: '24h' },
      { note: 'nul\u0000', endsIn: '24h' },
      { note: 'tab\there', endsIn: '24h' },
      { note: 'ok', endsIn: '3d' },
      { note: 'ok' },
      { note: 42, endsIn: '24h' },
    ]) {
      const res = await olivia.post(`${path}/heads-up`, body);
      expect([JSON.stringify(body).slice(0, 40), res.status, res.body.error.code]).toEqual([
        JSON.stringify(body).slice(0, 40),
        400,
        'validation_failed',
      ]);
    }
    expect(await snapshot()).toEqual(before);
    // Emoji, right-to-left text and line breaks are fine; an empty note is no note.
    const ok = await olivia.post(`${path}/heads-up`, { note: '  شكراً 👩‍👩‍👧\n\nSee you!  ', endsIn: '7d' });
    expect(ok.body.collaborator.headsUp.note).toBe('شكراً 👩‍👩‍👧\n\nSee you!');
    const empty = await olivia.post(`${path}/heads-up`, { note: '   ', endsIn: '7d' });
    expect(empty.body.collaborator.headsUp.note).toBeNull();
    expect((await notices(ben, 'heads_up'))[0].headsUp.note).toBeNull();
  });

  it('only the owner sends one', async () => {
    const { olivia, trackId } = await setup('Owner Only');
    const cara = await person('Cara Keys');
    const caraId = await share(olivia, trackId, cara, 'editor');
    const editor = await person('Ed Editor');
    await share(olivia, trackId, editor, 'editor');
    const res = await editor.post(`/tracks/${trackId}/collaborators/${caraId}/heads-up`, { endsIn: '24h' });
    expect([res.status, res.body.error.code]).toEqual([403, 'owner_only']);
    const stranger = await person('Stan Stranger');
    const res2 = await stranger.post(`/sharing/${encodeURIComponent(cara.email)}/heads-up`, { endsIn: '24h' });
    expect([res2.status, res2.body.error.code]).toEqual([404, 'person_not_found']);
  });
});
