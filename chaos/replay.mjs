// Replays a kept chaos diagnosis dir against a fresh world: the same people and folders (run.json's seed spec),
// the same Dropbox fault specs and PRNG seeds, the same queue-crash rate, then every recorded operation (ops.jsonl:
// each act in stable terms — e-mails, folder ids, bodies) and every injected background event (late webhook
// replays, whole-account token expiries) in the order they started, one at a time by default. Then the world
// settles and the same verdict (chaos/check.mjs) is taken. Exit 0 when every check holds, 1 on a mismatch.
//   node chaos/replay.mjs <dir> [--concurrency 8] [--keep] [--verbose] [--trace-queue]
// What cannot be replayed exactly: which Dropbox call meets which rate-based fault (the emulator's PRNG is
// re-seeded identically, but calls interleave by timing) and when the consumer crashes (same seed, same rate).
// The original run's injected faults are in <dir>/emulator-calls.json for comparison.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const [dir, ...rest] = process.argv.slice(2);
if (!dir || dir.startsWith('-')) {
  console.error('usage: node chaos/replay.mjs <kept diagnosis dir> [--concurrency N] [--keep] [--verbose]');
  process.exit(2);
}
for (const f of ['run.json', 'ops.jsonl']) {
  if (!existsSync(path.join(dir, f))) {
    console.error(`${dir} has no ${f}: keep a run with --keep (a failing run is kept automatically)`);
    process.exit(2);
  }
}
const child = spawn(process.execPath, [path.join(here, 'run.mjs'), '--replay', path.resolve(dir), ...rest], { stdio: 'inherit' });
process.on('SIGINT', () => child.kill('SIGINT'));
child.on('exit', (code) => process.exit(code ?? 1));
