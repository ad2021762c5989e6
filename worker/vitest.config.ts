import path from 'node:path';
import { defineConfig } from 'vitest/config';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';

const root = path.resolve(import.meta.dirname, '..');

export default defineConfig({
  plugins: [
    cloudflareTest(async () => ({
      main: path.join(root, 'worker/src/index.ts'),
      wrangler: { configPath: path.join(root, 'wrangler.toml') },
      miniflare: {
        compatibilityFlags: ['nodejs_compat', 'service_binding_extra_handlers'],
        bindings: {
          TEST_MIGRATIONS: await readD1Migrations(path.join(root, 'worker/migrations')),
          DROPBOX_APP_SECRET: 'test-app-secret',
          TOKEN_ENCRYPTION_KEY: 'dGVzdC10b2tlbi1lbmNyeXB0aW9uLWtleS0zMi1ieXQ=',
        },
      },
    })),
  ],
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['./test/apply-migrations.ts'],
  },
});
