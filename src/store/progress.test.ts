import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { DeliveryCompleteError } from './errors.js';
import { deliveryBatch, TempStores, upsert } from './test-support.js';

const stores = new TempStores();
afterEach(() => stores.cleanup());

describe('change feed sequence', () => {
  it('stays gap-free across a rolled-back batch', async () => {
    const store = stores.open();
    await store.apply({ origin: { origin: 'api:x' }, writes: [upsert('T', '1', {}), upsert('T', '2', {})] });
    // Two versions written, then the batch fails: neither they nor their seqs survive.
    const failing = { origin: { origin: 'api:x' }, writes: [upsert('T', '3', {}), upsert('T', '4', {}), { type: 'T', key: '5' }] };
    await expect(store.apply(failing)).rejects.toThrow('write of T 5 has neither data nor op');
    expect(await store.head()).toBe(2);
    expect(await store.apply({ origin: { origin: 'api:x' }, writes: [upsert('T', '6', {})] })).toMatchObject({ lastSeq: 3 });
    expect((await store.changes({ after: 0, limit: 10 })).map((c) => [c.seq, c.key])).toEqual([
      [1, '1'],
      [2, '2'],
      [3, '6'],
    ]);
  });

  it('is 1..n with no gap for any mix of committed and failed batches (property)', async () => {
    const store = stores.open();
    let key = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.boolean()), { maxLength: 8 }), async (batches) => {
        for (const [n, fails] of batches) {
          const writes = Array.from({ length: n }, () => upsert('P', String(key++), { n }));
          if (fails) writes.push({ type: 'P', key: 'bad' });
          await store.apply({ origin: { origin: 'api:p' }, writes }).catch(() => undefined);
        }
        const seqs = (await store.changes({ after: 0, limit: 10_000 })).map((c) => c.seq);
        expect(seqs).toEqual(seqs.map((_, i) => i + 1));
      }),
      { numRuns: 25 },
    );
  });
});

describe('delivery progress', () => {
  it('records progress per batch, completes, and refuses a batch for a complete delivery', async () => {
    const store = stores.open();
    expect(await store.delivery('crm', 'd1')).toBeUndefined();
    await store.apply(deliveryBatch('crm', 'd1', [upsert('C', '1', {}), upsert('C', '2', {})], 2, false));
    const first = await store.delivery('crm', 'd1');
    expect(first).toMatchObject({ state: 'in-progress', recordsDone: 2 });
    expect(first).not.toHaveProperty('deliveryName');
    expect(first).not.toHaveProperty('finishedAt');
    const last = deliveryBatch('crm', 'd1', [upsert('C', '1', {}), upsert('C', '3', { a: 1 })], 4, true);
    last.progress!.deliveryName = 'd1.txt';
    last.progress!.counts = { rejected: 5 };
    last.rejects = [{ raw: 'x', errors: [] }];
    await store.apply(last);
    const done = await store.delivery('crm', 'd1');
    expect(done).toMatchObject({
      flow: 'crm',
      deliveryId: 'd1',
      deliveryName: 'd1.txt',
      state: 'complete',
      recordsDone: 4,
      counts: { created: 3, updated: 0, unchanged: 1, deleted: 0, rejected: 6, skipped: 0 },
    });
    expect(done!.finishedAt! >= done!.startedAt).toBe(true);

    const again = deliveryBatch('crm', 'd1', [upsert('C', '9', {})], 1, false);
    await expect(store.apply(again)).rejects.toThrow(new DeliveryCompleteError('crm', 'd1'));
    await expect(store.apply(again)).rejects.toThrow('delivery d1 of flow crm is already complete: refusing to apply it again');
    expect(await store.get('C', '9')).toBeUndefined();
  });

  it('refuses a batch that does not start where the delivery is: another process applies it', async () => {
    const store = stores.open();
    const batch = (keys: string[], before: number, done: number) => {
      const b = deliveryBatch('crm', 'd1', keys.map((k) => upsert('C', k, {})), done, false);
      b.progress!.recordsBefore = before;
      return b;
    };
    await store.apply(batch(['1', '2'], 0, 2));
    // A second applier of the same delivery starts from 0 too: its batch is refused, nothing written,
    // at once: it is not a lock, and waiting out the busy timeout would not change it.
    const started = performance.now();
    await expect(store.apply(batch(['1', '2'], 0, 2))).rejects.toMatchObject({ name: 'RetryableError', message: expect.stringContaining('is being applied by another process (it is at record 2, this batch starts at 0)') });
    expect(performance.now() - started).toBeLessThan(1000);
    await store.apply(batch(['3'], 2, 3));
    expect(await store.delivery('crm', 'd1')).toMatchObject({ recordsDone: 3, counts: { created: 3, unchanged: 0 } });
  });

  it('leaves progress untouched when a batch rolls back, so the delivery resumes where it was', async () => {
    const store = stores.open();
    await store.apply(deliveryBatch('crm', 'd1', [upsert('C', '1', {})], 1, false));
    await expect(store.apply(deliveryBatch('crm', 'd1', [upsert('C', '2', {}), { type: 'C', key: '3' }], 3, true))).rejects.toThrow();
    expect(await store.delivery('crm', 'd1')).toMatchObject({ state: 'in-progress', recordsDone: 1, counts: { created: 1 } });
  });

  it("commits a delivery's last batch and writes without progress with synchronous=FULL, intermediate batches with NORMAL", async () => {
    const store = stores.open();
    // Read through the connection itself: durability is a property of the commit, not of the API.
    const mode = () => (store as unknown as { db: { pragma(p: string, o: { simple: true }): number } }).db.pragma('synchronous', { simple: true });
    const FULL = 2;
    const NORMAL = 1;
    await store.apply(deliveryBatch('crm', 'd1', [upsert('C', '1', {})], 1, false));
    expect(mode()).toBe(NORMAL);
    await store.apply(deliveryBatch('crm', 'd1', [upsert('C', '2', {})], 2, true));
    expect(mode()).toBe(FULL);
    await store.apply(deliveryBatch('crm', 'd2', [], 1, false));
    await store.apply({ origin: { origin: 'api:x' }, writes: [upsert('C', '3', {})] });
    expect(mode()).toBe(FULL);
  });

  it('lists deliveries most recent first, per flow', async () => {
    const store = stores.open();
    for (const [flow, id] of [['a', '1'], ['b', '2'], ['a', '3']]) await store.apply(deliveryBatch(flow, id, [], 0, true));
    expect((await store.deliveries({})).map((d) => d.deliveryId)).toEqual(['3', '2', '1']);
    expect((await store.deliveries({ flow: 'a', limit: 1 })).map((d) => d.deliveryId)).toEqual(['3']);
  });
});
