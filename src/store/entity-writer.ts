import type Database from 'better-sqlite3';
import { DataError } from '../core/errors.js';
import type { Position } from '../core/records.js';
import { canonicalJson, contentHash } from './canonical-json.js';
import type { ConflictRule } from './conflicts.js';
import type { ApplyCounts, EntityWrite, JsonObject } from './types.js';

/** An entity's current row, as the write path reads it: a raw tuple, cheaper than an object. */
type EntityRow = [version: number, seq: number, dataSeq: number, hash: string, deleted: 0 | 1, flow: string | null, origin: string, tsMs: number];
const VERSION = 0;
const SEQ = 1;
const DATA_SEQ = 2;
const HASH = 3;
const DELETED = 4;
const FLOW = 5;
const ORIGIN = 6;
const TS_MS = 7;

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
}

/**
 * The per-record write path, inside the batch's transaction: one point read of the entity, a
 * hash compare, and only for a real change a version row plus an entity update. Statements are
 * prepared once per connection; no closure or async step per record (what is allocated: the
 * key-sorted copy and its text, the row tuple, the position text).
 */
export class EntityWriter {
  private readonly select: Database.Statement<[string, string], EntityRow>;
  private readonly selectData: Database.Statement<[number], string>;
  private readonly insertVersion: Database.Statement;
  private readonly insertEntity: Database.Statement;
  private readonly updateEntity: Database.Statement;
  private readonly tombstoneEntity: Database.Statement;
  ctx!: BatchContext;

  constructor(
    db: Database.Database,
    private readonly rules: Map<string, ConflictRule>,
  ) {
    this.select = db.prepare<[string, string], EntityRow>('SELECT version, seq, data_seq, hash, deleted, flow, origin, ts_ms FROM entities WHERE type = ? AND key = ?').raw();
    this.selectData = db.prepare<[number], string>('SELECT data FROM versions WHERE seq = ?').pluck();
    this.insertVersion = db.prepare(
      'INSERT INTO versions (seq, type, key, version, op, prev, data, hash, at, origin_id, position, source_ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.insertEntity = db.prepare(
      'INSERT INTO entities (type, key, version, seq, data_seq, hash, created_at, deleted, flow, origin, ts_ms) VALUES (?, ?, 1, ?, ?, ?, ?, 0, ?, ?, ?)',
    );
    this.updateEntity = db.prepare(
      'UPDATE entities SET version = ?, seq = ?, data_seq = ?, hash = ?, created_at = coalesce(?, created_at), deleted = 0, flow = ?, origin = ?, ts_ms = ? WHERE type = ? AND key = ?',
    );
    this.tombstoneEntity = db.prepare('UPDATE entities SET version = ?, seq = ?, deleted = 1, flow = ?, origin = ?, ts_ms = ? WHERE type = ? AND key = ?');
  }

  begin(ctx: BatchContext): void {
    this.ctx = ctx;
  }

  write(w: EntityWrite): void {
    const c = this.ctx;
    if (c.seenType === w.type) c.seenKeys.push(w.key);
    const row = this.select.get(w.type, w.key);
    const rule = this.rules.get(w.type);
    const ms = w.sourceTimestamp === undefined ? c.atMs : sourceMs(w);
    const isDelete = w.op === 'delete';
    if (isDelete && (row === undefined || row[DELETED] === 1)) {
      c.counts.unchanged++;
      return;
    }
    if (row !== undefined && rule !== undefined && rule.skips(row[FLOW], row[ORIGIN], row[TS_MS], ms, c.flow, c.origin)) {
      c.counts.skipped++;
      return;
    }
    if (isDelete) {
      this.tombstone(w.type, w.key, row![VERSION], row![SEQ], ms, w.position, w.sourceTimestamp);
      c.counts.deleted++;
      return;
    }
    if (w.data === undefined) throw new TypeError(`write of ${w.type} ${w.key} has neither data nor op 'delete'`);
    const live = row !== undefined && row[DELETED] === 0;
    const data =
      rule?.merge === undefined ? w.data : rule.merge(w.data, live ? (JSON.parse(this.selectData.get(row[DATA_SEQ])!) as JsonObject) : undefined, c.flow, c.origin);
    const json = canonicalJson(data);
    const hash = contentHash(json);
    if (live && row[HASH] === hash) {
      c.counts.unchanged++;
      return;
    }
    const seq = ++c.seq;
    const position = w.position === undefined ? null : JSON.stringify(w.position);
    const ts = w.sourceTimestamp ?? null;
    const flow = c.flow ?? null;
    if (row === undefined) {
      this.insertVersion.run(seq, w.type, w.key, 1, 'created', null, json, hash, c.at, c.originId, position, ts);
      this.insertEntity.run(w.type, w.key, seq, seq, hash, c.at, flow, c.origin, ms);
      c.counts.created++;
      return;
    }
    // A revived tombstone is 'created' again: its life (and createdAt) starts anew; version goes on.
    const version = row[VERSION] + 1;
    this.insertVersion.run(seq, w.type, w.key, version, live ? 'updated' : 'created', row[SEQ], json, hash, c.at, c.originId, position, ts);
    this.updateEntity.run(version, seq, seq, hash, live ? null : c.at, flow, c.origin, ms, w.type, w.key);
    if (live) c.counts.updated++;
    else c.counts.created++;
  }

  /** Writes a tombstone version over the entity's current version `prev`; the data stays readable. */
  tombstone(type: string, key: string, version: number, prev: number, ms: number, position?: Position, sourceTimestamp?: string): void {
    const c = this.ctx;
    const seq = ++c.seq;
    const pos = position === undefined ? null : JSON.stringify(position);
    this.insertVersion.run(seq, type, key, version + 1, 'deleted', prev, null, null, c.at, c.originId, pos, sourceTimestamp ?? null);
    this.tombstoneEntity.run(version + 1, seq, c.flow ?? null, c.origin, ms, type, key);
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
