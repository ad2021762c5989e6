// The owner-side sweep checks tracks that need it first and often, and the rest rarely (issue 10, part 4): a track
// with someone no webhook speaks for (not a PD user with Dropbox linked), recent activity, or not yet released is
// due again within SWEEP_WINDOW_MINUTES; a released, quiet track whose members are all linked PD users (their own
// webhooks bring a removal) only every QUIET_TRACK_CHECK_MINUTES. What the cron hands to the queue is what is due.
import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import worker from '../../src/index.ts';
import { nextCheckStatement, QUIET_TRACK_CHECK_MINUTES, SWEEP_WINDOW_MINUTES } from '../../src/jobs/cron.ts';
import type { Job } from '../../src/jobs/messages.ts';
import { person, share, trackOf, type Person } from '../core/helpers.ts';

const MIN = 60_000;
const DAY = 86_400_000;

async function linkDropbox(p: Person) {
  await env.DB.prepare(`INSERT INTO dropbox_tokens (account_id, dropbox_account_id, refresh_token, updated_at) VALUES (?, ?, 'v1:test:sealed', ?)`)
    .bind(p.account.id, p.account.dropboxAccountId, Date.now())
    .run();
}

async function cronSends(at: number): Promise<string[]> {
  const sent: Job[] = [];
  const q = {
    async send(b: Job) {
      sent.push(b);
    },
    async sendBatch(ms: Iterable<{ body: Job }>) {
      for (const m of ms) sent.push(m.body);
    },
  } as unknown as Queue;
  vi.useFakeTimers({ toFake: ['Date'], now: at });
  try {
    const ctx = createExecutionContext();
    await worker.scheduled!(createScheduledController({ cron: '* * * * *', scheduledTime: at }), { ...env, JOBS: q }, ctx);
    await waitOnExecutionContext(ctx);
  } finally {
    vi.useRealTimers();
  }
  return sent.flatMap((j) => (j.kind === 'check-track-membership' ? [j.trackId] : []));
}

describe('owner-side sweep priorities', () => {
  it('checks the tracks that need it every window and quiet, webhook-covered tracks every few hours', async () => {
    const olivia = await person('Olivia Owner');
    const ben = await person('Ben Beats');
    const cara = await person('Cara Keys');
    await Promise.all([olivia, ben, cara].map(linkDropbox));
    const longAgo = new Date(Date.now() - 60 * DAY).toISOString();
    const make = async (title: string, stage: 'released' | 'mixing') => {
      const id = await trackOf(olivia, title, { stage });
      await share(olivia, id, ben); // invited and accepted
      return id;
    };
    const quiet = await make('Quiet Released', 'released'); // every member a linked PD user, released, idle
    const outsider = await make('Has Outsider', 'released'); // plus an invitee who is not a PD user
    const unreleased = await make('Still Mixing', 'mixing');
    const recent = await make('Released Lately', 'released'); // released, but changed this week
    expect((await olivia.post(`/tracks/${outsider}/invitations`, { email: 'no.pd.account@example.test', accessLevel: 'viewer' })).status).toBe(201);
    await env.DB.prepare(`UPDATE tracks SET updated_at = ? WHERE id IN (?, ?, ?)`).bind(longAgo, quiet, outsider, unreleased).run();
    const ours = [quiet, outsider, unreleased, recent];

    // Each track's check completes now (what checkTrackMembership writes).
    const now = Date.now();
    await env.DB.batch(ours.map((t) => nextCheckStatement(env.DB, t, null, now)));
    const due = new Map(
      (
        await env.DB.prepare(`SELECT track_id, due_at FROM dropbox_membership_checks WHERE track_id IN (SELECT value FROM json_each(?))`)
          .bind(JSON.stringify(ours))
          .all<{ track_id: string; due_at: number }>()
      ).results.map((r) => [r.track_id, (r.due_at - now) / MIN]),
    );
    for (const t of [outsider, unreleased, recent]) {
      expect(due.get(t)).toBeGreaterThanOrEqual(SWEEP_WINDOW_MINUTES * 0.9);
      expect(due.get(t)).toBeLessThanOrEqual(SWEEP_WINDOW_MINUTES * 1.1);
    }
    expect(due.get(quiet)).toBeGreaterThanOrEqual(QUIET_TRACK_CHECK_MINUTES * 0.9);

    // What the cron hands to the queue: 14 minutes on, the three that need it; the quiet one only hours later.
    const at14 = await cronSends(now + 14 * MIN);
    expect(ours.filter((t) => at14.includes(t)).sort()).toEqual([outsider, unreleased, recent].sort());
    const atQuiet = await cronSends(now + QUIET_TRACK_CHECK_MINUTES * 1.1 * MIN + MIN);
    expect(atQuiet).toContain(quiet);
  });

  it('a member whose Dropbox link needs a new sign-in no longer counts as covered by webhooks', async () => {
    const olivia = await person('Olivia Owner');
    const ben = await person('Ben Beats');
    await Promise.all([olivia, ben].map(linkDropbox));
    const t = await trackOf(olivia, 'Quiet', { stage: 'released' });
    await share(olivia, t, ben); // invited and accepted
    await env.DB.prepare(`UPDATE tracks SET updated_at = ? WHERE id = ?`)
      .bind(new Date(Date.now() - 60 * DAY).toISOString(), t)
      .run();
    const dueIn = async () => {
      const now = Date.now();
      await nextCheckStatement(env.DB, t, null, now).run();
      return (
        ((await env.DB.prepare('SELECT due_at FROM dropbox_membership_checks WHERE track_id = ?').bind(t).first<{ due_at: number }>())!.due_at -
          now) /
        MIN
      );
    };
    expect(await dueIn()).toBeGreaterThan(SWEEP_WINDOW_MINUTES * 2);
    await env.DB.prepare('UPDATE dropbox_tokens SET needs_reauth = 1 WHERE account_id = ?').bind(ben.account.id).run();
    expect(await dueIn()).toBeLessThanOrEqual(SWEEP_WINDOW_MINUTES * 1.1);
  });
});
