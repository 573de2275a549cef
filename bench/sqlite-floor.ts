import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalJson } from '../src/store/canonical-json.js';
import { ENTITY_ROWS, sharedValues, VERSION_ROWS } from '../src/store/entity-writer.js';
import { MultiRowInsert } from '../src/store/multi-row-insert.js';
import { openDatabase } from '../src/store/schema.js';
import { rowData } from './rest-store.js';

const batchSize = 5000;

/**
 * The floor under any ingest on this machine: better-sqlite3 alone writing, for `count` records of
 * the generated file, the rows a first ingest writes (a version and an entity per record, with
 * the store's own schema, multi-row inserts, batch size and synchronous=NORMAL), on one thread,
 * with the canonical text and position made before the clock starts. No decoding, mapping,
 * threads or bookkeeping: what is left of an ingest's time is the store. Records per second.
 */
export function sqliteFloor(count: number): number {
  const rows: [key: string, json: string, position: string][] = [];
  for (let i = 1; i <= count; i++) {
    const data = rowData(i);
    const json = canonicalJson(data);
    rows.push([data.id as string, json, `{"file":"rows.csv","line":${i + 1},"record":${i}}`]);
  }
  const dir = mkdtempSync(join(tmpdir(), 'bench-floor-'));
  const db = openDatabase(join(dir, 'floor.db'), 5000);
  try {
    db.pragma('synchronous = NORMAL');
    db.prepare("INSERT INTO origins (id, origin, flow, delivery_id, delivery_name) VALUES (1, 'file:first', 'first', 'd', 'rows.csv')").run();
    // The writer's own statements; a first ingest's entity rows are all new, so no upsert clause.
    const versions = new MultiRowInsert(db, VERSION_ROWS.head, VERSION_ROWS.row, VERSION_ROWS.width);
    const entities = new MultiRowInsert(db, ENTITY_ROWS.head, ENTITY_ROWS.row, ENTITY_ROWS.width);
    const started = performance.now();
    const at = new Date().toISOString();
    const atMs = Date.now();
    const shared = sharedValues({ at, originId: 1, origin: 'file:first', flow: 'first' });
    versions.shared = shared.versions;
    entities.shared = shared.entities;
    for (let from = 0; from < count; from += batchSize) {
      db.exec('BEGIN');
      for (let seq = from + 1; seq <= Math.min(from + batchSize, count); seq++) {
        const [key, json, position] = rows[seq - 1];
        const v = versions.values;
        const o = versions.next();
        v[o] = seq;
        v[o + 1] = 'Row';
        v[o + 2] = key;
        v[o + 3] = 1;
        v[o + 4] = 'created';
        v[o + 5] = null;
        v[o + 6] = json;
        v[o + 7] = position;
        v[o + 8] = null;
        const e = entities.values;
        const p = entities.next();
        e[p] = 'Row';
        e[p + 1] = key;
        e[p + 2] = 1;
        e[p + 3] = seq;
        e[p + 4] = seq;
        e[p + 5] = atMs;
      }
      versions.flush();
      entities.flush();
      db.exec('COMMIT');
    }
    return (count * 1000) / (performance.now() - started);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
