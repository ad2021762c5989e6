import { applyD1Migrations, env } from 'cloudflare:test';
import { afterEach } from 'vitest';
import { budgetLog } from '../src/budget.ts';

await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);

// Production's per-invocation limits (1,000 D1 queries, each statement of a batch; 1,000 subrequests), enforced by
// the meter in src/budget.ts around every fetch/queue/scheduled invocation of the worker: a test during which an
// invocation went past either fails, even if the code under test swallowed the error the meter threw.
afterEach(() => {
  const over = budgetLog().violations.splice(0);
  if (over.length) {
    throw new Error(
      `invocation over budget (max 1000 D1 queries / 1000 subrequests): ${over.map((u) => `${u.label}: ${u.d1} D1, ${u.subrequests} subrequests`).join('; ')}`,
    );
  }
});
