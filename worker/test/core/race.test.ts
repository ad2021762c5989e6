// "A revoke and a leave racing on the same person end in exactly one of them." Repeats are safe.
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { person, share, trackOf } from './helpers.ts';

const count = async (sql: string, ...args: unknown[]) =>
  (await env.DB.prepare(sql)
    .bind(...args)
    .first<{ n: number }>())!.n;

describe('races and repeats', () => {
  it('revoke and leave at the same moment: exactly one wins, with one notification, one Dropbox change, one history entry', async () => {
    const olivia = await person('Olivia Owner');
    const outcomes = new Set<string>();
    for (let i = 0; i < 8; i++) {
      const ben = await person(`Ben ${i}`);
      const trackId = await trackOf(olivia, `Race ${i}`);
      const benId = await share(olivia, trackId, ben, 'editor');
      const calls = [olivia.post(`/tracks/${trackId}/collaborators/${benId}/revoke`), ben.post(`/tracks/${trackId}/leave`)];
      const [revoke, leave] = await Promise.all(i % 2 ? calls : calls.reverse()).then((r) => (i % 2 ? r : r.reverse()));
      const status = (await env.DB.prepare('SELECT status FROM collaborators WHERE id = ?').bind(benId).first<any>()).status;
      expect(['revoked', 'left']).toContain(status);
      outcomes.add(status);
      // Whoever lost got a clean answer: no change (revoke) or no change / access ended (leave).
      expect(revoke.status).toBe(200);
      expect(revoke.body.changed).toBe(status === 'revoked');
      if (leave.status === 200) expect(leave.body).toMatchObject({ changed: status === 'left', status });
      else expect(leave.body.error.code).toBe('access_ended');

      expect(
        await count(`SELECT count(*) AS n FROM notifications WHERE track_id = ? AND kind IN ('access_revoked', 'collaborator_left')`, trackId),
      ).toBe(1);
      expect(await count(`SELECT count(*) AS n FROM dropbox_changes WHERE track_id = ? AND kind IN ('remove_member', 'relinquish')`, trackId)).toBe(
        1,
      );
      expect(
        await count(
          `SELECT count(*) AS n FROM track_history WHERE track_no = (SELECT no FROM tracks WHERE id = ?) AND kind IN (SELECT code FROM history_kinds WHERE name IN ('access_revoked', 'collaborator_left'))`,
          trackId,
        ),
      ).toBe(1);
      expect(await count(`SELECT count(*) AS n FROM library_changes WHERE track_id = ? AND change = 'removed'`, trackId)).toBe(1);
      const kind = status === 'revoked' ? 'access_revoked' : 'collaborator_left';
      expect(await count(`SELECT count(*) AS n FROM notifications WHERE track_id = ? AND kind = ?`, trackId, kind)).toBe(1);
    }
    expect(outcomes.size).toBeGreaterThan(0);
  }, 30_000); // 8 rounds of ~6 requests each; the default 5 s is too tight on a loaded machine

  it('three revokes at once: one change, one notification', async () => {
    const olivia = await person('Olivia Owner');
    const ben = await person('Ben');
    const trackId = await trackOf(olivia, 'Triple');
    const benId = await share(olivia, trackId, ben, 'viewer');
    const results = await Promise.all([1, 2, 3].map(() => olivia.post(`/tracks/${trackId}/collaborators/${benId}/revoke`)));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(results.filter((r) => r.body.changed)).toHaveLength(1);
    expect(await count(`SELECT count(*) AS n FROM notifications WHERE recipient_id = ? AND kind = 'access_revoked'`, ben.account.id)).toBe(1);
  });

  it('Revoke All twice at once: each track revoked once, notified once', async () => {
    const olivia = await person('Olivia Owner');
    const ben = await person('Ben');
    for (let i = 0; i < 4; i++) await share(olivia, await trackOf(olivia, `RA ${i}`), ben, 'viewer');
    const [a, b] = await Promise.all([1, 2].map(() => olivia.post(`/sharing/${encodeURIComponent(ben.email)}/revoke-all`)));
    expect(a.body.revokedCount + b.body.revokedCount).toBe(4);
    expect(await count(`SELECT count(*) AS n FROM notifications WHERE recipient_id = ? AND kind = 'access_revoked'`, ben.account.id)).toBe(4);
  });

  it('accepting the same invitation twice at once: one join', async () => {
    const olivia = await person('Olivia Owner');
    const ben = await person('Ben');
    const trackId = await trackOf(olivia, 'Accept race');
    const inv = await olivia.post(`/tracks/${trackId}/invitations`, { email: ben.email, accessLevel: 'viewer' });
    const results = await Promise.all([1, 2].map(() => ben.post(`/invitations/${inv.body.invitation.id}/accept`)));
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(await count(`SELECT count(*) AS n FROM library_changes WHERE account_id = ? AND change = 'added'`, ben.account.id)).toBe(1);
    expect(await count(`SELECT count(*) AS n FROM notifications WHERE recipient_id = ? AND kind = 'invitation_accepted'`, olivia.account.id)).toBe(1);
  });
});
