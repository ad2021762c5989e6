import { defineConfig } from 'wxt';
import preact from '@preact/preset-vite';

export default defineConfig({
  srcDir: '.',
  vite: () => ({ plugins: [preact()] }),
  manifest: {
    name: 'Producer Dashboard for Dropbox',
    description: 'Revoke, Revoke All and Leave Track for Producer Dashboard tracks, right inside Dropbox.',
  },
});
