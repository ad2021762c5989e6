import { defineConfig } from 'vitest/config';

// End-to-end: the built extension in Debian's Chromium against a real local worker and the Dropbox emulator.
export default defineConfig({
  test: {
    name: 'e2e',
    root: import.meta.dirname,
    include: ['**/*.test.ts'],
    environment: 'node',
    testTimeout: 180_000,
    hookTimeout: 240_000,
    fileParallelism: false,
  },
});
