/**
 * `webhook`: deliveries/s of signed webhooks to a local receiver that answers at once, beside a
 * plain fetch loop POSTing the same bodies with the same concurrency in the same run (the
 * baseline); and the time from a committed change to its receipt (p50 / p99), one change at a
 * time, on a healthy receiver.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebhookSink } from '../adapters/webhook/sink.js';
import { webhookMessage } from '../adapters/webhook/payload.js';
import { TestReceiver } from '../adapters/webhook/test-receiver.js';
import type { OutboundMessage } from '../src/core/sink.js';
import { openSqliteStore } from '../src/store/sqlite-store.js';
import type { Benchmark, Figure } from './types.js';

const MESSAGES = 4000;
const CONCURRENCY = 16;
const LATENCY_SAMPLES = 300;
const secret = `whsec_${Buffer.from('bench-secret-of-24-bytes').toString('base64')}`;
const context = { file: 'bench', path: 'sink', resolve: (p: string) => p };

function messages(): OutboundMessage[] {
  return Array.from({ length: MESSAGES }, (_, i) => {
    const at = new Date().toISOString();
    const change = { seq: i + 1, type: 'Customer', key: `C${i}`, op: 'updated' as const, version: 2, origin: 'flow:bench', at };
    return webhookMessage('bench', change, { customerId: `C${i}`, name: `Customer ${i}`, balance: `${i}.50`, status: 'active' });
  });
}

/** Runs `send` over every message with `CONCURRENCY` in flight; messages per second. */
async function rate(all: OutboundMessage[], send: (m: OutboundMessage) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < all.length) await send(all[next++]);
    }),
  );
  return all.length / ((performance.now() - started) / 1000);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export const webhookBench: Benchmark = {
  name: 'webhook',
  description: `signed webhooks to a local receiver (${MESSAGES} messages, ${CONCURRENCY} in flight) vs a plain fetch loop; commit-to-receipt latency`,
  async *run(): AsyncIterable<Figure> {
    const receiver = await new TestReceiver(() => ({ status: 204 })).start();
    const sink = new WebhookSink({ url: receiver.url, secrets: [secret], headers: {} }, context);
    const all = messages();
    const plain = async (m: OutboundMessage) => {
      const res = await fetch(receiver.url, { method: 'POST', headers: { 'content-type': m.contentType }, body: m.body as Uint8Array<ArrayBuffer> });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`plain loop: ${res.status}`);
    };
    const viaSink = (m: OutboundMessage) => sink.write(m, AbortSignal.timeout(10_000));
    // Warm both paths (connections, JIT), then alternate rounds so that noise hits both alike.
    await rate(all.slice(0, 500), plain);
    await rate(all.slice(0, 500), viaSink);
    let bestPlain = 0;
    let bestSink = 0;
    for (let round = 0; round < 3; round++) {
      bestPlain = Math.max(bestPlain, await rate(all, plain));
      bestSink = Math.max(bestSink, await rate(all, viaSink));
    }
    receiver.received.length = 0;
    yield { metric: 'deliveries_per_s', value: bestSink, unit: 'msg/s', baseline: bestPlain, baselineLabel: 'plain fetch loop', note: 'through WebhookSink (signing, classification), best of 3' };

    // Commit to receipt: a change committed in a real SQLite store, read from the change feed,
    // posted, and timed until the receiver has the whole body.
    const dir = mkdtempSync(join(tmpdir(), 'bench-webhook-'));
    const store = openSqliteStore({ path: join(dir, 'bridge.db') });
    try {
      const latencies: number[] = [];
      let after = 0;
      for (let i = 0; i < LATENCY_SAMPLES; i++) {
        const data = { customerId: `L${i}`, name: `Latency ${i}` };
        const committed = performance.now();
        await store.apply({ origin: { origin: 'api:bench' }, writes: [{ type: 'Customer', key: `L${i}`, data }], rejects: [] });
        for (const change of await store.changes({ after, limit: 100 })) {
          after = change.seq;
          const entity = await store.get(change.type, change.key);
          await sink.write(webhookMessage('bench', change, entity?.data ?? null), AbortSignal.timeout(10_000));
        }
        latencies.push(receiver.received[receiver.received.length - 1].at - committed);
      }
      latencies.sort((a, b) => a - b);
      const note = 'store commit -> change feed -> sink -> receipt, one change at a time';
      yield { metric: 'change_to_delivery_p50_ms', value: percentile(latencies, 50), unit: 'ms', note };
      yield { metric: 'change_to_delivery_p99_ms', value: percentile(latencies, 99), unit: 'ms', note: `${note}; target < 50` };
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
      await receiver.close();
    }
  },
};
