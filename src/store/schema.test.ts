import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { canonicalJson, contentHash } from './canonical-json.js';
import { ConfigError } from '../core/errors.js';
import { openDatabase, schemaVersion } from './schema.js';
import { claimStore } from './store-claim.js';
import { flowOrigin, TempStores, upsert } from './test-support.js';

const stores = new TempStores();
afterEach(() => stores.cleanup());

describe('openDatabase', () => {
  it('makes a new store of 16 KiB pages, and opens one of another page size as it is', () => {
    const fresh = openDatabase(stores.path(), 1000);
    expect(fresh.pragma('page_size', { simple: true })).toBe(16384);
    fresh.close();
    const path = stores.path();
    const old = new Database(path);
    old.pragma('page_size = 4096');
    old.exec('CREATE TABLE kept (x)');
    old.close();
    const reopened = openDatabase(path, 1000);
    expect(reopened.pragma('page_size', { simple: true })).toBe(4096);
    expect(reopened.prepare('SELECT count(*) FROM kept').pluck().get()).toBe(0);
    reopened.close();
  });
});

describe('schema version 7: the content hash is no longer stored', () => {
  it('opens a store whose rows carry hashes, keeps their data, and still counts the same content as unchanged', async () => {
    const { path, db: old } = stores.before('DROP COLUMN hash');
    const json = canonicalJson({ name: 'Ada', balance: '1.00' });
    old.exec("INSERT INTO origins (id, origin, flow, delivery_id, delivery_name) VALUES (1, 'flow:crm', 'crm', 'd1', 'd1.txt')");
    old.prepare("INSERT INTO versions (seq, type, key, version, op, prev, data, hash, at, origin_id) VALUES (1, 'Customer', '42', 1, 'created', NULL, ?, ?, '2026-11-01T10:00:00.000Z', 1)").run(json, contentHash(json));
    old.prepare("INSERT INTO entities (type, key, version, seq, data_seq, hash, created_at, flow, origin, ts_ms) VALUES ('Customer', '42', 1, 1, 1, ?, '2026-11-01T10:00:00.000Z', 'crm', 'flow:crm', 0)").run(contentHash(json));
    old.close();

    const store = stores.open({ path });
    expect(await store.get('Customer', '42')).toMatchObject({ version: 1, data: { name: 'Ada', balance: '1.00' }, hash: contentHash(json) });
    const same = await store.apply({ origin: flowOrigin('crm', 'd2'), writes: [upsert('Customer', '42', { balance: '1.00', name: 'Ada' })] });
    expect(same).toMatchObject({ created: 0, updated: 0, unchanged: 1, lastSeq: 1 });
    const changed = await store.apply({ origin: flowOrigin('crm', 'd3'), writes: [upsert('Customer', '42', { balance: '2.00', name: 'Ada' })] });
    expect(changed).toMatchObject({ updated: 1, lastSeq: 2 });
    expect((await store.history('Customer', '42')).map((v) => [v.version, v.hash])).toEqual([
      [1, contentHash(json)],
      [2, contentHash(canonicalJson({ name: 'Ada', balance: '2.00' }))],
    ]);
  });
});

describe('schema version 9: a full sync keeps its base and its rejects of unknown key', () => {
  it('counts the rejects of a delivery in progress as of unknown key: their keys were not kept', async () => {
    const { path, db: old } = stores.before('full_sync_base');
    old.exec(`INSERT INTO deliveries (flow, delivery_id, complete, records_done, n_rejected, started_at, finished_at)
      VALUES ('crm', 'mon', 1, 3, 1, '2026-11-01T10:00:00.000Z', '2026-11-01T10:00:01.000Z'),
             ('crm', 'tue', 0, 2000, 2, '2026-11-02T10:00:00.000Z', NULL)`);
    old.close();
    stores.open({ path });
    const db = new Database(path, { readonly: true });
    expect(db.prepare('SELECT delivery_id, full_sync_base, full_sync_unkeyed FROM deliveries ORDER BY id').raw().all()).toEqual([
      ['mon', null, 0],
      ['tue', null, 2],
    ]);
    db.close();
  });
});

describe('schema version 10: deliveries are marked settled', () => {
  it('takes the complete deliveries and the refusals of an older build as settled, so a snapshot dropped again is still applied anew', async () => {
    const { path, db: old } = stores.before('settled_at');
    old.exec(`INSERT INTO deliveries (flow, delivery_id, complete, records_done, started_at, finished_at, superseded_at)
      VALUES ('crm', 'mon', 1, 3, '2026-11-01T10:00:00.000Z', '2026-11-01T10:00:01.000Z', '2026-11-02T10:00:01.000Z'),
             ('crm', 'half', 0, 1, '2026-11-03T10:00:00.000Z', NULL, NULL)`);
    old.exec("INSERT INTO delivery_failures (flow, delivery_id, status, records, error_count, errors, at) VALUES ('crm', 'bad', 'failed', 0, 0, '[]', '2026-11-01T11:00:00.000Z')");
    old.close();
    const store = stores.open({ path });
    expect(await store.delivery('crm', 'mon')).toMatchObject({ state: 'superseded', settledAt: '2026-11-01T10:00:01.000Z' });
    expect(await store.delivery('crm', 'half')).not.toHaveProperty('settledAt');
    expect(await store.unsettledRefusal('crm', 'bad')).toBeUndefined();
  });
});

describe('a migration an older build cannot work with', () => {
  /** A process holding the store's claim, as a running `bridge run` of the older build does. */
  async function heldByAnother(path: string): Promise<ReturnType<typeof spawn>> {
    const claimer = new URL('./store-claim.ts', import.meta.url).pathname;
    const holder = spawn(process.execPath, ['--import', 'tsx', '-e', `import(${JSON.stringify(claimer)}).then((m) => { m.claimStore(${JSON.stringify(path)}); console.log('held'); setInterval(() => {}, 1000); })`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((resolve) => holder.stdout!.once('data', resolve));
    return holder;
  }

  it('includes marking deliveries settled: an older build would leave its own deliveries unmarked', async () => {
    const { path, db: old } = stores.before('settled_at');
    const version = old.pragma('user_version', { simple: true }) as number;
    old.close();
    const holder = await heldByAnother(path);
    try {
      expect(() => openDatabase(path, 100)).toThrow(`store schema version ${version} must be upgraded to ${schemaVersion}, which the bridge run (pid ${holder.pid}) using the store cannot work with`);
    } finally {
      holder.kill('SIGKILL');
      await new Promise((resolve) => holder.once('close', resolve));
    }
  });

  it('is not run while a bridge run of another process holds the store, and is run by the one that holds it', async () => {
    const { path, db: old } = stores.before('DROP COLUMN hash');
    old.pragma('journal_mode = WAL');
    const version = old.pragma('user_version', { simple: true }) as number;
    old.close();
    const holder = await heldByAnother(path);
    try {
      const refused = (() => {
        try {
          openDatabase(path, 100).close();
        } catch (e) {
          return e;
        }
      })();
      expect(refused).toBeInstanceOf(ConfigError);
      expect((refused as Error).message).toContain(`store schema version ${version} must be upgraded to ${schemaVersion}, which the bridge run (pid ${holder.pid}) using the store cannot work with: stop it`);
      const still = new Database(path);
      expect(still.pragma('user_version', { simple: true })).toBe(version);
      still.close();
    } finally {
      holder.kill('SIGKILL');
      await new Promise((resolve) => holder.once('close', resolve));
    }
    // This process's own claim, as `bridge run` holds it while it opens the store.
    const claim = claimStore(path);
    expect('release' in claim).toBe(true);
    try {
      const db = openDatabase(path, 100);
      expect(db.pragma('user_version', { simple: true })).toBe(schemaVersion);
      // The tables rewritten, the WAL that held them is emptied, not left the store's size.
      expect(existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0).toBe(0);
      db.close();
    } finally {
      if ('release' in claim) claim.release();
    }
  });
});
