// npm run bench — every benchmark of the project, one after the other (they share 2 cores, so never in parallel).
// Each writes its own report under bench/ and prints it; this script lists what ran and what failed.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const only = process.argv.slice(2);
const benches = [
  { name: 'core', cmd: ['npm', 'run', 'bench:core', '-w', '@pd/worker'], report: 'bench/core.md' },
  { name: 'dropbox', cmd: ['npm', 'run', 'bench:dropbox', '-w', '@pd/worker'], report: 'bench/dropbox.md' },
  { name: 'paced', cmd: ['npm', 'run', 'bench:paced', '-w', '@pd/worker'], report: 'bench/paced.md' },
  { name: 'sweep', cmd: ['node', 'scripts/sweep-sim.mjs'], report: 'bench/sweep.md' },
  { name: 'live', cmd: ['npx', 'tsx', 'scripts/live-bench.mjs'], report: 'bench/live.md' },
  { name: 'storage', cmd: ['npm', 'run', 'bench:storage', '-w', '@pd/worker'], report: 'bench/storage.md' },
  { name: 'extension', cmd: ['npm', 'run', 'bench', '-w', '@pd/extension'], report: 'bench/extension.md' },
  { name: 'load', cmd: ['node', 'scripts/load-bench.mjs'], report: 'bench/results.md' },
].filter((b) => only.length === 0 || only.includes(b.name));

const outcome = [];
for (const b of benches) {
  console.log(`\n━━ bench: ${b.name} ━━ (${b.cmd.join(' ')})`);
  const r = spawnSync(b.cmd[0], b.cmd.slice(1), { cwd: root, stdio: 'inherit', env: process.env });
  outcome.push({ ...b, ok: r.status === 0 });
}
console.log('\n━━ summary ━━');
for (const o of outcome) console.log(`${o.ok ? '✔' : '✖'} ${o.name.padEnd(10)} → ${o.report}`);
process.exit(outcome.every((o) => o.ok) ? 0 : 1);
