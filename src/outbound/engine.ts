import { setMaxListeners } from 'node:events';
import type { Registry } from 'prom-client';
import { connectionSchema, type ConnectionConfig } from '../config/outbound-schema.js';
import type { Logger } from '../core/log.js';
import { WEBHOOK_SCHEDULE_MS } from '../resilience/backoff.js';
import { systemClock, type Clock } from '../resilience/clock.js';
import { Connection } from '../resilience/connection.js';
import { outboundMetrics } from '../resilience/metrics.js';
import { backoffMs } from '../runtime/backoff.js';
import type { Store } from '../store/types.js';
import { initialOutboundState, type OutboundState } from './flow-state.js';
import { OutboundFlowRunner, type AssembledOutbound } from './outbound-flow.js';

export interface OutboundEngineOptions {
  store: Store;
  flows: Map<string, AssembledOutbound>;
  connections: Record<string, ConnectionConfig>;
  log: Logger;
  metrics: Registry;
  clock?: Clock;
  /** How long `stop` lets deliveries in flight finish before cutting them short (they are sent again after a restart). */
  graceMs?: number;
}

/**
 * The policy of a flow that names no connection: the defaults, and for webhooks the Standard
 * Webhooks retry schedule (1 min, 5 min, 30 min, 2 h, 24 h, then dead letter).
 */
export function defaultPolicy(sink: string): ConnectionConfig {
  return connectionSchema.parse(sink === 'webhook' ? { retry: { schedule: [...WEBHOOK_SCHEDULE_MS] } } : {});
}

export interface OutboundEngine {
  states: Map<string, OutboundState>;
  /** Starts no new message, lets those in flight finish within the grace time, cuts the rest short. */
  stop(): Promise<void>;
}

/**
 * Starts every enabled outbound flow, each with its connection (one rate limit and breaker per
 * connection, shared). A flow whose store access fails is started again after a backoff.
 */
export function startOutbound(options: OutboundEngineOptions): OutboundEngine {
  const { store, flows, log } = options;
  const clock = options.clock ?? systemClock;
  const metrics = outboundMetrics(options.metrics);
  const connections = new Map<string, Connection>();
  const connectionOf = (flow: AssembledOutbound): Connection => {
    const key = flow.connection || `default:${flow.sink}`;
    let c = connections.get(key);
    if (!c) {
      c = new Connection(flow.connection || 'default', options.connections[flow.connection] ?? defaultPolicy(flow.sink), clock, log, metrics);
      connections.set(key, c);
    }
    return c;
  };
  const stop = new AbortController();
  const abort = new AbortController();
  // Every attempt in flight listens on these (its timeout and shutdown): as many as the flows' concurrency.
  setMaxListeners(0, stop.signal, abort.signal);
  const states = new Map<string, OutboundState>();
  const running: Promise<void>[] = [];
  for (const flow of flows.values()) {
    const state = initialOutboundState(flow.name, flow.enabled);
    states.set(flow.name, state);
    if (!flow.enabled) continue;
    const conn = connectionOf(flow);
    running.push(
      (async () => {
        for (let attempt = 0; !stop.signal.aborted; attempt++) {
          try {
            await new OutboundFlowRunner(flow, store, conn, log, metrics, state).run(stop.signal, abort.signal);
            return;
          } catch (e) {
            state.state = 'failed';
            state.lastError = (e as Error).message;
            log.error({ flow: flow.name, attempt, err: e }, 'outbound flow failed, will start again');
            await new Promise<void>((resolve) => {
              const t = setTimeout(resolve, backoffMs(attempt, 500, 30_000));
              stop.signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
            });
          }
        }
      })(),
    );
  }
  if (flows.size) log.info({ outbound: [...flows.keys()] }, 'outbound flows started');
  return {
    states,
    async stop() {
      stop.abort();
      const all = Promise.all(running);
      const grace = options.graceMs ?? 2_000;
      let timer: NodeJS.Timeout | undefined;
      const cut = new Promise<void>((resolve) => (timer = setTimeout(resolve, grace)));
      await Promise.race([all, cut]);
      clearTimeout(timer);
      abort.abort(new Error('bridge stopping'));
      // Attempts heed the abort at once; a sink that does not is left behind after another grace.
      await Promise.race([all, new Promise<void>((resolve) => setTimeout(resolve, grace).unref())]);
    },
  };
}
