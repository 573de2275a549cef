import { afterEach, describe, expect, it } from 'vitest';
import { FullSyncHeldError } from './errors.js';
import { deliveryBatch, TempStores, upsert } from './test-support.js';
import type { SqliteStore } from './sqlite-store.js';
import type { RejectInput } from './types.js';

const stores = new TempStores();
afterEach(() => stores.cleanup());

const customers = (keys: string[], data: Record<string, unknown> = {}) => keys.map((k) => upsert('Customer', k, { id: k, ...data }));
const range = (n: number) => Array.from({ length: n }, (_, i) => String(i + 1).padStart(3, '0'));
const sync = (maxDeleteShare: number, force?: boolean) => ({ fullSync: { type: 'Customer', maxDeleteShare, force } });

async function seed(store: SqliteStore, n: number): Promise<void> {
  await store.apply(deliveryBatch('crm', 'd0', customers(range(n)), n, true, sync(0.2)));
}

describe('full sync', () => {
  it("deletes the flow's entities the delivery neither wrote nor confirmed, across batches, and nothing of other sources", async () => {
    const store = stores.open();
    await seed(store, 10);
    await store.apply({ origin: { origin: 'api:crm' }, writes: [upsert('Customer', 'api-1', {}), upsert('Customer', '010', { by: 'api' })] });
    await store.apply(deliveryBatch('erp', 'e1', [upsert('Customer', 'erp-1', {})], 1, true));

    // 001..004 unchanged in batch 1, 005..008 in batch 2 with 005 changed; 009 missing; 010 was taken over by the API.
    await store.apply(deliveryBatch('crm', 'd1', customers(range(4)), 4, false, { fullSyncType: 'Customer' }));
    const result = await store.apply(
      deliveryBatch('crm', 'd1', [...customers(['006', '007', '008']), upsert('Customer', '005', { id: '005', v: 2 })], 8, true, sync(0.2)),
    );
    expect(result).toMatchObject({ unchanged: 3, updated: 1, deleted: 1 });

    expect((await store.get('Customer', '009'))!.deleted).toBe(true);
    const live = (await store.list('Customer', { limit: 100 })).map((e) => e.key);
    expect(live).toEqual([...range(8), '010', 'api-1', 'erp-1']);
    const tomb = (await store.history('Customer', '009')).at(-1)!;
    expect(tomb).toMatchObject({ op: 'deleted', version: 2, lineage: { origin: 'flow:crm', flow: 'crm', deliveryId: 'd1' } });
    expect(await store.delivery('crm', 'd1')).toMatchObject({ state: 'complete', counts: { deleted: 1, unchanged: 7, updated: 1 } });
  });

  it('holds back deletions beyond maxDeleteShare: the whole last batch rolls back, the delivery stays incomplete', async () => {
    const store = stores.open();
    await seed(store, 10);
    const head = await store.head();
    await store.apply(deliveryBatch('crm', 'd1', customers(range(5)), 5, false, { fullSyncType: 'Customer' }));
    const last = deliveryBatch('crm', 'd1', [...customers(['006']), upsert('Customer', 'new', {})], 7, true, sync(0.2));
    const error = await store.apply(last).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FullSyncHeldError);
    expect((error as Error).message).toBe(
      'full sync of Customer from flow crm would delete 4 of 10 live entities (40%), more than the limit of 20% ' +
        "(maxDeleteShare 0.2): nothing was deleted and the delivery is held; the delivery's first 5 records, committed by its " +
        'earlier batches, stay applied, the rest of it is not; re-run it with force to apply the rest and the deletions',
    );
    expect(error).toMatchObject({ flow: 'crm', type: 'Customer', wouldDelete: 4, live: 10, maxDeleteShare: 0.2, unkeyed: 0, applied: 5 });
    expect(await store.head()).toBe(head);
    expect(await store.get('Customer', 'new')).toBeUndefined();
    expect(await store.delivery('crm', 'd1')).toMatchObject({ state: 'in-progress', recordsDone: 5 });

    // The operator forces it: the same last batch now deletes 007..010.
    const forced = await store.apply({ ...last, ...sync(0.2, true) });
    expect(forced).toMatchObject({ created: 1, deleted: 4 });
    expect((await store.list('Customer', { limit: 100 })).map((e) => e.key)).toEqual([...range(6), 'new']);
    expect((await store.delivery('crm', 'd1'))!.state).toBe('complete');
  });

  it('applies a snapshot again when a later one of the flow came between (A, B, then A: A is the truth again)', async () => {
    const store = stores.open();
    const a = deliveryBatch('crm', 'sha-a', customers(range(10)), 10, true, sync(0.2));
    await store.apply(a);
    // B: 010 deleted at the source.
    expect(await store.apply(deliveryBatch('crm', 'sha-b', customers(range(9)), 9, true, sync(0.2)))).toMatchObject({ deleted: 1 });
    expect(await store.delivery('crm', 'sha-a')).toMatchObject({ state: 'superseded' });
    expect(await store.delivery('crm', 'sha-b')).toMatchObject({ state: 'complete' });
    // Another flow's deliveries are not its to supersede.
    await store.apply(deliveryBatch('erp', 'sha-e', [upsert('Customer', 'erp-1', {})], 1, true));
    // A again, byte for byte: 010 is back, as a new life of the entity.
    expect(await store.apply(a)).toMatchObject({ created: 1, unchanged: 9, deleted: 0 });
    expect(await store.get('Customer', '010')).toMatchObject({ deleted: false, version: 3 });
    expect(await store.delivery('crm', 'sha-a')).toMatchObject({ state: 'complete', recordsDone: 10, counts: { created: 1, unchanged: 9 } });
    expect(await store.delivery('crm', 'sha-b')).toMatchObject({ state: 'superseded' });
    expect(await store.delivery('erp', 'sha-e')).toMatchObject({ state: 'complete' });
    // A once more, now the last one: a repeat, refused as applied.
    await expect(store.apply(a)).rejects.toThrow(/complete|applied/);
  });

  it('takes the share of what the flow held before the delivery: not what it creates, revives or takes over', async () => {
    const store = stores.open();
    await seed(store, 10);
    // 010 deleted by the API, erp-1 written by another flow: neither is crm's before d1.
    await store.apply({ origin: { origin: 'api:crm' }, writes: [{ type: 'Customer', key: '010', op: 'delete' }] });
    await store.apply(deliveryBatch('erp', 'e1', [upsert('Customer', 'erp-1', {})], 1, true));
    // d1 revives 010, takes erp-1 over and creates new-1, new-2; of crm's 9, 007..009 are absent.
    const writes = customers([...range(6), '010', 'erp-1', 'new-1', 'new-2']);
    const error = await store.apply(deliveryBatch('crm', 'd1', writes, 10, true, sync(0.3))).catch((e: unknown) => e);
    expect(error).toMatchObject({ wouldDelete: 3, live: 9 });
    expect((error as Error).message).toContain('would delete 3 of 9 live entities (33.3%), more than the limit of 30%');
    expect(await store.apply(deliveryBatch('crm', 'd1', writes, 10, true, sync(1 / 3)))).toMatchObject({ deleted: 3 });
  });

  it("counts a rejected record's known key as seen, and holds the deletions when a rejected record's key is unknown", async () => {
    const store = stores.open();
    await seed(store, 4);
    const reject = (key?: string): RejectInput => ({ flow: 'crm', deliveryId: 'd1', raw: 'bad', errors: [{ code: 'field.number', message: 'bad' }], key });
    const keyed = deliveryBatch('crm', 'd1', customers(range(3)), 4, true, { ...sync(0), rejects: [reject('004')] });
    expect(await store.apply(keyed)).toMatchObject({ unchanged: 3, rejected: 1, deleted: 0 });

    await store.apply(deliveryBatch('crm', 'd2', customers(range(2)), 2, false, { fullSyncType: 'Customer', rejects: [reject()] }));
    const last = deliveryBatch('crm', 'd2', customers(['003']), 3, true, sync(1));
    const error = await store.apply(last).catch((e: unknown) => e);
    expect(error).toMatchObject({ wouldDelete: 1, live: 4, overShare: false, unkeyed: 1, applied: 2 });
    expect((error as Error).message).toContain('would delete 1 of 4 live entities (25%), but 1 record of the delivery was rejected with its key unknown');
    expect(await store.apply({ ...last, ...sync(1, true) })).toMatchObject({ deleted: 1 });
  });

  it("keeps the deleted version's time on a full-sync tombstone, so last-write-wins lets the flow bring the entity back", async () => {
    const store = stores.open({ conflicts: [{ type: 'Customer', policy: 'last-write-wins' }] });
    const dated = (keys: string[], sourceTimestamp: string) => customers(keys).map((w) => ({ ...w, sourceTimestamp }));
    await store.apply(deliveryBatch('crm', 'mon', dated(range(4), '2024-01-01T00:00:00Z'), 4, true, sync(0.5)));
    expect(await store.apply(deliveryBatch('crm', 'tue', dated(range(3), '2024-01-01T00:00:00Z'), 3, true, sync(0.5)))).toMatchObject({ deleted: 1 });
    // A record older than the version the full sync deleted still loses, as it would have to that version.
    const older = deliveryBatch('erp', 'e1', dated(['004'], '2023-12-31T00:00:00Z'), 1, true);
    expect(await store.apply(older)).toMatchObject({ skipped: 1 });
    const wed = await store.apply(deliveryBatch('crm', 'wed', dated(range(4), '2024-01-01T00:00:00Z'), 4, true, sync(0.5)));
    expect(wed).toMatchObject({ created: 1, unchanged: 3, skipped: 0 });
    expect(await store.get('Customer', '004')).toMatchObject({ deleted: false, version: 3 });
  });

  it('allows exactly maxDeleteShare of the live entities', async () => {
    const store = stores.open();
    await seed(store, 10);
    expect(await store.apply(deliveryBatch('crm', 'd1', customers(range(8)), 8, true, sync(0.2)))).toMatchObject({ deleted: 2 });
  });

  it('holds an empty delivery that would delete everything', async () => {
    const store = stores.open();
    await seed(store, 3);
    await expect(store.apply(deliveryBatch('crm', 'd1', [], 0, true, sync(0.5)))).rejects.toThrow('would delete 3 of 3 live entities (100%)');
  });

  it('keeps entities confirmed by a write that a conflict policy skipped', async () => {
    const store = stores.open({ conflicts: [{ type: 'Customer', policy: 'last-write-wins' }] });
    await store.apply(deliveryBatch('crm', 'd0', customers(['1', '2'], {}).map((w) => ({ ...w, sourceTimestamp: '2024-02-01' })), 2, true, sync(1)));
    const stale = customers(['1', '2'], { old: true }).map((w) => ({ ...w, sourceTimestamp: '2024-01-01' }));
    expect(await store.apply(deliveryBatch('crm', 'd1', stale, 2, true, sync(0)))).toMatchObject({ skipped: 2, deleted: 0 });
  });

  it('refuses a full sync whose earlier batches were applied without fullSyncType', async () => {
    const store = stores.open();
    await seed(store, 4);
    await store.apply(deliveryBatch('crm', 'd1', customers(range(2)), 2, false));
    await expect(store.apply(deliveryBatch('crm', 'd1', customers(['003', '004']), 4, true, sync(1)))).rejects.toThrow(
      'full sync of Customer for delivery d1 of flow crm: its earlier batches were applied without fullSyncType, so the store cannot tell which entities they confirmed; pass fullSyncType on every batch',
    );
    expect((await store.list('Customer', { limit: 10 })).length).toBe(4);
  });

  it('refuses a full sync outside the last batch, and a share outside 0..1', async () => {
    const store = stores.open();
    await expect(store.apply(deliveryBatch('crm', 'd1', [], 0, false, sync(0.2)))).rejects.toThrow(
      "full sync of Customer needs the delivery's last batch (progress with complete: true)",
    );
    await seed(store, 1);
    await expect(store.apply(deliveryBatch('crm', 'd2', [], 0, true, sync(1.5)))).rejects.toThrow('maxDeleteShare must be between 0 and 1, not 1.5');
  });
});
