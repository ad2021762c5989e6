// Issue 8, item 3: mutating calls are limited per account (MUTATION_LIMITER, wrangler.toml: 600 per 60 s), with a
// 429 rate_limited in the usual error shape and Retry-After; reads are not limited, and other accounts are not
// affected. (Sign-in, per client address: rate-limits.dropbox.test.ts.)
import { describe, expect, it } from 'vitest';
import { person } from '../core/helpers.ts';

const LIMIT = 600; // wrangler.toml [[ratelimits]] MUTATION_LIMITER

describe('mutation rate limit', () => {
  it(`change number ${LIMIT + 1} within a minute from one account is refused (429, Retry-After), reads and other accounts go on`, async () => {
    const busy = await person('Busy');
    const calm = await person('Calm');
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT; i += 50) {
      statuses.push(...(await Promise.all(Array.from({ length: 50 }, () => busy.post('/notifications/read', { all: true })))).map((r) => r.status));
    }
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    // The binding counts in fixed 60-second windows: if the first LIMIT straddled a window boundary, the count
    // restarted, so the refusal comes within at most LIMIT more (all of this takes well under a minute).
    let refused = await busy.post('/notifications/read', { all: true });
    for (let extra = 0; refused.status === 200 && extra < LIMIT; extra++) refused = await busy.post('/notifications/read', { all: true });
    expect([refused.status, refused.body.error.code]).toEqual([429, 'rate_limited']);
    expect(refused.body.error.message).toMatch(/try again/i);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await busy.get('/me')).status).toBe(200);
    expect((await calm.post('/notifications/read', { all: true })).status).toBe(200);
  }, 120_000);
});
