// The load generator of bench/dropbox.mjs, run as a separate process so that it does not share an event loop
// with the emulator or the bench driver. Input: one JSON argument
//   { url, method, headers, body, requests, concurrency }
// Output (stdout): JSON { n, errors, statuses, p50, p90, p99, max, mean, rps } — latencies in ms.
const spec = JSON.parse(process.argv[2]);
const latencies = [];
const statuses = {};
let errors = 0;
let next = 0;

async function worker() {
  while (next < spec.requests) {
    next++;
    const t0 = performance.now();
    try {
      const res = await fetch(spec.url, { method: spec.method ?? 'GET', headers: spec.headers, body: spec.body });
      await res.arrayBuffer();
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      if (!res.ok) errors++;
    } catch {
      errors++;
    }
    latencies.push(performance.now() - t0);
  }
}

const start = performance.now();
await Promise.all(Array.from({ length: spec.concurrency }, worker));
const wall = performance.now() - start;
latencies.sort((a, b) => a - b);
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
const r2 = (x) => Math.round(x * 100) / 100;
console.log(
  JSON.stringify({
    n: latencies.length,
    errors,
    statuses,
    p50: r2(pct(50)),
    p90: r2(pct(90)),
    p99: r2(pct(99)),
    max: r2(latencies.at(-1)),
    mean: r2(latencies.reduce((a, b) => a + b, 0) / latencies.length),
    rps: Math.round((latencies.length / wall) * 1000),
  }),
);
