import type Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { ENTRY_BYTES } from '../core/record-digests.js';
import { RecordDigestSets } from './record-digest-sets.js';
import { openDatabase } from './schema.js';
import { TempStores } from './test-support.js';

const stores = new TempStores();
const headOf = (db: Database.Database) => () => db.prepare<[], number>('SELECT coalesce(max(seq), 0) FROM versions').pluck().get()!;
afterEach(() => stores.cleanup());

describe('record digest sets', () => {
  it('name the versions replaced since the set was made, and are not used past so many versions since', () => {
    const db = openDatabase(stores.open().path, 1000);
    try {
      const version = db.prepare("INSERT INTO versions (seq, type, key, version, op, prev, data, at, origin_id) VALUES (?, 'Row', ?, ?, ?, ?, '{}', 'now', 1)");
      version.run(1, 'A', 1, 'created', null);
      version.run(2, 'B', 1, 'created', null);
      db.prepare("INSERT INTO record_digests (delivery, entries, mapping) VALUES (7, ?, 'm')").run(Buffer.alloc(2 * ENTRY_BYTES));
      const sets = new RecordDigestSets(db, headOf(db));
      sets.complete('m', 'm.yaml', 'ctx', 7, 2);
      // Since: B updated twice (its set version is 2), A deleted (1), C created.
      version.run(3, 'B', 2, 'updated', 2);
      version.run(4, 'B', 3, 'updated', 3);
      version.run(5, 'A', 2, 'deleted', 1);
      version.run(6, 'C', 1, 'created', null);
      expect(sets.entries('m', 10)).toEqual({ entries: Buffer.alloc(2 * ENTRY_BYTES), context: 'ctx', changed: [2, 1] });
      expect(sets.entries('m', 1).entries.length).toBe(ENTRY_BYTES);
      expect(sets.entries('m', 10, 3).entries.length).toBe(0);
      expect(sets.entries('other', 10)).toEqual({ entries: Buffer.alloc(0), context: '', changed: [] });
      // A set without entries (a format that digests nothing: XML, JSON, several layouts) reads no versions.
      sets.complete('x', 'x.yaml', '', 8, 2);
      expect(sets.entries('x', 10)).toEqual({ entries: Buffer.alloc(0), context: '', changed: [] });
    } finally {
      db.close();
    }
  });

  it('go once too old to be used, whoever makes the next set', () => {
    const db = openDatabase(stores.open().path, 1000);
    try {
      const digests = db.prepare('INSERT INTO record_digests (delivery, entries, mapping) VALUES (?, ?, ?)');
      const sets = new RecordDigestSets(db, headOf(db));
      digests.run(7, Buffer.alloc(ENTRY_BYTES), 'moved');
      sets.complete('moved', '/releases/1/m.yaml', '', 7, 10);
      digests.run(8, Buffer.alloc(ENTRY_BYTES), 'recent');
      sets.complete('recent', 'r.yaml', '', 8, 500_000);
      expect(db.prepare('SELECT count(*) FROM record_digest_sets').pluck().get()).toBe(2);
      // A million versions after the first was made, by another mapping: the first is no one's to use.
      digests.run(9, Buffer.alloc(ENTRY_BYTES), 'other');
      sets.complete('other', 'o.yaml', '', 9, 1_000_011);
      expect(db.prepare('SELECT mapping FROM record_digest_sets ORDER BY mapping').pluck().all()).toEqual(['other', 'recent']);
      expect(db.prepare('SELECT delivery FROM record_digests ORDER BY delivery').pluck().all()).toEqual([8, 9]);
    } finally {
      db.close();
    }
  });
});
