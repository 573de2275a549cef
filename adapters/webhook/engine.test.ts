import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { connection, outboundFlow, startEngine, until, writeCustomers } from '../../src/outbound/test-support.js';
import { WEBHOOK_SCHEDULE_MS } from '../../src/resilience/backoff.js';
import { ManualClock } from '../../src/resilience/clock.js';
import { TempStores } from '../../src/store/test-support.js';
import { WebhookSink } from './sink.js';
import { TestReceiver, type Behaviour, type Received } from './test-receiver.js';

const SECRET = `whsec_${Buffer.from('engine-secret-24-bytes!!').toString('base64')}`;
const TIMEOUT = 99_999;
const stores = new TempStores();
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
  await stores.cleanup();
});

/** Checked as a receiver following the Standard Webhooks spec would, independently of signature.ts. */
function signedBySecret(r: Received): boolean {
  const key = Buffer.from(SECRET.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${r.headers['webhook-id']}.${r.headers['webhook-timestamp']}.${r.body}`).digest('base64');
  return String(r.headers['webhook-signature']).split(' ').includes(`v1,${expected}`);
}

/** The engine over a real WebhookSink posting to a real local receiver; time is a manual clock. */
async function setup(behaviour: Behaviour, conn: Record<string, unknown> = {}) {
  const receiver = await new TestReceiver(behaviour).start();
  const store = stores.open();
  const clock = new ManualClock();
  const context = { file: 'bridge.yaml', path: 'outbound.out.sink.webhook', resolve: (p: string) => p };
  const sink = new WebhookSink({ url: receiver.url, secrets: [SECRET], headers: {} }, context, () => clock.now());
  const engine = startEngine(store, [outboundFlow(sink)], connection({ timeoutMs: TIMEOUT, ...conn }), clock);
  stops.push(async () => {
    await engine.stop();
    await receiver.close();
  });
  /** Retry waits asked for so far (attempt timeouts left out). */
  const waits = () => clock.sleeps.filter((ms) => ms !== TIMEOUT);
  /** Waits until `n` requests arrived and a retry wait is pending, then lets it pass. */
  const nextRetry = async (n: number) => {
    await until(() => receiver.received.length === n && waits().length === n && clock.waiting > 0, 5000, `request ${n} and its retry wait`);
    await clock.advance(waits().at(-1)!);
  };
  return { receiver, store, clock, engine, waits, nextRetry };
}

describe('webhook sink through the outbound engine', () => {
  it('503 three times then 200: delivered once, the same webhook-id and a valid signature on every attempt', async () => {
    const t = await setup((n) => (n < 3 ? { status: 503 } : { status: 200 }));
    await writeCustomers(t.store, ['C1']);
    for (let n = 1; n <= 3; n++) await t.nextRetry(n);
    await until(async () => (await t.store.outboundPosition('out')).seq === 1, 5000, 'position 1');
    expect(t.receiver.received).toHaveLength(4);
    expect(new Set(t.receiver.received.map((r) => r.headers['webhook-id']))).toEqual(new Set(['out:1-1']));
    expect(t.receiver.received.every(signedBySecret)).toBe(true);
    expect(JSON.parse(t.receiver.received[3].body.toString())).toMatchObject({ type: 'Customer.created', data: { key: 'C1', entity: { customerId: 'C1' } } });
    expect(t.engine.states.get('out')).toMatchObject({ delivered: 1, deadLettered: 0 });
    expect(await t.store.deadLetters({})).toEqual([]);
  });

  it('429 with Retry-After waits at least that long before the next attempt', async () => {
    const t = await setup((n) => (n === 0 ? { status: 429, headers: { 'retry-after': '120' } } : { status: 204 }), { retry: { baseMs: 1000 } });
    await writeCustomers(t.store, ['C1']);
    await t.nextRetry(1);
    expect(t.waits()[0]).toBeGreaterThanOrEqual(120_000);
    await until(() => t.engine.states.get('out')?.delivered === 1, 5000, 'delivery');
    expect(t.receiver.received).toHaveLength(2);
  });

  it('a hanging receiver times out, and the message is sent again and delivered', async () => {
    const t = await setup((n) => (n === 0 ? 'hang' : { status: 200 }), { retry: { baseMs: 1000 } });
    await writeCustomers(t.store, ['C1']);
    await until(() => t.receiver.received.length === 1 && t.clock.sleeps.includes(TIMEOUT), 5000, 'the hanging request');
    await t.clock.advance(TIMEOUT);
    await t.nextRetry(1);
    await until(() => t.engine.states.get('out')?.delivered === 1, 5000, 'delivery');
    expect(t.receiver.received.map((r) => r.headers['webhook-id'])).toEqual(['out:1-1', 'out:1-1']);
  });

  it('410 disables the flow: nothing more is sent', async () => {
    const t = await setup(() => ({ status: 410 }));
    await writeCustomers(t.store, ['C1']);
    await until(() => t.engine.states.get('out')?.state === 'disabled', 5000, 'disabled');
    expect((await t.store.outboundPosition('out')).disabled).toMatch(/410/);
    await writeCustomers(t.store, ['C2']);
    await new Promise((r) => setTimeout(r, 150));
    expect(t.receiver.received).toHaveLength(1);
  });

  it('the webhook schedule 1 min, 5 min, 30 min, 2 h, 24 h, then a dead letter with every attempt', async () => {
    const t = await setup(() => ({ status: 500, body: 'down' }), { retry: { schedule: [...WEBHOOK_SCHEDULE_MS] } });
    await writeCustomers(t.store, ['C1']);
    for (let n = 1; n <= 5; n++) await t.nextRetry(n);
    await until(async () => (await t.store.deadLetters({})).length === 1, 5000, 'dead letter');
    expect(t.waits()).toEqual([60_000, 300_000, 1_800_000, 7_200_000, 86_400_000]);
    const [dead] = await t.store.deadLetters({});
    expect(dead).toMatchObject({ id: 'out:1-1', flow: 'out', status: 'open' });
    expect(dead.attempts.map((a) => a.outcome)).toEqual(Array(6).fill('http:500'));
    expect(dead.attempts[0].error).toContain('answered 500: down');
    expect(t.receiver.received).toHaveLength(6);
  });
});
