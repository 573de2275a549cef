import type Database from 'better-sqlite3';
import { DeliveryBusyError, DeliveryCompleteError } from './errors.js';
import type { RecordDigestSets } from './record-digest-sets.js';
import type { ApplyCounts, DeliveryProgress, DeliveryState } from './types.js';

interface DeliveryRow {
  id: number;
  flow: string;
  delivery_id: string;
  delivery_name: string | null;
  complete: 0 | 1;
  records_done: number;
  n_created: number;
  n_updated: number;
  n_unchanged: number;
  n_deleted: number;
  n_rejected: number;
  n_skipped: number;
  started_at: string;
  finished_at: string | null;
  full_sync_type: string | null;
  superseded_at: string | null;
  settled_at: string | null;
}

/** A delivery as a batch finds it when it starts: its internal id and what earlier batches did. */
export interface OpenDelivery {
  id: number;
  /** Records done by earlier batches. */
  recordsDone: number;
  /** Entity type every batch so far marked seen for full sync; null when they did not. */
  fullSyncType: string | null;
}

function toState(r: DeliveryRow): DeliveryState {
  return {
    flow: r.flow,
    deliveryId: r.delivery_id,
    ...(r.delivery_name === null ? {} : { deliveryName: r.delivery_name }),
    state: r.complete ? (r.superseded_at === null ? 'complete' : 'superseded') : 'in-progress',
    recordsDone: r.records_done,
    counts: { created: r.n_created, updated: r.n_updated, unchanged: r.n_unchanged, deleted: r.n_deleted, rejected: r.n_rejected, skipped: r.n_skipped },
    startedAt: r.started_at,
    ...(r.finished_at === null ? {} : { finishedAt: r.finished_at }),
    ...(r.settled_at === null ? {} : { settledAt: r.settled_at }),
  };
}

/** Delivery progress: what makes a delivery resumable batch by batch and skipped once complete. */
export class Deliveries {
  private readonly select: Database.Statement<[string, string], DeliveryRow>;
  private readonly insert: Database.Statement<[string, string, string | null, string, string | null], number>;
  private readonly markFullSync: Database.Statement<[string, number]>;
  private readonly update: Database.Statement;
  private readonly restart: Database.Statement<[string, string | null, string | null, number]>;
  private readonly supersedeStmt: Database.Statement<[string, string, number]>;
  private readonly settledStmt: Database.Statement<[string, string, string]>;
  private readonly recent: Database.Statement<[number], DeliveryRow>;
  private readonly recentOfFlow: Database.Statement<[string, number], DeliveryRow>;
  private readonly forgetSeen: Database.Statement<[string, string]>;
  private readonly discardRejects: Database.Statement<[string, string, string, string]>;
  private readonly forgetIncomplete: Database.Statement<[string, string]>;
  private readonly completedAfterRejectStmt: Database.Statement<[{ id: number; type: string }], DeliveryRow>;

  constructor(
    db: Database.Database,
    private readonly digestSets: RecordDigestSets,
  ) {
    this.select = db.prepare('SELECT * FROM deliveries WHERE flow = ? AND delivery_id = ?');
    this.insert = db
      .prepare<[string, string, string | null, string, string | null], number>(
        'INSERT INTO deliveries (flow, delivery_id, delivery_name, started_at, full_sync_type) VALUES (?, ?, ?, ?, ?) RETURNING id',
      )
      .pluck();
    this.markFullSync = db.prepare('UPDATE deliveries SET full_sync_type = ? WHERE id = ? AND records_done = 0');
    this.update = db.prepare(
      `UPDATE deliveries SET records_done = ?, complete = ?, delivery_name = coalesce(?, delivery_name),
        n_created = n_created + ?, n_updated = n_updated + ?, n_unchanged = n_unchanged + ?,
        n_deleted = n_deleted + ?, n_rejected = n_rejected + ?, n_skipped = n_skipped + ?, finished_at = ?
      WHERE id = ?`,
    );
    this.restart = db.prepare(
      `UPDATE deliveries SET complete = 0, records_done = 0, n_created = 0, n_updated = 0, n_unchanged = 0, n_deleted = 0,
        n_rejected = 0, n_skipped = 0, started_at = ?, finished_at = NULL, superseded_at = NULL, settled_at = NULL, full_sync_type = ?,
        delivery_name = coalesce(?, delivery_name) WHERE id = ?`,
    );
    this.supersedeStmt = db.prepare('UPDATE deliveries SET superseded_at = ? WHERE flow = ? AND complete = 1 AND superseded_at IS NULL AND id != ?');
    this.settledStmt = db.prepare('UPDATE deliveries SET settled_at = ? WHERE flow = ? AND delivery_id = ? AND complete = 1 AND settled_at IS NULL');
    // By start, not id: a superseded delivery applied anew keeps its row.
    this.recent = db.prepare('SELECT * FROM deliveries ORDER BY started_at DESC, id DESC LIMIT ?');
    this.recentOfFlow = db.prepare('SELECT * FROM deliveries WHERE flow = ? ORDER BY started_at DESC, id DESC LIMIT ?');
    const incomplete = 'SELECT id FROM deliveries WHERE flow = ? AND delivery_id = ? AND complete = 0';
    this.forgetSeen = db.prepare(`DELETE FROM full_sync_seen WHERE delivery IN (${incomplete})`);
    this.discardRejects = db.prepare(
      `UPDATE rejects SET status = 'discarded' WHERE flow = ? AND delivery_id = ? AND status = 'open' AND EXISTS (${incomplete})`,
    );
    this.forgetIncomplete = db.prepare('DELETE FROM deliveries WHERE flow = ? AND delivery_id = ? AND complete = 0');
    // By time: a delivery keeps no change-feed position. One completed in the reject's very
    // millisecond counts as after it, which errs towards leaving the reject open (a forced replay
    // still applies it) rather than towards writing over a newer record. What the delivery was
    // (full_sync_type), not what its flow is now: a flow's mode may change between the two.
    this.completedAfterRejectStmt = db.prepare(
      `SELECT d.* FROM rejects r JOIN deliveries d ON d.flow = r.flow
      WHERE r.id = @id AND d.complete = 1 AND d.full_sync_type = @type AND d.finished_at >= r.at AND d.delivery_id IS NOT r.delivery_id
      ORDER BY d.finished_at, d.id LIMIT 1`,
    );
  }

  /**
   * Forgets the progress of an incomplete delivery, so that it starts again from its first record
   * when it comes again. What its batches applied stays applied; its open rejects are discarded
   * (returns how many). A complete one is kept, rejects and all.
   */
  forget(flow: string, deliveryId: string): number {
    // Its records are judged again when it comes again: rejects of this read would be doubles.
    const discarded = this.discardRejects.run(flow, deliveryId, flow, deliveryId).changes;
    this.forgetSeen.run(flow, deliveryId);
    this.dropIncompleteDigests(flow, deliveryId);
    this.forgetIncomplete.run(flow, deliveryId);
    return discarded;
  }

  /** Drops the record digests an incomplete delivery's committed batches saved. */
  dropIncompleteDigests(flow: string, deliveryId: string): void {
    const row = this.select.get(flow, deliveryId);
    if (row !== undefined && row.complete === 0) this.digestSets.dropDelivery(row.id);
  }

  /**
   * Starts a batch of a delivery, inside the batch's transaction: creates the delivery on its
   * first batch, refuses one already complete (DeliveryCompleteError). `fullSyncType` is recorded
   * only while no record is done yet, so it proves that every batch marked what it saw.
   */
  begin(p: DeliveryProgress, at: string, fullSyncType: string | undefined): OpenDelivery {
    const row = this.select.get(p.flow, p.deliveryId);
    // A superseded delivery starts anew: it has no progress to go on from.
    const superseded = row !== undefined && row.superseded_at !== null;
    const progress = superseded ? undefined : row;
    if (p.recordsBefore !== undefined && p.recordsBefore !== (progress?.records_done ?? 0) && !progress?.complete) {
      throw new DeliveryBusyError(p.flow, p.deliveryId, progress?.records_done ?? 0, p.recordsBefore);
    }
    if (progress === undefined) {
      // New, or superseded: a superseded row tells of this application from now on.
      const id = row?.id ?? this.insert.get(p.flow, p.deliveryId, p.deliveryName ?? null, at, fullSyncType ?? null)!;
      if (row !== undefined) {
        this.restart.run(at, fullSyncType ?? null, p.deliveryName ?? null, id);
        this.digestSets.dropDelivery(id);
      }
      return { id, recordsDone: 0, fullSyncType: fullSyncType ?? null };
    }
    if (progress.complete) throw new DeliveryCompleteError(p.flow, p.deliveryId);
    if (fullSyncType !== undefined && progress.records_done === 0 && progress.full_sync_type !== fullSyncType) {
      this.markFullSync.run(fullSyncType, progress.id);
      return { id: progress.id, recordsDone: 0, fullSyncType };
    }
    return { id: progress.id, recordsDone: progress.records_done, fullSyncType: progress.full_sync_type };
  }

  /** Records the batch's progress and adds its counts (and `p.counts`) to the delivery's totals. */
  finish(id: number, p: DeliveryProgress, counts: ApplyCounts, at: string): void {
    const extra = p.counts ?? {};
    this.update.run(
      p.recordsDone,
      p.complete ? 1 : 0,
      p.deliveryName ?? null,
      counts.created + (extra.created ?? 0),
      counts.updated + (extra.updated ?? 0),
      counts.unchanged + (extra.unchanged ?? 0),
      counts.deleted + (extra.deleted ?? 0),
      counts.rejected + (extra.rejected ?? 0),
      counts.skipped + (extra.skipped ?? 0),
      p.complete ? at : null,
      id,
    );
  }

  /** A full sync of the flow completed (delivery `id`): its other complete deliveries are superseded. */
  supersede(flow: string, id: number, at: string): void {
    this.supersedeStmt.run(at, flow, id);
  }

  /** The complete delivery was settled (acked) after it was applied: see Store.deliverySettled. */
  settled(flow: string, deliveryId: string, at: string): void {
    this.settledStmt.run(at, flow, deliveryId);
  }

  /** See Store.deliveryCompletedAfterReject. */
  completedAfterReject(rejectId: number, type: string): DeliveryState | undefined {
    const row = this.completedAfterRejectStmt.get({ id: rejectId, type });
    return row === undefined ? undefined : toState(row);
  }

  get(flow: string, deliveryId: string): DeliveryState | undefined {
    const row = this.select.get(flow, deliveryId);
    return row === undefined ? undefined : toState(row);
  }

  /** Most recently started first. */
  list(options: { flow?: string; limit?: number }): DeliveryState[] {
    const limit = options.limit ?? 100;
    const rows = options.flow === undefined ? this.recent.all(limit) : this.recentOfFlow.all(options.flow, limit);
    return rows.map(toState);
  }
}
