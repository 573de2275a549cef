import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { migrations } from './schema.js';
import { openSqliteStore, type SqliteStore, type SqliteStoreOptions } from './sqlite-store.js';
import type { ApplyBatch, EntityWrite, Origin } from './types.js';

/** Temp directories and stores for tests; `cleanup()` closes every store and removes the files. */
export class TempStores {
  private readonly dirs: string[] = [];
  private readonly stores: SqliteStore[] = [];

  path(name = 'store.db'): string {
    const dir = mkdtempSync(join(tmpdir(), 'lb-store-'));
    this.dirs.push(dir);
    return join(dir, name);
  }

  /**
   * A new database at the schema of the build before the migration that contains `marker`, as
   * that build left it, for a test to fill and then open as a store.
   */
  before(marker: string): { path: string; db: Database.Database } {
    const version = migrations.findIndex((m) => m.includes(marker));
    if (version < 0) throw new Error(`no migration contains ${marker}`);
    const path = this.path();
    const db = new Database(path);
    for (const m of migrations.slice(0, version)) db.exec(m);
    db.pragma(`user_version = ${version}`);
    return { path, db };
  }

  open(options: Partial<SqliteStoreOptions> = {}): SqliteStore {
    const store = openSqliteStore({ path: options.path ?? this.path(), ...options });
    this.stores.push(store);
    return store;
  }

  async cleanup(): Promise<void> {
    for (const s of this.stores.splice(0)) await s.close();
    for (const d of this.dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  }
}

export const flowOrigin = (flow: string, deliveryId?: string): Origin => ({ origin: `flow:${flow}`, flow, deliveryId, deliveryName: deliveryId && `${deliveryId}.txt` });

export const upsert = (type: string, key: string, data: Record<string, unknown>, extra: Partial<EntityWrite> = {}): EntityWrite => ({ type, key, data, ...extra });

/** One batch of a delivery: `records` done so far, `complete` on the last. */
export function deliveryBatch(flow: string, deliveryId: string, writes: EntityWrite[], recordsDone: number, complete: boolean, extra: Partial<ApplyBatch> = {}): ApplyBatch {
  return { origin: flowOrigin(flow, deliveryId), writes, progress: { flow, deliveryId, recordsDone, complete }, ...extra };
}
