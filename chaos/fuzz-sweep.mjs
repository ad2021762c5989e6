// Fuzz sweep, beside the chaos sweep: the fuzz files (worker/test/fuzz, both Vitest projects: inside workerd, and
// against the emulator) once per seed, the seed handed over as VITE_FUZZ_SEED. One line per seed (did every file
// run with that seed, how many tests passed/failed), a summary, exit 1 on any failure.
// Usage: node chaos/fuzz-sweep.mjs [--seeds 20 | --seeds 1-20 | --seeds 7,99] [--random 5] [--report bench/fuzz.md]
//   --seeds: seeds 1..N, a list or a range; --random N: N more seeds picked at random (printed, replayable).
//   Replay one: cd worker && VITE_FUZZ_SEED=<seed> npx vitest run test/fuzz
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseSeeds } from './sweep.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: o } = parseArgs({
  options: {
    seeds: { type: 'string', default: '20' },
    random: { type: 'string', default: '0' },
    report: { type: 'string' },
    files: { type: 'string', default: 'test/fuzz' },
    // A directory of an earlier (interrupted) sweep: seeds whose finished log is there are read, not run again.
    'reuse-logs': { type: 'string' },
  },
});
const seeds = [...parseSeeds(o.seeds), ...Array.from({ length: Number(o.random) }, () => 1 + Math.floor(Math.random() * 0x7ffffffe))];
const tmp = mkdtempSync(path.join(os.tmpdir(), 'pd-fuzz-sweep-'));
const t0 = Date.now();
console.log(`fuzz sweep: ${seeds.length} seeds over worker/${o.files} (both projects), one vitest run per seed`);

function runSeed(seed) {
  const old = o['reuse-logs'] ? path.join(o['reuse-logs'], `seed-${seed}.log`) : null;
  if (old && existsSync(old) && /Test Files\s/.test(readFileSync(old, 'utf8'))) {
    const text = readFileSync(old, 'utf8');
    const d = text.match(/Duration\s+([\d.]+)s/);
    writeFileSync(path.join(tmp, `seed-${seed}.log`), text);
    return Promise.resolve(
      parse(seed, text, /Tests\s+\d+ failed/.test(text) ? 1 : 0, d ? Number(d[1]) * 1000 : 0, path.join(tmp, `seed-${seed}.log`)),
    );
  }
  return new Promise((resolve) => {
    const t = Date.now();
    const child = spawn('npx', ['vitest', 'run', o.files], {
      cwd: path.join(root, 'worker'),
      env: { ...process.env, VITE_FUZZ_SEED: String(seed) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => out.push(d));
    child.on('exit', (code) => {
      const raw = Buffer.concat(out).toString();
      // biome-ignore lint/suspicious/noControlCharactersInRegex: strips ANSI colour codes (ESC) from the child's log
      const text = raw.replace(/\x1b\[[0-9;]*m/g, '');
      const log = path.join(tmp, `seed-${seed}.log`);
      writeFileSync(log, text);
      resolve(parse(seed, text, code, Date.now() - t, log));
    });
  });
}

function parse(seed, text, code, ms, log) {
  const printed = [...text.matchAll(/seed (-?\d+)/gi)].map((m) => Number(m[1]));
  const tests = text.match(/Tests\s+(?:(\d+) failed \| )?(\d+) passed(?: \| (\d+) skipped)?/);
  const files = text.match(/Test Files\s+(?:(\d+) failed \| )?(\d+) passed/);
  return {
    seed,
    code,
    ms,
    log,
    failed: Number(tests?.[1] ?? 0),
    passed: Number(tests?.[2] ?? 0),
    filesFailed: Number(files?.[1] ?? 0),
    filesPassed: Number(files?.[2] ?? 0),
    // Every seed a fuzz file printed must be the one asked for (the plumbing works for this run too).
    seedsPrinted: printed.length,
    wrongSeed: printed.filter((s) => s !== seed),
    firstFailure:
      text
        .split('\n')
        .find((l) => /FAIL|Counterexample|AssertionError|Property failed/.test(l))
        ?.trim() ?? null,
  };
}

const results = [];
for (const seed of seeds) {
  const r = await runSeed(seed);
  results.push(r);
  const ok = r.code === 0 && r.wrongSeed.length === 0 && r.seedsPrinted > 0;
  console.log(
    `[${String(results.length).padStart(2)}/${seeds.length}] seed ${String(seed).padStart(10)}  ${ok ? '✔' : '✖'} ${r.passed} passed, ${r.failed} failed (${r.filesPassed + r.filesFailed} files), ${r.seedsPrinted} seed lines all ${r.wrongSeed.length ? `NOT ${seed}: ${r.wrongSeed.slice(0, 3).join(', ')}` : seed}, ${(r.ms / 1000).toFixed(1)} s${ok ? '' : ` — ${r.firstFailure ?? `exit ${r.code}`} (log ${r.log})`}`,
  );
}
const bad = results.filter((r) => r.code !== 0 || r.wrongSeed.length || r.seedsPrinted === 0);
const total = results.reduce((s, r) => s + r.passed + r.failed, 0);
const wall = (Date.now() - t0) / 1000;
console.log(
  `\nSummary: ${results.length} seeds in ${wall.toFixed(0)} s, ${results.length - bad.length} passed, ${bad.length} failed; ${total} test runs (${results.reduce((s, r) => s + r.failed, 0)} failed)${bad.length ? `; logs in ${tmp}` : ''}`,
);
for (const r of bad)
  console.log(
    `  ✖ seed ${r.seed}: replay with  cd worker && VITE_FUZZ_SEED=${r.seed} npx vitest run test/fuzz   (${r.firstFailure ?? `exit ${r.code}`})`,
  );

if (o.report) {
  writeFileSync(
    o.report,
    `# Fuzz sweep

\`node chaos/fuzz-sweep.mjs --seeds ${o.seeds}${Number(o.random) ? ` --random ${o.random}` : ''}\`: worker/${o.files} (the API, webhook and access-model fuzz inside workerd, the Dropbox-route and hostile-Dropbox fuzz against the emulator) run once per seed with \`VITE_FUZZ_SEED=<seed>\`; ${os.cpus().length} cores (shared), Node ${process.version}, ${wall.toFixed(0)} s, generated ${new Date().toISOString()}.

**${results.length - bad.length} of ${results.length} seeds passed, ${results.reduce((s, r) => s + r.failed, 0)} failing tests.** Every fuzz file printed the seed it was given (the "seed" column counts those lines; a different seed would fail the row).

| seed | result | tests passed | tests failed | seed lines (all = seed) | time |
|---|---|---|---|---|---|
${results.map((r) => `| ${r.seed} | ${bad.includes(r) ? '✖' : '✔'} | ${r.passed} | ${r.failed} | ${r.seedsPrinted}${r.wrongSeed.length ? ` (${r.wrongSeed.length} other!)` : ''} | ${(r.ms / 1000).toFixed(1)} s |`).join('\n')}
${bad.length ? `\n## Failing seeds\n\n${bad.map((r) => `- seed ${r.seed}: \`cd worker && VITE_FUZZ_SEED=${r.seed} npx vitest run test/fuzz\` — ${r.firstFailure ?? `exit ${r.code}`}`).join('\n')}\n` : ''}`,
  );
}
process.exit(bad.length ? 1 : 0);
