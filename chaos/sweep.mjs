// Sweep, don't sample: N seeds × fault rates, each a full chaos run (chaos/run.mjs) on its own free ports and in
// its own temp dir, `--jobs` of them at once. One line per run as it ends, a summary at the end, exit 1 on any
// mismatch (2 if a run could not even start twice in a row). Failing runs keep their diagnosis dir (replay it
// with `node chaos/replay.mjs <dir>`).
// Usage: node chaos/sweep.mjs --seeds 20 [--rates 0.1,0.3,0.5] [--jobs 2] [--report bench/chaos-sweep.md]
//        [any chaos/run.mjs option: --short, --ops 300, --concurrency 8, --queue-crash-rate 0.2, --keep ...]
//        --seeds takes a count (seeds 1..N), a list (7,99,1234) or a range (1-20).
//   also: npm run chaos -- --seeds 20 --jobs 2
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bundleWorker, migrateLocalD1 } from '../scripts/local-worker.mjs';
import { RUN_OPTIONS } from './options.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');

/** "20" → 1..20, "7,99,1234" → those, "5-9" → 5..9 (mixable: "1-3,99"). */
export function parseSeeds(spec) {
  const s = String(spec).trim();
  if (/^\d+$/.test(s)) return Array.from({ length: Number(s) }, (_, i) => i + 1);
  const out = [];
  for (const part of s.split(',')) {
    const m = part.trim().match(/^(\d+)(?:-(\d+))?$/);
    if (!m) throw new Error(`--seeds: cannot read "${part}" (want a count, a list 7,99 or a range 1-20)`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    for (let x = lo; x <= hi; x++) out.push(x);
  }
  return out;
}

const fmtS = (ms) => (ms === undefined || ms === null ? '?' : `${(ms / 1000).toFixed(1)} s`);

/** Runs the sweep described by `argv` (run.mjs's options plus --seeds/--rates/--jobs); resolves to the exit code. */
export async function sweep(argv) {
  const { values: o, tokens } = parseArgs({
    args: argv,
    tokens: true,
    options: {
      ...RUN_OPTIONS,
      seeds: { type: 'string' },
      rates: { type: 'string', default: '0.1,0.3,0.5' },
      jobs: { type: 'string', default: '1' },
      report: { type: 'string' },
      // An interrupted sweep (out of time on a shared machine): the report from the runs that finished, read from
      // its temp dir (the result JSON each run left there); --planned says how many runs the sweep meant to make.
      'report-from': { type: 'string' },
      planned: { type: 'string' },
      commit: { type: 'string' },
    },
  });
  if (o['report-from']) return reportFrom(o);
  if (!o.seeds) throw new Error('--seeds is required');
  const seeds = parseSeeds(o.seeds);
  const rates = String(o.rates).split(',').map(Number);
  if (rates.some((r) => !(r >= 0 && r <= 1))) throw new Error(`--rates: each rate must be within 0..1 (${o.rates})`);
  const jobs = Math.max(1, Number(o.jobs) || 1);
  // Everything else is handed to each run as given (minus what the sweep decides per run).
  const own = new Set(['seeds', 'rates', 'jobs', 'report', 'seed', 'fault-rate', 'result-json', 'worker-config', 'd1-template', 'replay']);
  const pass = [];
  for (const t of tokens) {
    if (t.kind !== 'option' || own.has(t.name)) continue;
    pass.push(t.rawName);
    if (t.value !== undefined) pass.push(t.value);
  }
  const runs = seeds.flatMap((seed) => rates.map((rate) => ({ seed, rate })));
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'pd-chaos-sweep-'));
  // Built once for every run (the same code; each run still gets its own copy of a fresh D1): saves each run
  // the bundling and the migrations, most of its start-up on a loaded machine.
  const workerConfig = bundleWorker(tmp, { script: 'chaos/worker-entry.js' });
  const d1Template = path.join(tmp, 'd1-template');
  migrateLocalD1(d1Template);
  const shown = [...pass];
  pass.push('--worker-config', workerConfig, '--d1-template', d1Template);
  const started = Date.now();
  const commit = (() => {
    try {
      return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    } catch {
      return '?';
    }
  })();
  console.log(
    `chaos sweep: ${seeds.length} seed(s) × ${rates.length} fault rate(s) = ${runs.length} runs, ${jobs} at once${shown.length ? `, each with ${shown.join(' ')}` : ''}`,
  );

  const results = [];
  const live = new Set();
  const onSignal = () => {
    for (const c of live) c.kill('SIGINT');
  };
  process.on('SIGINT', onSignal);

  const runOne = (run, attempt) =>
    new Promise((resolve) => {
      const resultFile = path.join(tmp, `seed${run.seed}-rate${run.rate}-${attempt}.json`);
      const logFile = path.join(tmp, `seed${run.seed}-rate${run.rate}-${attempt}.log`);
      const args = [
        path.join(here, 'run.mjs'),
        '--seed',
        String(run.seed),
        '--fault-rate',
        String(run.rate),
        '--report',
        'none',
        '--result-json',
        resultFile,
        ...pass,
      ];
      const t = Date.now();
      const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
      live.add(child);
      const out = [];
      child.stdout.on('data', (d) => out.push(d));
      child.stderr.on('data', (d) => out.push(d));
      child.on('exit', (code) => {
        live.delete(child);
        writeFileSync(logFile, Buffer.concat(out));
        let r = null;
        try {
          r = JSON.parse(readFileSync(resultFile, 'utf8'));
        } catch {
          /* aborted before writing */
        }
        resolve({ ...run, code, wallMs: Date.now() - t, r, logFile });
      });
    });

  let next = 0;
  const worker = async () => {
    for (;;) {
      const run = runs[next++];
      if (!run) return;
      let res = await runOne(run, 1);
      // A run that could not start (exit 2: a port taken between asking the OS and binding, a wrangler hiccup on a
      // loaded machine) is not a verdict: try once more, then report it as aborted.
      if (res.code === 2 || !res.r) res = { ...(await runOne(run, 2)), retried: true };
      results.push(res);
      console.log(line(res, results.length, runs.length));
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, runs.length) }, worker));
  process.off('SIGINT', onSignal);

  const wallMs = Date.now() - started;
  const failed = results.filter((x) => x.code !== 0);
  const aborted = results.filter((x) => x.code === 2 || !x.r);
  const mismatches = results.reduce((s, x) => s + (x.r?.mismatches?.length ?? 0), 0);
  const moot = results.reduce((s, x) => s + (x.r?.mismatches ?? []).filter((m) => / but is moot: /.test(m)).length, 0);
  const converge = results
    .filter((x) => x.r?.convergeMs !== undefined)
    .map((x) => x.r.convergeMs)
    .sort((a, b) => a - b);
  console.log(
    `\nSummary: ${results.length} runs in ${fmtS(wallMs)}; ${results.length - failed.length} passed, ${failed.length - aborted.length} with mismatches (${mismatches} in all, ${moot} moot failed changes), ${aborted.length} aborted`,
  );
  if (converge.length) console.log(`  time to converge: median ${fmtS(converge[Math.floor(converge.length / 2)])}, max ${fmtS(converge.at(-1))}`);
  for (const x of failed) {
    console.log(
      `  ✖ seed ${x.seed} rate ${x.rate}: ${x.code === 2 || !x.r ? `aborted (${x.r?.aborted?.split('\n')[0] ?? 'no result'}) log ${x.logFile}` : `${x.r?.mismatches?.length} mismatch(es), kept ${x.r?.keptDir}`}`,
    );
    for (const g of x.r?.groups ?? []) console.log(`      ${g.count} × ${g.finding}${g.repro ? ` (reproduce alone: ${g.repro})` : ''}`);
    for (const m of (x.r?.mismatches ?? []).slice(0, 5)) console.log(`      - ${m}`);
  }
  if (failed.length === 0) rmSync(tmp, { recursive: true, force: true });
  else console.log(`  logs of every run: ${tmp}`);
  if (o.report) writeFileSync(o.report, markdown({ commit, seeds, rates, jobs, pass: shown, results, wallMs, mismatches, moot, converge }));
  return failed.length === 0 ? 0 : aborted.length === failed.length ? 2 : 1;
}

function reportFrom(o) {
  const dir = o['report-from'];
  const latest = new Map();
  for (const f of readdirSync(dir)) {
    const m = /^seed(\d+)-rate([\d.]+)-(\d+)\.json$/.exec(f);
    if (!m) continue;
    const key = `${m[1]}:${m[2]}`;
    if ((latest.get(key)?.attempt ?? 0) < Number(m[3]))
      latest.set(key, { seed: Number(m[1]), rate: Number(m[2]), attempt: Number(m[3]), file: path.join(dir, f) });
  }
  // Runs cut off by the stop itself ("terminated") are not verdicts: left out and counted.
  let stopped = 0;
  const results = [...latest.values()].flatMap((x) => {
    const r = JSON.parse(readFileSync(x.file, 'utf8'));
    if (r.exitCode === 2 && /terminated|SIGINT|interrupted/i.test(String(r.aborted ?? ''))) return (stopped++, []);
    return [{ seed: x.seed, rate: x.rate, code: r.exitCode, r: r.exitCode === 2 ? { ...r, aborted: r.aborted ?? 'aborted' } : r, wallMs: 0 }];
  });
  const times = [...latest.values()].map((x) => statSync(x.file).mtimeMs);
  const wallMs = times.length ? Math.max(...times) - statSync(dir).birthtimeMs || Math.max(...times) - Math.min(...times) : 0;
  const seeds = [...new Set(results.map((x) => x.seed))].sort((a, b) => a - b);
  const rates = [...new Set(results.map((x) => x.rate))].sort();
  const mismatches = results.reduce((s, x) => s + (x.r?.mismatches?.length ?? 0), 0);
  const moot = results.reduce((s, x) => s + (x.r?.mismatches ?? []).filter((m) => / but is moot: /.test(m)).length, 0);
  const converge = results
    .filter((x) => x.r?.convergeMs !== undefined)
    .map((x) => x.r.convergeMs)
    .sort((a, b) => a - b);
  let md = markdown({
    commit: o.commit ?? '?',
    seeds,
    rates,
    jobs: o.jobs,
    pass: o.short ? ['--short'] : [],
    results,
    wallMs,
    mismatches,
    moot,
    converge,
  });
  if (o.planned)
    md = md.replace(
      '\n\n**',
      `\n\n_Interrupted (out of time on the shared machine): ${results.length} of the ${o.planned} planned runs finished${stopped ? ` (${stopped} cut off by the stop, left out)` : ''}; the table has every finished run._\n\n**`,
    );
  if (o.report) writeFileSync(o.report, md);
  console.log(md.split('\n').slice(0, 6).join('\n'));
  return results.every((x) => x.code === 0) ? 0 : 1;
}

function line(x, i, n) {
  const head = `[${String(i).padStart(String(n).length)}/${n}] seed ${String(x.seed).padStart(4)} rate ${x.rate.toFixed(2)}`;
  if (!x.r || x.code === 2)
    return `${head}  ABORTED (exit ${x.code}${x.retried ? ', twice' : ''}) ${x.r?.aborted?.split('\n')[0] ?? ''} log ${x.logFile}`;
  const r = x.r;
  const verdict =
    r.mismatches.length === 0
      ? '✔ 0 mismatches'
      : `✖ ${r.mismatches.length} mismatch(es) — kept ${r.keptDir} (replay: node chaos/replay.mjs ${r.keptDir})`;
  return `${head}  ${verdict}; ${r.ops} ops in ${fmtS(r.opsMs)}, converged ${r.converged ? 'in' : 'NOT within'} ${fmtS(r.convergeMs)}, ${r.failedVisible} failed changes visible, ${r.dropboxCalls} Dropbox calls, ${fmtS(x.wallMs)} wall`;
}

function markdown({ commit, seeds, rates, jobs, pass, results, wallMs, mismatches, moot, converge }) {
  const sorted = [...results].sort((a, b) => a.seed - b.seed || a.rate - b.rate);
  const rows = sorted.map((x) => {
    const r = x.r;
    if (!r || x.code === 2) return `| ${x.seed} | ${x.rate} | aborted (not a verdict) | | | | |`;
    return `| ${x.seed} | ${x.rate} | ${r.mismatches.length} | ${fmtS(r.opsMs)} | ${r.converged ? fmtS(r.convergeMs) : `not within ${fmtS(r.convergeMs)}`} | ${r.failedVisible} | ${r.dropboxCalls} |`;
  });
  const failing = sorted.filter((x) => x.code !== 0);
  return `# Chaos sweep

\`node chaos/sweep.mjs --seeds ${seeds.length === 1 ? seeds[0] : `${seeds[0]}-${seeds.at(-1)}`} --rates ${rates.join(',')} --jobs ${jobs}${pass.length ? ` ${pass.join(' ')}` : ''}\`: ${results.length} runs of commit ${commit}, ${fmtS(wallMs)} wall on ${os.cpus().length} cores (shared), Node ${process.version}, generated ${new Date().toISOString()}.

**${results.length - failing.length} of ${results.length} runs passed; ${mismatches} mismatches in all (${moot} of them moot failed changes).** Time to converge after the last operation: median ${converge.length ? fmtS(converge[Math.floor(converge.length / 2)]) : '?'}, max ${converge.length ? fmtS(converge.at(-1)) : '?'}.

| seed | fault rate | mismatches | operations time | time to converge | failed changes visible | Dropbox calls |
|---|---|---|---|---|---|---|
${rows.join('\n')}
${
  failing.length
    ? `\n## Failing runs\n\n${failing
        .map(
          (x) =>
            `### seed ${x.seed}, rate ${x.rate}\n\n${x.r?.groups?.map((g) => `- ${g.count} × ${g.finding}${g.repro ? ` — \`${g.repro}\`` : ''}`).join('\n') ?? 'aborted'}\n\n${(
              x.r?.mismatches ?? []
            )
              .slice(0, 10)
              .map((m) => `    ${m}`)
              .join('\n')}\n`,
        )
        .join('\n')}`
    : ''
}`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exit(await sweep(process.argv.slice(2)).catch((e) => (console.error(e.message), 2)));
}
