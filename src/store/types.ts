import type { BatchDigests } from '../core/record-digests.js';
import type { DataErrorDetail } from '../core/errors.js';
import type { Position } from '../core/records.js';

/**
 * The canonical store: entities with versions and lineage, a gap-free change feed, delivery
 * progress for idempotency, and rejects. SQLite is the embedded default; PostgreSQL follows behind
 * the same interface, so nothing outside src/store speaks SQL.
 */

export type JsonObject = { [k: string]: unknown };

export type ChangeOp = 'created' | 'updated' | 'deleted';

/** Who wrote: `flow:<name>` for a legacy flow, `api:<client>` for a REST client. */
export interface Origin {
  origin: string;
  flow?: string;
  deliveryId?: string;
  /** File name or message id as the operator knows it. */
  deliveryName?: string;
}

export interface EntityWrite {
  type: string;
  key: string;
  /** Absent for a delete. */
  data?: JsonObject;
  op?: 'upsert' | 'delete';
  /** The mapped source timestamp (ISO 8601) used by last-write-wins; arrival time when absent. */
  sourceTimestamp?: string;
  position?: Position;
  /**
   * Optimistic concurrency (REST writes): the entity's current live version must be this, `0`
   * meaning it must not exist (or be deleted). Checked inside the apply transaction; a mismatch
   * throws VersionConflictError and nothing of the batch is applied.
   */
  expectedVersion?: number;
}

export interface RejectInput {
  flow?: string;
  deliveryId?: string;
  deliveryName?: string;
  position?: Position;
  raw: string;
  errors: DataErrorDetail[];
  /** The mapping that rejected it, for replay after a fix. */
  mapping?: string;
  /**
   * The store key of the mapping's entity, when the record's key fields mapped though the record
   * did not (MappingFailure): a full sync counts the entity as seen. Absent when the key is
   * unknown (the record could not be decoded, or a key field failed): a full sync of that
   * delivery then holds any deletion, since the record may name any entity.
   */
  key?: string;
  /**
   * The decoded legacy record when decoding succeeded and mapping failed: replay maps it again
   * with the flow's current mapping. Absent for records that could not be decoded; those are
   * fixed at the source and delivered again.
   */
  record?: import('../core/records.js').LegacyRecord;
}

export interface DeliveryProgress {
  flow: string;
  deliveryId: string;
  deliveryName?: string;
  /** Records consumed so far, including this batch; a restarted delivery skips this many. */
  recordsDone: number;
  /**
   * Records consumed before this batch, as the applier knows them. When given, a store whose
   * progress differs refuses the batch (DeliveryBusyError): another process applies the delivery.
   */
  recordsBefore?: number;
  /** Set on the last batch: the delivery is applied and will be skipped whole from now on. */
  complete: boolean;
  /** Counts to add to the delivery's totals. */
  counts?: Partial<ApplyCounts>;
}

export interface FullSyncRequest {
  /** Entity type the delivery is the complete set of, for its flow. */
  type: string;
  /** Largest share of that flow's entities a delivery may delete (0..1); default 0.2. */
  maxDeleteShare: number;
  force?: boolean;
}

export interface ApplyBatch {
  origin: Origin;
  writes: EntityWrite[];
  rejects?: RejectInput[];
  progress?: DeliveryProgress;
  /** With `progress.complete`: delete what this flow wrote before and this delivery did not. */
  fullSync?: FullSyncRequest;
  /**
   * Set on every batch of a full-sync delivery (the entity type it is the complete set of), so
   * that unchanged records are remembered as seen; the last batch's `fullSync` implies it. A
   * multi-batch delivery whose earlier batches lacked it is refused at full sync.
   */
  fullSyncType?: string;
  /**
   * The id of the open reject whose record this batch's writes replay: marked replayed, with the
   * change they wrote if any, in the batch's transaction, so that a crash leaves both or neither.
   * A mark made apart from the write could be lost after it, and the reject's own replayed
   * version would then supersede every later reject of its entity. A reject no longer open
   * refuses the batch whole (RejectNoLongerOpenError). A write a conflict policy skipped leaves
   * it open (the result's `skipped`); an unchanged one marks it: the store holds its record's
   * data already, which is all a replay would do.
   */
  replayOf?: number;
  /**
   * The digests of the batch's records (see core/record-digests.ts) and the set they go to: the
   * mapping's identity, and its file. Its known records count as unchanged once their versions are found
   * current, else the batch is refused (KnownRecordsChangedError); the digests are kept, and the
   * delivery's last batch makes them the mapping's set.
   */
  digests?: BatchDigests & { mapping: string; mappingFile: string };
}

export interface ApplyCounts {
  created: number;
  updated: number;
  unchanged: number;
  deleted: number;
  rejected: number;
  /** Writes a conflict policy refused (an older timestamp, a lower-priority source). */
  skipped: number;
}

export interface ApplyResult extends ApplyCounts {
  /** Sequence of the last change event written, or the head when none was. */
  lastSeq: number;
}

export interface EntityRecord {
  type: string;
  key: string;
  data: JsonObject;
  version: number;
  hash: string;
  createdAt: string;
  updatedAt: string;
  deleted: boolean;
  lineage: Lineage;
}

export interface Lineage {
  origin: string;
  flow?: string;
  deliveryId?: string;
  deliveryName?: string;
  position?: Position;
  sourceTimestamp?: string;
}

export interface EntityVersion {
  version: number;
  op: ChangeOp;
  data: JsonObject | null;
  hash: string | null;
  at: string;
  lineage: Lineage;
}

export interface ChangeEvent {
  seq: number;
  type: string;
  key: string;
  op: ChangeOp;
  version: number;
  origin: string;
  at: string;
}

export interface DeliveryState {
  flow: string;
  deliveryId: string;
  deliveryName?: string;
  /**
   * superseded: complete, and a later full sync of its flow completed since; the same delivery
   * coming again is applied anew (a snapshot that is the truth again), not skipped.
   */
  state: 'in-progress' | 'complete' | 'superseded';
  recordsDone: number;
  counts: ApplyCounts;
  startedAt: string;
  finishedAt?: string;
  /** When it was settled (acked) after it was applied to its end; absent while it was not, and for an incremental flow's messages, where it is not needed (see `settle` in ingest). */
  settledAt?: string;
}

/** A delivery refused whole: nothing of it was applied (failed), or its full sync was not (held). */
export interface DeliveryFailureInput {
  flow: string;
  deliveryId: string;
  deliveryName?: string;
  status: 'failed' | 'held';
  /** Records read before it was refused. */
  records: number;
  errors: DataErrorDetail[];
}

export interface DeliveryFailure extends DeliveryFailureInput {
  id: number;
  at: string;
  /** How many errors it had; `errors` keeps the first DELIVERY_FAILURE_ERRORS of them. */
  errorCount: number;
  /** When the same delivery was applied to its end since (forced, or after a fix); absent while it was not. */
  appliedAt?: string;
  /** When it was settled (nacked: its file moved to failed/) after it was refused; absent while it was not. */
  settledAt?: string;
}

export interface RejectRecord extends RejectInput {
  id: number;
  at: string;
  status: 'open' | 'replayed' | 'discarded';
}

/** The newest version of a reject's entity that holds newer data than the rejected record. */
export interface SupersedingVersion {
  version: number;
  op: ChangeOp;
  at: string;
  /** Who wrote it (`flow:<name>`, `api:<client>`), and the delivery as the operator knows it. */
  origin: string;
  deliveryName?: string;
}

export interface ConflictPolicy {
  type: string;
  policy: 'last-write-wins' | 'source-priority' | 'field-ownership';
  /** source-priority: flows in order, first wins. */
  priority?: string[];
  /** field-ownership: canonical top-level field → the flow that owns it. */
  owners?: Record<string, string>;
}

/** One condition on a top-level field of the entity's current data (see EntityQuery). */
export interface FieldFilter {
  field: string;
  op: 'eq' | 'in' | 'gt' | 'gte' | 'lt' | 'lte';
  /** One value for every op but `in`, which takes several. */
  values: (string | number | boolean)[];
  /** How values compare: text, numbers, canonical decimals exactly, ISO datetimes as instants. */
  compare: 'text' | 'number' | 'decimal' | 'boolean' | 'datetime';
}

export type EntitySort = 'key' | '-key' | 'updatedAt' | '-updatedAt';

/** A page of live entities of one type; `after` is the position of the previous page's last item. */
export interface EntityQuery {
  filters?: FieldFilter[];
  /** ISO 8601: only entities whose current version is at least this recent. */
  updatedSince?: string;
  sort?: EntitySort;
  /** The key (key sorts) or seq (updatedAt sorts) of the last entity of the previous page. */
  after?: string | number;
  limit: number;
  /** Sparse data: only these top-level fields. */
  fields?: string[];
}

/**
 * One entity as `queryOne` gives it. `json` is its API representation as JSON text,
 * `{"type","key","version","createdAt","updatedAt","data"}`, built by the store from the stored
 * canonical data without parsing it (a list page is mostly this text). `seq` is its current
 * version's change-feed position (the updatedAt cursor).
 */
/** A page of `Store.query`: entities as JSON text (as QueriedEntity.json), in the query's order. */
export interface EntityPage {
  items: string[];
  /** Key and seq of the page's last entity (the next page's cursor); absent on an empty page. */
  last?: { key: string; seq: number };
  /** Whether more entities match after this page. */
  more: boolean;
}

export interface QueriedEntity {
  key: string;
  seq: number;
  version: number;
  updatedAt: string;
  json: string;
}

/** A response remembered for an Idempotency-Key (per client), replayed to a repeat. */
export interface IdempotentResponse {
  client: string;
  key: string;
  /** Hash of the request (method, path, body): another request under the same key is refused. */
  requestHash: string;
  status: number;
  headers: Record<string, string>;
  body: string;
  at: string;
}

/** One change as an outbound message lists it. */
export interface OutboundChange {
  seq: number;
  type: string;
  key: string;
  op: ChangeOp;
  version: number;
}

/** A message as the outbox keeps it: in flight (sent at least once, not yet settled) or dead. */
export interface StoredOutboundMessage {
  id: string;
  changes: OutboundChange[];
  body: Buffer;
  contentType: string;
  at: string;
}

/** A message written before its first attempt; `replayOf` names the dead letter it replays. */
export interface InflightMessage extends StoredOutboundMessage {
  replayOf?: number;
}

/** Where an outbound flow is in the change feed. */
export interface OutboundPosition {
  /** Every change up to this seq is delivered, dead-lettered or not the flow's. */
  seq: number;
  /** Seqs above `seq` already settled (other keys went ahead of a slower one). */
  done: number[];
  /** Messages sent at least once and never settled: sent again first, same id and bytes. */
  inflight: InflightMessage[];
  /** Why the flow was disabled (its endpoint answered gone), when it was. */
  disabled?: string;
}

/** One failed attempt at delivering a message. */
export interface DeliveryAttempt {
  at: string;
  outcome: string;
  error: string;
}

export interface DeadLetter extends StoredOutboundMessage {
  /** Dead-letter id, what an operator quotes; never reused. */
  deadLetterId: number;
  flow: string;
  attempts: DeliveryAttempt[];
  /** When it was dead-lettered. */
  deadAt: string;
  status: 'open' | 'replayed' | 'discarded';
}

/** What settling messages (or none, to advance past changes not the flow's) writes, in one transaction. */
export interface OutboundSettlement {
  /** The new low-water mark. */
  position: number;
  /** Seqs settled now; those above `position` are remembered in the done set. */
  done: number[];
  /** The in-flight messages this settles, removed from the outbox. */
  messageIds?: string[];
  /** Messages that failed for good: each becomes an open dead letter. */
  deadLetters?: { message: StoredOutboundMessage; attempts: DeliveryAttempt[] }[];
}

/** A mapping's set of known records (see core/record-digests.ts). */
export interface KnownRecords {
  /** ENTRY_BYTES each, at most the `max` asked for. */
  entries: Buffer;
  /** What the set's records depended on (see RecordDigests.context). */
  context: string;
  /** Seqs of versions entries name that have been replaced since the set was made. */
  changed: number[];
}

export interface Store {
  /**
   * The digests a later delivery of `mapping` recognises records by; empty when there are none,
   * or when `type` has a conflict policy, which may skip a record of unchanged content where the
   * store alone cannot tell (its source timestamp is not known unmapped).
   */
  knownRecords(mapping: string, type: string, max: number): Promise<KnownRecords>;
  /** Applies one batch in one transaction: entities, versions, change events, rejects, progress. */
  apply(batch: ApplyBatch): Promise<ApplyResult>;
  delivery(flow: string, deliveryId: string): Promise<DeliveryState | undefined>;
  /**
   * Forgets an incomplete delivery's progress (it starts from its first record if it comes again)
   * and discards its open rejects, which that new read judges again; returns how many.
   */
  forgetDelivery(flow: string, deliveryId: string): Promise<number>;
  get(type: string, key: string): Promise<EntityRecord | undefined>;
  history(type: string, key: string): Promise<EntityVersion[]>;
  list(type: string, options: { after?: string; limit: number }): Promise<EntityRecord[]>;
  /** Live entities of a type, filtered and sorted, a page at a time (the REST list). */
  query(type: string, query: EntityQuery): Promise<EntityPage>;
  /** One live entity with its JSON text (undefined when absent or deleted). */
  queryOne(type: string, key: string): Promise<QueriedEntity | undefined>;
  idempotentResponse(client: string, key: string): Promise<IdempotentResponse | undefined>;
  /** Remembers a response; the first one under a (client, key) stays. */
  rememberResponse(response: IdempotentResponse): Promise<void>;
  changes(options: { after: number; limit: number; types?: string[] }): Promise<ChangeEvent[]>;
  head(): Promise<number>;
  rejects(options: { status?: RejectRecord['status']; flow?: string; limit?: number; after?: number }): Promise<RejectRecord[]>;
  /** How many rejects there are of that status and flow (each absent: any). */
  countRejects(options: { status?: RejectRecord['status']; flow?: string }): Promise<number>;
  reject(id: number): Promise<RejectRecord | undefined>;
  setRejectStatus(ids: number[], status: RejectRecord['status']): Promise<void>;
  /**
   * The newest version of entity (type, key) written after reject `id` was recorded by another
   * delivery than the reject's, or by a client: its data is newer than the rejected record's. The
   * versions a replay of an earlier reject wrote do not count (their data is older still), nor do
   * those of the reject's own delivery. Undefined when there is none.
   */
  rejectSupersededBy(id: number, type: string, key: string): Promise<SupersedingVersion | undefined>;
  /**
   * The first full-sync delivery of entity `type` (the type the reject's record maps to) of
   * reject `id`'s flow, other than the reject's own, applied to its end after the reject was
   * recorded; undefined when there is none (or the reject has no flow). It supersedes the reject:
   * it named the entity, confirming it even when unchanged (which writes no version), or its full
   * sync deleted it. Whether a delivery was a full sync is what it was applied as, whatever the
   * flow's mode is now; an incremental delivery tells nothing of an entity it did not write.
   */
  deliveryCompletedAfterReject(id: number, type: string): Promise<DeliveryState | undefined>;
  deliveries(options: { flow?: string; limit?: number }): Promise<DeliveryState[]>;
  /** Records a delivery refused whole; the newest DELIVERY_FAILURES_KEPT of a flow are kept. */
  recordDeliveryFailure(failure: DeliveryFailureInput): Promise<void>;
  /**
   * The delivery, applied to its end or refused whole, was settled (acked or nacked): called only
   * after the settling succeeded, which cannot be in the store's transaction; for an applied one
   * only where it may be superseded (full mode, or a file: see `settle` in ingest). Until then the
   * same delivery coming again is only settled: a superseded one is not applied anew (it would
   * undo newer snapshots), a refused one is not checked and recorded again.
   */
  deliverySettled(flow: string, deliveryId: string): Promise<void>;
  /** The delivery's newest refusal when it was neither settled nor applied since. */
  unsettledRefusal(flow: string, deliveryId: string): Promise<DeliveryFailure | undefined>;
  /** Deliveries refused whole, newest first. */
  deliveryFailures(options: { flow?: string; limit?: number }): Promise<DeliveryFailure[]>;
  /** The outbound flow's position, settled-ahead seqs and in-flight messages (seq 0, empty, for a new flow). */
  outboundPosition(flow: string): Promise<OutboundPosition>;
  /** Keeps a message before its first attempt (idempotent by flow and message id). */
  outboundBegin(flow: string, message: InflightMessage): Promise<void>;
  /** Settles in one transaction: done seqs, position, in-flight row removed, dead letter added. */
  outboundSettle(flow: string, settlement: OutboundSettlement): Promise<void>;
  /** Marks the outbound flow disabled (reason) or enabled again (undefined). */
  setOutboundDisabled(flow: string, reason: string | undefined): Promise<void>;
  /** Replayed dead letters waiting in the outbox that the engine has not taken yet (replayOf set). */
  outboundReplays(flow: string): Promise<InflightMessage[]>;
  deadLetters(options: { status?: DeadLetter['status']; flow?: string; limit?: number; after?: number }): Promise<DeadLetter[]>;
  deadLetter(id: number): Promise<DeadLetter | undefined>;
  /** Puts the open dead letters back into their flow's outbox (same id and bytes) and marks them replayed; returns those moved. */
  replayDeadLetters(ids: number[]): Promise<DeadLetter[]>;
  /** Marks open dead letters discarded; returns those changed. */
  discardDeadLetters(ids: number[]): Promise<DeadLetter[]>;
  /** The data each change carried (a delete: the data it removed), by seq. */
  changeData(seqs: number[]): Promise<Map<number, JsonObject | null>>;
  /** Calls `listener` after every committed apply of this process; returns the unsubscribe. */
  onCommit?(listener: () => void): () => void;
  close(): Promise<void>;
}
