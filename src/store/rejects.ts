import type Database from 'better-sqlite3';
import type { RejectInput, RejectRecord } from './types.js';

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

/**
 * The reject store: every record that could not be decoded or mapped, kept with where it came
 * from, its raw text, the decoded record when there was one, and its errors, so it can be
 * listed, shown, and replayed after a fix.
 * Status moves freely between open, replayed and discarded; the record itself never changes.
 */
export class Rejects {
  private readonly insertStmt: Database.Statement;
  private readonly listStmt: Database.Statement<[{ status: string | null; flow: string | null; after: number; limit: number }], RejectRow>;
  private readonly getStmt: Database.Statement<[number], RejectRow>;
  private readonly countStmt: Database.Statement<[{ status: string | null; flow: string | null }], { n: number }>;
  private readonly setStatusStmt: Database.Statement<[string, number]>;
  private readonly setStatusTx: Database.Transaction<(ids: number[], status: RejectStatus) => void>;

  constructor(db: Database.Database) {
    this.insertStmt = db.prepare(
      'INSERT INTO rejects (flow, delivery_id, delivery_name, position, raw, record, errors, mapping, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.listStmt = db.prepare(
      'SELECT * FROM rejects WHERE (@status IS NULL OR status = @status) AND (@flow IS NULL OR flow = @flow) AND id > @after ORDER BY id LIMIT @limit',
    );
    this.getStmt = db.prepare('SELECT * FROM rejects WHERE id = ?');
    this.countStmt = db.prepare('SELECT count(*) AS n FROM rejects WHERE (@status IS NULL OR status = @status) AND (@flow IS NULL OR flow = @flow)');
    this.setStatusStmt = db.prepare('UPDATE rejects SET status = ? WHERE id = ?');
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

  /** All or nothing: an unknown id (RangeError) or status (TypeError) changes none. */
  setStatus(ids: number[], status: RejectStatus): void {
    if (!REJECT_STATUSES.includes(status)) throw new TypeError(`reject status must be one of ${REJECT_STATUSES.join(', ')}, not ${JSON.stringify(status)}`);
    this.setStatusTx.immediate(ids, status);
  }
}
