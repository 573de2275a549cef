import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../resilience/clock.js';
import { TempStores } from '../store/test-support.js';
import { connection, outboundFlow, ScriptedSink, startEngine, until, writeCustomers } from './test-support.js';

const stores = new TempStores();
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
  await stores.cleanup();
});

describe('outbound engine', () => {
  it('delivers each change once, with a stable id, and advances the position only after the sink confirmed', async () => {
    const store = stores.open();
    const sink = new ScriptedSink();
    await writeCustomers(store, ['C1', 'C2', 'C3']);
    const engine = startEngine(store, [outboundFlow(sink)], connection());
    stops.push(engine.stop);
    await until(() => sink.accepted.length === 3, 5000, 'three deliveries');
    expect(sink.accepted.map((m) => m.id)).toEqual(['out:1-1', 'out:2-2', 'out:3-3']);
    const body = JSON.parse(sink.accepted[0].body.toString());
    expect(body).toMatchObject({ type: 'Customer.created', data: { seq: 1, key: 'C1', op: 'created', origin: 'flow:legacy', entity: { customerId: 'C1' } } });
    await until(async () => (await store.outboundPosition('out')).seq === 3, 2000, 'position 3');
    expect(engine.states.get('out')).toMatchObject({ delivered: 3, position: 3 });
    await writeCustomers(store, ['C1'], 'legacy', { name: 'changed' });
    await until(() => sink.accepted.length === 4, 2000, 'the update');
    expect(sink.accepted[3]).toMatchObject({ id: 'out:4-4', changes: [{ seq: 4, op: 'updated', version: 2 }] });
  });

  it('retries a 503 three times on the exponential schedule of its connection, then delivers', async () => {
    const store = stores.open();
    const clock = new ManualClock();
    const sink = new ScriptedSink(['http:503', 'http:503', 'http:503']);
    await writeCustomers(store, ['C1']);
    const engine = startEngine(store, [outboundFlow(sink)], connection({ timeoutMs: 99_999, retry: { baseMs: 1000, maxMs: 60_000 } }), clock);
    stops.push(engine.stop);
    for (let i = 0; i < 3; i++) {
      await until(() => sink.calls.length === i + 1 && clock.waiting > 0 && clock.sleeps.at(-1) !== 99_999, 2000, `retry ${i + 1} waiting`);
      await clock.advance(clock.sleeps.at(-1)!);
    }
    await until(() => sink.accepted.length === 1, 2000, 'delivery');
    expect(sink.calls.map((c) => c.outcome)).toEqual(['http:503', 'http:503', 'http:503', 'ok']);
    // Full jitter: each wait is below base·2^retry.
    const waits = clock.sleeps.filter((ms) => ms !== 99_999);
    expect(waits).toHaveLength(3);
    waits.forEach((ms, i) => expect(ms).toBeLessThan(1000 * 2 ** i));
    expect(await store.deadLetters({})).toEqual([]);
  });
});
