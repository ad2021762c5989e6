// The exported handlers as the runtime calls them (SELF), not only through the harness.
import { SELF, env } from 'cloudflare:test';
import { expect, it } from 'vitest';

it('the scheduled handler runs as a cron event and puts due work on the queue', async () => {
  await env.DB.prepare(
    `INSERT INTO accounts (id, dropbox_account_id, email, email_lower, display_name, created_at, updated_at)
     VALUES ('acc_wiring', 'dbid:AAwiring00000000000000000000000000000', 'o@wiring.test', 'o@wiring.test', 'Owner', '2026-01-01', '2026-01-01')`,
  ).run();
  await env.DB.prepare(
    `INSERT INTO tracks (id, owner_id, dropbox_shared_folder_id, title, created_at, updated_at) VALUES ('trk_wiring', 'acc_wiring', '424242', 'Wiring', '2026-01-01', '2026-01-01')`,
  ).run();
  // SELF is typed as a plain Fetcher; with service_binding_extra_handlers it also has scheduled().
  const self = SELF as unknown as { scheduled(o: { cron: string; scheduledTime: number }): Promise<{ outcome: string }> };
  const result = await self.scheduled({ cron: '* * * * *', scheduledTime: Date.now() });
  expect(result.outcome).toBe('ok');
  // The new track joined the rotation (trigger) and was handed to the queue by this run (or, if the real queue
  // consumer was already quick enough, checked: the owner never linked Dropbox, which is recorded).
  const check = await env.DB.prepare('SELECT enqueued_at, checked_at, last_error FROM dropbox_membership_checks WHERE track_id = ?')
    .bind('trk_wiring')
    .first<{ enqueued_at: number; checked_at: number; last_error: string | null }>();
  expect(check!.enqueued_at > 0 || check!.last_error === 'owner has not linked Dropbox').toBe(true);
});
