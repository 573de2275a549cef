/**
 * `webhook`: deliveries/s of signed webhooks to a local receiver that answers at once, beside a
 * plain fetch loop POSTing the same bodies with the same concurrency in the same run (the
 * baseline); and the time from a committed change to its receipt (p50 / p99), one change at a
 * time, on a healthy receiver.
 */
import { Registry } from 'prom-client';
import { WebhookSink } from '../adapters/webhook/sink.js';
import { TestReceiver } from '../adapters/webhook/test-receiver.js';
import { startOutbound } from '../src/outbound/engine.js';
import { connection, outboundFlow, silentLog, until, writeCustomers } from '../src/outbound/test-support.js';
import { TempStores } from '../src/store/test-support.js';
import type { Benchmark, Figure } from './types.js';

const MESSAGES = 4000;
const CONCURRENCY = 16;
const LATENCY_SAMPLES = 300;
const secret = `whsec_${Buffer.from('bench-secret-of-24-bytes').toString('base64')}`;
const context = { file: 'bench', path: 'outbound.bench.sink.webhook', resolve: (p: string) => p };
const keys = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(6, '0')}`);

/** The outbound engine (concurrency 16) over a WebhookSink, on a fresh store holding `n` changes. */
async function engineRound(stores: TempStores, receiver: TestReceiver, n: number): Promise<number> {
  const store = stores.open();
  for (let i = 0; i < n; i += 1000) await writeCustomers(store, keys(`K${i}-`, Math.min(1000, n - i)), 'legacy', { name: 'Customer', balance: '10.50', status: 'active' });
  const sink = new WebhookSink({ url: receiver.url, secrets: [secret], headers: {} }, context);
  const before = receiver.received.length;
  const started = performance.now();
  const engine = startOutbound({ store, flows: new Map([['bench', outboundFlow(sink, { name: 'bench', concurrency: CONCURRENCY })]]), connections: { peer: connection({ timeoutMs: 10_000 }) }, log: silentLog, metrics: new Registry() });
  try {
    await until(() => receiver.received.length - before >= n, 120_000, `${n} deliveries`);
    return n / ((performance.now() - started) / 1000);
  } finally {
    await engine.stop();
  }
}

/** The baseline: a plain fetch loop, `CONCURRENCY` in flight, POSTing the same bodies. */
async function plainRound(url: string, bodies: Buffer[]): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < bodies.length) {
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: bodies[next++] as Uint8Array<ArrayBuffer> });
        await res.arrayBuffer();
        if (!res.ok) throw new Error(`plain loop: ${res.status}`);
      }
    }),
  );
  return bodies.length / ((performance.now() - started) / 1000);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export const webhookBench: Benchmark = {
  name: 'webhook',
  description: `signed webhooks through the outbound engine to a local receiver (${MESSAGES} changes, concurrency ${CONCURRENCY}) vs a plain fetch loop; commit-to-receipt latency`,
  async *run(): AsyncIterable<Figure> {
    const receiver = await new TestReceiver(() => ({ status: 204 })).start();
    const stores = new TempStores();
    try {
      // Warm both paths (connections, JIT), then alternate rounds so that noise hits both alike.
      await engineRound(stores, receiver, 500);
      const bodies = receiver.received.slice(-500).map((r) => r.body);
      await plainRound(receiver.url, bodies);
      let bestEngine = 0;
      let bestPlain = 0;
      for (let round = 0; round < 3; round++) {
        const from = receiver.received.length;
        bestEngine = Math.max(bestEngine, await engineRound(stores, receiver, MESSAGES));
        bestPlain = Math.max(bestPlain, await plainRound(receiver.url, receiver.received.slice(from).map((r) => r.body)));
      }
      receiver.received.length = 0;
      yield { metric: 'deliveries_per_s', value: bestEngine, unit: 'msg/s', baseline: bestPlain, baselineLabel: 'plain fetch loop', note: 'engine + WebhookSink (outbox, signing, classification), best of 3; target >= 0.6x' };

      // Commit to receipt: one change at a time committed in the store while the engine runs,
      // timed until the receiver has the whole body.
      const store = stores.open();
      const sink = new WebhookSink({ url: receiver.url, secrets: [secret], headers: {} }, context);
      const engine = startOutbound({ store, flows: new Map([['latency', outboundFlow(sink, { name: 'latency', concurrency: 1 })]]), connections: { peer: connection({ timeoutMs: 10_000 }) }, log: silentLog, metrics: new Registry() });
      const latencies: number[] = [];
      try {
        for (let i = 0; i < LATENCY_SAMPLES; i++) {
          const committed = performance.now();
          await writeCustomers(store, [`L${i}`]);
          await until(() => receiver.received.length === i + 1, 10_000, `change ${i}`);
          latencies.push(receiver.received[i].at - committed);
        }
      } finally {
        await engine.stop();
      }
      latencies.sort((a, b) => a - b);
      const note = 'store commit -> engine -> signed POST -> receipt, one change at a time';
      yield { metric: 'change_to_delivery_p50_ms', value: percentile(latencies, 50), unit: 'ms', note };
      yield { metric: 'change_to_delivery_p99_ms', value: percentile(latencies, 99), unit: 'ms', note: `${note}; target < 50` };
    } finally {
      await receiver.close();
      await stores.cleanup();
    }
  },
};
