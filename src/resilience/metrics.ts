import { Counter, Gauge, type Registry } from 'prom-client';

/** The outbound engine's metrics, registered on the registry passed in (never the global one). */
export interface OutboundMetrics {
  attempts: Counter<'flow' | 'outcome'>;
  decisions: Counter<'flow' | 'decision' | 'rule'>;
  messages: Counter<'flow' | 'status'>;
  changes: Counter<'flow' | 'status'>;
  rateLimitWaitSeconds: Counter<'connection'>;
  breakerTransitions: Counter<'connection' | 'state'>;
  breakerOpen: Gauge<'connection'>;
  position: Gauge<'flow'>;
  disabled: Gauge<'flow'>;
}

function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: L[]): Counter<L> {
  return (registry.getSingleMetric(name) as Counter<L> | undefined) ?? new Counter({ name, help, labelNames, registers: [registry] });
}

function gauge<L extends string>(registry: Registry, name: string, help: string, labelNames: L[]): Gauge<L> {
  return (registry.getSingleMetric(name) as Gauge<L> | undefined) ?? new Gauge({ name, help, labelNames, registers: [registry] });
}

/** Creates (or, on a registry that has them, reuses) the bridge_outbound_* metrics. */
export function outboundMetrics(registry: Registry): OutboundMetrics {
  return {
    attempts: counter(registry, 'bridge_outbound_attempts_total', 'Delivery attempts by outcome class (ok, http:503, timeout, …).', ['flow', 'outcome']),
    decisions: counter(registry, 'bridge_outbound_decisions_total', 'Resilience decisions after a failed attempt (retry, dead-letter, disable) and the rule that made them.', ['flow', 'decision', 'rule']),
    messages: counter(registry, 'bridge_outbound_messages_total', 'Outbound messages settled, by status (delivered, dead-lettered).', ['flow', 'status']),
    changes: counter(registry, 'bridge_outbound_changes_total', 'Changes settled, by status (delivered, dead-lettered, suppressed, filtered).', ['flow', 'status']),
    rateLimitWaitSeconds: counter(registry, 'bridge_outbound_rate_limit_wait_seconds_total', 'Time spent waiting for the rate limit of a connection.', ['connection']),
    breakerTransitions: counter(registry, 'bridge_outbound_breaker_transitions_total', 'Circuit breaker state changes.', ['connection', 'state']),
    breakerOpen: gauge(registry, 'bridge_outbound_breaker_open', '1 while the connection\'s circuit is open or half-open.', ['connection']),
    position: gauge(registry, 'bridge_outbound_position', 'The outbound flow\'s position in the change feed (every change up to it is settled).', ['flow']),
    disabled: gauge(registry, 'bridge_outbound_disabled', '1 when the outbound flow is disabled (its endpoint answered gone).', ['flow']),
  };
}
