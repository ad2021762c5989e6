// The seed asked for on the command line is the seed the fuzz files use inside workerd (VITE_FUZZ_SEED reaches
// them through vitest.config.ts's FUZZ_SEED binding). test/fuzz/seed.node-test.mjs runs this file with a given
// seed and with `random` and checks what it prints.
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FUZZ_SEED, fuzzSeed } from './arbitraries.ts';
import { resolveFuzzSeed } from './seed.ts';

describe('fuzz seed', () => {
  it('is the one VITE_FUZZ_SEED asked for (the fixed seed when unset, a printed new one for random)', () => {
    const requested = env.FUZZ_SEED_REQUESTED;
    const seed = fuzzSeed();
    console.log(`fuzz seed in workerd: ${seed} (VITE_FUZZ_SEED=${requested === '' ? '(unset)' : requested})`);
    expect(Number.isSafeInteger(seed)).toBe(true);
    if (requested.trim() === '') expect(seed).toBe(DEFAULT_FUZZ_SEED);
    else if (requested.trim().toLowerCase() === 'random') expect(seed).toBeGreaterThan(0);
    else expect(seed).toBe(Number(requested));
  });

  it('reads VITE_FUZZ_SEED strictly: integers and "random" only', () => {
    expect(resolveFuzzSeed(undefined)).toEqual({ seed: DEFAULT_FUZZ_SEED, picked: false });
    expect(resolveFuzzSeed('')).toEqual({ seed: DEFAULT_FUZZ_SEED, picked: false });
    expect(resolveFuzzSeed(' 4242 ')).toEqual({ seed: 4242, picked: false });
    expect(resolveFuzzSeed('-7')).toEqual({ seed: -7, picked: false });
    expect(resolveFuzzSeed('random', () => 0.5)).toEqual({ seed: 1 + Math.floor(0.5 * 0x7ffffffe), picked: true });
    expect(resolveFuzzSeed('RANDOM', () => 0).seed).toBe(1);
    for (const bad of ['12abc', '1.5', 'rand', '99999999999', 'NaN']) expect(() => resolveFuzzSeed(bad)).toThrow(/VITE_FUZZ_SEED must be an integer/);
  });
});
