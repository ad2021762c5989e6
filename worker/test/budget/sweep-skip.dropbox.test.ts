// The sweep skips what a webhook already covered (issue 10, part 4): when a member's own webhook walk re-reads a
// track's members with the owner's token (their mount vanished), that read is the track's owner-side check too —
// its next check is scheduled as if the sweep had made it, so the next cron tick does not read the same members again.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { SWEEP_WINDOW_MINUTES } from '../../src/jobs/cron.ts';
import { Harness, collaborator, control } from '../dropbox/harness.ts';

const MAYA = 'maya@sweep-skip.test';
const LEO = 'leo@sweep-skip.test';
const h = new Harness();
let sfid: string;
let trackId: string;

beforeAll(async () => {
  const seeded = await h.reset({
    accounts: [
      { email: MAYA, display_name: 'Maya Reyes' },
      { email: LEO, display_name: 'Leo Vance' },
    ],
    folders: [{ name: 'Glass Hearts', owner: MAYA, members: [{ account: LEO, access_level: 'editor' }] }],
  });
  sfid = (seeded as { folders: { shared_folder_id: string }[] }).folders[0].shared_folder_id;
  const maya = await h.signIn(MAYA);
  await h.signIn(LEO);
  await h.drain();
  await h.json('/api/v1/dropbox/import', { method: 'POST', session: maya.session, json: {} });
  trackId = (await env.DB.prepare('SELECT id FROM tracks WHERE dropbox_shared_folder_id = ?').bind(sfid).first<{ id: string }>())!.id;
  await h.drain();
  h.queued.length = 0;
}, 120_000);

describe("a webhook walk that re-read a track's members counts as its sweep check", () => {
  it("Leo leaves in Dropbox: his walk confirms it with Maya's token, and the cron right after does not check the track again", async () => {
    // The track's check is due now (as if the sweep were about to read it).
    await env.DB.prepare('UPDATE dropbox_membership_checks SET due_at = 0, checked_at = 0, enqueued_at = 0 WHERE track_id = ?').bind(trackId).run();
    await control('act', { as: LEO, action: 'leave_folder', shared_folder_id: sfid });
    await h.deliverWebhooks();
    await h.drain();
    expect(await collaborator(trackId, LEO)).toMatchObject({ status: 'revoked', ended_evidence: 'dropbox_own_folder' });
    const row = await env.DB.prepare('SELECT due_at, checked_at FROM dropbox_membership_checks WHERE track_id = ?')
      .bind(trackId)
      .first<{ due_at: number; checked_at: number }>();
    expect(row!.checked_at).toBeGreaterThan(Date.now() - 60_000);
    expect(row!.due_at).toBeGreaterThan(Date.now() + SWEEP_WINDOW_MINUTES * 0.8 * 60_000);
    h.queued.length = 0;
    await h.cron();
    expect(h.queued.filter((q) => q.job.kind === 'check-track-membership' && q.job.trackId === trackId)).toEqual([]);
  });
});
