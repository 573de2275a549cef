import type Database from 'better-sqlite3';
import { DIGEST_WORDS, ENTRY_BYTES, type BatchDigests } from '../core/record-digests.js';
import { KnownRecordsChangedError } from './errors.js';
import type { KnownRecords } from './types.js';

/** Versions written since a set was made, past which it is not used (see `entries`). */
const MAX_VERSIONS_SINCE = 1_000_000;

/**
 * The store's part of recognising records a delivery of the same mapping brought before (see
 * core/record-digests.ts): each batch keeps the digests of its records with the seq of the
 * version each wrote or confirmed; a complete delivery's digests become its mapping's set, and
 * the set they replace goes. A record recognised by a later delivery counts as unchanged only if
 * that version is still its entity's current one, checked in the batch's transaction after its
 * writes; otherwise the batch is refused (KnownRecordsChangedError) and mapped again.
 */
export class RecordDigestSets {
  private readonly insert: Database.Statement<[number, Buffer, string]>;
  private readonly dropOthers: Database.Statement<[number, string]>;
  private readonly publishedFor: Database.Statement<[string], number>;
  private readonly publishing: Database.Statement<[number], string>;
  private readonly publish: Database.Statement<[string, number, string, number, string]>;
  private readonly othersOfFile: Database.Statement<[string, string], { mapping: string; delivery: number }>;
  private readonly dropSet: Database.Statement<[string]>;
  private readonly dropSetsOf: Database.Statement<[number]>;
  private readonly older: Database.Statement<[number], { mapping: string; delivery: number }>;
  private readonly dropOf: Database.Statement<[number]>;
  private readonly load: Database.Statement<[string], Buffer>;
  private readonly setOf: Database.Statement<[string], { context: string; head: number }>;
  private readonly replacedSince: Database.Statement<[number, number], number>;
  private readonly changed: Database.Statement<[string], number>;
  private readonly keysOf: Database.Statement<[string], string>;
  private readonly oneRead: (mapping: string, max: number, maxVersionsSince: number) => KnownRecords;

  /** `head`: the change feed's head (the applier's statement: one query for it, not two). */
  constructor(
    db: Database.Database,
    private readonly head: () => number,
  ) {
    this.insert = db.prepare('INSERT INTO record_digests (delivery, entries, mapping) VALUES (?, ?, ?)');
    this.dropOthers = db.prepare('DELETE FROM record_digests WHERE delivery = ? AND mapping IS NOT ?');
    this.publishedFor = db.prepare<[string], number>('SELECT delivery FROM record_digest_sets WHERE mapping = ?').pluck();
    this.publishing = db.prepare<[number], string>('SELECT mapping FROM record_digest_sets WHERE delivery = ? LIMIT 1').pluck();
    this.publish = db.prepare(
      `INSERT INTO record_digest_sets (mapping, delivery, context, head, file) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (mapping) DO UPDATE SET delivery = excluded.delivery, context = excluded.context, head = excluded.head, file = excluded.file`,
    );
    this.othersOfFile = db.prepare('SELECT mapping, delivery FROM record_digest_sets WHERE file = ? AND mapping <> ?');
    this.dropSet = db.prepare('DELETE FROM record_digest_sets WHERE mapping = ?');
    this.dropSetsOf = db.prepare('DELETE FROM record_digest_sets WHERE delivery = ?');
    this.older = db.prepare('SELECT mapping, delivery FROM record_digest_sets WHERE head < ?');
    this.setOf = db.prepare<[string], { context: string; head: number }>('SELECT context, head FROM record_digest_sets WHERE mapping = ?');
    // The version each entity changed since the head had then: what a set's entry of it names.
    this.replacedSince = db.prepare<[number, number], number>('SELECT prev FROM versions WHERE seq > ? AND prev <= ?').pluck();
    this.dropOf = db.prepare('DELETE FROM record_digests WHERE delivery = ?');
    this.load = db
      .prepare<[string], Buffer>('SELECT d.entries FROM record_digest_sets s JOIN record_digests d ON d.delivery = s.delivery WHERE s.mapping = ? ORDER BY d.rowid')
      .pluck();
    this.changed = db
      .prepare<[string], number>(
        `SELECT j.value FROM json_each(?) j LEFT JOIN versions v ON v.seq = j.value
          LEFT JOIN entities e ON e.type = v.type AND e.key = v.key
          WHERE e.seq IS NOT j.value OR e.deleted <> 0`,
      )
      .pluck();
    this.keysOf = db.prepare<[string], string>('SELECT v.key FROM json_each(?) j JOIN versions v ON v.seq = j.value').pluck();
    // One read transaction: another process (a `bridge ingest`, a second daemon) may make the
    // mapping's set anew between two statements, and its entries must not be taken with the
    // context (a CSV header) and head of the set they replaced.
    this.oneRead = db.transaction((mapping: string, max: number, maxVersionsSince: number) => this.entriesNow(mapping, max, maxVersionsSince));
  }

  /**
   * The entries of `mapping`'s set, concatenated (empty when there is none), at most `max` of
   * them (its first records'); its delivery's context; and the seqs of the versions the set
   * names that are current no more, as far as the versions written since it tell (an entry
   * replaced within its own delivery, a key sent twice, is found only when its batch is applied).
   */
  entries(mapping: string, max: number, maxVersionsSince = MAX_VERSIONS_SINCE): KnownRecords {
    return this.oneRead(mapping, max, maxVersionsSince);
  }

  private entriesNow(mapping: string, max: number, maxVersionsSince: number): KnownRecords {
    const set = this.setOf.get(mapping);
    // Past so many versions since, reading them would hold up the thread (a third of a second a
    // million): the delivery maps every record, and makes a new set.
    if (set === undefined || this.head() - set.head > maxVersionsSince) return { entries: Buffer.alloc(0), context: '', changed: [] };
    const rows: Buffer[] = [];
    let bytes = 0;
    for (const row of this.load.iterate(mapping)) {
      rows.push(row);
      bytes += row.length;
      if (bytes >= max * ENTRY_BYTES) break;
    }
    // Nothing to recognise (most often a format that digests no records): the versions since,
    // up to a third of a second to read, would tell nothing.
    if (rows.length === 0) return { entries: Buffer.alloc(0), context: set.context, changed: [] };
    const entries = Buffer.concat(rows);
    return { entries: entries.subarray(0, Math.min(entries.length, max * ENTRY_BYTES)), context: set.context, changed: this.replacedSince.all(set.head, set.head) };
  }

  /**
   * Checks the batch's known records, after its writes; returns their keys when `withKeys` (a
   * full sync's seen keys). Throws KnownRecordsChangedError naming those no longer current.
   */
  confirm(digests: BatchDigests, withKeys: boolean): string[] {
    if (digests.knownSeqs.length === 0) return [];
    const seqs = JSON.stringify(Array.from(digests.knownSeqs));
    const changed = this.changed.all(seqs);
    if (changed.length) throw new KnownRecordsChangedError(changed);
    return withKeys ? this.keysOf.all(seqs) : [];
  }

  /** Keeps the batch's digests, taken under `mapping`: each write's with the seq `writeSeqs` gives it (0: none kept), then the known records'. */
  save(deliveryRowId: number, mapping: string, digests: BatchDigests, writeSeqs: readonly number[]): void {
    const known = digests.knownSeqs.length;
    const buffer = new ArrayBuffer((writeSeqs.length + known) * ENTRY_BYTES);
    const words = new Uint32Array(buffer);
    const seqs = new Float64Array(buffer);
    let n = 0;
    // Word by word: a subarray a record cost the store's thread, the first ingest's slower one, an object each.
    const add = (from: Uint32Array, at: number, seq: number) => {
      const o = n * 6;
      words[o] = from[at];
      words[o + 1] = from[at + 1];
      words[o + 2] = from[at + 2];
      words[o + 3] = from[at + 3];
      seqs[n * 3 + 2] = seq;
      n++;
    };
    const w = digests.writes;
    for (let i = 0; i < writeSeqs.length; i++) {
      const at = i * DIGEST_WORDS;
      if (writeSeqs[i] > 0 && (w[at] | w[at + 1] | w[at + 2] | w[at + 3]) !== 0) add(w, at, writeSeqs[i]);
    }
    for (let i = 0; i < known; i++) add(digests.knownDigests, i * DIGEST_WORDS, digests.knownSeqs[i]);
    if (n > 0) this.insert.run(deliveryRowId, Buffer.from(buffer, 0, n * ENTRY_BYTES), mapping);
  }

  /**
   * Makes a complete delivery's digests its mapping's set; those of the set it replaces go, and
   * those of the same mapping file's sets under other identities, unless another set is the same
   * delivery's.
   */
  complete(mapping: string, file: string, context: string, deliveryRowId: number, head: number): void {
    // Batches of an earlier run of the delivery, cut short, may have been mapped otherwise.
    this.dropOthers.run(deliveryRowId, mapping);
    const replaced = this.publishedFor.get(mapping);
    this.publish.run(mapping, deliveryRowId, context, head, file);
    if (replaced !== undefined && replaced !== deliveryRowId && this.publishing.get(replaced) === undefined) this.dropOf.run(replaced);
    // The same mapping file under another identity: before an edit of it (or its model, its
    // lookups) or an upgrade, which no delivery will recognise records by again.
    // And any set too old to be used again (see `entries`): a mapping file moved or renamed, or
    // removed, leaves its sets to no one.
    for (const old of [...this.othersOfFile.all(file, mapping), ...this.older.all(head - MAX_VERSIONS_SINCE)]) {
      this.dropSet.run(old.mapping);
      if (old.delivery !== deliveryRowId && this.publishing.get(old.delivery) === undefined) this.dropOf.run(old.delivery);
    }
  }

  /**
   * Drops what a delivery's digests were: its rows, and any set naming it. For a delivery applied
   * anew (its first application's set may be another mapping's still: added to, it would hold
   * digests taken under two mappings), refused, or forgotten.
   */
  dropDelivery(deliveryRowId: number): void {
    this.dropOf.run(deliveryRowId);
    this.dropSetsOf.run(deliveryRowId);
  }
}
