import { DataError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { SinkError, type OutboundMessage, type Sink } from '../core/sink.js';
import type { DeliveryAttempt } from '../store/types.js';
import { retryDelayMs } from './backoff.js';
import type { Connection } from './connection.js';
import type { OutboundMetrics } from './metrics.js';
import { decide } from './rules.js';
import { withTimeout } from './timeout.js';

export type DeliveryResult =
  | { status: 'delivered'; attempts: DeliveryAttempt[] }
  | { status: 'dead-letter' | 'disabled'; attempts: DeliveryAttempt[]; error: SinkError }
  | { status: 'aborted'; attempts: DeliveryAttempt[] };

/** Anything a sink throws, as a SinkError; what is not one is a bug in the sink, retried and logged as such. */
export function asSinkError(e: unknown): SinkError {
  if (e instanceof SinkError) return e;
  if (e instanceof DataError) return new SinkError(e.message, { outcome: 'data', permanent: true, cause: e });
  return new SinkError(`unexpected error: ${(e as Error)?.message ?? String(e)}`, { outcome: 'error', cause: e });
}

/**
 * Delivers one message under a connection's policy: circuit breaker, rate limit, timeout, then on
 * failure the outcome rules decide: retry after a backoff (honouring Retry-After), dead-letter,
 * or disable the flow (gone). Every decision is logged and counted. Returns `aborted` when the
 * signal aborts (shutdown): the message stays in flight and is sent again after a restart.
 */
export async function deliverWithPolicy(
  conn: Connection,
  flow: string,
  sink: Sink,
  message: OutboundMessage,
  signal: AbortSignal,
  log: Logger,
  metrics: OutboundMetrics,
): Promise<DeliveryResult> {
  const { clock, options } = conn;
  const attempts: DeliveryAttempt[] = [];
  for (let retry = 0; ; retry++) {
    try {
      await conn.breaker?.admit(signal);
      const waited = (await conn.bucket?.take(signal)) ?? 0;
      if (waited > 0) {
        metrics.rateLimitWaitSeconds.inc({ connection: conn.name }, waited / 1000);
        log.debug({ flow, connection: conn.name, messageId: message.id, waitedMs: waited }, 'rate limited');
      }
    } catch {
      return { status: 'aborted', attempts };
    }
    if (signal.aborted) return { status: 'aborted', attempts };
    try {
      await withTimeout(clock, options.timeoutMs, signal, (s) => sink.write(message, s));
      conn.breaker?.success();
      metrics.attempts.inc({ flow, outcome: 'ok' });
      return { status: 'delivered', attempts };
    } catch (e) {
      if (signal.aborted) return { status: 'aborted', attempts };
      const error = asSinkError(e);
      conn.breaker?.failure();
      metrics.attempts.inc({ flow, outcome: error.outcome });
      attempts.push({ at: new Date(clock.now()).toISOString(), outcome: error.outcome, error: error.message });
      const decision = decide(error, options.rules, options.retry.maxRetries);
      const schedule = options.retry.schedule;
      const limit = decision.action === 'retry' ? Math.min(decision.maxRetries, schedule ? schedule.length : Infinity) : 0;
      const line = { flow, connection: conn.name, messageId: message.id, attempt: retry + 1, outcome: error.outcome, rule: decision.rule, err: error.message };
      if (decision.action !== 'retry' || retry >= limit) {
        const status = decision.action === 'disable' ? 'disabled' : 'dead-letter';
        const why = decision.action === 'retry' ? 'out of retries' : decision.rule;
        metrics.decisions.inc({ flow, decision: status, rule: decision.action === 'retry' ? 'out-of-retries' : decision.rule });
        log[error.outcome === 'error' ? 'error' : 'warn']({ ...line, decision: status }, `delivery failed: ${status} (${why})`);
        return { status, attempts, error };
      }
      const delayMs = retryDelayMs(retry, options.retry, error.retryAfterMs);
      metrics.decisions.inc({ flow, decision: 'retry', rule: decision.rule });
      log[error.outcome === 'error' ? 'error' : 'warn']({ ...line, decision: 'retry', delayMs, retryAfterMs: error.retryAfterMs }, 'delivery failed, will retry');
      try {
        await clock.sleep(delayMs, signal);
      } catch {
        return { status: 'aborted', attempts };
      }
    }
  }
}
