// Which fuzz seed a test run uses, decided once on the Node side (worker/vitest.config.ts) from VITE_FUZZ_SEED and
// handed to the tests inside workerd as the FUZZ_SEED binding (workerd sees neither process.env nor Vite's
// import.meta.env, which is why the variable used to be ignored there).
//   unset or ''  → DEFAULT_FUZZ_SEED (npm test and CI stay deterministic)
//   <integer>    → that seed (replays a run)
//   random       → a new seed, printed by the config so the run can be replayed
// Anything else is refused (a typo must not silently fall back to the fixed seed).

/** Seed used by `npm test` and CI, so the suite's verdict does not change from run to run. */
export const DEFAULT_FUZZ_SEED = 20261127;

export function resolveFuzzSeed(given: string | undefined, random: () => number = Math.random): { seed: number; picked: boolean } {
  const v = (given ?? '').trim();
  if (v === '') return { seed: DEFAULT_FUZZ_SEED, picked: false };
  if (v.toLowerCase() === 'random') return { seed: 1 + Math.floor(random() * 0x7ffffffe), picked: true };
  if (!/^-?\d+$/.test(v) || !Number.isSafeInteger(Number(v)) || Math.abs(Number(v)) > 0x7fffffff) {
    throw new Error(`VITE_FUZZ_SEED must be an integer (32-bit) or "random", not ${JSON.stringify(given)}`);
  }
  return { seed: Number(v), picked: false };
}
