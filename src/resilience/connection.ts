import type { Logger } from '../core/log.js';
import type { ConnectionConfig } from '../config/outbound-schema.js';
import { CircuitBreaker } from './circuit-breaker.js';
import type { Clock } from './clock.js';
import type { OutboundMetrics } from './metrics.js';
import { TokenBucket } from './rate-limit.js';

/**
 * One named resilience policy at run time: its options, and the rate limit and circuit breaker
 * that every flow using it shares.
 */
export class Connection {
  readonly bucket?: TokenBucket;
  readonly breaker?: CircuitBreaker;

  constructor(
    readonly name: string,
    readonly options: ConnectionConfig,
    readonly clock: Clock,
    log: Logger,
    metrics: OutboundMetrics,
  ) {
    const { rateLimit, breaker } = options;
    if (rateLimit) this.bucket = new TokenBucket(clock, rateLimit.limit, rateLimit.intervalMs, rateLimit.burst ?? rateLimit.limit);
    if (breaker) {
      this.breaker = new CircuitBreaker(clock, breaker.failures, breaker.coolDownMs, (state) => {
        metrics.breakerTransitions.inc({ connection: name, state });
        metrics.breakerOpen.set({ connection: name }, state === 'closed' ? 0 : 1);
        log[state === 'closed' ? 'info' : 'warn']({ connection: name, state, coolDownMs: breaker.coolDownMs }, `circuit ${state}`);
      });
    }
  }
}
