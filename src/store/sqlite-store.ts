import { setTimeout as sleep } from 'node:timers/promises';
import type Database from 'better-sqlite3';
import { BatchApplier } from './apply.js';
import { compileConflicts, type ConflictRule } from './conflicts.js';
import { DeliveryFailures } from './delivery-failures.js';
import { EntityQueries } from './entity-query.js';
import { mapSqliteError, StoreLockedError } from './errors.js';
import { IdempotencyKeys } from './idempotency.js';
import { Outbox } from './outbound.js';
import { Queries } from './queries.js';
import { Rejects } from './rejects.js';
import { openDatabase } from './schema.js';
import type {
  KnownRecords,
  ApplyBatch,
  ApplyResult,
  ChangeEvent,
  ConflictPolicy,
  DeadLetter,
  DeliveryFailure,
  DeliveryFailureInput,
  DeliveryState,
  EntityPage,
  EntityQuery,
  EntityRecord,
  EntityVersion,
  IdempotentResponse,
  QueriedEntity,
  InflightMessage,
  JsonObject,
  OutboundPosition,
  OutboundSettlement,
  RejectRecord,
  SupersedingVersion,
  Store,
} from './types.js';

/** How long SQLite itself waits for a lock, holding up the thread, before `locked` waits asynchronously. */
const LOCK_SLICE_MS = 20;

export interface SqliteStoreOptions {
  /** Database file; created (with its directory) when absent. */
  path: string;
  /** Conflict policies, at most one per entity type; see conflicts.ts for their semantics. */
  conflicts?: ConflictPolicy[];
  /** How long a write waits for a lock another process holds before RetryableError; default 5000. */
  busyTimeoutMs?: number;
}

/**
 * The embedded store: one SQLite file in WAL mode, one connection, one writer per process (and
 * per file: another process holding the write lock past the busy timeout is a StoreLockedError
 * `store <path> is locked by another process`).
 *
 * The Promise methods of `Store` wrap synchronous calls; the writes among them wait out another
 * process's lock between tries, leaving the thread free (see `locked`). The `…Sync` methods are
 * calls without the promise, for callers on a hot path, and wait LOCK_SLICE_MS at most.
 * Errors: StoreLockedError (a RetryableError) for a lock, ConfigError for a file that is not a
 * store, FullSyncHeldError and DeliveryCompleteError from `apply`, DataError for an unreadable
 * `sourceTimestamp`; TypeError/RangeError for a malformed call (a bug in the caller).
 */
export class SqliteStore implements Store {
  private readonly applier: BatchApplier;
  private readonly queries: Queries;
  private readonly rejectStore: Rejects;
  private readonly entityQueries: EntityQueries;
  private readonly idempotency: IdempotencyKeys;
  private readonly outbox: Outbox;
  private readonly failures: DeliveryFailures;
  private readonly commitListeners = new Set<() => void>();
  private readonly rules: Map<string, ConflictRule>;

  constructor(
    private readonly db: Database.Database,
    readonly path: string,
    conflicts: ConflictPolicy[] = [],
    private readonly busyTimeoutMs = 5000,
  ) {
    db.pragma(`busy_timeout = ${Math.min(LOCK_SLICE_MS, busyTimeoutMs)}`);
    this.rejectStore = new Rejects(db);
    this.queries = new Queries(db);
    this.entityQueries = new EntityQueries(db);
    this.idempotency = new IdempotencyKeys(db);
    this.failures = new DeliveryFailures(db);
    this.rules = compileConflicts(conflicts);
    this.applier = new BatchApplier(db, path, this.rules, this.rejectStore, this.failures);
    this.outbox = new Outbox(db);
  }

  private committed(): void {
    for (const l of this.commitListeners) l();
  }

  /**
   * A write that waits out another process's lock for up to the busy timeout without holding up
   * this thread: SQLite itself waits only LOCK_SLICE_MS (better-sqlite3 waits synchronously, and
   * a daemon whose REST server stops answering for seconds is down to its users), the rest is
   * waited here between tries.
   */
  private async locked<T>(fn: () => T): Promise<T> {
    const deadline = performance.now() + this.busyTimeoutMs;
    for (let pause = 5; ; pause = Math.min(pause * 2, 100)) {
      try {
        return this.read(fn);
      } catch (e) {
        // Only a lock passes with waiting: another process on the same delivery (DeliveryBusyError) does not.
        if (!(e instanceof StoreLockedError) || performance.now() + pause > deadline) throw e;
        await sleep(pause);
      }
    }
  }

  private read<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw mapSqliteError(e, this.path);
    }
  }

  applySync(batch: ApplyBatch): ApplyResult {
    const result = this.applier.apply(batch);
    if (this.commitListeners.size) this.committed();
    return result;
  }
  getSync(type: string, key: string): EntityRecord | undefined {
    return this.read(() => this.queries.get(type, key));
  }
  changesSync(options: { after: number; limit: number; types?: string[] }): ChangeEvent[] {
    return this.read(() => this.queries.changes(options));
  }

  async apply(batch: ApplyBatch): Promise<ApplyResult> {
    return this.locked(() => this.applySync(batch));
  }
  async knownRecords(mapping: string, type: string, max: number): Promise<KnownRecords> {
    return this.read(() => (this.rules.has(type) ? { entries: Buffer.alloc(0), context: '', changed: [] } : this.applier.digestSets.entries(mapping, max)));
  }
  async delivery(flow: string, deliveryId: string): Promise<DeliveryState | undefined> {
    return this.read(() => this.applier.deliveries.get(flow, deliveryId));
  }
  async forgetDelivery(flow: string, deliveryId: string): Promise<number> {
    const deliveries = this.applier.deliveries;
    return this.locked(() => this.db.transaction(() => deliveries.forget(flow, deliveryId)).immediate());
  }
  async get(type: string, key: string): Promise<EntityRecord | undefined> {
    return this.getSync(type, key);
  }
  async history(type: string, key: string): Promise<EntityVersion[]> {
    return this.read(() => this.queries.history(type, key));
  }
  async list(type: string, options: { after?: string; limit: number }): Promise<EntityRecord[]> {
    return this.read(() => this.queries.list(type, options));
  }
  async query(type: string, query: EntityQuery): Promise<EntityPage> {
    return this.read(() => this.entityQueries.run(type, query));
  }
  async queryOne(type: string, key: string): Promise<QueriedEntity | undefined> {
    return this.read(() => this.entityQueries.one(type, key));
  }
  async idempotentResponse(client: string, key: string): Promise<IdempotentResponse | undefined> {
    return this.read(() => this.idempotency.get(client, key));
  }
  async rememberResponse(response: IdempotentResponse): Promise<void> {
    await this.locked(() => this.idempotency.remember(response));
  }
  async changes(options: { after: number; limit: number; types?: string[] }): Promise<ChangeEvent[]> {
    return this.changesSync(options);
  }
  async head(): Promise<number> {
    return this.read(() => this.queries.head());
  }
  async rejects(options: { status?: RejectRecord['status']; flow?: string; limit?: number; after?: number }): Promise<RejectRecord[]> {
    return this.read(() => this.rejectStore.list(options));
  }
  async countRejects(options: { status?: RejectRecord['status']; flow?: string }): Promise<number> {
    return this.read(() => this.rejectStore.count(options));
  }
  async reject(id: number): Promise<RejectRecord | undefined> {
    return this.read(() => this.rejectStore.get(id));
  }
  async setRejectStatus(ids: number[], status: RejectRecord['status']): Promise<void> {
    await this.locked(() => this.rejectStore.setStatus(ids, status));
  }
  async rejectSupersededBy(id: number, type: string, key: string): Promise<SupersedingVersion | undefined> {
    return this.read(() => this.rejectStore.supersededBy(id, type, key));
  }
  async deliveryCompletedAfterReject(id: number, type: string): Promise<DeliveryState | undefined> {
    return this.read(() => this.applier.deliveries.completedAfterReject(id, type));
  }
  async deliveries(options: { flow?: string; limit?: number }): Promise<DeliveryState[]> {
    return this.read(() => this.applier.deliveries.list(options));
  }
  async recordDeliveryFailure(failure: DeliveryFailureInput): Promise<void> {
    // A refused delivery is not the mapping's set, and most often never completes (a held one
    // is moved away, a failed one comes again fixed, as another delivery): kept, the digests
    // its committed batches saved would stay for good. Forced later, its set is only the rest.
    // One transaction: a crash between the two left the digests behind.
    await this.locked(() =>
      this.db
        .transaction(() => {
          this.failures.record(failure);
          this.applier.deliveries.dropIncompleteDigests(failure.flow, failure.deliveryId);
        })
        .immediate(),
    );
  }
  async deliverySettled(flow: string, deliveryId: string): Promise<void> {
    const at = new Date().toISOString();
    await this.locked(() =>
      this.db
        .transaction(() => {
          this.applier.deliveries.settled(flow, deliveryId, at);
          this.failures.settled(flow, deliveryId, at);
        })
        .immediate(),
    );
  }
  async unsettledRefusal(flow: string, deliveryId: string): Promise<DeliveryFailure | undefined> {
    return this.read(() => this.failures.unsettled(flow, deliveryId));
  }
  async deliveryFailures(options: { flow?: string; limit?: number }): Promise<DeliveryFailure[]> {
    return this.read(() => this.failures.list(options));
  }
  async outboundPosition(flow: string): Promise<OutboundPosition> {
    return this.read(() => this.outbox.position(flow));
  }
  async outboundBegin(flow: string, message: InflightMessage): Promise<void> {
    await this.locked(() => this.outbox.begin(flow, message));
  }
  async outboundSettle(flow: string, settlement: OutboundSettlement): Promise<void> {
    await this.locked(() => this.outbox.settle(flow, settlement));
  }
  async setOutboundDisabled(flow: string, reason: string | undefined): Promise<void> {
    await this.locked(() => this.outbox.setDisabled(flow, reason));
  }
  async outboundReplays(flow: string): Promise<InflightMessage[]> {
    return this.read(() => this.outbox.replays(flow));
  }
  async deadLetters(options: { status?: DeadLetter['status']; flow?: string; limit?: number; after?: number }): Promise<DeadLetter[]> {
    return this.read(() => this.outbox.deadLetters(options));
  }
  async deadLetter(id: number): Promise<DeadLetter | undefined> {
    return this.read(() => this.outbox.deadLetter(id));
  }
  async replayDeadLetters(ids: number[]): Promise<DeadLetter[]> {
    const moved = await this.locked(() => this.outbox.replay(ids));
    // A running outbound flow wakes now rather than at its next poll.
    if (moved.length && this.commitListeners.size) this.committed();
    return moved;
  }
  async discardDeadLetters(ids: number[]): Promise<DeadLetter[]> {
    return this.locked(() => this.outbox.discard(ids));
  }
  async changeData(seqs: number[]): Promise<Map<number, JsonObject | null>> {
    return this.read(() => this.outbox.changeData(seqs));
  }
  onCommit(listener: () => void): () => void {
    this.commitListeners.add(listener);
    return () => this.commitListeners.delete(listener);
  }
  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

/** Opens (or creates) a SQLite store; see SqliteStore for errors and guarantees. */
export function openSqliteStore(options: SqliteStoreOptions): SqliteStore {
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  // Opening and migrating wait the whole timeout in SQLite: nothing else runs yet.
  const db = openDatabase(options.path, busyTimeoutMs);
  try {
    return new SqliteStore(db, options.path, options.conflicts, busyTimeoutMs);
  } catch (e) {
    db.close();
    throw e;
  }
}
