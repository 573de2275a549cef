import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, RetryableError } from '../core/errors.js';
import { schemaVersion } from './schema.js';
import { TempStores, upsert } from './test-support.js';

const stores = new TempStores();
afterEach(() => stores.cleanup());

describe('a store locked by another process', () => {
  it('throws RetryableError after the busy timeout, and works once the lock is released', async () => {
    const path = stores.path();
    const store = stores.open({ path, busyTimeoutMs: 50 });
    await store.apply({ origin: { origin: 'api:x' }, writes: [upsert('T', '1', {})] });

    const other = new Database(path, { timeout: 0 });
    try {
      other.exec('BEGIN IMMEDIATE');
      const started = performance.now();
      const error = await store.apply({ origin: { origin: 'api:x' }, writes: [upsert('T', '2', {})] }).catch((e: unknown) => e);
      expect(performance.now() - started).toBeGreaterThanOrEqual(40);
      expect(error).toBeInstanceOf(RetryableError);
      expect((error as Error).message).toBe(`store ${path} is locked by another process`);
      expect((error as Error & { cause: { code: string } }).cause.code).toBe('SQLITE_BUSY');
      // WAL: readers are not blocked by the writer.
      expect((await store.get('T', '1'))!.version).toBe(1);
      await expect(store.setRejectStatus([1], 'open')).rejects.toThrow(`store ${path} is locked by another process`);
      other.exec('ROLLBACK');
    } finally {
      other.close();
    }
    expect(await store.apply({ origin: { origin: 'api:x' }, writes: [upsert('T', '2', {})] })).toMatchObject({ created: 1, lastSeq: 2 });
  });

  it('waits for the lock without holding up the thread, and writes once it is released', async () => {
    const path = stores.path();
    const store = stores.open({ path, busyTimeoutMs: 5000 });
    await store.apply({ origin: { origin: 'api:x' }, writes: [upsert('T', '1', {})] });
    const other = new Database(path, { timeout: 0 });
    // What a REST server does meanwhile: timers run on time, reads answer.
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 10);
    try {
      other.exec('BEGIN IMMEDIATE');
      const started = performance.now();
      const write = store.apply({ origin: { origin: 'api:x' }, writes: [upsert('T', '2', {})] });
      await new Promise((resolve) => setTimeout(resolve, 300));
      // Blocked in SQLite, the timer would fire only after the whole busy timeout (5 s).
      expect(performance.now() - started).toBeLessThan(1000);
      expect(ticks).toBeGreaterThanOrEqual(10);
      expect((await store.get('T', '1'))!.version).toBe(1);
      other.exec('COMMIT');
      expect(await write).toMatchObject({ created: 1 });
      expect(performance.now() - started).toBeLessThan(1500);
    } finally {
      clearInterval(ticker);
      other.close();
    }
  });

  it('refuses a file that is not a SQLite database with a ConfigError naming it', () => {
    const path = stores.path('not-a-db.db');
    writeFileSync(path, 'this is a text file, long enough to have a header that is not SQLite format 3 at all......');
    const open = () => stores.open({ path });
    expect(open).toThrow(ConfigError);
    expect(open).toThrow(`${path}: cannot use as store: file is not a database (SQLITE_NOTADB)`);
  });
});

describe('opening', () => {
  it('refuses a store whose schema is newer than this build', () => {
    const path = stores.path();
    const db = new Database(path);
    db.pragma('user_version = 99');
    db.close();
    expect(() => stores.open({ path })).toThrow(`${path}: store schema version 99 is newer than this build knows (${schemaVersion}): upgrade legacy-bridge or use another store file`);
  });
});
