import type { DataErrorDetail } from '../core/errors.js';
import { BatchDigestsBuffer, type BatchDigests, type RecordDigests } from '../core/record-digests.js';
import { failureDetail, isDecodeFailure, isKnownRecord, type DigestedDecoded, type LegacyRecord, type Position } from '../core/records.js';
import type { Mapping, MappedEntity } from '../mapping/index.js';
import type { EntityWrite, RejectInput } from '../store/types.js';

/** One transaction's worth of a delivery, mapped: what `ingest` commits as one batch. */
export interface MappedBatch {
  /** Records consumed from the delivery's start up to the end of this batch, skipped ones included. */
  seen: number;
  writes: EntityWrite[];
  rejects: RejectInput[];
  /** Set when a fatal failure condemns the delivery; `seen` then counts the failing record. */
  fatal?: DataErrorDetail[];
  /** The delivery's last batch. */
  last: boolean;
  /** Set when the decoder digested records (see core/record-digests.ts). */
  digests?: BatchDigests;
}

/** Where the mapped writes of a batch go: plain EntityWrite objects, or a worker's flat values. */
export interface WriteBuffer<W> {
  add(mapped: MappedEntity, position: Position): void;
  readonly size: number;
  /** The buffered writes, and a fresh buffer behind them. */
  take(): W;
}

export interface CutOptions {
  mapping: Mapping;
  flow: string;
  deliveryId: string;
  deliveryName?: string;
  /** Records committed by an earlier run of the delivery: consumed, not mapped. */
  skip: number;
  /** What the decoder digests records with, if anything: its context travels with each batch. */
  digests?: RecordDigests;
  batchSize: number;
}

/**
 * Maps decoded records into batches of `batchSize` writes plus rejects, cut at the same records
 * whichever thread runs it, so that a delivery's `recordsDone` means the same in every run.
 */
export async function* cutBatches<W>(
  decoded: AsyncIterable<DigestedDecoded[]>,
  o: CutOptions,
  buffer: WriteBuffer<W>,
): AsyncGenerator<{ seen: number; writes: W; rejects: RejectInput[]; fatal?: DataErrorDetail[]; last: boolean; digests?: BatchDigests }> {
  const { mapping } = o;
  let seen = 0;
  let rejects: RejectInput[] = [];
  const digests = new BatchDigestsBuffer(o.digests);
  const reject = (raw: string, errors: DataErrorDetail[], record?: LegacyRecord, key?: string) =>
    rejects.push({ flow: o.flow, deliveryId: o.deliveryId, deliveryName: o.deliveryName, position: errors[0]?.position, raw, errors, mapping: mapping.file, record, key });
  const cut = (last: boolean, fatal?: DataErrorDetail[]) => {
    const batch = { seen, writes: buffer.take(), rejects, fatal, last, digests: digests.take() };
    rejects = [];
    return batch;
  };
  for await (const batch of decoded) {
    for (const item of batch) {
      if (++seen <= o.skip) continue;
      if (isKnownRecord(item)) digests.known(item.known, item.digest);
      else if (isDecodeFailure(item)) {
        const error = failureDetail(item);
        if (item.fatal) {
          yield cut(true, [error]);
          return;
        }
        reject(item.raw, [error]);
      } else {
        const mapped = mapping.toCanonical(item.record, item.position);
        if (Array.isArray(mapped)) reject(item.raw ?? JSON.stringify(item.record), mapped, item.record, mapped.key);
        else {
          buffer.add(mapped, item.position);
          digests.write(item.digest);
        }
      }
      if (buffer.size + rejects.length + digests.knownCount >= o.batchSize) yield cut(false);
    }
  }
  yield cut(true);
}

/** Writes as the store takes them, for mapping on the store's own thread. */
class EntityWrites implements WriteBuffer<EntityWrite[]> {
  private writes: EntityWrite[] = [];
  get size(): number {
    return this.writes.length;
  }
  add(m: MappedEntity, position: Position): void {
    this.writes.push({ type: m.entity, key: m.key, data: m.data, sourceTimestamp: m.sourceTimestamp, position });
  }
  take(): EntityWrite[] {
    const out = this.writes;
    this.writes = [];
    return out;
  }
}

/** Decodes and maps a delivery on the calling thread. */
export async function* mapInThread(decoded: AsyncIterable<DigestedDecoded[]>, o: CutOptions): AsyncGenerator<MappedBatch> {
  yield* cutBatches(decoded, o, new EntityWrites());
}
