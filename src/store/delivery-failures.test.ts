import { afterEach, describe, expect, it } from 'vitest';
import type { DataErrorDetail } from '../core/errors.js';
import { DELIVERY_FAILURE_ERRORS, DELIVERY_FAILURES_KEPT } from './delivery-failures.js';
import { TempStores } from './test-support.js';

const stores = new TempStores();
afterEach(() => stores.cleanup());

const error = (n: number): DataErrorDetail => ({ code: 'file.trailer', message: `error ${n}`, position: { file: 'a.dat', line: n, record: n } });

describe('delivery failures', () => {
  it('keeps deliveries refused whole per flow, newest first, with their first errors and how many there were', async () => {
    const store = stores.open();
    await store.recordDeliveryFailure({ flow: 'crm', deliveryId: 'sha-1', deliveryName: 'a.dat', status: 'failed', records: 0, errors: [error(1)] });
    await store.recordDeliveryFailure({ flow: 'erp', deliveryId: 'sha-2', status: 'held', records: 12, errors: [error(2)] });
    const many = Array.from({ length: DELIVERY_FAILURE_ERRORS + 5 }, (_, i) => error(i));
    await store.recordDeliveryFailure({ flow: 'crm', deliveryId: 'sha-3', deliveryName: 'b.dat', status: 'failed', records: 105, errors: many });

    const crm = await store.deliveryFailures({ flow: 'crm' });
    expect(crm.map((f) => [f.deliveryId, f.status, f.records, f.errorCount, f.errors.length])).toEqual([
      ['sha-3', 'failed', 105, DELIVERY_FAILURE_ERRORS + 5, DELIVERY_FAILURE_ERRORS],
      ['sha-1', 'failed', 0, 1, 1],
    ]);
    expect(crm[1]).toEqual({ id: 1, flow: 'crm', deliveryId: 'sha-1', deliveryName: 'a.dat', status: 'failed', records: 0, errorCount: 1, errors: [error(1)], at: crm[1].at });
    expect((await store.deliveryFailures({})).map((f) => f.deliveryId)).toEqual(['sha-3', 'sha-2', 'sha-1']);
    expect((await store.deliveryFailures({ flow: 'erp' }))[0]).not.toHaveProperty('deliveryName');
    expect((await store.deliveryFailures({ limit: 1 })).map((f) => f.deliveryId)).toEqual(['sha-3']);
  });

  it('keeps only the newest of a flow, so a folder of garbage cannot grow the store without end', async () => {
    const store = stores.open();
    await store.recordDeliveryFailure({ flow: 'other', deliveryId: 'kept', status: 'failed', records: 0, errors: [] });
    for (let i = 0; i < DELIVERY_FAILURES_KEPT + 3; i++) {
      await store.recordDeliveryFailure({ flow: 'crm', deliveryId: `sha-${i}`, status: 'failed', records: 0, errors: [error(i)] });
    }
    const crm = await store.deliveryFailures({ flow: 'crm', limit: 5000 });
    expect(crm).toHaveLength(DELIVERY_FAILURES_KEPT);
    expect(crm.at(-1)!.deliveryId).toBe('sha-3');
    expect(crm[0].deliveryId).toBe(`sha-${DELIVERY_FAILURES_KEPT + 2}`);
    expect((await store.deliveryFailures({ flow: 'other' })).map((f) => f.deliveryId)).toEqual(['kept']);
  });

  it('says when a refused delivery was applied to its end since, in the same flow', async () => {
    const store = stores.open();
    await store.recordDeliveryFailure({ flow: 'crm', deliveryId: 'sha-held', deliveryName: 'c.dat', status: 'held', records: 2, errors: [error(1)] });
    await store.recordDeliveryFailure({ flow: 'crm', deliveryId: 'sha-bad', status: 'failed', records: 0, errors: [error(2)] });
    const applied = async (flow: string, deliveryId: string, complete: boolean) =>
      store.apply({ origin: { origin: `flow:${flow}`, flow }, writes: [], progress: { flow, deliveryId, recordsDone: 2, complete } });
    await applied('erp', 'sha-held', true);
    await applied('crm', 'sha-bad', false);
    expect((await store.deliveryFailures({ flow: 'crm' })).map((f) => f.appliedAt)).toEqual([undefined, undefined]);
    await applied('crm', 'sha-held', true);
    const [bad, held] = await store.deliveryFailures({ flow: 'crm' });
    expect(bad).not.toHaveProperty('appliedAt');
    expect(held.appliedAt! >= held.at).toBe(true);
    expect((await store.deliveries({ flow: 'crm' })).find((d) => d.deliveryId === 'sha-held')?.finishedAt).toBe(held.appliedAt);
  });

  it('keeps saying so when the applied delivery is superseded and comes again', async () => {
    const store = stores.open();
    const full = async (deliveryId: string, complete: boolean) =>
      store.apply({
        origin: { origin: 'flow:crm', flow: 'crm' },
        writes: [],
        fullSyncType: 'Customer',
        fullSync: complete ? { type: 'Customer', maxDeleteShare: 1 } : undefined,
        progress: { flow: 'crm', deliveryId, recordsDone: 1, complete },
      });
    await store.recordDeliveryFailure({ flow: 'crm', deliveryId: 'sha-a', status: 'held', records: 1, errors: [error(1)] });
    await full('sha-a', true);
    const [{ appliedAt }] = await store.deliveryFailures({ flow: 'crm' });
    expect(appliedAt).toBeDefined();
    await full('sha-b', true);
    await full('sha-a', false);
    expect((await store.deliveries({ flow: 'crm' })).find((d) => d.deliveryId === 'sha-a')?.state).toBe('in-progress');
    expect((await store.deliveryFailures({ flow: 'crm' }))[0].appliedAt).toBe(appliedAt);
  });

  it('learns, when a store of the version before is opened, which of its refused deliveries were applied since', async () => {
    const { path, db: old } = stores.before('ADD COLUMN applied_at');
    const failure = old.prepare("INSERT INTO delivery_failures (flow, delivery_id, status, records, error_count, errors, at) VALUES ('crm', ?, 'held', 1, 0, '[]', ?)");
    failure.run('sha-applied', '2026-11-01T10:00:00.000Z');
    failure.run('sha-not', '2026-11-01T10:00:00.000Z');
    failure.run('sha-before', '2026-11-01T10:00:00.000Z');
    const delivery = old.prepare("INSERT INTO deliveries (flow, delivery_id, complete, started_at, finished_at) VALUES ('crm', ?, ?, ?, ?)");
    delivery.run('sha-applied', 1, '2026-11-01T11:00:00.000Z', '2026-11-01T11:00:01.000Z');
    delivery.run('sha-not', 0, '2026-11-01T11:00:00.000Z', null);
    delivery.run('sha-before', 1, '2026-11-01T09:00:00.000Z', '2026-11-01T09:00:01.000Z');
    old.close();
    const store = stores.open({ path });
    const byId = new Map((await store.deliveryFailures({ flow: 'crm' })).map((f) => [f.deliveryId, f.appliedAt]));
    expect(Object.fromEntries(byId)).toEqual({ 'sha-applied': '2026-11-01T11:00:01.000Z', 'sha-not': undefined, 'sha-before': undefined });
  });
});
