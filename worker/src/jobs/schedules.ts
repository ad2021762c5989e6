// Cron step (issue 12): access that ends by itself. Its own bounded step: at most EXPIRE_CHUNKS_PER_TICK sets of
// ~9 statements for the ends, 2 statements for reminders, 3 for digests — under 50 D1 queries per tick whatever
// the backlog; what is left waits for the next minute. A failure of one part never stops the others, nor the cron.
import { expireDue, sendExpiryReminders, sendStaleAccessDigests } from '../domain/index.ts';

export interface ScheduleSummary {
  /** Accesses (and invitations) ended because their expiry or heads-up time came. */
  expired: number;
  /** "3 days before" / "1 day before" reminders sent. */
  reminded: number;
  /** Weekly stale-access digests sent to owners. */
  digests: number;
}

export async function runAccessSchedules(db: D1Database, now = Date.now()): Promise<ScheduleSummary> {
  const step = async (what: string, fn: () => Promise<number>) => {
    try {
      return await fn();
    } catch (e) {
      console.error(`cron: access schedules: ${what} failed (retried next minute)`, e);
      return 0;
    }
  };
  return {
    expired: await step('expiries', () => expireDue(db, now)),
    reminded: await step('reminders', () => sendExpiryReminders(db, now)),
    digests: await step('digests', () => sendStaleAccessDigests(db, now)),
  };
}
