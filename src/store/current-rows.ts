import type Database from 'better-sqlite3';
import type { EntityWrite } from './types.js';

/**
 * An entity's current row, as the write path reads it: a raw tuple, cheaper than an object.
 * Index 0 is the key as stored. The last three (what conflict policies decide by) are read only
 * for types with a policy: undefined otherwise.
 */
export type EntityRow = [
  key: string,
  version: number,
  seq: number,
  dataSeq: number,
  hash: string,
  deleted: 0 | 1,
  flow: string | null,
  origin: string,
  tsMs: number,
];

const columns = 'key, version, seq, data_seq, hash, deleted';
const policyColumns = 'flow, origin, ts_ms';
/**
 * A key with a UTF-16 surrogate may come back from SQLite spelt differently (a lone surrogate
 * is stored as U+FFFD), so a miss for such a key is confirmed by a point read.
 */
const surrogate = /[\uD800-\uDFFF]/;

/**
 * The current rows of the entities a batch writes, read up front with one query per entity type
 * (the keys passed as one JSON array) rather than one point read per write, and kept up to date
 * by the writer as it writes (`set`), so a key written twice in one batch sees its first write.
 */
export class CurrentRows {
  private readonly many: Database.Statement<[string, string], EntityRow>;
  private readonly manyWithPolicy: Database.Statement<[string, string], EntityRow>;
  private readonly one: Database.Statement<[string, string], EntityRow>;
  private readonly byType = new Map<string, Map<string, EntityRow>>();

  /** `hasPolicy(type)`: whether writes of the type need the columns conflict policies read. */
  constructor(
    db: Database.Database,
    private readonly hasPolicy: (type: string) => boolean,
  ) {
    const select = (cols: string) =>
      db.prepare<[string, string], EntityRow>(`SELECT ${cols} FROM entities WHERE type = ? AND key IN (SELECT value FROM json_each(?))`).raw();
    this.many = select(columns);
    this.manyWithPolicy = select(`${columns}, ${policyColumns}`);
    this.one = db.prepare<[string, string], EntityRow>(`SELECT ${columns}, ${policyColumns} FROM entities WHERE type = ? AND key = ?`).raw();
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
      const rows = new Map<string, EntityRow>();
      this.byType.set(type, rows);
      const select = this.hasPolicy(type) ? this.manyWithPolicy : this.many;
      for (const row of select.all(type, JSON.stringify(keys))) rows.set(row[0], row);
    }
  }

  /**
   * The entity's current row, or undefined when it has none. `beforePointRead` runs before the
   * rare point read (it flushes buffered writes the read must see).
   */
  get(type: string, key: string, beforePointRead: { flush(): void }): EntityRow | undefined {
    const rows = this.byType.get(type);
    const row = rows?.get(key);
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
