import type Database from 'better-sqlite3';
import { MAX_KNOWN_RECORDS } from '../core/record-digests.js';
import type { ConflictRule } from './conflicts.js';
import { Deliveries } from './deliveries.js';
import type { DeliveryFailures } from './delivery-failures.js';
import { EntityWriter } from './entity-writer.js';
import { mapSqliteError } from './errors.js';
import { FullSync } from './full-sync.js';
import { RecordDigestSets } from './record-digest-sets.js';
import type { Rejects } from './rejects.js';
import type { ApplyBatch, ApplyCounts, ApplyResult, Origin } from './types.js';

/**
 * Applies batches, each in one `BEGIN IMMEDIATE` transaction: entities, versions (which are the
 * change feed), rejects, a replayed reject's mark, full-sync deletions and delivery progress
 * commit together or not at all.
 *
 * Durability: a commit is made with `synchronous = FULL` (the WAL fsynced) whenever something
 * outside may act on it at once: a delivery's last batch (the source then acks, moves or forgets
 * the input), and any batch without progress (a REST write answered to its client). A delivery's
 * intermediate batches commit with NORMAL: a power loss may undo them, which only makes the
 * restarted delivery redo them, and the last batch's fsync makes every earlier frame durable too.
 * A killed process never loses a commit in either mode (WAL).
 */
export class BatchApplier {
  readonly deliveries: Deliveries;
  private readonly writer: EntityWriter;
  private readonly fullSync: FullSync;
  readonly digestSets: RecordDigestSets;
  private readonly head: Database.Statement<[], number>;
  private readonly findOrigin: Database.Statement<[string, string, string, string], number>;
  private readonly insertOrigin: Database.Statement<[string, string, string, string], number>;
  private readonly tx: Database.Transaction<(batch: ApplyBatch) => ApplyResult>;
  private synchronousFull = true;

  constructor(
    private readonly db: Database.Database,
    private readonly path: string,
    rules: Map<string, ConflictRule>,
    private readonly rejects: Rejects,
    private readonly failures: DeliveryFailures,
  ) {
    this.head = db.prepare<[], number>('SELECT coalesce(max(seq), 0) FROM versions').pluck();
    this.digestSets = new RecordDigestSets(db, () => this.head.get()!);
    this.deliveries = new Deliveries(db, this.digestSets);
    this.writer = new EntityWriter(db, rules);
    this.fullSync = new FullSync(db);
    this.findOrigin = db
      .prepare<[string, string, string, string], number>('SELECT id FROM origins WHERE origin = ? AND flow = ? AND delivery_id = ? AND delivery_name = ?')
      .pluck();
    this.insertOrigin = db
      .prepare<[string, string, string, string], number>('INSERT INTO origins (origin, flow, delivery_id, delivery_name) VALUES (?, ?, ?, ?) RETURNING id')
      .pluck();
    this.tx = db.transaction((batch: ApplyBatch) => this.run(batch));
  }

  apply(batch: ApplyBatch): ApplyResult {
    const durable = batch.progress === undefined || batch.progress.complete;
    try {
      if (durable !== this.synchronousFull) {
        this.db.pragma(`synchronous = ${durable ? 'FULL' : 'NORMAL'}`);
        this.synchronousFull = durable;
      }
      return this.tx.immediate(batch);
    } catch (e) {
      throw mapSqliteError(e, this.path);
    }
  }

  private originId(o: Origin): number {
    const args: [string, string, string, string] = [o.origin, o.flow ?? '', o.deliveryId ?? '', o.deliveryName ?? ''];
    return this.findOrigin.get(...args) ?? this.insertOrigin.get(...args)!;
  }

  private run(batch: ApplyBatch): ApplyResult {
    const { progress, fullSync } = batch;
    const seenType = batch.fullSyncType ?? fullSync?.type;
    const flow = batch.origin.flow;
    if (fullSync !== undefined && !progress?.complete) {
      throw new TypeError(`full sync of ${fullSync.type} needs the delivery's last batch (progress with complete: true)`);
    }
    if (seenType !== undefined && (progress === undefined || flow === undefined)) {
      throw new TypeError(`full sync of ${seenType} needs a flow origin and delivery progress on every batch`);
    }
    const now = new Date();
    const at = now.toISOString();
    const counts: ApplyCounts = { created: 0, updated: 0, unchanged: 0, deleted: 0, rejected: 0, skipped: 0 };
    const delivery = progress === undefined ? undefined : this.deliveries.begin(progress, at, seenType);
    if (fullSync !== undefined && delivery!.recordsDone > 0 && delivery!.fullSyncType !== fullSync.type) {
      throw new Error(
        `full sync of ${fullSync.type} for delivery ${progress!.deliveryId} of flow ${flow}: its earlier batches were applied ` +
          `without fullSyncType, so the store cannot tell which entities they confirmed; pass fullSyncType on every batch`,
      );
    }
    const digests = delivery === undefined ? undefined : batch.digests;
    this.writer.begin({
      seq: this.head.get()!,
      at,
      atMs: now.getTime(),
      originId: this.originId(batch.origin),
      origin: batch.origin.origin,
      flow,
      seenType,
      seenKeys: [],
      counts,
      writeSeqs: digests === undefined ? undefined : [],
    });
    if (seenType !== undefined && delivery!.recordsDone === 0) this.fullSync.begin(delivery!.id, seenType, flow!);
    this.writer.writeAll(batch.writes);
    if (digests !== undefined) {
      // After the writes: one of the batch's own may have changed a known record's entity.
      for (const key of this.digestSets.confirm(digests, seenType !== undefined)) this.writer.ctx.seenKeys.push(key);
      counts.unchanged += digests.knownSeqs.length;
      // Past the records a set is ever recognised by, its digests would only take room.
      if ((progress!.recordsBefore ?? 0) < MAX_KNOWN_RECORDS) this.digestSets.save(delivery!.id, digests.mapping, digests, this.writer.ctx.writeSeqs!);
    }
    if (seenType !== undefined) this.fullSync.remember(delivery!.id, this.writer.ctx.seenKeys, batch.rejects);
    // Skipped by a conflict policy, the record is not in the store: the reject stays open.
    if (batch.replayOf !== undefined && counts.skipped === 0) {
      // The version written holds the rejected record's data: a later reject of the entity is not superseded by it.
      const wrote = counts.created + counts.updated + counts.deleted > 0;
      this.rejects.markReplayed(batch.replayOf, wrote ? this.writer.ctx.seq : undefined);
    }
    if (batch.rejects) {
      for (const r of batch.rejects) this.rejects.insert(r, at);
      counts.rejected += batch.rejects.length;
    }
    if (fullSync !== undefined) {
      counts.deleted += this.fullSync.run(this.writer, flow!, delivery!.id, fullSync, delivery!.recordsDone);
      this.writer.flush();
      this.deliveries.supersede(flow!, delivery!.id, at);
    }
    if (delivery !== undefined) {
      this.deliveries.finish(delivery.id, progress!, counts, at);
      // Refused whole before (held, or failed), it is applied now: `bridge status` says so.
      if (progress!.complete) this.failures.markApplied(progress!.flow, progress!.deliveryId, at);
      if (progress!.complete && digests !== undefined) this.digestSets.complete(digests.mapping, digests.mappingFile, digests.context, delivery.id, this.writer.ctx.seq);
    }
    return { ...counts, lastSeq: this.writer.ctx.seq };
  }
}
