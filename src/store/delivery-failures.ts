import type Database from 'better-sqlite3';
import type { DeliveryFailure, DeliveryFailureInput } from './types.js';

/** Errors kept of one refused delivery: a garbage file can have one per line. */
export const DELIVERY_FAILURE_ERRORS = 100;
/** Refused deliveries kept per flow, the newest. */
export const DELIVERY_FAILURES_KEPT = 1000;

interface FailureRow {
  id: number;
  flow: string;
  delivery_id: string;
  delivery_name: string | null;
  status: DeliveryFailure['status'];
  records: number;
  error_count: number;
  errors: string;
  at: string;
  applied_at: string | null;
  settled_at: string | null;
}

function toFailure(r: FailureRow): DeliveryFailure {
  return {
    id: r.id,
    flow: r.flow,
    deliveryId: r.delivery_id,
    ...(r.delivery_name === null ? {} : { deliveryName: r.delivery_name }),
    status: r.status,
    records: r.records,
    errorCount: r.error_count,
    errors: JSON.parse(r.errors) as DeliveryFailure['errors'],
    at: r.at,
    ...(r.applied_at === null ? {} : { appliedAt: r.applied_at }),
    ...(r.settled_at === null ? {} : { settledAt: r.settled_at }),
  };
}

/** Deliveries refused whole, per flow, for `bridge status`: what the log said once, kept. */
export class DeliveryFailures {
  private readonly insert: Database.Statement;
  private readonly prune: Database.Statement<[string, string, number]>;
  private readonly recent: Database.Statement<[{ flow: string | null; limit: number }], FailureRow>;
  private readonly add: Database.Transaction<(f: DeliveryFailureInput, at: string) => void>;
  private readonly applied: Database.Statement<[string, string, string]>;
  private readonly settledStmt: Database.Statement<[string, string, string]>;
  private readonly unsettledStmt: Database.Statement<[string, string], FailureRow>;

  constructor(db: Database.Database) {
    this.insert = db.prepare(
      'INSERT INTO delivery_failures (flow, delivery_id, delivery_name, status, records, error_count, errors, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.prune = db.prepare(
      'DELETE FROM delivery_failures WHERE flow = ? AND id <= (SELECT id FROM delivery_failures WHERE flow = ? ORDER BY id DESC LIMIT 1 OFFSET ?)',
    );
    this.recent = db.prepare('SELECT * FROM delivery_failures WHERE (@flow IS NULL OR flow = @flow) ORDER BY id DESC LIMIT @limit');
    this.applied = db.prepare('UPDATE delivery_failures SET applied_at = ? WHERE flow = ? AND delivery_id = ? AND applied_at IS NULL');
    this.settledStmt = db.prepare('UPDATE delivery_failures SET settled_at = ? WHERE flow = ? AND delivery_id = ? AND settled_at IS NULL');
    this.unsettledStmt = db.prepare(
      'SELECT * FROM delivery_failures WHERE flow = ? AND delivery_id = ? AND settled_at IS NULL AND applied_at IS NULL ORDER BY id DESC LIMIT 1',
    );
    this.add = db.transaction((f: DeliveryFailureInput, at: string) => {
      const kept = f.errors.slice(0, DELIVERY_FAILURE_ERRORS);
      this.insert.run(f.flow, f.deliveryId, f.deliveryName ?? null, f.status, f.records, f.errors.length, JSON.stringify(kept), at);
      this.prune.run(f.flow, f.flow, DELIVERY_FAILURES_KEPT);
    });
  }

  record(failure: DeliveryFailureInput): void {
    this.add.immediate(failure, new Date().toISOString());
  }

  /** The delivery was applied to its end at `at` (in the transaction that did it): its earlier refusals say so. */
  markApplied(flow: string, deliveryId: string, at: string): void {
    this.applied.run(at, flow, deliveryId);
  }

  /** The delivery's refusals were settled (nacked): see Store.deliverySettled. */
  settled(flow: string, deliveryId: string, at: string): void {
    this.settledStmt.run(at, flow, deliveryId);
  }

  /** The delivery's newest refusal when it was neither settled nor applied since. */
  unsettled(flow: string, deliveryId: string): DeliveryFailure | undefined {
    const row = this.unsettledStmt.get(flow, deliveryId);
    return row === undefined ? undefined : toFailure(row);
  }

  list(options: { flow?: string; limit?: number }): DeliveryFailure[] {
    return this.recent.all({ flow: options.flow ?? null, limit: options.limit ?? 100 }).map(toFailure);
  }
}
