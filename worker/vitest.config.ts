import path from 'node:path';
import { defineConfig } from 'vitest/config';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { resolveFuzzSeed } from './test/fuzz/seed.ts';

const root = path.resolve(import.meta.dirname, '..');

// The fuzz seed, decided once here (Node) and passed into workerd as a binding: VITE_FUZZ_SEED=<n> replays a seed,
// VITE_FUZZ_SEED=random picks one (printed here, and by every fuzz file), unset keeps the fixed seed of npm test.
const fuzz = resolveFuzzSeed(process.env.VITE_FUZZ_SEED);
if (fuzz.picked) console.log(`VITE_FUZZ_SEED=random: this run's fuzz seed is ${fuzz.seed} (replay: VITE_FUZZ_SEED=${fuzz.seed})`);

/** Worker options shared by both projects; `extra` adds bindings (the Dropbox project gets the emulator's URL). */
const workerOptions = async (extra: Record<string, string> = {}) => ({
  main: path.join(root, 'worker/src/index.ts'),
  wrangler: { configPath: path.join(root, 'wrangler.toml') },
  miniflare: {
    compatibilityFlags: ['nodejs_compat', 'service_binding_extra_handlers'],
    bindings: {
      TEST_MIGRATIONS: await readD1Migrations(path.join(root, 'worker/migrations')),
      DROPBOX_APP_SECRET: 'test-app-secret',
      FUZZ_SEED: String(fuzz.seed),
      FUZZ_SEED_REQUESTED: process.env.VITE_FUZZ_SEED ?? '',
      TOKEN_ENCRYPTION_KEY: 'dGVzdC10b2tlbi1lbmNyeXB0aW9uLWtleS0zMi1ieXQ=',
      // Every invocation is metered against production's per-invocation limits (src/budget.ts).
      PD_ENFORCE_BUDGET: '1',
      ...extra,
    },
  },
});

export default defineConfig({
  test: {
    projects: [
      {
        // No Dropbox here: the origins point at a closed local port, so the worker runs as in development (the
        // published test secrets above are refused only with real Dropbox origins) and a stray call fails fast.
        // UPGRADE_DB: a second, empty database, for tests of a migration over rows written by the schema before it.
        plugins: [
          cloudflareTest(async () => {
            const options = await workerOptions({ DROPBOX_API_ORIGIN: 'http://127.0.0.1:9', DROPBOX_WEB_ORIGIN: 'http://127.0.0.1:9' });
            return { ...options, miniflare: { ...options.miniflare, d1Databases: { UPGRADE_DB: 'pd-upgrade-test' } } };
          }),
        ],
        test: {
          name: 'worker',
          include: ['test/**/*.test.ts'],
          exclude: ['test/dropbox/**', 'test/**/*.dropbox.test.ts'],
          setupFiles: ['./test/apply-migrations.ts'],
        },
      },
      {
        // Against the Dropbox emulator (started on a free port by the Node-side global setup). The emulator is one
        // shared in-memory Dropbox whose faults are per route, so these files run one at a time and each resets it.
        plugins: [
          cloudflareTest(async ({ inject }) =>
            workerOptions({
              DROPBOX_API_ORIGIN: inject<string>('emulatorUrl'),
              DROPBOX_WEB_ORIGIN: inject<string>('emulatorUrl'),
              // Hung Dropbox calls give up sooner than in production (20 s) so timeout tests stay short.
              DROPBOX_TIMEOUT_MS: '1500',
              // Dropbox calls are paced per account (src/dropbox/pace.ts, 10/s by default); the emulator has no
              // limit unless a test adds one, so tests pace faster. test/budget/pace.dropbox.test.ts sets its own.
              DROPBOX_PACE_PER_SECOND: '100',
            }),
          ),
        ],
        test: {
          name: 'dropbox',
          // *.dropbox.test.ts elsewhere (test/security, test/fuzz): tests that need the emulator too.
          include: ['test/dropbox/**/*.test.ts', 'test/**/*.dropbox.test.ts'],
          globalSetup: ['./test/global-setup.ts'],
          setupFiles: ['./test/apply-migrations.ts'],
          fileParallelism: false,
          testTimeout: 30_000,
        },
      },
    ],
  },
});
