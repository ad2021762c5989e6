import { defineConfig } from 'vitest/config';
import { WxtVitest } from 'wxt/testing/vitest-plugin';
import preact from '@preact/preset-vite';

// Two projects: unit + DOM tests (WXT's fake browser, happy-dom, saved Dropbox-like fixtures), and the
// end-to-end tests in real Chromium (e2e/vitest.config.ts, plain Node).
export default defineConfig({
  test: {
    projects: [
      {
        plugins: [WxtVitest(), preact({ prefreshEnabled: false, devToolsEnabled: false })],
        test: {
          name: 'unit',
          include: ['test/**/*.test.{ts,tsx}'],
          environment: 'happy-dom',
          setupFiles: ['test/helpers/i18n-setup.ts'],
          restoreMocks: true,
        },
      },
      './e2e/vitest.config.ts',
    ],
  },
});
