// Closed-loop HTTP load generator, run as its own process by scripts/load-bench.mjs (so the worker under test and
// the load never share an event loop). Reads a phase description (JSON file given as argv[2]) and prints one JSON
// line: requests, seconds, status counts, latency percentiles.
//   { url, durationMs, warmupMs, connections, requests: [{ method, path, headers, body }], cycle: true }
// The first warmupMs are sent but not counted (sockets opened, isolate and SQLite caches warm).
// Each connection sends one request at a time over a kept-alive socket, taking the next request of the list
// (round-robin over all connections).
import http from 'node:http';
import { readFileSync } from 'node:fs';

const phase = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const base = new URL(phase.url);
const agent = new http.Agent({ keepAlive: true, maxSockets: phase.connections });
const reqs = phase.requests.map((r) => ({ ...r, body: r.body === undefined ? undefined : Buffer.from(r.body) }));

let next = 0;
const latencies = [];
const statuses = {};
let transportErrors = 0;
const firstErrors = [];

function once(r) {
  return new Promise((resolve) => {
    const headers = { ...r.headers };
    if (r.body) headers['content-length'] = String(r.body.length);
    const t = process.hrtime.bigint();
    const req = http.request({ host: base.hostname, port: base.port, path: r.path, method: r.method, headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        if (!measuring) return resolve();
        const ms = Number(process.hrtime.bigint() - t) / 1e6;
        latencies.push(ms);
        statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
        if ((res.statusCode < 200 || res.statusCode >= 300) && firstErrors.length < 5) {
          firstErrors.push(`${r.method} ${r.path} → ${res.statusCode} ${Buffer.concat(chunks).toString().slice(0, 200)}`);
        }
        resolve();
      });
    });
    req.on('error', (e) => {
      if (!measuring) return resolve();
      transportErrors++;
      if (firstErrors.length < 5) firstErrors.push(`${r.method} ${r.path} → ${e.message}`);
      resolve();
    });
    if (r.body) req.write(r.body);
    req.end();
  });
}

let measuring = false;
let started = Date.now();
const until = started + (phase.warmupMs ?? 0) + phase.durationMs;
setTimeout(() => {
  measuring = true;
  started = Date.now();
}, phase.warmupMs ?? 0);
async function conn() {
  while (Date.now() < until) {
    const i = next++;
    if (!phase.cycle && i >= reqs.length) return;
    await once(reqs[i % reqs.length]);
  }
}
await Promise.all(Array.from({ length: phase.connections }, conn));
const seconds = (Date.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const q = (p) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] : null);
agent.destroy();
console.log(
  JSON.stringify({
    requests: latencies.length + transportErrors,
    seconds,
    rps: latencies.length / seconds,
    statuses,
    transportErrors,
    p50: q(50),
    p90: q(90),
    p99: q(99),
    max: latencies.at(-1) ?? null,
    firstErrors,
    sent: next,
  }),
);
