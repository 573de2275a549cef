import type Database from 'better-sqlite3';
import type { EntityWriter } from './entity-writer.js';
import { FullSyncHeldError } from './errors.js';
import type { FullSyncRequest, RejectInput } from './types.js';

interface Victim {
  key: string;
  version: number;
  seq: number;
  ts_ms: number;
}

interface Base {
  base: number | null;
  unkeyed: number;
}

/**
 * Full sync: a flow's complete delivery is the whole set of one entity type *as that flow
 * knows it*. The flow's set is the live entities of the type whose current version this flow
 * wrote (lineage flow); entities another source wrote last are not the flow's to delete. Of that
 * set, every entity whose key no record of this delivery named (created, updated, unchanged,
 * skipped by a conflict policy, or rejected with its key known) is deleted: a tombstone version
 * with op `deleted` and a change event, lineage naming this delivery.
 *
 * The deletions are held back (FullSyncHeldError, the caller's transaction rolls back: nothing
 * deleted, the delivery not complete) unless `force` is set, when they exceed `maxDeleteShare` of
 * the set as it was before the delivery (its *base*, counted as its first batch begins: the
 * entities it creates, revives or takes over from another source are not the flow's yet), or when
 * a record of the delivery was rejected with its key unknown: that record may name any of them.
 *
 * "Seen" keys are kept per batch as one JSON array row (`full_sync_seen`), so the unchanged path
 * costs a push to an array, not an update per entity; the rows go when the delivery completes.
 */
export class FullSync {
  private readonly saveSeen: Database.Statement<[number, string]>;
  private readonly clearKeys: Database.Statement<[]>;
  private readonly loadKeys: Database.Statement<[number]>;
  private readonly dropSeen: Database.Statement<[number]>;
  private readonly countLive: Database.Statement<[string, string], number>;
  private readonly unseen: Database.Statement<[string, string], Victim>;
  private readonly setBase: Database.Statement<[number, number]>;
  private readonly addUnkeyed: Database.Statement<[number, number]>;
  private readonly getBase: Database.Statement<[number], Base>;

  constructor(db: Database.Database) {
    db.exec('CREATE TEMP TABLE IF NOT EXISTS full_sync_keys (key TEXT PRIMARY KEY) WITHOUT ROWID');
    this.saveSeen = db.prepare('INSERT INTO full_sync_seen (delivery, keys) VALUES (?, ?)');
    this.clearKeys = db.prepare('DELETE FROM temp.full_sync_keys');
    this.loadKeys = db.prepare('INSERT OR IGNORE INTO temp.full_sync_keys SELECT j.value FROM full_sync_seen s, json_each(s.keys) j WHERE s.delivery = ?');
    this.dropSeen = db.prepare('DELETE FROM full_sync_seen WHERE delivery = ?');
    this.countLive = db.prepare<[string, string], number>('SELECT count(*) FROM entities WHERE type = ? AND flow = ? AND deleted = 0').pluck();
    this.unseen = db.prepare(
      `SELECT key, version, seq, ts_ms FROM entities WHERE type = ? AND flow = ? AND deleted = 0
        AND key NOT IN (SELECT key FROM temp.full_sync_keys) ORDER BY key`,
    );
    this.setBase = db.prepare('UPDATE deliveries SET full_sync_base = ?, full_sync_unkeyed = 0 WHERE id = ?');
    this.addUnkeyed = db.prepare('UPDATE deliveries SET full_sync_unkeyed = full_sync_unkeyed + ? WHERE id = ?');
    this.getBase = db.prepare('SELECT full_sync_base AS base, full_sync_unkeyed AS unkeyed FROM deliveries WHERE id = ?');
  }

  /** Counts the flow's set before the delivery writes. Inside its first batch's transaction, before the writes. */
  begin(deliveryRowId: number, type: string, flow: string): void {
    this.setBase.run(this.countLive.get(type, flow)!, deliveryRowId);
  }

  /**
   * Remembers the keys one batch of the delivery wrote, and those of its rejected records (keys
   * known or not). Inside the batch's transaction.
   */
  remember(deliveryRowId: number, keys: string[], rejects: readonly RejectInput[] | undefined): void {
    let unkeyed = 0;
    for (const r of rejects ?? []) {
      if (r.key === undefined) unkeyed++;
      else keys.push(r.key);
    }
    if (keys.length) this.saveSeen.run(deliveryRowId, JSON.stringify(keys));
    if (unkeyed) this.addUnkeyed.run(unkeyed, deliveryRowId);
  }

  /**
   * Deletes what the delivery did not see; returns how many. Inside the last batch's transaction.
   * `applied`: records of the delivery its earlier batches committed (for the held message).
   */
  run(writer: EntityWriter, flow: string, deliveryRowId: number, request: FullSyncRequest, applied: number): number {
    const share = request.maxDeleteShare;
    if (!(share >= 0 && share <= 1)) throw new RangeError(`full sync of ${request.type}: maxDeleteShare must be between 0 and 1, not ${share}`);
    this.clearKeys.run();
    this.loadKeys.run(deliveryRowId);
    const victims = this.unseen.all(request.type, flow);
    this.clearKeys.run();
    this.dropSeen.run(deliveryRowId);
    if (victims.length === 0) return 0;
    const { base, unkeyed } = this.getBase.get(deliveryRowId)!;
    // A delivery begun before the store kept its base: the set as it is now, its own writes included.
    const live = base ?? this.countLive.get(request.type, flow)!;
    // A small epsilon so that 0.2 of 100 allows exactly 20 despite binary fractions.
    const overShare = victims.length > share * live + 1e-9;
    if (!request.force && (overShare || unkeyed > 0)) {
      throw new FullSyncHeldError(flow, request.type, victims.length, live, share, overShare, unkeyed, applied);
    }
    // The tombstone keeps the deleted version's time, not the arrival's: an absence has no source
    // time of its own, and stamped now it would be newer than every record the source can send of
    // the entity, so that under last-write-wins the flow could never bring it back (a record of
    // it older than the version it deleted still loses, as it would have lost to that version).
    for (const v of victims) writer.tombstone(request.type, v.key, v.version, v.seq, v.ts_ms);
    return victims.length;
  }
}
