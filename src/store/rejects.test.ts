import { afterEach, describe, expect, it } from 'vitest';
import { TempStores } from './test-support.js';
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
});
