// Issue 12, item 3: "Revoke access promptly when a collaboration ends, especially if the track contains unreleased
// material." The owner's stale-access review (one call, riskiest first), its actions on a selection, and the weekly
// digest when someone has had idle Editor access to an unreleased track for longer than the owner's threshold.
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { sendStaleAccessDigests } from '../../src/domain/index.ts';
import { person, share, snapshot, trackOf, type Person } from './helpers.ts';

const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();

/** Makes someone look idle since `days` ago on a track: joined then, and their sessions last used then. */
async function idleSince(p: Person, collaboratorId: string, days: number) {
  await env.DB.batch([
    env.DB.prepare('UPDATE collaborators SET joined_at = ? WHERE id = ?').bind(ago(days), collaboratorId),
    env.DB.prepare('UPDATE sessions SET created_at = ?, last_used_at = ? WHERE account_id = ?').bind(ago(days), ago(days), p.account.id),
    env.DB.prepare('UPDATE comments SET created_at = ? WHERE author_no = (SELECT no FROM accounts WHERE id = ?)').bind(ago(days), p.account.id),
    env.DB.prepare('UPDATE track_history SET created_at = ? WHERE actor_no = (SELECT no FROM accounts WHERE id = ?)').bind(
      Date.parse(ago(days)),
      p.account.id,
    ),
    env.DB.prepare('UPDATE track_activity SET last_at = ? WHERE account_id = ?').bind(ago(days), p.account.id),
  ]);
}

describe('stale-access review', () => {
  it('lists per collaborator the tracks they can still open, stage, last activity — riskiest first', async () => {
    const olivia = await person('Olivia Owner');
    const ben = await person('Ben Idle');
    const cara = await person('Cara Active');
    const vic = await person('Vic Viewer');
    const demo = await trackOf(olivia, 'Demo', { stage: 'writing' });
    const single = await trackOf(olivia, 'Single', { stage: 'released' });
    const mix = await trackOf(olivia, 'Mix', { stage: 'mixing' });
    const benDemo = await share(olivia, demo, ben, 'editor');
    const benSingle = await share(olivia, single, ben, 'editor');
    const caraMix = await share(olivia, mix, cara, 'editor');
    const vicDemo = await share(olivia, demo, vic, 'viewer');
    await cara.post(`/tracks/${mix}/comments`, { body: 'Vocals up 1 dB' });
    await idleSince(ben, benDemo, 45);
    await idleSince(ben, benSingle, 45);
    await idleSince(vic, vicDemo, 90);
    await olivia.post(`/tracks/${demo}/invitations`, { email: 'pending@example.test', accessLevel: 'editor' });

    const res = await olivia.get('/sharing/review');
    expect(res.status).toBe(200);
    const people = res.body.people as any[];
    // Ben: Editor on an unreleased track, idle 45 days → first. Cara: Editor, unreleased, active today, and the
    // pending invitee (Editor on an unreleased track, invited today) tie after him, by name. Vic: only a Viewer.
    expect(people.map((p) => p.displayName)).toEqual(['Ben Idle', 'Cara Active', 'pending', 'Vic Viewer']);
    expect(people[2].tracks[0]).toMatchObject({ status: 'invited', lastActivityAt: null, stale: false });
    const benRow = people[0];
    expect(benRow).toMatchObject({ personKey: ben.email.toLowerCase(), unreleasedCount: 1, editorCount: 2, staleCount: 1, idleDays: 45 });
    expect(benRow.tracks.map((t: any) => [t.title, t.stage, t.released, t.stale])).toEqual([
      ['Demo', 'writing', false, true],
      ['Single', 'released', true, false],
    ]);
    expect(benRow.lastSignInAt.slice(0, 10)).toBe(ago(45).slice(0, 10));
    const caraRow = people.find((p) => p.displayName === 'Cara Active');
    expect(caraRow).toMatchObject({ idleDays: 0, staleCount: 0 });
    expect(caraRow.tracks[0]).toMatchObject({ trackId: mix, collaboratorId: caraMix, accessLevel: 'editor', stale: false });
    expect(res.body.settings).toEqual({ idleDays: 30, lastDigestAt: null });

    // The threshold is the owner's: at 60 days Ben is not stale any more.
    const set = await olivia.put('/sharing/review/settings', { idleDays: 60 });
    expect(set.body).toEqual({ idleDays: 60, lastDigestAt: null });
    const again = (await olivia.get('/sharing/review')).body;
    expect(again.people[0].staleCount).toBe(0);
    expect((await olivia.put('/sharing/review/settings', { idleDays: 0 })).body.error.code).toBe('validation_failed');

    // Someone else's review is their own: a collaborator who owns nothing sees nobody.
    expect((await cara.get('/sharing/review')).body.people).toEqual([]);
  });

  it("actions on a selection: downgrade, set expiry, heads-up, revoke — only on the owner's own records", async () => {
    const olivia = await person('Olivia Owner');
    const mallory = await person('Mallory Other');
    const ben = await person('Ben Beats');
    const t1 = await trackOf(olivia, 'T1');
    const t2 = await trackOf(olivia, 'T2');
    const t3 = await trackOf(olivia, 'T3');
    const m1 = await trackOf(mallory, 'Not Yours');
    const b1 = await share(olivia, t1, ben, 'editor');
    const b2 = await share(olivia, t2, ben, 'editor');
    const b3 = await share(olivia, t3, ben, 'editor');
    const foreign = await share(mallory, m1, ben, 'editor');

    const down = await olivia.post('/sharing/review/actions', { action: 'downgrade', collaboratorIds: [b1, b2, foreign] });
    expect(down.body).toMatchObject({ action: 'downgrade', changedCount: 2, trackIds: [t1, t2].sort() });
    expect((await ben.get(`/tracks/${t1}`)).body.myRole).toBe('viewer');
    expect((await ben.get(`/tracks/${m1}`)).body.myRole).toBe('editor');
    expect((await olivia.get(`/tracks/${t1}/history`)).body.entries[0]).toMatchObject({
      kind: 'access_level_changed',
      details: { from: 'editor', to: 'viewer' },
    });
    expect(
      (
        await env.DB.prepare(`SELECT count(*) AS n FROM dropbox_changes WHERE kind = 'update_access' AND collaborator_id IN (?, ?)`)
          .bind(b1, b2)
          .first<any>()
      ).n,
    ).toBe(2);

    const until = new Date(Date.now() + 10 * DAY).toISOString();
    const exp = await olivia.post('/sharing/review/actions', { action: 'expiry', collaboratorIds: [b1, b3, foreign], accessExpiresAt: until });
    expect(exp.body.changedCount).toBe(2);
    expect((await ben.get(`/tracks/${t3}`)).body.myAccessEndsAt).toBe(until);
    expect((await ben.get(`/tracks/${m1}`)).body.myAccessEndsAt).toBeNull();

    const hu = await olivia.post('/sharing/review/actions', { action: 'heads_up', collaboratorIds: [b2], note: 'Heads-up!', endsIn: '48h' });
    expect(hu.body.changedCount).toBe(1);

    const rev = await olivia.post('/sharing/review/actions', { action: 'revoke', collaboratorIds: [b1, b2, foreign] });
    expect(rev.body).toMatchObject({ changedCount: 2, trackIds: [t1, t2].sort() });
    expect((await ben.get(`/tracks/${t1}`)).body.error.code).toBe('access_ended');
    expect((await ben.get(`/tracks/${m1}`)).status).toBe(200);
    const revokedNotices = ((await ben.get('/notifications')).body.notifications as any[]).filter((n) => n.kind === 'access_revoked');
    expect(revokedNotices.map((n) => n.trackId).sort()).toEqual([t1, t2].sort());

    // Mallory cannot act on Olivia's records through her own review.
    const before = await snapshot();
    const sneaky = await mallory.post('/sharing/review/actions', { action: 'revoke', collaboratorIds: [b3] });
    expect(sneaky.body.changedCount).toBe(0);
    expect(await snapshot()).toEqual(before);
    // Bad selections are refused before anything runs.
    for (const body of [
      { action: 'revoke', collaboratorIds: [] },
      { action: 'explode', collaboratorIds: [b3] },
      { action: 'expiry', collaboratorIds: [b3] },
      { action: 'revoke', collaboratorIds: Array(1001).fill(b3) },
    ]) {
      const res = await olivia.post('/sharing/review/actions', body);
      expect([res.status, res.body.error.code]).toEqual([400, 'validation_failed']);
    }
    const past = await olivia.post('/sharing/review/actions', {
      action: 'expiry',
      collaboratorIds: [b3],
      accessExpiresAt: new Date(Date.now() - DAY).toISOString(),
    });
    expect([past.status, past.body.error.code]).toEqual([400, 'expiry_in_past']);
  });
});

describe('weekly stale-access digest', () => {
  it('tells the owner about idle Editor access to unreleased tracks, once a week, with their own threshold', async () => {
    // Other owners of this file are due too; a far-future clock gives this owner's checks their own ticks.
    const olivia = await person('Olivia Digest');
    const ben = await person('Ben Idle');
    const vic = await person('Vic Viewer');
    const rel = await person('Rel Released');
    const demo = await trackOf(olivia, 'Unreleased Demo', { stage: 'production' });
    const out = await trackOf(olivia, 'Out Now', { stage: 'released' });
    await idleSince(ben, await share(olivia, demo, ben, 'editor'), 40);
    await idleSince(vic, await share(olivia, demo, vic, 'viewer'), 400);
    await idleSince(rel, await share(olivia, out, rel, 'editor'), 400);
    await env.DB.prepare(`UPDATE owner_review SET next_digest_at = '' WHERE owner_id = ?`).bind(olivia.account.id).run();
    await env.DB.prepare(`UPDATE owner_review SET next_digest_at = '9999' WHERE owner_id <> ?`).bind(olivia.account.id).run();

    const digests = async () => ((await olivia.get('/notifications')).body.notifications as any[]).filter((n) => n.kind === 'stale_access_digest');
    expect(await sendStaleAccessDigests(env.DB)).toBe(1);
    const [d] = await digests();
    expect(d).toMatchObject({ trackId: demo, notice: { digest: { people: 1, tracks: 1, idleDays: 30 } } });
    // Not again within the week.
    expect(await sendStaleAccessDigests(env.DB, Date.now() + 6 * DAY)).toBe(0);
    expect(await digests()).toHaveLength(1);
    // A week later, with a 60-day threshold: Ben's 47 idle days are fine → no digest.
    await olivia.put('/sharing/review/settings', { idleDays: 60 });
    expect(await sendStaleAccessDigests(env.DB, Date.now() + 7 * DAY + 60_000)).toBe(0);
    expect(await digests()).toHaveLength(1);
    expect((await olivia.get('/sharing/review')).body.settings.lastDigestAt).not.toBeNull();
  });
});
