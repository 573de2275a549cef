import type Database from 'better-sqlite3';
import { DataError } from '../core/errors.js';
import type { Position } from '../core/records.js';
import { canonicalJson } from './canonical-json.js';
import type { ConflictRule } from './conflicts.js';
import { CurrentRows } from './current-rows.js';
import { VersionConflictError } from './errors.js';
import { MultiRowInsert } from './multi-row-insert.js';
import { PreparedWrite } from './prepared-write.js';
import type { ApplyCounts, EntityWrite, JsonObject } from './types.js';

const VERSION = 1;
const SEQ = 2;
const DATA_SEQ = 3;
const DATA = 4;
const DELETED = 5;
const FLOW = 6;
const ORIGIN = 7;
const TS_MS = 8;

/**
 * The rows the writer inserts (bench/sqlite-floor.ts writes the same ones), in `addVersion`'s and
 * `write`'s value order; the named values are the batch's (`sharedValues`).
 */
export const VERSION_ROWS = {
  head: 'INSERT INTO versions (seq, type, key, version, op, prev, data, at, origin_id, position, source_ts) VALUES',
  row: '(?, ?, ?, ?, ?, ?, ?, @at, @originId, ?, ?)',
  width: 9,
};
export const ENTITY_ROWS = {
  head: 'INSERT INTO entities (type, key, version, seq, data_seq, created_at, deleted, flow, origin, ts_ms) VALUES',
  row: '(?, ?, ?, ?, ?, @at, 0, @flow, @origin, ?)',
  width: 6,
};

/** The named values of VERSION_ROWS and ENTITY_ROWS for a batch. */
export function sharedValues(c: Pick<BatchContext, 'at' | 'originId' | 'origin' | 'flow'>): { versions: Record<string, unknown>; entities: Record<string, unknown> } {
  return { versions: { at: c.at, originId: c.originId }, entities: { at: c.at, flow: c.flow ?? null, origin: c.origin } };
}

/** What one batch writes with: set by `begin`, shared by every write of the batch. */
export interface BatchContext {
  /** Last seq allocated; each version takes the next one. */
  seq: number;
  at: string;
  atMs: number;
  originId: number;
  origin: string;
  flow: string | undefined;
  /** Entity type of a full-sync delivery: the keys of its writes are collected in `seenKeys`. */
  seenType: string | undefined;
  seenKeys: string[];
  counts: ApplyCounts;
  /** When set, each write's seq is pushed to it: of the version it wrote or confirmed unchanged, else 0 (always under a conflict policy). */
  writeSeqs?: number[];
}

/**
 * The per-record write path, inside the batch's transaction: the current rows of the batch's
 * entities are read up front (CurrentRows), then each write compares its canonical text with the
 * stored one and, only for a real change, writes a version row plus an entity upsert. Both go
 * through multi-row inserts, so they reach the database when a buffer fills or at `flush()`:
 * call it before anything reads `entities` or `versions` (apply does, after the writes and after
 * full sync). Statements are prepared once per connection; no closure or async step per record
 * (what is allocated: the key-sorted copy and its text, the row tuple, the position text).
 */
export class EntityWriter {
  private readonly current: CurrentRows;
  private readonly versions: MultiRowInsert;
  private readonly entities: MultiRowInsert;
  private readonly tombstoneEntity: Database.Statement;
  ctx!: BatchContext;

  constructor(
    db: Database.Database,
    private readonly rules: Map<string, ConflictRule>,
  ) {
    this.current = new CurrentRows(db, (type) => rules.has(type));
    this.versions = new MultiRowInsert(db, VERSION_ROWS.head, VERSION_ROWS.row, VERSION_ROWS.width);
    // One upsert for new, updated and revived entities; a revived tombstone's life starts anew.
    this.entities = new MultiRowInsert(
      db,
      ENTITY_ROWS.head,
      ENTITY_ROWS.row,
      ENTITY_ROWS.width,
      `ON CONFLICT (type, key) DO UPDATE SET version = excluded.version, seq = excluded.seq, data_seq = excluded.data_seq,
        created_at = CASE WHEN deleted = 1 THEN excluded.created_at ELSE created_at END, deleted = 0,
        flow = excluded.flow, origin = excluded.origin, ts_ms = excluded.ts_ms`,
    );
    this.tombstoneEntity = db.prepare('UPDATE entities SET version = ?, seq = ?, deleted = 1, flow = ?, origin = ?, ts_ms = ? WHERE type = ? AND key = ?');
  }

  begin(ctx: BatchContext): void {
    this.ctx = ctx;
    // A batch that threw left its rows behind; its transaction rolled back, so they go too.
    this.versions.clear();
    this.entities.clear();
    const shared = sharedValues(ctx);
    this.versions.shared = shared.versions;
    this.entities.shared = shared.entities;
  }

  /** Writes a batch's writes, in order, and flushes them. */
  writeAll(writes: readonly EntityWrite[]): void {
    this.current.load(writes);
    const seqs = this.ctx.writeSeqs;
    if (seqs === undefined) for (const w of writes) this.write(w);
    else for (const w of writes) seqs.push(this.write(w));
    this.flush();
  }

  /** Writes buffered version and entity rows to the database. */
  flush(): void {
    this.versions.flush();
    this.entities.flush();
  }

  /** Returns the seq of the version written or confirmed unchanged, without a conflict policy; 0 for anything else. */
  private write(w: EntityWrite): number {
    const c = this.ctx;
    if (c.seenType === w.type) c.seenKeys.push(w.key);
    const row = this.current.get(w.type, w.key, this);
    const rule = this.rules.get(w.type);
    const ms = w.sourceTimestamp === undefined ? c.atMs : sourceMs(w);
    const isDelete = w.op === 'delete';
    if (w.expectedVersion !== undefined) {
      const actual = row === undefined || row[DELETED] === 1 ? 0 : row[VERSION];
      if (actual !== w.expectedVersion) throw new VersionConflictError(w.type, w.key, w.expectedVersion, actual);
    }
    if (isDelete && (row === undefined || row[DELETED] === 1)) {
      c.counts.unchanged++;
      return 0;
    }
    if (row !== undefined && rule !== undefined && rule.skips(row[FLOW], row[ORIGIN], row[TS_MS], ms, c.flow, c.origin)) {
      c.counts.skipped++;
      return 0;
    }
    if (isDelete) {
      const seq = this.tombstone(w.type, w.key, row![VERSION], row![SEQ], ms, w.position, w.sourceTimestamp);
      this.current.set(w.type, w.key, [w.key, row![VERSION] + 1, seq, row![DATA_SEQ], row![DATA], 1, c.flow ?? null, c.origin, ms]);
      c.counts.deleted++;
      return 0;
    }
    const live = row !== undefined && row[DELETED] === 0;
    let json: string;
    // A prepared write brings its canonical text; a merge makes new data, so new text.
    const prepared = rule?.merge === undefined && w instanceof PreparedWrite ? w : undefined;
    if (prepared !== undefined) json = prepared.json;
    else {
      const input = w.data;
      if (input === undefined) throw new TypeError(`write of ${w.type} ${w.key} has neither data nor op 'delete'`);
      const data = rule?.merge === undefined ? input : rule.merge(input, live ? (JSON.parse(row[DATA]) as JsonObject) : undefined, c.flow, c.origin);
      json = canonicalJson(data);
    }
    // Under a policy a version need not be what the record maps to (field ownership merges it),
    // and the policy may be gone when the record comes again: no digest is kept to recognise it.
    if (live && row[DATA] === json) {
      c.counts.unchanged++;
      return rule === undefined ? row[SEQ] : 0;
    }
    const seq = ++c.seq;
    // A revived tombstone is 'created' again: its life (and createdAt) starts anew; version goes on.
    const version = row === undefined ? 1 : row[VERSION] + 1;
    const position = prepared !== undefined ? prepared.positionJson : w.position === undefined ? null : JSON.stringify(w.position);
    this.addVersion(seq, w.type, w.key, version, live ? 'updated' : 'created', row === undefined ? null : row[SEQ], json, position, w.sourceTimestamp);
    const flow = c.flow ?? null;
    const e = this.entities.values;
    const o = this.entities.next();
    e[o] = w.type;
    e[o + 1] = w.key;
    e[o + 2] = version;
    e[o + 3] = seq;
    e[o + 4] = seq;
    e[o + 5] = ms;
    this.current.set(w.type, w.key, [w.key, version, seq, seq, json, 0, flow, c.origin, ms]);
    if (live) c.counts.updated++;
    else c.counts.created++;
    return rule === undefined ? seq : 0;
  }

  /** `position`: the position's JSON text, or null. */
  private addVersion(seq: number, type: string, key: string, version: number, op: string, prev: number | null, data: string | null, position: string | null, sourceTimestamp: string | undefined): void {
    const v = this.versions.values;
    const o = this.versions.next();
    v[o] = seq;
    v[o + 1] = type;
    v[o + 2] = key;
    v[o + 3] = version;
    v[o + 4] = op;
    v[o + 5] = prev;
    v[o + 6] = data;
    v[o + 7] = position;
    v[o + 8] = sourceTimestamp ?? null;
  }

  /**
   * Writes a tombstone version over the entity's current version `prev`; the data stays readable.
   * Returns the tombstone's seq.
   */
  tombstone(type: string, key: string, version: number, prev: number, ms: number, position?: Position, sourceTimestamp?: string): number {
    const c = this.ctx;
    const seq = ++c.seq;
    this.addVersion(seq, type, key, version + 1, 'deleted', prev, null, position === undefined ? null : JSON.stringify(position), sourceTimestamp);
    // The entity's row may still be buffered: the update must come after its upsert.
    this.entities.flush();
    this.tombstoneEntity.run(version + 1, seq, c.flow ?? null, c.origin, ms, type, key);
    return seq;
  }
}

function sourceMs(w: EntityWrite): number {
  const ms = Date.parse(w.sourceTimestamp!);
  if (Number.isNaN(ms)) {
    throw new DataError({
      code: 'field.date',
      message: `sourceTimestamp of ${w.type} ${w.key} is not an ISO 8601 time`,
      field: 'sourceTimestamp',
      value: w.sourceTimestamp,
      position: w.position,
    });
  }
  return ms;
}
