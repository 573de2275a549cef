import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { IngestOutcome } from './ingest.js';

/**
 * The daemon's Prometheus metrics: one Registry per daemon (never prom-client's global one, so
 * two daemons in one test process do not share counters), passed to whatever records into it.
 * Every name starts with `bridge_`.
 */
export interface BridgeMetrics {
  registry: Registry;
  /** Records per flow by outcome: ok (created, updated, deleted), unchanged, rejected. */
  flowRecords: Counter<'flow' | 'outcome'>;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  /** Has the `bridge_change_feed_head` gauge read the change feed's head when scraped. */
  watchFeedHead(read: () => Promise<number>): void;
  /** Records one delivery's outcome (the flow runner calls it next to its log line). */
  recordDelivery(flow: string, outcome: IngestOutcome): void;
}

export function createMetrics(): BridgeMetrics {
  const registry = new Registry();
  let readHead: (() => Promise<number>) | undefined;
  const flowRecords = new Counter({ name: 'bridge_flow_records_total', help: 'Records delivered by flow and outcome (ok, unchanged, rejected).', labelNames: ['flow', 'outcome'] as const, registers: [registry] });
  const deliveryDuration = new Histogram({
    name: 'bridge_delivery_duration_seconds',
    help: 'Time to ingest one delivery, by flow and status.',
    labelNames: ['flow', 'status'] as const,
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
    registers: [registry],
  });
  const httpRequests = new Counter({ name: 'bridge_http_requests_total', help: 'REST requests by method, route and status.', labelNames: ['method', 'route', 'status'] as const, registers: [registry] });
  const httpDuration = new Histogram({
    name: 'bridge_http_request_duration_seconds',
    help: 'REST request latency by method, route and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
    registers: [registry],
  });
  new Gauge({
    name: 'bridge_change_feed_head',
    help: 'Sequence number of the last change event in the store.',
    registers: [registry],
    async collect() {
      if (readHead) this.set(await readHead());
    },
  });
  return {
    registry,
    flowRecords,
    httpRequests,
    httpDuration,
    watchFeedHead(read) {
      readHead = read;
    },
    recordDelivery(flow, outcome) {
      const c = outcome.counts;
      flowRecords.inc({ flow, outcome: 'ok' }, c.created + c.updated + c.deleted);
      flowRecords.inc({ flow, outcome: 'unchanged' }, c.unchanged);
      flowRecords.inc({ flow, outcome: 'rejected' }, c.rejected);
      deliveryDuration.observe({ flow, status: outcome.status }, outcome.ms / 1000);
    },
  };
}
