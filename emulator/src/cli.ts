#!/usr/bin/env node
/** npm start -w @pd/dropbox-emulator: the demo world on http://localhost:8788 (env PORT, HOST, WEBHOOK_URL, DROPBOX_APP_KEY, DROPBOX_APP_SECRET, SEED=empty, ONLY_LINKED=false). */
import { DEMO_ACCOUNTS, startEmulator } from './index.ts';

const port = Number(process.env.PORT ?? 8788);
const seedEnv = process.env.SEED ?? 'demo';
const emu = await startEmulator({
  port,
  hostname: process.env.HOST ?? '127.0.0.1',
  webhookUrl: process.env.WEBHOOK_URL || undefined,
  appKey: process.env.DROPBOX_APP_KEY || undefined,
  appSecret: process.env.DROPBOX_APP_SECRET || undefined,
  seed: seedEnv === 'empty' ? 'empty' : 'demo',
});
// ONLY_LINKED=false: notify every account whose tree changes, not only those that signed in to the app.
if (process.env.ONLY_LINKED === 'false') emu.control.webhooks.configure({ onlyLinked: false });
const url = `http://localhost:${emu.port}`;
console.log(`Dropbox emulator on ${url}  (app key ${emu.appKey})`);
console.log(`  authorize: ${url}/oauth2/authorize   token: ${url}/oauth2/token   API: ${url}/2/...   control: ${url}/_control/state`);
console.log(`  web UI (a Dropbox-like folder view for the extension): ${url}/home  (pick the user at ${url}/login)`);
console.log(`  webhooks -> ${process.env.WEBHOOK_URL || '(none; set WEBHOOK_URL or POST /_control/webhooks {"url":…})'}`);
if (seedEnv !== 'empty') {
  console.log('  demo accounts:');
  for (const a of Object.values(DEMO_ACCOUNTS)) {
    const s = emu.seeded.accounts[a.email];
    console.log(`    ${a.display_name.padEnd(11)} ${a.email.padEnd(17)} ${s?.account_id ?? ''}`);
  }
  console.log('  shared folders:');
  for (const f of emu.seeded.folders) console.log(`    ${f.shared_folder_id}  ${f.path}`);
}
const stop = () => void emu.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
