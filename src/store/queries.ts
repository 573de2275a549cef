import type Database from 'better-sqlite3';
import { contentHash } from './canonical-json.js';
import type { ChangeEvent, ChangeOp, EntityRecord, EntityVersion, JsonObject, Lineage } from './types.js';

interface LineageColumns {
  origin: string;
  flow: string;
  delivery_id: string;
  delivery_name: string;
  position: string | null;
  source_ts: string | null;
}

interface EntityRow extends LineageColumns {
  type: string;
  key: string;
  version: number;
  created_at: string;
  deleted: 0 | 1;
  data: string;
  at: string;
}

interface VersionRow extends LineageColumns {
  version: number;
  op: ChangeOp;
  data: string | null;
  at: string;
}

const lineageJoin = 'JOIN origins o ON o.id = v.origin_id';
const lineageColumns = 'o.origin, o.flow, o.delivery_id, o.delivery_name, v.position, v.source_ts';
const entitySelect = `SELECT e.type, e.key, e.version, e.created_at, e.deleted, d.data, v.at, ${lineageColumns}
  FROM entities e JOIN versions v ON v.seq = e.seq JOIN versions d ON d.seq = e.data_seq ${lineageJoin}`;

function lineage(r: LineageColumns): Lineage {
  const l: Lineage = { origin: r.origin };
  if (r.flow !== '') l.flow = r.flow;
  if (r.delivery_id !== '') l.deliveryId = r.delivery_id;
  if (r.delivery_name !== '') l.deliveryName = r.delivery_name;
  if (r.position !== null) l.position = JSON.parse(r.position) as Lineage['position'];
  if (r.source_ts !== null) l.sourceTimestamp = r.source_ts;
  return l;
}

function toEntity(r: EntityRow): EntityRecord {
  return {
    type: r.type,
    key: r.key,
    data: JSON.parse(r.data) as JsonObject,
    version: r.version,
    // Derived when asked for: what serves the API never asks.
    get hash() {
      return contentHash(r.data);
    },
    createdAt: r.created_at,
    updatedAt: r.at,
    deleted: r.deleted === 1,
    lineage: lineage(r),
  };
}

/**
 * Read queries. A tombstone (deleted entity) is returned by `get` with `deleted: true`, the data
 * and hash it had before the delete, and the delete's lineage and time; `list` leaves tombstones
 * out. Data comes back in canonical form (keys sorted).
 */
export class Queries {
  private readonly getStmt: Database.Statement<[string, string], EntityRow>;
  private readonly listFirst: Database.Statement<[string, number], EntityRow>;
  private readonly listAfter: Database.Statement<[string, string, number], EntityRow>;
  private readonly historyStmt: Database.Statement<[string, string], VersionRow>;
  private readonly changesAll: Database.Statement<[number, number], ChangeEvent>;
  private readonly changesOfTypes: Database.Statement<[number, string, number], ChangeEvent>;
  private readonly headStmt: Database.Statement<[], number>;

  constructor(db: Database.Database) {
    this.getStmt = db.prepare(`${entitySelect} WHERE e.type = ? AND e.key = ?`);
    this.listFirst = db.prepare(`${entitySelect} WHERE e.type = ? AND e.deleted = 0 ORDER BY e.key LIMIT ?`);
    this.listAfter = db.prepare(`${entitySelect} WHERE e.type = ? AND e.key > ? AND e.deleted = 0 ORDER BY e.key LIMIT ?`);
    // Versions chain backwards through `prev` from the entity's current one.
    this.historyStmt = db.prepare(`WITH RECURSIVE chain(seq) AS (
        SELECT seq FROM entities WHERE type = ? AND key = ?
        UNION ALL SELECT v.prev FROM versions v JOIN chain c ON v.seq = c.seq WHERE v.prev IS NOT NULL)
      SELECT v.version, v.op, v.data, v.at, ${lineageColumns} FROM chain c JOIN versions v ON v.seq = c.seq ${lineageJoin}
      ORDER BY v.version`);
    const changes = `SELECT v.seq, v.type, v.key, v.op, v.version, o.origin, v.at FROM versions v ${lineageJoin} WHERE v.seq > ?`;
    this.changesAll = db.prepare(`${changes} ORDER BY v.seq LIMIT ?`);
    this.changesOfTypes = db.prepare(`${changes} AND v.type IN (SELECT value FROM json_each(?)) ORDER BY v.seq LIMIT ?`);
    this.headStmt = db.prepare<[], number>('SELECT coalesce(max(seq), 0) FROM versions').pluck();
  }

  get(type: string, key: string): EntityRecord | undefined {
    const row = this.getStmt.get(type, key);
    return row === undefined ? undefined : toEntity(row);
  }

  /** Live entities of a type in key order (by UTF-8 bytes), after the `after` key. */
  list(type: string, options: { after?: string; limit: number }): EntityRecord[] {
    const rows = options.after === undefined ? this.listFirst.all(type, options.limit) : this.listAfter.all(type, options.after, options.limit);
    return rows.map(toEntity);
  }

  /** Oldest first; empty for an entity never written. */
  history(type: string, key: string): EntityVersion[] {
    return this.historyStmt.all(type, key).map((r) => ({
      version: r.version,
      op: r.op,
      data: r.data === null ? null : (JSON.parse(r.data) as JsonObject),
      get hash() {
        return r.data === null ? null : contentHash(r.data);
      },
      at: r.at,
      lineage: lineage(r),
    }));
  }

  /** Events with seq greater than `after`, in seq order; `types` filters by entity type. */
  changes(options: { after: number; limit: number; types?: string[] }): ChangeEvent[] {
    const { after, limit, types } = options;
    return types === undefined ? this.changesAll.all(after, limit) : this.changesOfTypes.all(after, JSON.stringify(types), limit);
  }

  head(): number {
    return this.headStmt.get()!;
  }
}
