// The load generator of bench/dropbox.mjs, run as a separate process so that it does not share an event loop
// with the emulator or the bench driver. Input: one JSON argument
//   { targets: [{ name, url, method, headers, body }], requests, concurrency }
// `requests` per target; requests to the targets are interleaved one by one (round robin), so every target is
// measured under the same conditions at the same moment (e.g. the worker's background queue work).
// Output (stdout): JSON { [name]: { n, errors, statuses, p50, p90, p99, max, mean } } — latencies in ms.
const spec = JSON.parse(process.argv[2]);
const total = spec.requests * spec.targets.length;
const stats = Object.fromEntries(spec.targets.map((t) => [t.name, { latencies: [], statuses: {}, errors: 0 }]));
let next = 0;

async function worker() {
  while (next < total) {
    const t = spec.targets[next++ % spec.targets.length];
    const s = stats[t.name];
    const t0 = performance.now();
    try {
      const res = await fetch(t.url, { method: t.method ?? 'GET', headers: t.headers, body: t.body });
      await res.arrayBuffer();
      s.statuses[res.status] = (s.statuses[res.status] ?? 0) + 1;
      if (!res.ok) s.errors++;
    } catch {
      s.errors++;
    }
    s.latencies.push(performance.now() - t0);
  }
}

const start = performance.now();
await Promise.all(Array.from({ length: spec.concurrency }, worker));
const wall = performance.now() - start;
const r2 = (x) => Math.round(x * 100) / 100;
const out = {};
for (const [name, s] of Object.entries(stats)) {
  const l = s.latencies.sort((a, b) => a - b);
  const pct = (p) => l[Math.min(l.length - 1, Math.floor((p / 100) * l.length))];
  out[name] = {
    n: l.length,
    errors: s.errors,
    statuses: s.statuses,
    p50: r2(pct(50)),
    p90: r2(pct(90)),
    p99: r2(pct(99)),
    max: r2(l.at(-1)),
    mean: r2(l.reduce((a, b) => a + b, 0) / l.length),
    rps: Math.round((l.length / wall) * 1000),
  };
}
console.log(JSON.stringify(out));
