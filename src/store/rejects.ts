import type Database from 'better-sqlite3';
import { RejectNoLongerOpenError } from './errors.js';
import type { RejectInput, RejectRecord, SupersedingVersion } from './types.js';

type RejectStatus = RejectRecord['status'];
/** Every status a reject can have, for the commands and the API that take one. */
export const REJECT_STATUSES: readonly RejectStatus[] = ['open', 'replayed', 'discarded'];

interface RejectRow {
  id: number;
  flow: string | null;
  delivery_id: string | null;
  delivery_name: string | null;
  position: string | null;
  raw: string;
  record: string | null;
  errors: string;
  mapping: string | null;
  at: string;
  status: RejectStatus;
}

function toRecord(r: RejectRow): RejectRecord {
  const record: RejectRecord = { id: r.id, raw: r.raw, errors: JSON.parse(r.errors) as RejectRecord['errors'], at: r.at, status: r.status };
  if (r.flow !== null) record.flow = r.flow;
  if (r.delivery_id !== null) record.deliveryId = r.delivery_id;
  if (r.delivery_name !== null) record.deliveryName = r.delivery_name;
  if (r.position !== null) record.position = JSON.parse(r.position) as RejectRecord['position'];
  if (r.mapping !== null) record.mapping = r.mapping;
  if (r.record !== null) record.record = JSON.parse(r.record) as RejectRecord['record'];
  return record;
}

interface SupersedingRow {
  version: number;
  op: SupersedingVersion['op'];
  at: string;
  origin: string;
  delivery_name: string;
}

// From the entity's current version back along `prev` while the versions are younger than the
// reject (by seq, or by time for a reject recorded before seqs were kept); the newest of them
// not of the reject's own delivery nor written by the replay of an earlier reject. By time, one
// written in the reject's very millisecond counts as younger: like a delivery completed in it
// (Deliveries.completedAfterReject), that errs towards leaving the reject open (a forced replay
// still applies it) rather than towards writing its older record over it.
const SUPERSEDED_BY = `
  WITH RECURSIVE r AS (SELECT id, seq, at, flow, delivery_id FROM rejects WHERE id = @id),
  chain(seq, prev) AS (
    SELECT v.seq, v.prev FROM entities e JOIN versions v ON v.seq = e.seq, r
    WHERE e.type = @type AND e.key = @key AND CASE WHEN r.seq IS NULL THEN v.at >= r.at ELSE v.seq > r.seq END
    UNION ALL
    SELECT v.seq, v.prev FROM chain c JOIN versions v ON v.seq = c.prev, r
    WHERE CASE WHEN r.seq IS NULL THEN v.at >= r.at ELSE v.seq > r.seq END
  )
  SELECT v.version, v.op, v.at, o.origin, o.delivery_name FROM chain c JOIN versions v ON v.seq = c.seq JOIN origins o ON o.id = v.origin_id, r
  WHERE NOT (r.delivery_id IS NOT NULL AND o.flow = coalesce(r.flow, '') AND o.delivery_id = r.delivery_id)
    AND NOT EXISTS (SELECT 1 FROM rejects p WHERE p.replayed_seq = c.seq AND p.id < r.id)
  ORDER BY c.seq DESC LIMIT 1`;

/**
 * The reject store: every record that could not be decoded or mapped, kept with where it came
 * from, its raw text, the decoded record when there was one, and its errors, so it can be
 * listed, shown, and replayed after a fix. Each keeps the change-feed head when it was recorded,
 * which tells the versions of its entity written since (rejectSupersededBy).
 * Status moves freely between open, replayed and discarded; the record itself never changes.
 */
export class Rejects {
  private readonly insertStmt: Database.Statement;
  private readonly listStmt: Database.Statement<[{ status: string | null; flow: string | null; after: number; limit: number }], RejectRow>;
  private readonly getStmt: Database.Statement<[number], RejectRow>;
  private readonly countStmt: Database.Statement<[{ status: string | null; flow: string | null }], { n: number }>;
  private readonly setStatusStmt: Database.Statement<[string, number]>;
  private readonly setStatusTx: Database.Transaction<(ids: number[], status: RejectStatus) => void>;
  private readonly supersededByStmt: Database.Statement<[{ id: number; type: string; key: string }], SupersedingRow>;
  private readonly markReplayedStmt: Database.Statement<[number | null, number]>;

  constructor(db: Database.Database) {
    this.insertStmt = db.prepare(
      'INSERT INTO rejects (flow, delivery_id, delivery_name, position, raw, record, errors, mapping, at, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT coalesce(max(seq), 0) FROM versions))',
    );
    this.listStmt = db.prepare(
      'SELECT * FROM rejects WHERE (@status IS NULL OR status = @status) AND (@flow IS NULL OR flow = @flow) AND id > @after ORDER BY id LIMIT @limit',
    );
    this.getStmt = db.prepare('SELECT * FROM rejects WHERE id = ?');
    this.countStmt = db.prepare('SELECT count(*) AS n FROM rejects WHERE (@status IS NULL OR status = @status) AND (@flow IS NULL OR flow = @flow)');
    this.setStatusStmt = db.prepare('UPDATE rejects SET status = ? WHERE id = ?');
    this.supersededByStmt = db.prepare(SUPERSEDED_BY);
    this.markReplayedStmt = db.prepare("UPDATE rejects SET status = 'replayed', replayed_seq = ? WHERE id = ? AND status = 'open'");
    this.setStatusTx = db.transaction((ids: number[], status: RejectStatus) => {
      const missing = ids.filter((id) => this.setStatusStmt.run(status, id).changes === 0);
      if (missing.length) throw new RangeError(`no reject with id ${missing.join(', ')}: no status was changed`);
    });
  }

  /** Inside the batch's transaction. */
  insert(r: RejectInput, at: string): void {
    const position = r.position === undefined ? null : JSON.stringify(r.position);
    const record = r.record === undefined ? null : JSON.stringify(r.record);
    this.insertStmt.run(r.flow ?? null, r.deliveryId ?? null, r.deliveryName ?? null, position, r.raw, record, JSON.stringify(r.errors), r.mapping ?? null, at);
  }

  /** In id order, after the `after` id (paging), at most `limit` (default 100). */
  list(options: { status?: RejectStatus; flow?: string; limit?: number; after?: number }): RejectRecord[] {
    return this.listStmt
      .all({ status: options.status ?? null, flow: options.flow ?? null, after: options.after ?? 0, limit: options.limit ?? 100 })
      .map(toRecord);
  }

  count(options: { status?: RejectStatus; flow?: string }): number {
    return this.countStmt.get({ status: options.status ?? null, flow: options.flow ?? null })!.n;
  }

  get(id: number): RejectRecord | undefined {
    const row = this.getStmt.get(id);
    return row === undefined ? undefined : toRecord(row);
  }

  /** See Store.rejectSupersededBy. */
  supersededBy(id: number, type: string, key: string): SupersedingVersion | undefined {
    const row = this.supersededByStmt.get({ id, type, key });
    if (row === undefined) return undefined;
    const found: SupersedingVersion = { version: row.version, op: row.op, at: row.at, origin: row.origin };
    if (row.delivery_name !== '') found.deliveryName = row.delivery_name;
    return found;
  }

  /**
   * Inside the batch's transaction: see ApplyBatch.replayOf. `seq` is the change its replay wrote,
   * if any. A reject no longer open (RejectNoLongerOpenError) rolls the batch back: the replay
   * checked a copy read before the transaction, and a discard since must not be written over.
   */
  markReplayed(id: number, seq: number | undefined): void {
    if (this.markReplayedStmt.run(seq ?? null, id).changes === 0) throw new RejectNoLongerOpenError(id);
  }

  /** All or nothing: an unknown id (RangeError) or status (TypeError) changes none. */
  setStatus(ids: number[], status: RejectStatus): void {
    if (!REJECT_STATUSES.includes(status)) throw new TypeError(`reject status must be one of ${REJECT_STATUSES.join(', ')}, not ${JSON.stringify(status)}`);
    this.setStatusTx.immediate(ids, status);
  }
}
