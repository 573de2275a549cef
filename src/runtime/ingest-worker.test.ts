import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Delivery } from '../core/delivery.js';
import { DataError } from '../core/errors.js';
import { loadMapping } from '../mapping/index.js';
import { PreparedWrite } from '../store/prepared-write.js';
import { TempStores } from '../store/test-support.js';
import type { SqliteStore } from '../store/sqlite-store.js';
import { ingest, type IngestFlow, type IngestOutcome } from './ingest.js';
import { closeIngestWorkers } from './worker-batches.js';

const root = resolve(import.meta.dirname, '..', '..');
const stores = new TempStores();
const dirs: string[] = [];
afterEach(async () => {
  delete process.env.BRIDGE_FAULT;
  await stores.cleanup();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
afterAll(closeIngestWorkers);

function delivery(name: string, body: Buffer, id = name): Delivery & { settled: string[] } {
  const settled: string[] = [];
  return {
    id,
    meta: { name },
    size: body.length,
    settled,
    open: () => body,
    ack: async () => void settled.push('ack'),
    nack: async (e) => void settled.push(`nack: ${e.message}`),
  };
}

const flowOf = (mappingFile: string, batchSize: number, mode: IngestFlow['mode'] = 'incremental'): IngestFlow => ({
  name: 'f',
  mapping: loadMapping(mappingFile),
  mode,
  maxDeleteShare: 0.2,
  batchSize,
});

/** Everything a delivery left in the store, without the clock's times. */
async function contents(store: SqliteStore, type: string) {
  const entities = await store.list(type, { limit: 100_000 });
  const histories = await Promise.all(entities.map((e) => store.history(type, e.key)));
  const rejects = await store.rejects({ limit: 100_000 });
  const deliveries = await store.deliveries({});
  return {
    entities: entities.map(({ createdAt, updatedAt, ...e }) => e),
    versions: histories.map((h) => h.map(({ at, ...v }) => v)),
    rejects: rejects.map(({ at, ...r }) => r),
    deliveries: deliveries.map(({ startedAt, finishedAt, settledAt, ...d }) => d),
    head: await store.head(),
  };
}

/** Proof of the path taken: only writes that come back from the worker are PreparedWrites. */
function countWrites(store: SqliteStore): { prepared: number; plain: number } {
  const counts = { prepared: 0, plain: 0 };
  const apply = store.apply.bind(store);
  store.apply = (input) => {
    for (const w of input.writes) counts[w instanceof PreparedWrite ? 'prepared' : 'plain']++;
    return apply(input);
  };
  return counts;
}

const timeless = (o: IngestOutcome) => ({ ...o, ms: 0 });

/** Ingests the same deliveries on this thread, in one worker and in pieces on two; all must leave the same store. */
async function both(mappingFile: string, bodies: [string, Buffer][], batchSize: number, mode: IngestFlow['mode'] = 'incremental', flow = flowOf(mappingFile, batchSize, mode)) {
  const run = async (worker: boolean | 'pieces') => {
    const store = stores.open();
    const written = countWrites(store);
    const outcomes: unknown[] = [];
    for (const [name, body] of bodies) {
      const d = delivery(name, body);
      outcomes.push({ ...timeless(await ingest(d, flow, store, { worker })), settled: d.settled });
    }
    expect(worker ? written.plain : written.prepared).toBe(0);
    return { outcomes, store: await contents(store, flow.mapping.entity), written: written.prepared + written.plain };
  };
  const inThread = await run(false);
  const inWorker = await run(true);
  expect(inWorker).toEqual(inThread);
  const inPieces = await run('pieces');
  expect(inPieces).toEqual(inThread);
  return inThread;
}

function rows(first: number, count: number, bad: (i: number) => string | undefined = () => undefined): Buffer {
  let out = 'ID,NAME,CITY,QTY,PRICE,AMOUNT,DISCOUNT,ORDERED,SHIPPED,STATUS\n';
  for (let i = first; i < first + count; i++) {
    out += (bad(i) ?? `ID${String(i).padStart(8, '0')},Name ${i},Brno,${i % 1000},12.50,125.00,0.00,20261101,20261201,${'AOC'[i % 3]}`) + '\n';
  }
  return Buffer.from(out);
}

describe('ingest in a worker thread', () => {
  it('leaves the same entities, versions, rejects and progress as ingest on one thread (CSV with bad records, then a changed file)', async () => {
    const csv = join(root, 'bench', 'mappings', 'rows-csv.yaml');
    const bad = (i: number) => (i % 97 === 0 ? `ID${i},x,y,notanumber,1.00,1.00,0.00,20261101,20261201,A` : i % 89 === 0 ? 'too,few,columns' : undefined);
    const changed = (i: number) => (i % 3 === 0 ? `ID${String(i).padStart(8, '0')},Renamed ${i},Graz,1,1.00,1.00,0.00,20261101,20261201,C` : bad(i));
    const result = await both(csv, [['a.csv', rows(1, 1200, bad)], ['b.csv', rows(1, 1500, changed)]], 100);
    expect(result.store.rejects.length).toBeGreaterThan(20);
    expect(result.outcomes).toMatchObject([{ status: 'applied', settled: ['ack'] }, { status: 'applied', settled: ['ack'] }]);
    expect(result.store.versions.some((h) => h.length === 2)).toBe(true);
  });

  it('cuts batches of more writes than the worker posts at once at the same records as one thread', async () => {
    const csv = join(root, 'bench', 'mappings', 'rows-csv.yaml');
    const bad = (i: number) => (i % 211 === 0 ? 'too,few,columns' : undefined);
    const result = await both(csv, [['parts.csv', rows(1, 2600, bad)]], 1100);
    expect(result.outcomes).toMatchObject([{ status: 'applied', counts: { created: 2588, rejected: 12 } }]);
    expect(result.store.entities.length).toBe(2588);
  });

  it('carries records of large data as one thread writes them (their texts fill a part before its 500 writes)', async () => {
    const csv = join(root, 'bench', 'mappings', 'rows-csv.yaml');
    const name = 'N'.repeat(200_000);
    const big = (i: number) => `ID${String(i).padStart(8, '0')},${name}${i},Brno,1,12.50,125.00,0.00,20261101,20261201,A`;
    const result = await both(csv, [['big.csv', rows(1, 100, big)]], 1000);
    expect(result.outcomes).toMatchObject([{ status: 'applied', counts: { created: 100 } }]);
    expect(result.store.entities.map((e) => (e.data.name as string).length)).toEqual(Array.from({ length: 100 }, (_, i) => 200_000 + String(i + 1).length));
  });

  it('leaves the same store for the fixture cases (EBCDIC, multi-record with trailer, Windows-1252)', async () => {
    for (const [mapping, input] of [['customer-master.yaml', 'customer-master/CUSTMAST.DAT'], ['orders.yaml', 'orders/ORDERS.TXT'], ['price-list.yaml', 'price-list/PRICES.CSV']]) {
      const body = readFileSync(join(root, 'fixtures', input));
      const result = await both(join(root, 'mappings', mapping), [[input, body]], 2);
      expect(result.store.entities.length).toBeGreaterThan(0);
    }
  });

  it('refuses a file whose trailer does not hold as a whole, with the same errors', async () => {
    const body = readFileSync(join(root, 'fixtures', 'orders', 'ORDERS.TXT'), 'latin1');
    const cut = Buffer.from(body.split('\n').filter((_l, i) => i !== 2).join('\n'), 'latin1');
    const result = await both(join(root, 'mappings', 'orders.yaml'), [['ORDERS.TXT', cut]], 2);
    expect(result.outcomes).toMatchObject([{ status: 'failed' }]);
    expect(result.store.head).toBe(0);
  });

  it('holds back a full sync that deletes too much, as on one thread', async () => {
    const csv = join(root, 'bench', 'mappings', 'rows-csv.yaml');
    const result = await both(csv, [['full-1.csv', rows(1, 300)], ['full-2.csv', rows(1, 100)]], 50, 'full');
    expect(result.outcomes).toMatchObject([{ status: 'applied' }, { status: 'held' }]);
  });

  it('resumes an interrupted delivery where its last batch left off', async () => {
    const flow = flowOf(join(root, 'bench', 'mappings', 'rows-csv.yaml'), 100);
    const store = stores.open();
    const written = countWrites(store);
    const d = delivery('r.csv', rows(1, 1000));
    const controller = new AbortController();
    const first = await ingest(d, flow, store, { worker: true, signal: controller.signal, onBatch: (n) => n >= 300 && controller.abort() });
    expect(first.status).toBe('interrupted');
    expect(first.records).toBe(300);
    const second = await ingest(d, flow, store, { worker: true });
    expect(second).toMatchObject({ status: 'applied', records: 700, resumedAfter: 300, counts: { created: 700, unchanged: 0 } });
    expect(first.resumedAfter).toBeUndefined();
    expect(await store.head()).toBe(1000);
    expect(written).toEqual({ prepared: 1000, plain: 0 });
  });

  it('maps with the mapping loaded at start, its lookup tables and model included, not with the files as they are now', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lb-worker-'));
    dirs.push(dir);
    const mappingFile = join(dir, 'rows.yaml');
    const original = readFileSync(join(root, 'bench', 'mappings', 'rows-csv.yaml'), 'utf8');
    const cityLookup = "city: { from: CITY, transform: [trim], lookup: { file: cities.csv, key: code, value: name } }";
    writeFileSync(mappingFile, original.replace(/city: \{ from: CITY, transform: \[trim\] \}/, cityLookup));
    writeFileSync(join(dir, 'cities.csv'), 'code,name\nBrno,Brno (CZ)\n');
    copyFileSync(join(root, 'bench', 'mappings', 'model.yaml'), join(dir, 'model.yaml'));
    const flow = flowOf(mappingFile, 100);
    // Every file the mapping was compiled from changes or goes away after the daemon loaded it.
    writeFileSync(mappingFile, original.replace('A: active', 'A: edited'));
    rmSync(join(dir, 'cities.csv'));
    rmSync(join(dir, 'model.yaml'));
    const result = await both(mappingFile, [['w.csv', rows(1, 10)]], 100, 'incremental', flow);
    expect(result.outcomes).toMatchObject([{ status: 'applied', counts: { created: 10 } }]);
    const data = (result.store.versions.flat() as { data: Record<string, unknown> }[]).map((v) => v.data);
    expect(new Set(data.map((d) => d.city))).toEqual(new Set(['Brno (CZ)']));
    expect(new Set(data.map((d) => d.status))).toEqual(new Set(['active', 'open', 'closed']));
  });

  it('reports a worker that dies as an error naming the flow, and commits nothing', async () => {
    await closeIngestWorkers();
    process.env.BRIDGE_FAULT = 'ingest-worker-exit';
    const store = stores.open();
    const error = await ingest(delivery('x.csv', rows(1, 10)), flowOf(join(root, 'bench', 'mappings', 'rows-csv.yaml'), 5), store, { worker: true }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('ingest worker of flow f stopped (exit code 70) before the delivery was mapped');
    expect(error).not.toBeInstanceOf(DataError);
    expect(await store.head()).toBe(0);
    delete process.env.BRIDGE_FAULT;
    const again = await ingest(delivery('x.csv', rows(1, 10)), flowOf(join(root, 'bench', 'mappings', 'rows-csv.yaml'), 5), store, { worker: true });
    expect(again).toMatchObject({ status: 'applied', counts: { created: 10 } });
  });
});
