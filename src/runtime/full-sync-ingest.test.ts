import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Delivery } from '../core/delivery.js';
import { loadMapping } from '../mapping/index.js';
import { TempStores } from '../store/test-support.js';
import type { ConflictPolicy, Store } from '../store/types.js';
import { ingest, type IngestFlow } from './ingest.js';
import { closeIngestWorkers } from './worker-batches.js';

const stores = new TempStores();
const dir = mkdtempSync(join(tmpdir(), 'lb-full-sync-'));
afterEach(() => stores.cleanup());
afterAll(async () => {
  await closeIngestWorkers();
  rmSync(dir, { recursive: true, force: true });
});

writeFileSync(
  join(dir, 'model.yaml'),
  `entities:
  Item:
    key: [id]
    timestamp: changedAt
    fields:
      id: { type: string, required: true }
      name: { type: string }
      qty: { type: integer }
      email: { type: string }
      changedAt: { type: datetime }
`,
);
writeFileSync(
  join(dir, 'items.yaml'),
  `# A test's item list: ID,NAME,QTY,EMAIL,CHANGED with a header row.
entity: Item
model: model.yaml
source:
  csv: { header: true }
fields:
  id: { from: ID }
  name: { from: NAME }
  qty: { from: QTY, transform: [integer] }
  email: { from: EMAIL }
  changedAt: { from: CHANGED }
`,
);
const mapping = loadMapping(join(dir, 'items.yaml'));
const flow = (extra: Partial<IngestFlow> = {}): IngestFlow => ({ name: 'items', mapping, mode: 'full', maxDeleteShare: 0.2, batchSize: 1000, ...extra });

interface Row {
  id: string;
  qty?: string;
  name?: string;
}
const keys = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `K${from + i}`);
const rows = (ids: string[]): Row[] => ids.map((id) => ({ id }));
const csv = (list: Row[]) =>
  ['ID,NAME,QTY,EMAIL,CHANGED', ...list.map((r) => `${r.id},${r.name ?? 'n'},${r.qty ?? '1'},${r.id}@x.org,2026-01-01T00:00:00Z`), ''].join('\n');

let deliveries = 0;
function delivery(name: string, text: string): Delivery {
  return { id: `sha-${++deliveries}`, meta: { name }, size: text.length, open: () => Buffer.from(text), ack: async () => undefined, nack: async () => undefined };
}

async function live(store: Store): Promise<string[]> {
  return (await store.list('Item', { limit: 1000 })).map((e) => e.key);
}

describe('full sync through ingest', () => {
  it.each([false, true])('keeps an entity whose record is in the delivery but was rejected (mapped in a worker: %s)', async (worker) => {
    const store = stores.open();
    await ingest(delivery('d1.csv', csv(rows(keys(1, 10)))), flow(), store, { worker });
    const bad = rows(keys(1, 10)).map((r) => (r.id === 'K3' ? { ...r, qty: 'x' } : r));
    const outcome = await ingest(delivery('d2.csv', csv(bad)), flow(), store, { worker });
    expect(outcome.status).toBe('applied');
    expect(outcome.counts).toMatchObject({ unchanged: 9, rejected: 1, deleted: 0 });
    expect(await live(store)).toEqual(keys(1, 10).sort());
  });

  it('holds the deletions of a delivery with a record whose key is unknown, and applies one that deletes nothing', async () => {
    const store = stores.open();
    await ingest(delivery('d1.csv', csv(rows(keys(1, 10)))), flow(), store);
    const head = await store.head();
    // K10 is absent, and the record without ID may be K10's.
    const held = await ingest(delivery('d2.csv', csv([...rows(keys(1, 9)), { id: '' }])), flow(), store);
    expect(held.status).toBe('held');
    expect(held.errors[0].message).toBe(
      'full sync of Item from flow items would delete 1 of 10 live entities (10%), but 1 record of the delivery was rejected with its key unknown ' +
        '(not decoded, or a key field did not map), so it cannot tell which entities it left out: nothing was deleted and the delivery is held; ' +
        're-run it with force to apply the deletions; besides, 1 of the 10 records read were rejected (could not be decoded or mapped)',
    );
    expect(await store.head()).toBe(head);
    const whole = await ingest(delivery('d3.csv', csv([...rows(keys(1, 10)), { id: '' }])), flow(), store);
    expect(whole).toMatchObject({ status: 'applied', counts: { unchanged: 10, rejected: 1, deleted: 0 } });
  });

  it('holds a delivery by the share of what the flow held before it, not counting what it creates', async () => {
    const store = stores.open();
    await ingest(delivery('d1.csv', csv(rows(keys(1, 10)))), flow(), store);
    const wrong = await ingest(delivery('wrong.csv', csv(rows(keys(101, 140)))), flow(), store);
    expect(wrong.status).toBe('held');
    expect(wrong.errors[0].message).toMatch(/^full sync of Item from flow items would delete 10 of 10 live entities \(100%\), more than the limit of 20%/);
    expect(await live(store)).toEqual(keys(1, 10).sort());

    const seven = stores.open();
    await ingest(delivery('d1.csv', csv(rows(keys(1, 7)))), flow(), seven);
    const one = await ingest(delivery('d2.csv', csv(rows([...keys(1, 5), 'K8']))), flow(), seven);
    expect(one.errors[0].message).toMatch(/would delete 2 of 7 live entities \(28.6%\), more than the limit of 20%/);
  });

  it('lets a full-sync flow bring back what its own full sync deleted under last-write-wins', async () => {
    const conflicts: ConflictPolicy[] = [{ type: 'Item', policy: 'last-write-wins' }];
    const store = stores.open({ conflicts });
    const half = flow({ maxDeleteShare: 0.5 });
    await ingest(delivery('mon.csv', csv(rows(keys(1, 4)))), half, store);
    expect((await ingest(delivery('tue.csv', csv(rows(keys(1, 3)))), half, store)).counts).toMatchObject({ deleted: 1 });
    const wed = await ingest(delivery('wed.csv', csv(rows(keys(1, 4)))), half, store);
    expect(wed.counts).toMatchObject({ created: 1, unchanged: 3, skipped: 0 });
    expect(await live(store)).toEqual(keys(1, 4));
  });

  it('says that the records of earlier batches stay applied when the last batch holds the delivery', async () => {
    const store = stores.open();
    const small = flow({ batchSize: 2 });
    await ingest(delivery('d1.csv', csv(rows(keys(1, 10)))), small, store);
    const truncated = rows(keys(1, 5)).map((r) => (r.id === 'K1' || r.id === 'K5' ? { ...r, name: 'changed' } : r));
    const held = await ingest(delivery('d2.csv', csv(truncated)), small, store);
    expect(held.status).toBe('held');
    expect(held.counts).toMatchObject({ updated: 1, unchanged: 3 });
    expect(held.errors[0].message).toBe(
      'full sync of Item from flow items would delete 5 of 10 live entities (50%), more than the limit of 20% (maxDeleteShare 0.2): ' +
        "nothing was deleted and the delivery is held; the delivery's first 4 records, committed by its earlier batches, stay applied, " +
        'the rest of it is not; re-run it with force to apply the rest and the deletions',
    );
    expect((await store.get('Item', 'K1'))!.version).toBe(2);
    expect((await store.get('Item', 'K5'))!.version).toBe(1);
  });
});
