import type Database from 'better-sqlite3';
import type { EntityWrite } from './types.js';

/**
 * An entity's current row, as the write path reads it: a raw tuple, cheaper than an object.
 * Index 0 is the key as stored; `data` is the canonical text of its data (for a tombstone, of the
 * data it had). The last three (what conflict policies decide by) are read only for types with a
 * policy: undefined otherwise.
 */
export type EntityRow = [
  key: string,
  version: number,
  seq: number,
  dataSeq: number,
  data: string,
  deleted: 0 | 1,
  flow: string | null,
  origin: string,
  tsMs: number,
];

const columns = 'e.key, e.version, e.seq, e.data_seq, d.data, e.deleted';
/**
 * The row of a type without a conflict policy as one text, `deleted,version,seq,data_seq` US
 * data US key (US = U+001F): better-sqlite3 makes one string of it instead of an array of six
 * values, half the time of an unchanged re-ingest's reads (1.0-1.6 s against 2.2-2.5 s per
 * million rows). Canonical JSON never holds a raw U+001F, and the key, which may, comes last.
 */
const packed = "e.deleted || ',' || e.version || ',' || e.seq || ',' || e.data_seq || char(31) || d.data || char(31) || e.key";
const policyColumns = 'e.flow, e.origin, e.ts_ms';
const withData = 'entities e JOIN versions d ON d.seq = e.data_seq';
/**
 * A key with a UTF-16 surrogate may come back from SQLite spelt differently (a lone surrogate
 * is stored as its three CESU-8 bytes, which read back as three U+FFFD), so a miss for such a
 * key is confirmed by a point read.
 */
const surrogate = /[\uD800-\uDFFF]/;
/**
 * Keys whose batch is not read as a range: a surrogate (see rangeOf), and U+FFFD, which another
 * key in the range, stored with a lone surrogate, may read back as (the IN query matches keys as
 * stored, so it never returns another key's row).
 */
const notInRange = /[\uD800-\uDFFF\uFFFD]/;
/** A batch's keys of one type, from this many on, are first looked for as one key range. */
const RANGE_MIN_KEYS = 64;

/**
 * The current rows of the entities a batch writes, read up front with one query per entity type
 * (the keys passed as one JSON array) rather than one point read per write, and kept up to date
 * by the writer as it writes (`set`), so a key written twice in one batch sees its first write.
 */
export class CurrentRows {
  private readonly many: Database.Statement<[string, string], string>;
  private readonly manyWithPolicy: Database.Statement<[string, string], EntityRow>;
  private readonly one: Database.Statement<[string, string], EntityRow>;
  private readonly range: Database.Statement<[string, string, string], string>;
  private readonly rangeWithPolicy: Database.Statement<[string, string, string], EntityRow>;
  private readonly countRange: Database.Statement<[string, string, string, number], number>;
  /** Rows by type and key as read (packed, or with the policy columns) or as the writer set them. */
  private readonly byType = new Map<string, Map<string, EntityRow | string>>();

  /** `hasPolicy(type)`: whether writes of the type need the columns conflict policies read. */
  constructor(
    db: Database.Database,
    private readonly hasPolicy: (type: string) => boolean,
  ) {
    const select = (cols: string) => `SELECT ${cols} FROM ${withData} WHERE e.type = ? AND e.key IN (SELECT value FROM json_each(?))`;
    this.many = db.prepare<[string, string], string>(select(packed)).pluck();
    this.manyWithPolicy = db.prepare<[string, string], EntityRow>(select(`${columns}, ${policyColumns}`)).raw();
    const between = (cols: string) => `SELECT ${cols} FROM ${withData} WHERE e.type = ? AND e.key BETWEEN ? AND ?`;
    this.range = db.prepare<[string, string, string], string>(between(packed)).pluck();
    this.rangeWithPolicy = db.prepare<[string, string, string], EntityRow>(between(`${columns}, ${policyColumns}`)).raw();
    this.countRange = db
      .prepare<[string, string, string, number], number>('SELECT count(*) FROM (SELECT 1 FROM entities WHERE type = ? AND key BETWEEN ? AND ? LIMIT ?)')
      .pluck();
    this.one = db.prepare<[string, string], EntityRow>(`SELECT ${columns}, ${policyColumns} FROM ${withData} WHERE e.type = ? AND e.key = ?`).raw();
  }

  /** Forgets the last batch and reads the current rows of every entity `writes` names. */
  load(writes: readonly EntityWrite[]): void {
    this.byType.clear();
    const keysByType = new Map<string, string[]>();
    for (const w of writes) {
      let keys = keysByType.get(w.type);
      if (keys === undefined) keysByType.set(w.type, (keys = []));
      keys.push(w.key);
    }
    for (const [type, keys] of keysByType) {
      const rows = new Map<string, EntityRow | string>();
      this.byType.set(type, rows);
      for (const row of this.rowsOf(type, keys)) {
        rows.set(typeof row === 'string' ? packedKey(row) : row[0], row);
      }
    }
  }

  /**
   * The rows of `keys`, and maybe of other keys between them. A file's keys often come in order:
   * a first ingest's range then holds no row at all (one probe instead of one per key), and a
   * re-ingest's holds just the batch's rows, read in one scan. A range holding many more rows
   * than the batch has keys is not read; nor one for keys that rangeOf leaves out.
   */
  private rowsOf(type: string, keys: string[]): (EntityRow | string)[] {
    const policy = this.hasPolicy(type);
    if (keys.length >= RANGE_MIN_KEYS) {
      const ends = rangeOf(keys);
      if (ends !== undefined) {
        const rowsInRange = this.countRange.get(type, ends[0], ends[1], 2 * keys.length + 1)!;
        if (rowsInRange === 0) return [];
        if (rowsInRange <= 2 * keys.length) return (policy ? this.rangeWithPolicy : this.range).all(type, ends[0], ends[1]);
      }
    }
    return (policy ? this.manyWithPolicy : this.many).all(type, JSON.stringify(keys));
  }

  /**
   * The entity's current row, or undefined when it has none. `beforePointRead` runs before the
   * rare point read (it flushes buffered writes the read must see).
   */
  get(type: string, key: string, beforePointRead: { flush(): void }): EntityRow | undefined {
    const rows = this.byType.get(type);
    const row = rows?.get(key);
    if (typeof row === 'string') return unpack(key, row);
    if (row !== undefined || (rows !== undefined && !surrogate.test(key))) return row;
    beforePointRead.flush();
    return this.one.get(type, key);
  }

  /** Records what the writer made the entity's current row. */
  set(type: string, key: string, row: EntityRow): void {
    let rows = this.byType.get(type);
    if (rows === undefined) this.byType.set(type, (rows = new Map()));
    rows.set(key, row);
  }
}

/** The key of a packed row (see `packed`): all after the second separator. */
function packedKey(row: string): string {
  return row.slice(row.indexOf('\x1f', row.indexOf('\x1f') + 1) + 1);
}

/** The EntityRow of a packed row (see `packed`) of `key`, without the policy columns as a row read without them. */
function unpack(key: string, row: string): EntityRow {
  // "deleted," is two characters: the version starts at 2.
  const versionEnd = row.indexOf(',', 2);
  const seqEnd = row.indexOf(',', versionEnd + 1);
  const dataSeqEnd = row.indexOf('\x1f', seqEnd + 1);
  const dataEnd = row.indexOf('\x1f', dataSeqEnd + 1);
  const deleted = row.charCodeAt(0) === 49 ? 1 : 0;
  const unpacked = [key, int(row, 2, versionEnd), int(row, versionEnd + 1, seqEnd), int(row, seqEnd + 1, dataSeqEnd), row.slice(dataSeqEnd + 1, dataEnd), deleted];
  return unpacked as unknown as EntityRow;
}

/** The decimal integer written in `s` from `start` to `end`. */
function int(s: string, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) n = n * 10 + s.charCodeAt(i) - 48;
  return n;
}

/**
 * The smallest and largest of `keys`, or undefined for keys not read as a range (`notInRange`):
 * JavaScript compares UTF-16 code units, SQLite UTF-8 bytes, which agree but for a surrogate (a
 * character beyond U+FFFF sorts below U+E000–U+FFFF in UTF-16 and above it in UTF-8).
 */
function rangeOf(keys: readonly string[]): [low: string, high: string] | undefined {
  let low = keys[0];
  let high = keys[0];
  for (const k of keys) {
    if (notInRange.test(k)) return undefined;
    if (k < low) low = k;
    else if (k > high) high = k;
  }
  return [low, high];
}
