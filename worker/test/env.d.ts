// Bindings that exist only in tests (see vitest.config.ts).
declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import('cloudflare:test').D1Migration[];
    PD_ENFORCE_BUDGET: string;
    /** An empty second database (worker project only), for migration tests over rows of an older schema. */
    UPGRADE_DB: D1Database;
    /** The fuzz seed of this run (VITE_FUZZ_SEED resolved by vitest.config.ts; see test/fuzz/seed.ts). */
    FUZZ_SEED: string;
    /** VITE_FUZZ_SEED as given ('' when unset): lets test/fuzz/seed.fuzz.test.ts check the seed that arrived. */
    FUZZ_SEED_REQUESTED: string;
  }
}
