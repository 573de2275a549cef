import { DataError, type DataErrorDetail } from '../core/errors.js';
import type { Delivery } from '../core/delivery.js';
import { failureDetail, isDecodeFailure, type Decoded, type LegacyRecord } from '../core/records.js';
import type { Mapping } from '../mapping/index.js';
import type { ApplyCounts, EntityWrite, RejectInput, Store } from '../store/types.js';
import { FullSyncHeldError } from '../store/index.js';

/** What the runtime needs of a flow to ingest one delivery. */
export interface IngestFlow {
  name: string;
  mapping: Mapping;
  mode: 'incremental' | 'full';
  maxDeleteShare: number;
  batchSize: number;
}

export type IngestStatus =
  /** Applied and settled (acked). */
  | 'applied'
  /** Applied before (same delivery id): settled without touching the store. */
  | 'skipped'
  /** Rejected as a whole (nacked): nothing of it was committed. */
  | 'failed'
  /** Full sync would have deleted too much: nacked, the deletions not made. */
  | 'held'
  /** Stopped by shutdown between batches: what was committed stays, the rest resumes on restart. */
  | 'interrupted';

export interface IngestOutcome {
  status: IngestStatus;
  deliveryId: string;
  name?: string;
  /** Records read in this run (a resumed delivery skips those committed before). */
  records: number;
  counts: ApplyCounts;
  ms: number;
  errors: DataErrorDetail[];
}

export interface IngestOptions {
  signal?: AbortSignal;
  /** Apply a full sync even when it deletes more than the flow's maxDeleteShare. */
  force?: boolean;
  /** Called after every committed batch, with the records read so far. */
  onBatch?(records: number, counts: ApplyCounts): void;
}

/**
 * The store's part of a delivery is done (applied, or refused whole) but settling it — moving the
 * file, acking the message — failed. The runtime does not retry it: the source keeps the delivery
 * where it is and offers it again only once it changed or after a restart, when it is skipped by
 * its id and settled then.
 */
export class SettleError extends Error {
  override readonly name = 'SettleError';
  constructor(
    readonly outcome: IngestOutcome,
    cause: unknown,
  ) {
    super(`${outcome.name ?? outcome.deliveryId} is ${outcome.status} but could not be settled: ${(cause as Error)?.message ?? String(cause)}`, { cause });
  }
}

const zeroCounts = (): ApplyCounts => ({ created: 0, updated: 0, unchanged: 0, deleted: 0, rejected: 0, skipped: 0 });

function addCounts(into: ApplyCounts, from: Partial<ApplyCounts>): void {
  for (const k of Object.keys(into) as (keyof ApplyCounts)[]) into[k] += from[k] ?? 0;
}

function ack(delivery: Delivery): Promise<void> {
  // Fault injection for the crash test: dies between the store's commit and the settling of the
  // delivery, the one window a kill from outside cannot hit on demand.
  if (process.env.BRIDGE_FAULT === 'kill-before-ack') process.kill(process.pid, 'SIGKILL');
  return delivery.ack();
}

/** Reads a whole delivery once to find what condemns it as a whole (trailer checks). */
async function wholeDeliveryErrors(delivery: Delivery, mapping: Mapping): Promise<DataErrorDetail[]> {
  const fatal: DataErrorDetail[] = [];
  for await (const batch of mapping.format.decode(delivery.open(), delivery.meta)) {
    for (const item of batch) if (isDecodeFailure(item) && item.fatal) fatal.push(failureDetail(item));
  }
  return fatal;
}

/**
 * Ingests one delivery through the flow's format and mapping into the store, in batches of one
 * transaction each, then settles it: ack once everything is committed, nack when it is rejected
 * whole. Restartable at any point: each batch records how many records are done, and a delivery
 * already complete is skipped whole.
 */
export async function ingest(delivery: Delivery, flow: IngestFlow, store: Store, options: IngestOptions = {}): Promise<IngestOutcome> {
  const started = performance.now();
  const counts = zeroCounts();
  const outcome = (status: IngestStatus, records: number, errors: DataErrorDetail[] = []): IngestOutcome => ({
    status,
    deliveryId: delivery.id,
    name: delivery.meta.name,
    records,
    counts,
    ms: performance.now() - started,
    errors,
  });
  /** Settles the delivery (ack or nack) and returns its outcome; a failure to settle is a SettleError. */
  const settle = async (settling: () => Promise<void>, status: IngestStatus, records: number, errors: DataErrorDetail[] = []): Promise<IngestOutcome> => {
    try {
      await settling();
    } catch (e) {
      throw new SettleError(outcome(status, records, errors), e);
    }
    return outcome(status, records, errors);
  };

  const previous = await store.delivery(flow.name, delivery.id);
  if (previous?.state === 'complete') {
    return settle(() => ack(delivery), 'skipped', 0);
  }
  const { mapping } = flow;
  if (mapping.format.checksWholeDelivery && !previous) {
    const fatal = await wholeDeliveryErrors(delivery, mapping);
    if (fatal.length) {
      return settle(() => delivery.nack(new DataError(fatal)), 'failed', 0, fatal);
    }
  }

  const origin = { origin: `flow:${flow.name}`, flow: flow.name, deliveryId: delivery.id, deliveryName: delivery.meta.name };
  const skip = previous?.recordsDone ?? 0;
  let seen = 0;
  let writes: EntityWrite[] = [];
  let rejects: RejectInput[] = [];
  const reject = (raw: string, errors: DataErrorDetail[], record?: LegacyRecord) =>
    rejects.push({ flow: flow.name, deliveryId: delivery.id, deliveryName: delivery.meta.name, position: errors[0]?.position, raw, errors, mapping: mapping.file, record });

  const commit = async (complete: boolean) => {
    const result = await store.apply({
      origin,
      writes,
      rejects,
      progress: { flow: flow.name, deliveryId: delivery.id, deliveryName: delivery.meta.name, recordsDone: seen, complete },
      fullSyncType: flow.mode === 'full' ? mapping.entity : undefined,
      fullSync: complete && flow.mode === 'full' ? { type: mapping.entity, maxDeleteShare: flow.maxDeleteShare, force: options.force } : undefined,
    });
    addCounts(counts, result);
    writes = [];
    rejects = [];
    options.onBatch?.(seen - skip, counts);
  };

  const handle = (item: Decoded): DataErrorDetail[] | undefined => {
    if (isDecodeFailure(item)) {
      const error = failureDetail(item);
      if (item.fatal) return [error];
      reject(item.raw, [error]);
      return undefined;
    }
    const mapped = mapping.toCanonical(item.record, item.position);
    if (Array.isArray(mapped)) reject(item.raw ?? JSON.stringify(item.record), mapped, item.record);
    else writes.push({ type: mapped.entity, key: mapped.key, data: mapped.data, sourceTimestamp: mapped.sourceTimestamp, position: item.position });
    return undefined;
  };

  try {
    for await (const batch of mapping.format.decode(delivery.open(), delivery.meta)) {
      for (const item of batch) {
        if (++seen <= skip) continue;
        const fatal = handle(item);
        if (fatal) {
          return settle(() => delivery.nack(new DataError(fatal)), 'failed', seen - skip, fatal);
        }
        if (writes.length + rejects.length >= flow.batchSize) {
          await commit(false);
          if (options.signal?.aborted) return outcome('interrupted', seen - skip);
        }
      }
    }
    await commit(true);
  } catch (e) {
    if (e instanceof FullSyncHeldError) {
      const error: DataErrorDetail = { code: 'delivery.invalid', message: e.message };
      return settle(() => delivery.nack(new DataError(error)), 'held', seen - skip, [error]);
    }
    throw e;
  }
  return settle(() => ack(delivery), 'applied', seen - skip);
}
