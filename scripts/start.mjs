// npm start: migrate the local D1 and run the worker on http://localhost:8787.
import { spawn, spawnSync } from 'node:child_process';
const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', WRANGLER_SEND_ERROR_REPORTS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_HIDE_BANNER: 'true' };
const m = spawnSync('npx', ['wrangler', 'd1', 'migrations', 'apply', 'DB', '--local'], { stdio: 'inherit', env });
if (m.status !== 0) process.exit(m.status ?? 1);
console.log('\nPD worker starting on http://localhost:8787\n');
const w = spawn('npx', ['wrangler', 'dev', '--local', '--port', '8787'], { stdio: 'inherit', env });
w.on('exit', (code) => process.exit(code ?? 0));
