import { afterEach, describe, expect, it } from 'vitest';
import { WEBHOOK_SCHEDULE_MS } from '../resilience/backoff.js';
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
    await store.apply({ origin: { origin: 'api:crm' }, writes: [{ type: 'Customer', key: 'C2', op: 'delete' }] });
    await until(() => sink.accepted.length === 5, 2000, 'the delete');
    expect(JSON.parse(sink.accepted[4].body.toString())).toMatchObject({ type: 'Customer.deleted', data: { seq: 5, key: 'C2', op: 'deleted', origin: 'api:crm', entity: null } });
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
      expect(engine.states.get('out')?.state).toBe('retrying');
      await clock.advance(clock.sleeps.at(-1)!);
    }
    await until(() => sink.accepted.length === 1, 2000, 'delivery');
    expect(engine.states.get('out')?.state).toBe('running');
    expect(sink.calls.map((c) => c.outcome)).toEqual(['http:503', 'http:503', 'http:503', 'ok']);
    // Full jitter: each wait is below base·2^retry.
    const waits = clock.sleeps.filter((ms) => ms !== 99_999);
    expect(waits).toHaveLength(3);
    waits.forEach((ms, i) => expect(ms).toBeLessThan(1000 * 2 ** i));
    expect(await store.deadLetters({})).toEqual([]);
  });

  it('follows the webhook schedule (1 min, 5 min, 30 min, 2 h, 24 h) and then dead-letters with every attempt', async () => {
    const store = stores.open();
    const clock = new ManualClock();
    const sink = new ScriptedSink(Array(6).fill('http:500'));
    await writeCustomers(store, ['C1']);
    const engine = startEngine(store, [outboundFlow(sink)], connection({ timeoutMs: 99_999, retry: { schedule: [...WEBHOOK_SCHEDULE_MS] } }), clock);
    stops.push(engine.stop);
    for (let i = 0; i < 5; i++) {
      await until(() => sink.calls.length === i + 1 && clock.sleeps.at(-1) !== 99_999, 2000, `retry ${i + 1}`);
      await clock.advance(clock.sleeps.at(-1)!);
    }
    await until(async () => (await store.deadLetters({})).length === 1, 2000, 'dead letter');
    expect(clock.sleeps.filter((ms) => ms !== 99_999)).toEqual([...WEBHOOK_SCHEDULE_MS]);
    const [dead] = await store.deadLetters({});
    expect(dead).toMatchObject({ flow: 'out', id: 'out:1-1', status: 'open', changes: [{ seq: 1, key: 'C1' }] });
    expect(dead.attempts).toHaveLength(6);
    expect(dead.attempts.every((a) => a.outcome === 'http:500' && a.error === 'peer answered http:500')).toBe(true);
    // A dead letter settles its change: the flow moves on.
    await until(async () => (await store.outboundPosition('out')).seq === 1, 2000, 'position past the dead letter');
    expect(sink.accepted).toEqual([]);
  });

  it('honours Retry-After of a 429', async () => {
    const store = stores.open();
    const clock = new ManualClock();
    const sink = new ScriptedSink([{ outcome: 'http:429', retryAfterMs: 42_000 }]);
    await writeCustomers(store, ['C1']);
    const engine = startEngine(store, [outboundFlow(sink)], connection({ timeoutMs: 99_999, retry: { baseMs: 10, maxMs: 120_000 } }), clock);
    stops.push(engine.stop);
    await until(() => sink.calls.length === 1 && clock.sleeps.includes(42_000), 2000, 'the Retry-After wait');
    await clock.advance(41_999);
    expect(sink.accepted).toHaveLength(0);
    await clock.advance(1);
    await until(() => sink.accepted.length === 1, 2000, 'delivery after Retry-After');
  });

  it('dead-letters a 4xx at once, keeps going, and replays it with the same id and bytes', async () => {
    const store = stores.open();
    const sink = new ScriptedSink(['http:422', 'ok']);
    await writeCustomers(store, ['C1', 'C2']);
    const engine = startEngine(store, [outboundFlow(sink)], connection());
    stops.push(engine.stop);
    await until(() => sink.accepted.length === 1, 2000, 'the second change');
    expect(sink.accepted[0].id).toBe('out:2-2');
    const [dead] = await store.deadLetters({ status: 'open' });
    expect(dead).toMatchObject({ id: 'out:1-1', attempts: [{ outcome: 'http:422' }] });
    await until(() => engine.states.get('out')?.delivered === 1, 2000, 'the second change settled');
    expect(engine.states.get('out')).toMatchObject({ delivered: 1, deadLettered: 1 });
    const original = dead.body;
    // The first replay fails again and is dead-lettered anew; the second gets through.
    sink.plan.push('http:422');
    expect(await store.replayDeadLetters([dead.deadLetterId])).toHaveLength(1);
    await until(async () => (await store.deadLetters({ status: 'open' })).length === 1, 3000, 'the replay dead-lettered again');
    const [again] = await store.deadLetters({ status: 'open' });
    expect(again).toMatchObject({ id: 'out:1-1', deadLetterId: dead.deadLetterId + 1 });
    expect(await store.replayDeadLetters([again.deadLetterId])).toHaveLength(1);
    await until(() => sink.accepted.length === 2, 3000, 'the replay');
    expect(sink.accepted[1].id).toBe('out:1-1');
    expect(sink.accepted[1].body.equals(original)).toBe(true);
    expect(await store.deadLetter(dead.deadLetterId)).toMatchObject({ status: 'replayed' });
    await until(async () => (await store.outboundPosition('out')).inflight.length === 0, 2000, 'the replay settled');
    // Replaying again changes nothing: it is no longer open.
    expect(await store.replayDeadLetters([dead.deadLetterId])).toEqual([]);
  });

  it('disables the flow when the endpoint is gone (410), remembers it across restarts, and keeps the message', async () => {
    const store = stores.open();
    const sink = new ScriptedSink([{ outcome: 'http:410', gone: true }]);
    await writeCustomers(store, ['C1', 'C2']);
    const engine = startEngine(store, [outboundFlow(sink)], connection());
    await until(() => engine.states.get('out')?.state === 'disabled', 2000, 'disabled');
    await engine.stop();
    expect(engine.states.get('out')?.disabledReason).toContain('http:410');
    const position = await store.outboundPosition('out');
    expect(position).toMatchObject({ seq: 0, disabled: expect.stringContaining('http:410') });
    const again = startEngine(store, [outboundFlow(sink)], connection());
    await until(() => again.states.get('out')?.state === 'disabled', 2000, 'still disabled');
    await again.stop();
    expect(sink.accepted).toEqual([]);
    // Enabled again (bridge outbound enable): it resumes where it stopped, nothing lost.
    await store.setOutboundDisabled('out', undefined);
    const enabled = startEngine(store, [outboundFlow(sink)], connection());
    stops.push(enabled.stop);
    await until(() => sink.accepted.length === 2, 2000, 'both changes after enabling');
    expect(sink.accepted.map((m) => m.id)).toEqual(['out:1-1', 'out:2-2']);
  });

  it('times an attempt out, retries it, and counts every decision on the registry it was given', async () => {
    const store = stores.open();
    const sink = new ScriptedSink([], true);
    await writeCustomers(store, ['C1']);
    const engine = startEngine(store, [outboundFlow(sink)], connection({ timeoutMs: 30, retry: { maxRetries: 1, baseMs: 1, maxMs: 5 } }));
    stops.push(engine.stop);
    await until(async () => (await store.deadLetters({})).length === 1, 3000, 'dead letter after timeouts');
    const [dead] = await store.deadLetters({});
    expect(dead.attempts.map((a) => a.outcome)).toEqual(['timeout', 'timeout']);
    const text = await engine.metrics.metrics();
    expect(text).toContain('bridge_outbound_attempts_total{flow="out",outcome="timeout"} 2');
    expect(text).toContain('bridge_outbound_decisions_total{flow="out",decision="retry",rule="timeout"} 1');
    expect(text).toContain('bridge_outbound_decisions_total{flow="out",decision="dead-letter",rule="out-of-retries"} 1');
  });
});
