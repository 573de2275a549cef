import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { TempStores, upsert } from './test-support.js';
import type { SqliteStore } from './sqlite-store.js';
import type { EntityWrite } from './types.js';

const stores = new TempStores();
afterEach(() => stores.cleanup());

const api = { origin: 'api:crm' };

/** Everything a store holds about the entities, without the clock's times. */
async function snapshot(store: SqliteStore, keys: [string, string][]) {
  const out: unknown[] = [];
  for (const [type, key] of keys) {
    const history = await store.history(type, key);
    const current = await store.get(type, key);
    out.push([type, key, history.map((v) => [v.version, v.op, v.data, v.hash, v.lineage.position]), current && [current.version, current.deleted, current.data]]);
  }
  out.push((await store.changes({ after: 0, limit: 100_000 })).map((c) => [c.seq, c.type, c.key, c.op, c.version]));
  return out;
}

const write = fc.record({
  type: fc.constantFrom('A', 'B'),
  key: fc.constantFrom('1', '2', '3', 'x\ud800', 'x\ud801'),
  v: fc.integer({ min: 0, max: 2 }),
  del: fc.boolean(),
});

describe('batched writes', () => {
  it('store the same as one write per batch, for any mix of creates, rewrites, deletes and revivals (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(write, { minLength: 1, maxLength: 150 }), async (ops) => {
        const writes: EntityWrite[] = ops.map((o, i) =>
          o.del ? { type: o.type, key: o.key, op: 'delete', position: { record: i } } : upsert(o.type, o.key, { v: o.v, z: 1, a: [o.v] }, { position: { record: i } }),
        );
        const batched = stores.open();
        const single = stores.open();
        const result = batched.applySync({ origin: api, writes });
        const totals = { created: 0, updated: 0, unchanged: 0, deleted: 0, rejected: 0, skipped: 0 };
        for (const w of writes) {
          const r = single.applySync({ origin: api, writes: [w] });
          for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += r[k];
        }
        expect(result).toEqual({ ...totals, lastSeq: await single.head() });
        const keys = [...new Set(ops.map((o) => `${o.type}\0${o.key}`))].map((k) => k.split('\0') as [string, string]);
        expect(await snapshot(batched, keys)).toEqual(await snapshot(single, keys));
        await stores.cleanup();
      }),
      { numRuns: 25 },
    );
  });

  it('writes a batch of many new entities past the multi-row size, in seq order', async () => {
    const store = stores.open();
    const writes = Array.from({ length: 300 }, (_, i) => upsert(i % 2 ? 'A' : 'B', String(i), { i }));
    expect(store.applySync({ origin: api, writes })).toMatchObject({ created: 300, lastSeq: 300 });
    const changes = await store.changes({ after: 0, limit: 1000 });
    expect(changes.map((c) => c.key)).toEqual(writes.map((w) => w.key));
    expect((await store.get('B', '298'))?.data).toEqual({ i: 298 });
    expect(store.applySync({ origin: api, writes })).toMatchObject({ created: 0, unchanged: 300, lastSeq: 300 });
  });

  it('reads back the current rows of keys and data holding the separators of a packed row', async () => {
    const store = stores.open();
    // Keys with U+001F and commas, data with U+001F in a value: as few keys as a point read takes,
    // and as many as a range read takes.
    for (const count of [3, 100]) {
      const keys = Array.from({ length: count }, (_, i) => `k\x1f${i},\x1f`);
      const data = (i: number, v: number) => ({ text: `a\x1fb,${i}`, v });
      const type = `T${count}`;
      const at = (v: number) => keys.map((k, i) => upsert(type, k, data(i, v)));
      expect(store.applySync({ origin: api, writes: at(1) })).toMatchObject({ created: count });
      expect(store.applySync({ origin: api, writes: at(1) })).toMatchObject({ created: 0, unchanged: count });
      expect(store.applySync({ origin: api, writes: at(2) })).toMatchObject({ updated: count, unchanged: 0 });
      expect(store.applySync({ origin: api, writes: keys.map((key) => ({ type, key, op: 'delete' as const })) })).toMatchObject({ deleted: count });
      expect(store.applySync({ origin: api, writes: keys.map((key) => ({ type, key, op: 'delete' as const })) })).toMatchObject({ deleted: 0, unchanged: count });
      expect(store.applySync({ origin: api, writes: at(2) })).toMatchObject({ created: count });
      for (const [i, key] of keys.entries()) {
        expect(await store.get(type, key)).toMatchObject({ version: 4, deleted: false, data: data(i, 2) });
        const history = await store.history(type, key);
        expect(history.map((v) => [v.version, v.op])).toEqual([[1, 'created'], [2, 'updated'], [3, 'deleted'], [4, 'created']]);
      }
    }
  });

  it('leaves nothing of a failed batch behind for the next one', async () => {
    const store = stores.open();
    const good = Array.from({ length: 100 }, (_, i) => upsert('A', String(i), { i }));
    expect(() => store.applySync({ origin: api, writes: [...good, { type: 'A', key: 'bad' }] })).toThrow("write of A bad has neither data nor op 'delete'");
    expect(store.applySync({ origin: api, writes: [upsert('A', 'only', { x: 1 })] })).toMatchObject({ created: 1, lastSeq: 1 });
    expect(await store.get('A', '5')).toBeUndefined();
    expect((await store.changes({ after: 0, limit: 1000 })).map((c) => c.key)).toEqual(['only']);
  });

  it('merges field ownership against a version written earlier in the same batch', async () => {
    const store = stores.open({ conflicts: [{ type: 'A', policy: 'field-ownership', owners: { name: 'crm' } }] });
    const crm = { origin: 'flow:crm', flow: 'crm' };
    store.applySync({ origin: crm, writes: [upsert('A', '1', { name: 'Ann', city: 'X' })] });
    const erp = { origin: 'flow:erp', flow: 'erp' };
    const result = store.applySync({ origin: erp, writes: [upsert('A', '1', { name: 'Bob', city: 'Y' }), upsert('A', '1', { name: 'Eve', city: 'Z' })] });
    expect(result).toMatchObject({ updated: 2, lastSeq: 3 });
    expect((await store.get('A', '1'))?.data).toEqual({ city: 'Z', name: 'Ann' });
  });

  // The current rows of a batch are read as one key range where that is cheaper (current-rows.ts):
  // each case must find every existing entity, whichever way they are read.
  const keyed = (keys: string[], v: number) => keys.map((k) => upsert('A', k, { v }));
  const padded = (i: number) => `K${String(i).padStart(5, '0')}`;

  it('finds existing entities in a batch whose key range holds other entities too', async () => {
    const store = stores.open();
    const all = Array.from({ length: 300 }, (_, i) => padded(i));
    store.applySync({ origin: api, writes: keyed(all, 1) });
    // Every other key of the range, half of them new: the range holds the other existing ones.
    const batch = Array.from({ length: 200 }, (_, i) => (i % 2 ? padded(i) : `${padded(i)}new`));
    expect(store.applySync({ origin: api, writes: keyed(batch, 1) })).toMatchObject({ created: 100, unchanged: 100 });
  });

  it('finds existing entities in a batch whose key range holds many more entities than it has keys', async () => {
    const store = stores.open();
    store.applySync({ origin: api, writes: keyed(Array.from({ length: 2000 }, (_, i) => padded(i)), 1) });
    const sparse = Array.from({ length: 100 }, (_, i) => padded(i * 20));
    expect(store.applySync({ origin: api, writes: keyed(sparse, 2) })).toMatchObject({ updated: 100, created: 0 });
  });

  it('does not take the row of a key with a lone surrogate, which reads back as U+FFFD, for a key of the batch so spelt', async () => {
    const store = stores.open();
    store.applySync({ origin: api, writes: [upsert('A', '\ud800', { v: 1 })] });
    const batch = [...Array.from({ length: 64 }, (_, i) => `a${i}`), '\ufffd\ufffd\ufffd'];
    expect(store.applySync({ origin: api, writes: keyed(batch, 2) })).toMatchObject({ created: 65, updated: 0 });
    expect((await store.history('A', '\ufffd\ufffd\ufffd')).map((v) => v.version)).toEqual([1]);
  });

  it('finds existing entities whose keys sort otherwise in UTF-16 than in SQLite', async () => {
    const store = stores.open();
    // U+1F600 (its surrogates) sorts before U+FF21 in UTF-16, after it in UTF-8 (SQLite).
    const keys = [...Array.from({ length: 100 }, (_, i) => `\uff21${padded(i)}`), '\u{1f600}'];
    store.applySync({ origin: api, writes: keyed(keys, 1) });
    expect(store.applySync({ origin: api, writes: keyed(keys, 1) })).toMatchObject({ unchanged: 101, created: 0, updated: 0 });
  });
});
