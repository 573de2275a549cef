import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from './schema.js';
import { TempStores } from './test-support.js';

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
