// End to end: VITE_FUZZ_SEED set on the command line reaches the fuzz tests inside workerd (it used to be ignored
// there: every run printed the fixed seed). Runs test/fuzz/seed.fuzz.test.ts through vitest, as a person would.
// Run: node --test worker/test/fuzz/seed.node-test.mjs   (part of npm test)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const workerDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DEFAULT_FUZZ_SEED = 20261127;

function vitest(seed) {
  const env = { ...process.env };
  if (seed === undefined) delete env.VITE_FUZZ_SEED;
  else env.VITE_FUZZ_SEED = seed;
  const r = spawnSync('npx', ['vitest', 'run', '--project', 'worker', 'test/fuzz/seed.fuzz.test.ts'], {
    cwd: workerDir,
    env,
    encoding: 'utf8',
    timeout: 240_000,
  });
  const out = `${r.stdout}\n${r.stderr}`;
  const inWorkerd = out.match(/fuzz seed in workerd: (-?\d+)/);
  return { status: r.status, out, seed: inWorkerd ? Number(inWorkerd[1]) : null };
}

test('VITE_FUZZ_SEED=<n> is the seed the tests inside workerd use', () => {
  const r = vitest('4242');
  assert.equal(r.status, 0, r.out);
  assert.equal(r.seed, 4242, r.out);
});

test('VITE_FUZZ_SEED=random picks a new seed, prints it, and the tests use that one', () => {
  const r = vitest('random');
  assert.equal(r.status, 0, r.out);
  const printed = r.out.match(/VITE_FUZZ_SEED=random: this run's fuzz seed is (\d+)/);
  assert.ok(printed, `the picked seed is printed:\n${r.out}`);
  assert.equal(r.seed, Number(printed[1]), r.out);
  assert.notEqual(r.seed, DEFAULT_FUZZ_SEED);
});

test('unset: the fixed seed (npm test stays deterministic); a typo is refused, not replaced by the fixed seed', () => {
  const r = vitest(undefined);
  assert.equal(r.status, 0, r.out);
  assert.equal(r.seed, DEFAULT_FUZZ_SEED, r.out);
  const bad = vitest('12x');
  assert.notEqual(bad.status, 0);
  assert.match(bad.out, /VITE_FUZZ_SEED must be an integer/);
});
