import { availableParallelism } from 'node:os';
import { DataError, DeliveryChangedError, type DataErrorDetail } from '../core/errors.js';
import type { Delivery } from '../core/delivery.js';
import { excludeKnown, knownRecordsTable, MAX_KNOWN_RECORDS, RecordDigests, type RecordDigestsInit } from '../core/record-digests.js';
import { failureDetail, isDecodeFailure } from '../core/records.js';
import type { Mapping } from '../mapping/index.js';
import type { ApplyCounts, Store } from '../store/types.js';
import { DeliveryCompleteError, FullSyncHeldError, KnownRecordsChangedError } from '../store/index.js';
import { codeIdentity, digestSeed } from './digest-seed.js';
import { mapInThread, type MappedBatch } from './mapped-batches.js';
import { mapInPieces, PIECE_WORKERS } from './piece-batches.js';
import { mapInWorker, warmIngestWorker } from './worker-batches.js';

/** What the runtime needs of a flow to ingest one delivery. */
export interface IngestFlow {
  name: string;
  mapping: Mapping;
  mode: 'incremental' | 'full';
  maxDeleteShare: number;
  batchSize: number;
  /** The source's deliveries are files: each is marked settled once moved (see `settle` in ingest). */
  deliversFiles?: boolean;
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
  /** For a resumed delivery: the records an earlier run read and committed (before a crash or a stop), which `records` and `counts` leave out. */
  resumedAfter?: number;
  counts: ApplyCounts;
  ms: number;
  errors: DataErrorDetail[];
  /** Refused by an earlier attempt (then), whose settling failed: only settling was tried again; `errors` are those recorded then. */
  refusedAt?: string;
  /** Of the unchanged records, those recognised by their digest, neither decoded nor mapped (see core/record-digests.ts). */
  recognised?: number;
}

export interface IngestOptions {
  signal?: AbortSignal;
  /** Apply a full sync even when it deletes more than the flow's maxDeleteShare. */
  force?: boolean;
  /**
   * Read and check again a delivery refused before whose file was not moved since, rather than
   * only trying the move again with the errors recorded then: `bridge ingest` is asked by hand,
   * most often after the mapping was fixed.
   */
  recheckRefused?: boolean;
  /** Called after every committed batch, with the records read so far. */
  onBatch?(records: number, counts: ApplyCounts): void;
  /**
   * Recognise records sent before (see core/record-digests.ts) whatever the delivery's size
   * (true, for tests), or never (false); by default from RECOGNISE_MIN_BYTES on. A message of an
   * incremental flow is never.
   */
  recognise?: boolean;
  /**
   * Decode and map in a worker thread while this thread commits (true), or on this thread
   * (false), or in pieces of a few kilobytes on two workers ('pieces', for tests, when the
   * format can split the delivery and it is not resumed). Default: for deliveries of
   * WORKER_MIN_BYTES and more, whose size is known, in one worker; in pieces of PIECE_BYTES
   * where the format can be cut and there is a core for each piece worker besides this thread.
   */
  worker?: boolean | 'pieces';
}

/** From this size on, a delivery is decoded and mapped in a worker by default (~100,000 records). */
const WORKER_MIN_BYTES = 8 << 20;
/** A delivery in pieces is cut about every this many bytes (~45,000 records of 90 bytes). */
const PIECE_BYTES = 4 << 20;
/** Pieces when forced, small enough that test deliveries have several. */
const TEST_PIECE_BYTES = 4 << 10;

/**
 * Whether a delivery of `size` bytes (undefined: not known) is mapped in a worker by default:
 * `BRIDGE_INGEST_WORKER` (`always`, `never` or `pieces`: for tests, and to rule a path out when
 * looking into a problem), else by its size.
 */
function workerFor(size: number | undefined): boolean | 'pieces' | 'default' {
  const forced = process.env.BRIDGE_INGEST_WORKER;
  if (forced === 'always') return true;
  if (forced === 'never') return false;
  if (forced === 'pieces') return 'pieces';
  return availableParallelism() > 1 && size !== undefined && size >= WORKER_MIN_BYTES && 'default';
}

/** `options.worker`, else workerFor the delivery's size. */
function useWorker(delivery: Delivery, options: IngestOptions): boolean | 'pieces' | 'default' {
  const wanted = options.worker ?? workerFor(delivery.size);
  // Only a worker needs the meta cloneable: the in-thread path skips the check.
  return wanted !== false && cloneable(delivery.meta) ? wanted : false;
}

/**
 * Has a worker ready for the first delivery that workerFor sends to one: booting one takes most
 * of a second, which it can spend while the delivery is hashed, or before it comes. `bytes`: the
 * delivery's size when it is known already; else any large one. A delivery in pieces boots its
 * second worker itself. Takes the code's identity for record digests too: at the start of what
 * ingests files, not at its first delivery, so that a checkout upgraded in place under a running
 * daemon does not have the old code's records taken under the new code's identity; and not as
 * every command starts (reading the code's files).
 */
export function warmIngest(bytes = WORKER_MIN_BYTES): void {
  codeIdentity();
  if (workerFor(bytes) !== false) warmIngestWorker();
}

/**
 * Pieces pay only with a core for each piece worker besides the thread that commits. On two
 * cores the three threads took turns: a million-row CSV went in at 58,000 records/s in pieces
 * against 68,000 in one worker (`npm run bench -- ingest`), and the re-ingest of it unchanged,
 * where mapping is the slower part, gained 4%; more CPU was spent for the same work.
 */
function piecesPay(): boolean {
  return availableParallelism() > PIECE_WORKERS;
}

/** The worker gets the delivery's meta as the format does: only what crosses a thread boundary. */
function cloneable(meta: unknown): boolean {
  try {
    structuredClone(meta);
    return true;
  } catch {
    return false;
  }
}

/**
 * The store's part of a delivery is done (applied, or refused whole) but settling it — moving the
 * file, acking the message — failed. The runtime does not retry it: the source keeps the delivery
 * where it is and offers it again later (or after a restart), when the store, which knows it was
 * not settled, has it only settled.
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

/**
 * Deliveries smaller than this are mapped whole, their digests not kept: mapping one costs little
 * (under 10,000 records), and its digests would replace the set of the large file the mapping
 * mostly brings, so that a correction file between two daily snapshots left the second one with
 * nothing to recognise; nor is a large set read for it.
 */
const RECOGNISE_MIN_BYTES = 1 << 20;

/** Batches of a delivery refused for known records found changed, after which none are recognised in it (README: after three). */
const MAX_REMAPS = 3;

/** Record failures listed beside what condemns a delivery whole: often its cause (a record not read is not counted). */
const RECORD_FAILURES_WITH_FATAL = 100;

/**
 * Reads a whole delivery once to find what condemns it as a whole (trailer checks); when
 * something does, the records that could not be decoded come after it, the first
 * RECORD_FAILURES_WITH_FATAL of them.
 */
async function wholeDeliveryErrors(delivery: Delivery, mapping: Mapping): Promise<DataErrorDetail[]> {
  const fatal: DataErrorDetail[] = [];
  const records: DataErrorDetail[] = [];
  for await (const batch of mapping.format.decode(delivery.open(), delivery.meta)) {
    for (const item of batch) {
      if (!isDecodeFailure(item)) continue;
      if (item.fatal) fatal.push(failureDetail(item));
      else if (records.length < RECORD_FAILURES_WITH_FATAL) records.push(failureDetail(item));
    }
  }
  return fatal.length ? [...fatal, ...records] : [];
}

/**
 * Ingests one delivery through the flow's format and mapping into the store, in batches of one
 * transaction each, then settles it: ack once everything is committed, nack when it is rejected
 * whole. Restartable at any point: each batch records how many records are done, and a delivery
 * already complete is skipped whole. A delivery whose bytes changed while it was read throws its
 * DeliveryChangedError once its progress is forgotten (and its open rejects discarded).
 */
export async function ingest(delivery: Delivery, flow: IngestFlow, store: Store, options: IngestOptions = {}): Promise<IngestOutcome> {
  const started = performance.now();
  const counts = zeroCounts();
  const known = await store.delivery(flow.name, delivery.id);
  // Progress to resume; a superseded delivery (a full snapshot that is the truth again) starts anew.
  const previous = known?.state === 'in-progress' ? known : undefined;
  const skip = previous?.recordsDone ?? 0;
  /** Records of this run's committed batches recognised by their digest: reported however the delivery ends (applied, held, interrupted). */
  let recognised = 0;
  const outcome = (status: IngestStatus, records: number, errors: DataErrorDetail[] = []): IngestOutcome => ({
    status,
    deliveryId: delivery.id,
    name: delivery.meta.name,
    records,
    counts,
    ms: performance.now() - started,
    errors,
    ...(skip > 0 ? { resumedAfter: skip } : {}),
    ...(recognised > 0 ? { recognised } : {}),
  });
  /**
   * Settles the delivery (ack or nack), then marks it settled in the store, and returns its
   * outcome; a failure to settle is a SettleError. Until marked, the store's part is done and the
   * delivery coming again is only settled (see the start of the body below). Killed between the
   * commit (or the recorded refusal) and the settle, the file stays where it was and is only
   * settled when it comes again: nothing applied or refused twice.
   * Killed between the settle and the mark (or the mark failing), the file is moved but unmarked:
   * the same bytes dropped again later are settled without being applied (a superseded snapshot,
   * logged as skipped) or checked (a refused one) that one time, then marked; the next drop of
   * them is taken as new. Marking before settling would instead apply an old snapshot over newer
   * ones, in the window where settling failed.
   */
  const settle = async (settling: () => Promise<void>, status: IngestStatus, records: number, errors: DataErrorDetail[] = [], refusedAt?: string): Promise<IngestOutcome> => {
    const done = (): IngestOutcome => ({ ...outcome(status, records, errors), ...(refusedAt === undefined ? {} : { refusedAt }) });
    try {
      await settling();
    } catch (e) {
      throw new SettleError(done(), e);
    }
    // The mark is read only for a refusal and a snapshot that may be superseded, so an incremental
    // flow of small messages is spared its commit; a file is marked in either mode, since the flow
    // may be made a full sync later, and its files of before, dropped again, must be applied. One
    // settled in place (a file named on the command line) is marked when this run applied or
    // refused it, there being nothing to move; not when it was only skipped as known, which a
    // source may still hold unmoved. A failed mark is ignored: the settle is done, and throwing
    // would have the delivery ingested again with nothing left to settle.
    const onlySkippedInPlace = delivery.settlesInPlace === true && status === 'skipped';
    if (!onlySkippedInPlace && (flow.mode === 'full' || flow.deliversFiles === true || status === 'failed' || status === 'held')) {
      await store.deliverySettled(flow.name, delivery.id).catch(() => undefined);
    }
    return done();
  };
  /** Refuses the delivery whole: kept in the store for `bridge status`, then nacked. */
  const refuse = async (status: 'failed' | 'held', records: number, errors: DataErrorDetail[]): Promise<IngestOutcome> => {
    await store.recordDeliveryFailure({ flow: flow.name, deliveryId: delivery.id, deliveryName: delivery.meta.name, status, records, errors });
    return settle(() => delivery.nack(new DataError(errors)), status, records, errors);
  };

  // Applied before, or applied and not settled since it was superseded (its move failed, or a crash
  // came first): only settled. A superseded one that was settled is a snapshot sent again, applied anew.
  if (known?.state === 'complete' || (known?.state === 'superseded' && known.settledAt === undefined)) {
    return settle(() => ack(delivery), 'skipped', 0);
  }
  // Refused before and not settled since: nacked again with the errors recorded then, neither read
  // nor recorded again. Forced, it is tried again: a held full sync is what force is for.
  const refused = options.force || options.recheckRefused ? undefined : await store.unsettledRefusal(flow.name, delivery.id);
  if (refused !== undefined) {
    return settle(() => delivery.nack(new DataError(refused.errors)), refused.status, refused.records, refused.errors, refused.at);
  }
  const { mapping } = flow;
  if (mapping.format.checksWholeDelivery && !previous) {
    const fatal = await wholeDeliveryErrors(delivery, mapping);
    if (fatal.length) {
      return refuse('failed', 0, fatal);
    }
  }

  const origin = { origin: `flow:${flow.name}`, flow: flow.name, deliveryId: delivery.id, deliveryName: delivery.meta.name };
  let seen = skip;
  // Records are recognised (see core/record-digests.ts) in deliveries that are sent again whole:
  // files, and a full sync's snapshots. A message of an incremental flow is spared the digests,
  // and so is a small delivery (see RECOGNISE_MIN_BYTES).
  const sentAgainWhole = flow.deliversFiles === true || flow.mode === 'full' || delivery.settlesInPlace === true;
  const largeEnough = options.recognise ?? (delivery.size !== undefined && delivery.size >= RECOGNISE_MIN_BYTES);
  const digestMapping = sentAgainWhole && largeEnough ? digestSeed(mapping) : undefined;
  const knownBefore = digestMapping === undefined ? undefined : await store.knownRecords(digestMapping, mapping.entity, MAX_KNOWN_RECORDS);
  // Built once: seqs found changed, before the delivery or by a batch, are left out of it in place.
  const knownTable = knownBefore && knownRecordsTable(knownBefore.entries);
  if (knownTable !== undefined) excludeKnown(knownTable, new Set(knownBefore!.changed));
  /** What the decoder recognises records by; nothing after `MAX_REMAPS`. */
  const recognising = (remaps = 0): RecordDigestsInit | undefined => knownBefore && { context: knownBefore.context, known: remaps >= MAX_REMAPS ? undefined : knownTable };

  /** `recordsBefore`: where the batch starts, the previous batch's end. */
  const commit = async (batch: MappedBatch, recordsBefore: number) => {
    const progress = { flow: flow.name, deliveryId: delivery.id, deliveryName: delivery.meta.name, recordsBefore, recordsDone: batch.seen, complete: batch.last };
    const result = await store.apply({
      origin,
      writes: batch.writes,
      rejects: batch.rejects,
      progress,
      fullSyncType: flow.mode === 'full' ? mapping.entity : undefined,
      fullSync: batch.last && flow.mode === 'full' ? { type: mapping.entity, maxDeleteShare: flow.maxDeleteShare, force: options.force } : undefined,
      // On every batch, when there are digests: the last one (often empty) makes the delivery's the mapping's set.
      digests: batch.digests && { ...batch.digests, mapping: digestMapping!, mappingFile: mapping.file },
    });
    addCounts(counts, result);
    recognised += batch.digests?.knownSeqs.length ?? 0;
    options.onBatch?.(batch.seen - skip, counts);
  };

  const worker = useWorker(delivery, options);
  const split = mapping.format.lines;
  /** The delivery's batches from record `from` on, recognising the records `init` knows. */
  const batchesFrom = (from: number, init: RecordDigestsInit | undefined) => {
    const cut = { flow: flow.name, deliveryId: delivery.id, deliveryName: delivery.meta.name, skip: from, batchSize: flow.batchSize };
    const job = { ...cut, mappingFile: mapping.file, modelFile: mapping.model.file, sources: { ...mapping.model.sources, ...mapping.sources }, meta: { ...delivery.meta }, digests: init };
    const digests = init && new RecordDigests(init);
    return !worker
      ? mapInThread(mapping.format.decode(delivery.open(), delivery.meta, undefined, digests), { ...cut, mapping, digests })
      : split !== undefined && from === 0 && (worker === 'pieces' || (worker === 'default' && piecesPay()))
        ? mapInPieces(delivery.open(), job, split, worker === 'pieces' ? TEST_PIECE_BYTES : PIECE_BYTES)
        : mapInWorker(delivery.open(), job);
  };
  let remaps = 0;
  /** Records of this run that could not be read or mapped, committed or not (a held last batch is rolled back). */
  let rejectedRead = 0;
  try {
    for (let batches = batchesFrom(skip, recognising()); ; ) {
      let before = seen;
      let batchRejects = 0;
      try {
        for await (const batch of batches) {
          before = seen;
          seen = batch.seen;
          batchRejects = batch.rejects.length;
          rejectedRead += batchRejects;
          if (batch.fatal) {
            // `seen` counts the item that condemned the delivery (a header, a trailer, a record past
            // maxRecordSize): the records read are those before it.
            return refuse('failed', seen - skip - 1, batch.fatal);
          }
          await commit(batch, before);
          if (!batch.last && options.signal?.aborted) return outcome('interrupted', seen - skip);
        }
        break;
      } catch (e) {
        if (!(e instanceof KnownRecordsChangedError)) throw e;
        // Their entities changed since (a client, another flow, an earlier record of this same
        // delivery): the batch rolled back, and is mapped again from its first record with these
        // records decoded and mapped. After a few, nothing more is recognised in this delivery.
        [seen, rejectedRead] = [before, rejectedRead - batchRejects];
        // The batches of before are given up (their worker stopped): the table is no longer read there.
        if (knownTable !== undefined) excludeKnown(knownTable, new Set(e.seqs));
        batches = batchesFrom(seen, recognising(++remaps));
      }
    }
  } catch (e) {
    // Its batches may hold bytes of another content: a later delivery of the same id starts over.
    if (e instanceof DeliveryChangedError) e.discardedRejects = await store.forgetDelivery(flow.name, delivery.id);
    // Another process applied it to the end meanwhile (a second daemon, a `bridge ingest`).
    if (e instanceof DeliveryCompleteError) return settle(() => ack(delivery), 'skipped', seen - skip);
    if (e instanceof FullSyncHeldError) {
      // A file of garbage is held for what it would delete: say too that its records were bad.
      const bad = rejectedRead > 0 ? `; besides, ${rejectedRead} of the ${seen - skip} records read were rejected (could not be decoded or mapped)` : '';
      const error: DataErrorDetail = { code: 'delivery.invalid', message: e.message + bad };
      return refuse('held', seen - skip, [error]);
    }
    throw e;
  }
  return settle(() => ack(delivery), 'applied', seen - skip);
}
