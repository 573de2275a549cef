import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { RejectNoLongerOpenError, VersionConflictError } from './errors.js';
import { deliveryBatch, flowOrigin, TempStores, upsert } from './test-support.js';
import type { RejectInput } from './types.js';

const stores = new TempStores();
afterEach(() => stores.cleanup());

const reject = (flow: string, n: number): RejectInput => ({
  flow,
  deliveryId: `${flow}-d1`,
  deliveryName: 'cust.txt',
  position: { file: 'cust.txt', line: n, record: n },
  raw: `RAW ${n}`,
  errors: [{ code: 'field.number', message: 'not a number', field: 'BALANCE', value: 'X1' }],
  mapping: 'mappings/customer.yaml',
  record: { 'CUST-NO': String(n), BALANCE: 'X1', GROUP: { A: null }, LINES: ['1', '2'] },
});

describe('rejects', () => {
  it('keeps every rejected record with where it came from, lists, shows and changes status', async () => {
    const store = stores.open();
    const result = await store.apply({ origin: { origin: 'flow:crm', flow: 'crm' }, writes: [], rejects: [reject('crm', 1), reject('crm', 2), reject('erp', 3)] });
    expect(result.rejected).toBe(3);

    const all = await store.rejects({});
    expect(all.map((r) => r.id)).toEqual([1, 2, 3]);
    expect(all[0]).toEqual({ id: 1, ...reject('crm', 1), at: all[0].at, status: 'open' });
    expect(Number.isNaN(Date.parse(all[0].at))).toBe(false);
    expect(await store.reject(2)).toEqual(all[1]);
    expect(await store.reject(99)).toBeUndefined();

    expect((await store.rejects({ flow: 'crm' })).map((r) => r.id)).toEqual([1, 2]);
    expect((await store.rejects({ limit: 1, after: 1 })).map((r) => r.id)).toEqual([2]);

    await store.setRejectStatus([1, 3], 'replayed');
    await store.setRejectStatus([2], 'discarded');
    expect((await store.rejects({ status: 'open' })).map((r) => r.id)).toEqual([]);
    expect((await store.rejects({ status: 'replayed' })).map((r) => r.id)).toEqual([1, 3]);
    expect((await store.rejects({ status: 'replayed', flow: 'erp' })).map((r) => r.id)).toEqual([3]);
    expect(await store.countRejects({})).toBe(3);
    expect(await store.countRejects({ status: 'replayed' })).toBe(2);
    expect(await store.countRejects({ status: 'replayed', flow: 'crm' })).toBe(1);
    expect(await store.countRejects({ status: 'open' })).toBe(0);
    await store.setRejectStatus([2], 'open');
    expect((await store.reject(2))!.status).toBe('open');
  });

  it('changes no status when an id is unknown or the status is not one of the three', async () => {
    const store = stores.open();
    await store.apply({ origin: { origin: 'flow:crm' }, writes: [], rejects: [reject('crm', 1)] });
    await expect(store.setRejectStatus([1, 7, 8], 'discarded')).rejects.toThrow('no reject with id 7, 8: no status was changed');
    await expect(store.setRejectStatus([1], 'gone' as 'open')).rejects.toThrow('reject status must be one of open, replayed, discarded, not "gone"');
    expect((await store.reject(1))!.status).toBe('open');
  });

  it('keeps a minimal reject without optional fields', async () => {
    const store = stores.open();
    await store.apply({ origin: { origin: 'api:x' }, writes: [], rejects: [{ raw: '', errors: [] }] });
    const [r] = await store.rejects({});
    expect(r).toEqual({ id: 1, raw: '', errors: [], at: r.at, status: 'open' });
  });

  describe('superseded by', () => {
    /** Delivery `id` of flow rows: its writes, and a reject of key H1 when `rejected`. */
    const deliver = (id: string, writes: ReturnType<typeof upsert>[], rejected = false, extra = {}) =>
      deliveryBatch('rows', id, writes, writes.length + (rejected ? 1 : 0), true, { rejects: rejected ? [{ ...reject('rows', 1), deliveryId: id, deliveryName: `${id}.csv` }] : [], ...extra });
    const h1 = (day: string) => upsert('Row', 'H1', { day });
    /** A store whose reject 1 (Monday's, of H1) was kept before rejects had a seq, then Tuesday's delivery of H1. */
    async function withOldRejectAndTuesday() {
      const { path, db } = stores.before('replayed_seq');
      db.prepare("INSERT INTO rejects (flow, delivery_id, raw, errors, at) VALUES ('rows', 'mon', 'x', '[]', '2026-01-01T00:00:00.000Z')").run();
      db.close();
      const store = stores.open({ path });
      await store.apply(deliver('tue', [h1('tuesday')]));
      return { path, store };
    }

    it('names the newest version of the entity a later delivery or a client wrote after the reject', async () => {
      const store = stores.open();
      await store.apply(deliver('mon', [h1('sunday')], true));
      expect(await store.rejectSupersededBy(1, 'Row', 'H1')).toBeUndefined();
      await store.apply(deliver('tue', [h1('tuesday')]));
      expect(await store.rejectSupersededBy(1, 'Row', 'H1')).toEqual({ version: 2, op: 'updated', at: expect.any(String), origin: 'flow:rows', deliveryName: 'tue.txt' });
      expect(await store.rejectSupersededBy(1, 'Row', 'H2')).toBeUndefined();
      await store.apply({ origin: { origin: 'api:web' }, writes: [h1('by hand')] });
      expect(await store.rejectSupersededBy(1, 'Row', 'H1')).toEqual({ version: 3, op: 'updated', at: expect.any(String), origin: 'api:web' });
    });

    it('names a later full sync that deleted the entity', async () => {
      const store = stores.open();
      await store.apply(deliver('mon', [h1('monday'), upsert('Row', 'H2', {})], true, { fullSyncType: 'Row' }));
      await store.apply(deliver('tue', [upsert('Row', 'H2', {})], false, { fullSync: { type: 'Row', maxDeleteShare: 1 } }));
      expect(await store.rejectSupersededBy(1, 'Row', 'H1')).toMatchObject({ version: 2, op: 'deleted', deliveryName: 'tue.txt' });
    });

    it('does not count the reject\'s own delivery, nor the replay of an earlier reject, which hold older data', async () => {
      const store = stores.open();
      await store.apply(deliveryBatch('rows', 'mon', [], 1, false, { rejects: [{ ...reject('rows', 1), deliveryId: 'mon' }] }));
      await store.apply(deliveryBatch('rows', 'mon', [h1('monday, later')], 2, true));
      expect(await store.rejectSupersededBy(1, 'Row', 'H1')).toBeUndefined();
      // Reject 2 from Tuesday; reject 1 replayed after it: Monday's data is not newer than Tuesday's record.
      await store.apply(deliver('tue', [], true));
      await store.apply({ origin: flowOrigin('rows', 'mon'), writes: [h1('monday, replayed')], replayOf: 1 });
      expect((await store.reject(1))!.status).toBe('replayed');
      expect(await store.rejectSupersededBy(2, 'Row', 'H1')).toBeUndefined();
      // Tuesday's reject replayed, then Wednesday's: Tuesday's replay is newer than Monday's reject, not Wednesday's.
      await store.apply(deliver('wed', [], true));
      await store.apply({ origin: flowOrigin('rows', 'tue'), writes: [h1('tuesday, replayed')], replayOf: 2 });
      expect(await store.rejectSupersededBy(3, 'Row', 'H1')).toBeUndefined();
    });

    it('names the first full-sync delivery of the reject\'s flow and type completed after it, which confirmed the entity even unchanged', async () => {
      const store = stores.open();
      const full = { fullSyncType: 'Row', fullSync: { type: 'Row', maxDeleteShare: 1 } };
      await store.apply(deliver('sun', [h1('A')], false, full));
      // Apart by more than the millisecond the times are compared at.
      await sleep(5);
      await store.apply(deliver('mon', [], true));
      await store.apply(deliveryBatch('other', 'mon', [upsert('Row', 'H9', {})], 1, true));
      // Incremental, or a full set of another type: they tell nothing of the entity.
      await store.apply(deliveryBatch('rows', 'inc', [upsert('Row', 'H8', {})], 1, true));
      await store.apply(deliveryBatch('rows', 'day', [upsert('Day', 'D1', {})], 1, true, { fullSyncType: 'Day', fullSync: { type: 'Day', maxDeleteShare: 1 } }));
      // Tuesday sends H1 unchanged: no version, and nothing before its delivery completes.
      expect((await store.apply(deliveryBatch('rows', 'tue', [h1('A')], 1, false, { fullSyncType: 'Row' }))).unchanged).toBe(1);
      expect(await store.deliveryCompletedAfterReject(1, 'Row')).toBeUndefined();
      await store.apply(deliveryBatch('rows', 'tue', [], 2, true, full));
      expect(await store.rejectSupersededBy(1, 'Row', 'H1')).toBeUndefined();
      expect(await store.deliveryCompletedAfterReject(1, 'Row')).toMatchObject({ flow: 'rows', deliveryId: 'tue', state: 'complete', finishedAt: expect.any(String) });
    });

    it('marks a replayed reject in the transaction of its write: a crash after the write cannot leave a later reject superseded by it', async () => {
      const store = stores.open();
      await store.apply(deliver('mon', [], true));
      await store.apply(deliver('tue', [], true));
      // Refused, it marks nothing either.
      await expect(store.apply({ origin: flowOrigin('rows', 'mon'), writes: [{ ...h1('monday'), expectedVersion: 3 }], replayOf: 1 })).rejects.toThrow(VersionConflictError);
      expect((await store.reject(1))!.status).toBe('open');
      await store.apply({ origin: flowOrigin('rows', 'mon'), writes: [{ ...h1('monday'), expectedVersion: 0 }], replayOf: 1 });
      expect((await store.reject(1))!.status).toBe('replayed');
      expect(await store.rejectSupersededBy(2, 'Row', 'H1')).toBeUndefined();
    });

    it('refuses the whole batch that replays a reject no longer open', async () => {
      const store = stores.open();
      await store.apply(deliver('mon', [], true));
      await store.setRejectStatus([1], 'discarded');
      await expect(store.apply({ origin: flowOrigin('rows', 'mon'), writes: [h1('monday')], replayOf: 1 })).rejects.toThrow(RejectNoLongerOpenError);
      expect(await store.get('Row', 'H1')).toBeUndefined();
      expect((await store.reject(1))!.status).toBe('discarded');
    });

    it('compares a reject kept before the store knew its seq by time', async () => {
      const { store } = await withOldRejectAndTuesday();
      expect(await store.rejectSupersededBy(1, 'Row', 'H1')).toMatchObject({ version: 1, op: 'created', deliveryName: 'tue.txt' });
    });

    it('counts a version written in the very millisecond of a reject kept before seqs as newer', async () => {
      const { path, store } = await withOldRejectAndTuesday();
      const raw = new Database(path);
      raw.prepare('UPDATE rejects SET at = (SELECT at FROM versions ORDER BY seq DESC LIMIT 1)').run();
      raw.close();
      expect(await store.rejectSupersededBy(1, 'Row', 'H1')).toMatchObject({ version: 1, deliveryName: 'tue.txt' });
    });
  });
});
