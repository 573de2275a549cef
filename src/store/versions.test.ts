import { afterEach, describe, expect, it } from 'vitest';
import { contentHash, canonicalJson } from './canonical-json.js';
import { flowOrigin, TempStores, upsert } from './test-support.js';

const stores = new TempStores();
afterEach(() => stores.cleanup());

const api = { origin: 'api:crm' };

describe('versions', () => {
  it('creates, updates, and counts a write with the same content as unchanged without a version or event', async () => {
    const store = stores.open();
    const pos = { file: 'cust.txt', line: 3, record: 3 };
    const r1 = await store.apply({ origin: flowOrigin('crm', 'd1'), writes: [upsert('Customer', '42', { name: 'Ada', balance: '1.00' }, { position: pos, sourceTimestamp: '2024-01-31T10:00:00Z' })] });
    expect(r1).toEqual({ created: 1, updated: 0, unchanged: 0, deleted: 0, rejected: 0, skipped: 0, lastSeq: 1 });
    // Same content in another key order: unchanged.
    const r2 = await store.apply({ origin: flowOrigin('crm', 'd2'), writes: [upsert('Customer', '42', { balance: '1.00', name: 'Ada' })] });
    expect(r2).toMatchObject({ created: 0, updated: 0, unchanged: 1, lastSeq: 1 });
    const r3 = await store.apply({ origin: api, writes: [upsert('Customer', '42', { name: 'Ada', balance: '2.00' })] });
    expect(r3).toMatchObject({ updated: 1, unchanged: 0, lastSeq: 2 });

    const e = await store.get('Customer', '42');
    expect(e).toMatchObject({ type: 'Customer', key: '42', version: 2, deleted: false, data: { balance: '2.00', name: 'Ada' }, lineage: { origin: 'api:crm' } });
    expect(e!.hash).toBe(contentHash(canonicalJson({ name: 'Ada', balance: '2.00' })));
    expect(e!.lineage.flow).toBeUndefined();
    expect(Object.keys(e!.data)).toEqual(['balance', 'name']);

    const history = await store.history('Customer', '42');
    expect(history.map((v) => [v.version, v.op, v.data])).toEqual([
      [1, 'created', { balance: '1.00', name: 'Ada' }],
      [2, 'updated', { balance: '2.00', name: 'Ada' }],
    ]);
    expect(history[0].lineage).toEqual({
      origin: 'flow:crm',
      flow: 'crm',
      deliveryId: 'd1',
      deliveryName: 'd1.txt',
      position: pos,
      sourceTimestamp: '2024-01-31T10:00:00Z',
    });
    expect(await store.changes({ after: 0, limit: 10 })).toEqual([
      { seq: 1, type: 'Customer', key: '42', op: 'created', version: 1, origin: 'flow:crm', at: history[0].at },
      { seq: 2, type: 'Customer', key: '42', op: 'updated', version: 2, origin: 'api:crm', at: history[1].at },
    ]);
    expect(await store.history('Customer', 'nobody')).toEqual([]);
    expect(await store.get('Customer', 'nobody')).toBeUndefined();
  });

  it('deletes with a tombstone that keeps the last data, and revives as created with the version going on', async () => {
    const store = stores.open();
    await store.apply({ origin: api, writes: [upsert('Customer', '1', { name: 'A' })] });
    const del = await store.apply({ origin: api, writes: [{ type: 'Customer', key: '1', op: 'delete' }, { type: 'Customer', key: 'never', op: 'delete' }] });
    expect(del).toMatchObject({ deleted: 1, unchanged: 1, lastSeq: 2 });
    const tomb = await store.get('Customer', '1');
    expect(tomb).toMatchObject({ deleted: true, version: 2, data: { name: 'A' } });
    expect(await store.list('Customer', { limit: 10 })).toEqual([]);
    expect(await store.apply({ origin: api, writes: [{ type: 'Customer', key: '1', op: 'delete' }] })).toMatchObject({ unchanged: 1, deleted: 0 });

    // Reviving with the very same data is still a change: the entity did not exist.
    const revive = await store.apply({ origin: api, writes: [upsert('Customer', '1', { name: 'A' })] });
    expect(revive).toMatchObject({ created: 1, lastSeq: 3 });
    const alive = await store.get('Customer', '1');
    expect(alive).toMatchObject({ deleted: false, version: 3, data: { name: 'A' } });
    expect(alive!.createdAt).toBe(alive!.updatedAt);
    expect((await store.history('Customer', '1')).map((v) => [v.version, v.op, v.data, v.hash === null])).toEqual([
      [1, 'created', { name: 'A' }, false],
      [2, 'deleted', null, true],
      [3, 'created', { name: 'A' }, false],
    ]);
    expect((await store.changes({ after: 0, limit: 10 })).map((c) => c.op)).toEqual(['created', 'deleted', 'created']);
  });

  it('sees its own earlier writes within one batch', async () => {
    const store = stores.open();
    const result = await store.apply({
      origin: api,
      writes: [upsert('T', '1', { v: 1 }), upsert('T', '1', { v: 1 }), upsert('T', '1', { v: 2 }), { type: 'T', key: '1', op: 'delete', position: { record: 4 } }],
    });
    expect(result).toEqual({ created: 1, unchanged: 1, updated: 1, deleted: 1, rejected: 0, skipped: 0, lastSeq: 3 });
    expect((await store.history('T', '1')).map((v) => [v.version, v.op, v.lineage.position])).toEqual([
      [1, 'created', undefined],
      [2, 'updated', undefined],
      [3, 'deleted', { record: 4 }],
    ]);
  });

  it('lists live entities in key order with an after cursor, and filters changes by type', async () => {
    const store = stores.open();
    const keys = ['b', 'a', 'd', 'c', ''];
    await store.apply({ origin: api, writes: [...keys.map((k) => upsert('T', k, { k })), upsert('U', 'x', {})] });
    expect((await store.list('T', { limit: 2 })).map((e) => e.key)).toEqual(['', 'a']);
    expect((await store.list('T', { after: 'a', limit: 2 })).map((e) => e.key)).toEqual(['b', 'c']);
    expect((await store.list('T', { after: 'c', limit: 2 })).map((e) => e.key)).toEqual(['d']);
    expect((await store.changes({ after: 0, limit: 10, types: ['U'] })).map((c) => [c.seq, c.key])).toEqual([[6, 'x']]);
    expect((await store.changes({ after: 2, limit: 2 })).map((c) => c.seq)).toEqual([3, 4]);
    expect(await store.head()).toBe(6);
  });

  it('reads everything back after closing and reopening the file', async () => {
    const path = stores.path();
    const first = stores.open({ path });
    await first.apply({
      origin: flowOrigin('crm', 'd1'),
      writes: [upsert('Customer', '1', { name: 'A' }), upsert('Customer', '2', { name: 'B' })],
      rejects: [{ flow: 'crm', deliveryId: 'd1', raw: 'BAD', errors: [{ code: 'field.number', message: 'not a number' }] }],
      progress: { flow: 'crm', deliveryId: 'd1', recordsDone: 3, complete: true },
    });
    await first.apply({ origin: api, writes: [{ type: 'Customer', key: '2', op: 'delete' }] });
    await first.close();

    const again = stores.open({ path });
    expect(await again.head()).toBe(3);
    expect((await again.get('Customer', '1'))!.data).toEqual({ name: 'A' });
    expect((await again.get('Customer', '2'))!.deleted).toBe(true);
    expect((await again.history('Customer', '2')).map((v) => v.op)).toEqual(['created', 'deleted']);
    expect(await again.delivery('crm', 'd1')).toMatchObject({ state: 'complete', recordsDone: 3, counts: { created: 2, rejected: 1 } });
    expect((await again.rejects({})).map((r) => r.raw)).toEqual(['BAD']);
    // A new write continues the sequence where the file left it.
    expect(await again.apply({ origin: api, writes: [upsert('Customer', '3', {})] })).toMatchObject({ created: 1, lastSeq: 4 });
  });

  it('refuses a write with neither data nor delete, and an unreadable source timestamp, applying nothing', async () => {
    const store = stores.open();
    await expect(store.apply({ origin: api, writes: [upsert('T', '1', {}), { type: 'T', key: '2' }] })).rejects.toThrow(
      "write of T 2 has neither data nor op 'delete'",
    );
    await expect(store.apply({ origin: api, writes: [upsert('T', '3', {}, { sourceTimestamp: '31.01.2024', position: { record: 7 } })] })).rejects.toThrow(
      'record 7): field sourceTimestamp: sourceTimestamp of T 3 is not an ISO 8601 time (value "31.01.2024") [field.date]',
    );
    expect(await store.head()).toBe(0);
    expect(await store.get('T', '1')).toBeUndefined();
  });
});
