// chaos/run.mjs's command-line options (node:util parseArgs), shared with chaos/sweep.mjs, which hands them on.
export const RUN_OPTIONS = {
  ops: { type: 'string' },
  concurrency: { type: 'string', default: '8' },
  seed: { type: 'string', default: '7' },
  'fault-rate': { type: 'string', default: '0.3' },
  short: { type: 'boolean', default: false },
  report: { type: 'string' },
  keep: { type: 'boolean', default: false },
  verbose: { type: 'boolean', default: false },
  'converge-timeout': { type: 'string' },
  'queue-crash-rate': { type: 'string', default: '0.2' },
  'trace-queue': { type: 'boolean', default: false },
  // A sweep (chaos/sweep.mjs): N seeds × fault rates, `--jobs` runs at once.
  seeds: { type: 'string' },
  rates: { type: 'string' },
  jobs: { type: 'string' },
  'drain-timeout': { type: 'string' },
  // Set by the sweep: one worker bundle and one migrated D1 for all its runs (each run copies the D1).
  'worker-config': { type: 'string' },
  'd1-template': { type: 'string' },
  // Machine-readable outcome of this run (the sweep reads it).
  'result-json': { type: 'string' },
  // Replay a kept diagnosis dir's operations against a fresh world (chaos/replay.mjs).
  replay: { type: 'string' },
};
