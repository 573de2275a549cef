import type { Delivery } from '../core/delivery.js';
import { DeliveryChangedError, formatDataError, RetryableError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { Store } from '../store/types.js';
import { waitBeforeRetry } from './backoff.js';
import type { AssembledFlow } from './assemble.js';
import { ingest, SettleError, type IngestOutcome } from './ingest.js';

/** What an operator sees of a running flow. */
export interface FlowState {
  name: string;
  state: 'starting' | 'running' | 'retrying' | 'stopped' | 'failed';
  deliveries: number;
  lastDelivery?: { name?: string; status: IngestOutcome['status']; at: string };
  lastError?: string;
}

/** Hears each delivery's outcome as it is logged (the daemon's metrics). */
export type OutcomeObserver = (flow: string, outcome: IngestOutcome) => void;

/**
 * Runs one flow until the signal aborts: each delivery is ingested, and one that fails for a
 * reason other than its data (a locked store, a bug) is retried with backoff, never skipped —
 * the source yields nothing new before it is settled.
 */
export async function runFlow(flow: AssembledFlow, store: Store, log: Logger, signal: AbortSignal, state: FlowState, observe?: OutcomeObserver): Promise<void> {
  // A source that fails (its folder missing, its server down) is opened again after a backoff:
  // the flow stays up and picks up where it was once the cause is gone.
  for (let attempt = 0; !signal.aborted; attempt++) {
    const source = flow.createSource(log);
    state.state = 'running';
    try {
      for await (const delivery of source.read(signal)) {
        await ingestUntilSettled(flow, store, log, signal, state, delivery, observe);
        attempt = 0;
        if (signal.aborted) return;
      }
      return;
    } catch (e) {
      state.state = 'retrying';
      state.lastError = (e as Error).message;
      log[e instanceof RetryableError ? 'warn' : 'error']({ flow: flow.name, attempt, err: e }, 'source failed, will be opened again');
      if (!(await waitBeforeRetry(e, attempt, signal))) return;
    } finally {
      await source.close();
      state.state = 'stopped';
    }
  }
}

/**
 * Ingests one delivery, retrying with backoff what fails for a reason other than its data. A
 * delivery applied but not settled (its file cannot be moved) is not retried: that would only
 * move the same file again; the source keeps it in place until it changes.
 */
async function ingestUntilSettled(flow: AssembledFlow, store: Store, log: Logger, signal: AbortSignal, state: FlowState, delivery: Delivery, observe?: OutcomeObserver): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      logOutcome(log, flow.name, await ingest(delivery, flow, store, { signal }), state, observe);
      return;
    } catch (e) {
      const changed = e instanceof DeliveryChangedError ? e : e instanceof SettleError && e.cause instanceof DeliveryChangedError ? e.cause : undefined;
      if (changed !== undefined) {
        // Given up: ingest forgot its progress (a complete one, whose file grew after it was read, is kept).
        if (e instanceof SettleError) logOutcome(log, flow.name, e.outcome, state, observe);
        log.warn({ flow: flow.name, delivery: delivery.meta.name, deliveryId: delivery.id, discardedRejects: changed.discardedRejects }, changed.message);
        return;
      }
      if (e instanceof SettleError) {
        logOutcome(log, flow.name, e.outcome, state, observe);
        state.lastError = e.message;
        log.error({ flow: flow.name, delivery: e.outcome.name, deliveryId: e.outcome.deliveryId, err: e.cause }, `${e.message}; it is left where it is`);
        return;
      }
      state.state = 'retrying';
      state.lastError = (e as Error).message;
      const known = e instanceof RetryableError;
      log[known ? 'warn' : 'error']({ flow: flow.name, delivery: delivery.meta.name, attempt, err: e }, known ? 'delivery will be retried' : 'unexpected error, delivery will be retried');
      if (!(await waitBeforeRetry(e, attempt, signal))) return;
    }
  }
}

/** One log line per delivery with its counts: info when applied or skipped, warn when refused whole. */
function logOutcome(log: Logger, flow: string, outcome: IngestOutcome, state: FlowState, observe?: OutcomeObserver): void {
  observe?.(flow, outcome);
  state.deliveries++;
  state.state = 'running';
  state.lastDelivery = { name: outcome.name, status: outcome.status, at: new Date().toISOString() };
  const { counts } = outcome;
  const line = {
    flow,
    delivery: outcome.name,
    deliveryId: outcome.deliveryId,
    status: outcome.status,
    records: outcome.records,
    ...(outcome.resumedAfter !== undefined ? { resumedAfter: outcome.resumedAfter } : {}),
    ...(outcome.refusedAt !== undefined ? { refusedAt: outcome.refusedAt } : {}),
    ok: counts.created + counts.updated + counts.deleted,
    created: counts.created,
    updated: counts.updated,
    deleted: counts.deleted,
    unchanged: counts.unchanged,
    ...(outcome.recognised !== undefined ? { recognised: outcome.recognised } : {}),
    rejected: counts.rejected,
    skipped: counts.skipped,
    ms: Math.round(outcome.ms),
  };
  if (outcome.status === 'failed' || outcome.status === 'held') {
    log.warn({ ...line, errors: outcome.errors.slice(0, 20).map(formatDataError) }, 'delivery');
  } else log.info(line, 'delivery');
}
