import pino from 'pino';
import { Registry } from 'prom-client';
import { connectionSchema, type ConnectionConfig } from '../config/outbound-schema.js';
import { SinkError, type OutboundMessage, type Sink } from '../core/sink.js';
import type { Clock } from '../resilience/clock.js';
import { flowOrigin, upsert } from '../store/test-support.js';
import type { Store } from '../store/types.js';
import { startOutbound, type OutboundEngine } from './engine.js';
import type { AssembledOutbound } from './outbound-flow.js';

export const silentLog = pino({ level: 'silent' });

/**
 * A sink for engine tests that fails on demand: `plan` answers each write in turn (an outcome
 * class to fail with, or 'ok'); writes past the plan succeed. Faults a real peer cannot produce
 * on demand in a unit test; the webhook tests cover the real HTTP side.
 */
export class ScriptedSink implements Sink {
  readonly accepted: OutboundMessage[] = [];
  readonly calls: { id: string; outcome: string }[] = [];
  /** Milliseconds each write takes (real time), to let deliveries overlap. */
  delayMs = 0;
  concurrent = 0;
  maxConcurrent = 0;

  constructor(
    public plan: (string | { outcome: string; retryAfterMs?: number; gone?: boolean; permanent?: boolean })[] = [],
    public hang = false,
  ) {}

  async write(message: OutboundMessage, signal: AbortSignal): Promise<void> {
    this.concurrent++;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.concurrent);
    try {
      if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
      if (this.hang) await new Promise((_r, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
      const next = this.plan.shift() ?? 'ok';
      const step = typeof next === 'string' ? { outcome: next } : next;
      this.calls.push({ id: message.id, outcome: step.outcome });
      if (step.outcome !== 'ok') {
        const status = Number(step.outcome.slice(5));
        throw new SinkError(`peer answered ${step.outcome}`, { ...step, permanent: step.permanent ?? (status >= 400 && status < 500 && status !== 408 && status !== 429) });
      }
      this.accepted.push(message);
    } finally {
      this.concurrent--;
    }
  }

  async close(): Promise<void> {}
}

export function outboundFlow(sink: Sink, overrides: Partial<AssembledOutbound> = {}): AssembledOutbound {
  return {
    name: 'out',
    types: ['Customer'],
    ops: ['created', 'updated', 'deleted'],
    suppress: new Set(),
    grouping: 'change',
    concurrency: 1,
    batch: { maxRecords: 100, maxWaitMs: 50 },
    pollMs: 20,
    enabled: true,
    connection: 'peer',
    createSink: () => sink,
    ...overrides,
  };
}

export function connection(options: Partial<Record<keyof ConnectionConfig, unknown>> = {}): ConnectionConfig {
  return connectionSchema.parse(options);
}

export function startEngine(store: Store, flows: AssembledOutbound[], conn: ConnectionConfig, clock?: Clock, metrics = new Registry()): OutboundEngine & { metrics: Registry } {
  const engine = startOutbound({ store, flows: new Map(flows.map((f) => [f.name, f])), connections: { peer: conn }, log: silentLog, metrics, clock, graceMs: 500 });
  return { ...engine, metrics };
}

/** Writes customers C1..Cn (or the keys given) from an inbound flow. */
export async function writeCustomers(store: Store, keys: string[], flow = 'legacy', extra: Record<string, unknown> = {}): Promise<void> {
  await store.apply({ origin: flowOrigin(flow), writes: keys.map((k) => upsert('Customer', k, { customerId: k, ...extra })) });
}

/** Polls until `check` is true, failing after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
