import { afterEach, describe, expect, it } from 'vitest';
import { WEBHOOK_SCHEDULE_MS } from '../resilience/backoff.js';
import { ManualClock } from '../resilience/clock.js';
import { TempStores } from '../store/test-support.js';
import { defaultPolicy } from './engine.js';
import { connection, outboundFlow, ScriptedSink, startEngine, until, writeCustomers } from './test-support.js';

const stores = new TempStores();
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
  await stores.cleanup();
});

describe('a connection shared by outbound flows', () => {
  it('holds every flow using it to one rate limit', async () => {
    const store = stores.open();
    const clock = new ManualClock();
    const a = new ScriptedSink();
    const b = new ScriptedSink();
    await writeCustomers(store, ['C1', 'C2']);
    const conn = connection({ timeoutMs: 99_999, rateLimit: { limit: 1, intervalMs: 60_000 } });
    const engine = startEngine(store, [outboundFlow(a, { name: 'a' }), outboundFlow(b, { name: 'b' })], conn, clock);
    stops.push(engine.stop);
    // One token: one message of the four goes at once, the others wait a minute each, in turn.
    await until(() => a.accepted.length + b.accepted.length === 1 && clock.sleeps.includes(60_000), 2000, 'the first message');
    await clock.advance(59_999);
    expect(a.accepted.length + b.accepted.length).toBe(1);
    await clock.advance(1);
    await until(() => a.accepted.length + b.accepted.length === 2, 2000, 'the second message');
    await clock.advance(60_000);
    await until(() => a.accepted.length + b.accepted.length === 3, 2000, 'the third message');
    await clock.advance(60_000);
    await until(() => a.accepted.length === 2 && b.accepted.length === 2, 2000, 'all four');
    expect(await engine.metrics.metrics()).toMatch(/bridge_outbound_rate_limit_wait_seconds_total\{connection="peer"\} 180/);
  });

  it('opens the circuit after consecutive failures: no attempt while open, one probe after the cool-down', async () => {
    const store = stores.open();
    const clock = new ManualClock();
    const sink = new ScriptedSink(['network', 'network', 'network', 'network']);
    await writeCustomers(store, ['C1']);
    const conn = connection({ timeoutMs: 99_999, retry: { schedule: [1_000, 1_000, 1_000, 1_000, 1_000, 1_000] }, breaker: { failures: 2, coolDownMs: 30_000 } });
    const engine = startEngine(store, [outboundFlow(sink)], conn, clock);
    stops.push(engine.stop);
    const backoff = async (calls: number) => {
      await until(() => sink.calls.length === calls && clock.sleeps.at(-1) === 1_000, 2000, `backoff after attempt ${calls}`);
      await clock.advance(1_000);
    };
    await backoff(1);
    await backoff(2);
    // Open now: the next attempt waits for the cool-down, not the backoff.
    await clock.advance(28_000);
    expect(sink.calls).toHaveLength(2);
    await clock.advance(1_000);
    await until(() => sink.calls.length === 3, 2000, 'the half-open probe');
    // The probe failed: open for another cool-down.
    await backoff(3);
    await clock.advance(28_000);
    expect(sink.calls).toHaveLength(3);
    await clock.advance(1_000);
    await until(() => sink.calls.length === 4, 2000, 'the second probe');
    await backoff(4);
    await clock.advance(29_000);
    await until(() => sink.accepted.length === 1, 2000, 'delivery once the peer is back');
    const text = await engine.metrics.metrics();
    expect(text).toContain('bridge_outbound_breaker_transitions_total{connection="peer",state="open"} 3');
    expect(text).toContain('bridge_outbound_breaker_open{connection="peer"} 0');
  });

  it('does not count answers that say the message is wrong (4xx) towards opening the circuit', async () => {
    const store = stores.open();
    const sink = new ScriptedSink(['http:422', 'http:400', 'http:404']);
    await writeCustomers(store, ['C1', 'C2', 'C3', 'C4']);
    const engine = startEngine(store, [outboundFlow(sink)], connection({ breaker: { failures: 2, coolDownMs: 60_000 } }));
    stops.push(engine.stop);
    await until(() => sink.accepted.length === 1, 2000, 'the fourth change delivered at once');
    expect((await store.deadLetters({})).map((d) => d.id)).toEqual(['out:1-1', 'out:2-2', 'out:3-3']);
    expect(await engine.metrics.metrics()).not.toContain('state="open"');
  });

  it('defaults to the webhook schedule for webhook flows that name no connection, to backoff for others', () => {
    expect(defaultPolicy('webhook').retry.schedule).toEqual([...WEBHOOK_SCHEDULE_MS]);
    expect(defaultPolicy('file').retry).toEqual({ maxRetries: 10, baseMs: 500, maxMs: 300_000 });
  });
});
