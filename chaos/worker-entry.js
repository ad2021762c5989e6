// The real worker (worker/src/index.ts) with one fault hook for the chaos run: the queue consumer crashes part-way
// through some batches. Used only by chaos/run.mjs (`wrangler dev chaos/worker-entry.js`); production and tests use
// worker/src/index.ts unchanged.
//
// A crash is imitated the way it happens on the platform: the handler processes the first k messages of the batch
// (they ack or retry as they would), never gets to the rest, and throws — so the runtime redelivers every message
// of the batch that was not explicitly acked. Sometimes the crash also "loses" the ack of a message whose work was
// already done (crash after the side effects, before the ack), so that work is redelivered and must be idempotent.
// CHAOS_QUEUE_THROW_RATE (0..1, per batch) and CHAOS_SEED come from --var; without them nothing is injected.
import worker from '../worker/src/index.ts';
export { LiveHub } from '../worker/src/index.ts';

let state = 0;
function random(env) {
  if (state === 0) state = Number(env.CHAOS_SEED ?? 1) >>> 0 || 1;
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/**
 * Counts what the consumer asked for: one short line per message.retry() and per redelivered message (the chaos run
 * counts them). With CHAOS_TRACE_QUEUE=1 also one line per delivery and ack with the body (for diagnosing a run).
 */
function traced(batch, env) {
  const full = env.CHAOS_TRACE_QUEUE === '1';
  const t = () => new Date().toISOString();
  const what = (m) => JSON.stringify(m.body);
  const messages = batch.messages.map((m) => ({
    get id() {
      return m.id;
    },
    get timestamp() {
      return m.timestamp;
    },
    get body() {
      return m.body;
    },
    get attempts() {
      return m.attempts;
    },
    ack() {
      if (full) console.log(`chaos-trace ${t()} ack ${m.id} attempt ${m.attempts} ${what(m)}`);
      m.ack();
    },
    retry(o) {
      console.log(`chaos: consumer retries a ${m.body?.kind} message (${o?.delaySeconds ?? 0}s)`);
      if (full) console.log(`chaos-trace ${t()} retry(${o?.delaySeconds ?? 0}s) ${m.id} attempt ${m.attempts} ${what(m)}`);
      m.retry(o);
    },
  }));
  for (const m of batch.messages) {
    if (m.attempts > 1) console.log(`chaos: redelivered a ${m.body?.kind} message (attempt ${m.attempts})`);
    if (full) console.log(`chaos-trace ${t()} deliver ${m.id} attempt ${m.attempts} ${what(m)}`);
  }
  return {
    queue: batch.queue,
    messages,
    ackAll: () => {
      for (const m of messages) m.ack();
    },
    retryAll: (o) => {
      for (const m of messages) m.retry(o);
    },
  };
}

export default {
  fetch: worker.fetch,
  scheduled: worker.scheduled,
  async queue(rawBatch, env, ctx) {
    const batch = traced(rawBatch, env);
    const rate = Number(env.CHAOS_QUEUE_THROW_RATE ?? 0);
    if (!(rate > 0) || random(env) >= rate) return worker.queue(batch, env, ctx);
    const k = Math.floor(random(env) * batch.messages.length);
    const loseAck = random(env) < 0.5;
    const done = batch.messages.slice(0, k).map((m, i) =>
      loseAck && i === k - 1
        ? {
            get id() {
              return m.id;
            },
            get timestamp() {
              return m.timestamp;
            },
            get body() {
              return m.body;
            },
            get attempts() {
              return m.attempts;
            },
            ack() {},
            retry(o) {
              m.retry(o);
            },
          }
        : m,
    );
    if (k > 0)
      await worker.queue(
        {
          queue: batch.queue,
          messages: done,
          ackAll: () => {
            for (const m of done) m.ack();
          },
          retryAll: (o) => {
            for (const m of done) m.retry(o);
          },
        },
        env,
        ctx,
      );
    console.log(
      `chaos: queue consumer crashed after ${k} of ${batch.messages.length} messages${loseAck && k > 0 ? " (the last one's ack lost)" : ''}`,
    );
    throw new Error('chaos: injected consumer crash');
  },
};
