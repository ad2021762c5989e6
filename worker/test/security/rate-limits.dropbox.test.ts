// Issue 8, item 3: each sign-in attempt may cost a call to Dropbox's token endpoint; a flood of bogus codes could
// get the app rate-limited by Dropbox for every user. Sign-in is limited per client address (SIGNIN_LIMITER,
// wrangler.toml: 20 per 60 s): the next attempt is answered 429 before Dropbox is asked.
import { beforeAll, describe, expect, it } from 'vitest';
import { Harness, REDIRECT_URI } from '../dropbox/harness.ts';

const h = new Harness();
const LIMIT = 20; // wrangler.toml [[ratelimits]] SIGNIN_LIMITER
const verifier = 'v'.repeat(64);

const attempt = (ip: string, code: string) =>
  h.fetch('/api/v1/auth/dropbox', {
    method: 'POST',
    headers: { 'CF-Connecting-IP': ip },
    json: { code, codeVerifier: verifier, redirectUri: REDIRECT_URI },
  });

beforeAll(async () => {
  await h.reset({ accounts: [{ email: 'real.user@limits.test', display_name: 'Real User' }], folders: [] });
});

describe('sign-in rate limit', () => {
  it(`attempt number ${LIMIT + 1} from one address within a minute is 429 with Retry-After, and Dropbox's token endpoint is not called`, async () => {
    const ip = '203.0.113.50';
    await h.clearCalls();
    const first = [];
    for (let i = 0; i < LIMIT; i++) first.push((await attempt(ip, `bogus-code-${i}`)).status);
    expect(first).toEqual(Array(LIMIT).fill(400)); // dropbox_auth_failed: Dropbox was asked each time
    expect((await h.calls('oauth2/token')).length).toBe(LIMIT);

    // The binding counts in fixed 60-second windows: if these straddled a window boundary the count restarted,
    // so the refusal comes within at most LIMIT more attempts (each of which Dropbox did see).
    let refused = await attempt(ip, 'bogus-code-next');
    let allowed = LIMIT;
    while (refused.status === 400 && allowed < 2 * LIMIT) {
      allowed++;
      refused = await attempt(ip, `bogus-code-${allowed}`);
    }
    const body = (await refused.json()) as { error: { code: string; message: string } };
    expect([refused.status, body.error.code]).toEqual([429, 'rate_limited']);
    expect(body.error.message).toMatch(/try again/i);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await h.calls('oauth2/token')).length).toBe(allowed); // the refused attempt never reached Dropbox
  });

  it('another address is not affected: a real sign-in from it works', async () => {
    const signedIn = await h.signIn('real.user@limits.test');
    expect(signedIn.session).toEqual(expect.any(String));
    expect((signedIn as unknown as { uninstallToken: string }).uninstallToken).toEqual(expect.any(String));
  });
});
