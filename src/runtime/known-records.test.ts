import { hash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { digestWords, ENTRY_BYTES } from '../core/record-digests.js';
import type { Delivery } from '../core/delivery.js';
import { loadMapping, type Mapping } from '../mapping/index.js';
import { openSqliteStore } from '../store/sqlite-store.js';
import { TempStores } from '../store/test-support.js';
import { KnownRecordsChangedError } from '../store/index.js';
import type { Store } from '../store/types.js';
import { digestSeed } from './digest-seed.js';
import { ingest, type IngestFlow, type IngestOptions } from './ingest.js';
import { closeIngestWorkers } from './worker-batches.js';

const root = resolve(import.meta.dirname, '..', '..');
const stores = new TempStores();
const dir = mkdtempSync(join(tmpdir(), 'lb-known-'));
afterEach(() => stores.cleanup());
afterAll(async () => {
  await closeIngestWorkers();
  rmSync(dir, { recursive: true, force: true });
});

const csvMapping = loadMapping(resolve(root, 'bench/mappings/rows-csv.yaml'));
const fixedMapping = loadMapping(resolve(root, 'bench/mappings/rows-fixed.yaml'));
const HEADER = 'ID,NAME,CITY,QTY,PRICE,AMOUNT,DISCOUNT,ORDERED,SHIPPED,STATUS';
const WIDTHS = [10, 20, 15, 6, 9, 11, 5, 8, 8, 1];

interface Row {
  id: number;
  name?: string;
}
const csvLine = (r: Row) => `ID${r.id},${r.name ?? 'N'},Lyon,1,1.00,1.00,0.00,20260101,20270101,A`;
const csv = (rows: Row[]) => [HEADER, ...rows.map(csvLine), ''].join('\n');
const fixed = (rows: Row[]) => rows.map((r) => csvLine(r).split(',').map((v, i) => (i >= 3 && i <= 6 ? v.replace('.', '').padStart(WIDTHS[i], '0') : v.padEnd(WIDTHS[i]))).join('') + '\n').join('');
const ids = (from: number, to: number): Row[] => Array.from({ length: to - from + 1 }, (_, i) => ({ id: from + i }));

const flowOf = (name: string, mapping: Mapping = csvMapping, extra: Partial<IngestFlow> = {}): IngestFlow => ({ name, mapping, mode: 'incremental', maxDeleteShare: 0.2, batchSize: 2, deliversFiles: true, ...extra });
let deliveries = 0;
const deliveryOf = (text: string): Delivery => ({
  id: `sha-${++deliveries}`,
  meta: { name: 'rows.csv' },
  size: text.length,
  open: () => Buffer.from(text, 'latin1'),
  ack: async () => undefined,
  nack: async () => undefined,
});
/** The store, and how many batches it refused for known records found changed (each mapped again). */
function countingRefusals(store: Store): { store: Store; refusals: () => number } {
  let refusals = 0;
  const counting: Store = Object.assign(Object.create(store) as Store, {
    apply: (batch: Parameters<Store['apply']>[0]) =>
      store.apply(batch).catch((e: unknown) => {
        if (e instanceof KnownRecordsChangedError) refusals++;
        throw e;
      }),
  });
  return { store: counting, refusals: () => refusals };
}
const summary = async (store: Store, text: string, flow: IngestFlow, options: IngestOptions) => {
  const o = await ingest(deliveryOf(text), flow, store, { recognise: true, ...options });
  return { status: o.status, created: o.counts.created, updated: o.counts.updated, unchanged: o.counts.unchanged, deleted: o.counts.deleted, recognised: o.recognised ?? 0 };
};

describe.each([
  ['on the store thread', { worker: false }],
  ['in a worker', { worker: true }],
  ['in pieces', { worker: 'pieces' }],
] as const)('records sent again, recognised by their digest (%s)', (_, options) => {
  it('counts a file sent again unchanged without mapping its records, and maps the records that changed', async () => {
    const store = stores.open();
    expect(await summary(store, csv(ids(1, 5)), flowOf('a'), options)).toMatchObject({ created: 5, recognised: 0 });
    const head = await store.head();
    // Another flow of the same mapping (how the bench measures it), and the same flow again.
    expect(await summary(store, csv(ids(1, 5)), flowOf('b'), options)).toEqual({ status: 'applied', created: 0, updated: 0, unchanged: 5, deleted: 0, recognised: 5 });
    expect(await summary(store, csv(ids(1, 5)), flowOf('a'), options)).toMatchObject({ unchanged: 5, recognised: 5 });
    expect(await store.head()).toBe(head);
    const changed = [...ids(1, 2), { id: 3, name: 'Changed' }, ...ids(4, 6)];
    expect(await summary(store, csv(changed), flowOf('a'), options)).toMatchObject({ created: 1, updated: 1, unchanged: 4, recognised: 4 });
    expect((await store.get('Row', 'ID3'))?.data.name).toBe('Changed');
    // The set is the last complete delivery's: the changed record is known now, and the new one.
    expect(await summary(store, csv(changed), flowOf('a'), options)).toMatchObject({ unchanged: 6, recognised: 6 });
  });

  it('recognises the records of a file long enough to be cut into pieces, with changes far apart', async () => {
    const store = stores.open();
    const rows = ids(1, 600);
    expect(await summary(store, csv(rows), flowOf('a', csvMapping, { batchSize: 50 }), options)).toMatchObject({ created: 600 });
    const changed = rows.map((r) => (r.id % 150 === 0 ? { ...r, name: 'Changed' } : r));
    expect(await summary(store, csv(changed), flowOf('a', csvMapping, { batchSize: 50 }), options)).toMatchObject({ updated: 4, unchanged: 596, recognised: 596 });
    expect((await store.get('Row', 'ID450'))?.data.name).toBe('Changed');
  });

  it('maps again a record whose entity changed since, wherever the change came from, and writes it as it would have', async () => {
    const store = stores.open();
    await summary(store, csv(ids(1, 5)), flowOf('a'), options);
    // A client changed ID2 and a later delivery of another mapping deleted nothing but rewrote ID4.
    await store.apply({ origin: { origin: 'api:crm' }, writes: [{ type: 'Row', key: 'ID2', data: { id: 'ID2', name: 'From the CRM' } }] });
    await store.apply({ origin: { origin: 'api:crm' }, writes: [{ type: 'Row', key: 'ID4', op: 'delete' }] });
    // Known before the delivery began, from the versions written since the set was made: nothing is mapped twice.
    const counted = countingRefusals(store);
    expect(await summary(counted.store, csv(ids(1, 5)), flowOf('a'), options)).toEqual({ status: 'applied', created: 1, updated: 1, unchanged: 3, deleted: 0, recognised: 3 });
    expect(counted.refusals()).toBe(0);
    expect((await store.get('Row', 'ID2'))?.data.name).toBe('N');
    expect((await store.get('Row', 'ID4'))?.deleted).toBe(false);
  });

  it('gives a file whose key comes twice the versions it gives unrecognised', async () => {
    const store = stores.open();
    const twice = csv([{ id: 7, name: 'A' }, { id: 8 }, { id: 7, name: 'B' }]);
    await summary(store, twice, flowOf('a'), options);
    // ID7's first record wrote a version its second replaced: known, but no longer current,
    // which the store finds when the batch is applied; the batch is mapped again.
    const counted = countingRefusals(store);
    expect(await summary(counted.store, twice, flowOf('a'), options)).toMatchObject({ updated: 2, unchanged: 1 });
    expect(counted.refusals()).toBeGreaterThan(0);
    expect((await store.get('Row', 'ID7'))?.data.name).toBe('B');
    expect((await store.history('Row', 'ID7')).map((v) => v.data?.name)).toEqual(['A', 'B', 'A', 'B']);
  });

  it('keeps the entities of recognised records in a full sync, and deletes only those absent', async () => {
    const store = stores.open();
    const full = flowOf('full', csvMapping, { mode: 'full', maxDeleteShare: 0.5 });
    await summary(store, csv(ids(1, 10)), full, options);
    expect(await summary(store, csv(ids(1, 9)), full, options)).toMatchObject({ unchanged: 9, deleted: 1, recognised: 9 });
    expect((await store.get('Row', 'ID10'))?.deleted).toBe(true);
    expect((await store.get('Row', 'ID9'))?.deleted).toBe(false);
  });

  it('recognises fixed-width records too', async () => {
    const store = stores.open();
    expect(await summary(store, fixed(ids(1, 5)), flowOf('f', fixedMapping), options)).toMatchObject({ created: 5 });
    expect(await summary(store, fixed([...ids(1, 4), { id: 5, name: 'Other' }]), flowOf('f', fixedMapping), options)).toMatchObject({ updated: 1, unchanged: 4, recognised: 4 });
  });
});

describe('the digests the store keeps', () => {
  it('are those of the last complete delivery of each mapping: the ones they replace go', async () => {
    const store = stores.open();
    for (const flow of ['a', 'b', 'a']) await summary(store, csv(ids(1, 5)), flowOf(flow), {});
    await summary(store, fixed(ids(1, 4)), flowOf('f', fixedMapping), {});
    const db = new Database(store.path, { readonly: true });
    try {
      const kept = db.prepare('SELECT delivery, sum(length(entries)) AS bytes FROM record_digests GROUP BY delivery ORDER BY delivery').all();
      expect(kept).toEqual([expect.objectContaining({ bytes: 5 * ENTRY_BYTES }), expect.objectContaining({ bytes: 4 * ENTRY_BYTES })]);
    } finally {
      db.close();
    }
    // At most as many as asked for: a very large set is recognised in part, its memory bounded.
    expect((await store.knownRecords(digestSeed(csvMapping), 'Row', 2)).entries.length).toBe(2 * ENTRY_BYTES);
    expect((await store.knownRecords(digestSeed(csvMapping), 'Row', 100)).entries.length).toBe(5 * ENTRY_BYTES);
  });
});

describe('the digests the store keeps, by mapping file', () => {
  it('are dropped with the set of the file as it was before an edit', async () => {
    const store = stores.open();
    const at = mkdtempSync(join(dir, 'edited-'));
    for (const f of ['rows-csv.yaml', 'model.yaml']) copyFileSync(resolve(root, 'bench/mappings', f), join(at, f));
    await summary(store, csv(ids(1, 3)), flowOf('a', loadMapping(join(at, 'rows-csv.yaml'))), {});
    writeFileSync(join(at, 'rows-csv.yaml'), `${readFileSync(join(at, 'rows-csv.yaml'), 'utf8')}\n# edited\n`);
    await summary(store, csv(ids(1, 4)), flowOf('a', loadMapping(join(at, 'rows-csv.yaml'))), {});
    const db = new Database(store.path, { readonly: true });
    try {
      expect(db.prepare('SELECT count(*) FROM record_digest_sets').pluck().get()).toBe(1);
      expect(db.prepare('SELECT sum(length(entries)) FROM record_digests').pluck().get()).toBe(4 * ENTRY_BYTES);
    } finally {
      db.close();
    }
  });

  it('are not those of a small delivery, which is mapped whole and leaves the set as it was', async () => {
    const store = stores.open();
    await summary(store, csv(ids(1, 5)), flowOf('a'), {});
    // A correction file between two large ones (by default a delivery under 1 MiB is not recognised).
    const small = await ingest(deliveryOf(csv([{ id: 2, name: 'Fixed' }])), flowOf('a'), store);
    expect(small.counts.updated).toBe(1);
    expect(small.recognised).toBeUndefined();
    expect(await summary(store, csv(ids(1, 5)), flowOf('a'), {})).toMatchObject({ updated: 1, unchanged: 4, recognised: 4 });
  });
});

describe('records sent again, not recognised', () => {
  it('after the mapping changed, however little: its records are mapped anew', async () => {
    const store = stores.open();
    for (const f of ['rows-csv.yaml', 'model.yaml']) copyFileSync(resolve(root, 'bench/mappings', f), join(dir, f));
    writeFileSync(join(dir, 'rows-csv.yaml'), `${readFileSync(join(dir, 'rows-csv.yaml'), 'utf8')}\n# changed\n`);
    await summary(store, csv(ids(1, 3)), flowOf('a'), {});
    expect(await summary(store, csv(ids(1, 3)), flowOf('a', loadMapping(join(dir, 'rows-csv.yaml'))), {})).toMatchObject({ unchanged: 3, recognised: 0 });
  });

  it('when the header names the columns in another order', async () => {
    const store = stores.open();
    await summary(store, csv(ids(1, 3)), flowOf('a'), {});
    // Same record lines, NAME and CITY swapped in the header: other content, the same text.
    const swapped = csv(ids(1, 3)).replace('ID,NAME,CITY', 'ID,CITY,NAME');
    expect(await summary(store, swapped, flowOf('a'), {})).toMatchObject({ updated: 3, recognised: 0 });
  });

  it('in the messages of an incremental flow, which are not sent again whole', async () => {
    const store = stores.open();
    const messages = flowOf('queue', csvMapping, { deliversFiles: false });
    await summary(store, csv(ids(1, 3)), messages, {});
    expect(await summary(store, csv(ids(1, 3)), messages, {})).toMatchObject({ unchanged: 3, recognised: 0 });
  });

  it('after a field-ownership policy that merged their versions was dropped from the config', async () => {
    const path = stores.path();
    const owned = openSqliteStore({ path, conflicts: [{ type: 'Row', policy: 'field-ownership', owners: { name: 'api:crm' } }] });
    await owned.apply({ origin: { origin: 'api:crm' }, writes: [{ type: 'Row', key: 'ID1', data: { id: 'ID1', name: 'From the CRM' } }] });
    await summary(owned, csv(ids(1, 1)), flowOf('a'), {});
    expect((await owned.get('Row', 'ID1'))?.data.name).toBe('From the CRM');
    await owned.close();
    // Without the policy the file's name applies: the version the record wrote then is not what it maps to.
    const store = stores.open({ path });
    expect(await summary(store, csv(ids(1, 1)), flowOf('a'), {})).toMatchObject({ updated: 1, recognised: 0 });
    expect((await store.get('Row', 'ID1'))?.data.name).toBe('N');
  });

  it('for a type with a conflict policy, which may skip a record of equal content', async () => {
    const store = stores.open({ conflicts: [{ type: 'Row', policy: 'source-priority', priority: ['a', 'b'] }] });
    await summary(store, csv(ids(1, 3)), flowOf('a'), {});
    expect(await summary(store, csv(ids(1, 3)), flowOf('b'), {})).toMatchObject({ recognised: 0 });
  });
});

describe('records sent again, under mappings that changed', () => {
  const mappingWith = (name: string, edit: (text: string) => string): Mapping => {
    const at = mkdtempSync(join(dir, `${name}-`));
    copyFileSync(resolve(root, 'bench/mappings/model.yaml'), join(at, 'model.yaml'));
    writeFileSync(join(at, 'rows-csv.yaml'), edit(readFileSync(resolve(root, 'bench/mappings/rows-csv.yaml'), 'utf8')));
    return loadMapping(join(at, 'rows-csv.yaml'));
  };
  const line = (id: number, status: string) => `ID${id},N,Lyon,1,1.00,1.00,0.00,20260101,20270101,${status}`;
  const file = (...lines: string[]) => [HEADER, ...lines, ''].join('\n');
  const named = (id: string, text: string): Delivery => ({ ...deliveryOf(text), id });

  it('after two lookup files swapped their contents: the mapping maps otherwise, with the same files', async () => {
    const store = stores.open();
    const at = mkdtempSync(join(dir, 'lookups-'));
    copyFileSync(resolve(root, 'bench/mappings/model.yaml'), join(at, 'model.yaml'));
    const text = readFileSync(resolve(root, 'bench/mappings/rows-csv.yaml'), 'utf8')
      .replace('city: { from: CITY, transform: [trim] }', 'city: { from: CITY, lookup: { file: a.csv, key: code, value: name } }')
      .replace('status: { from: STATUS, lookup: { A: active, O: open, C: closed } }', 'status: { from: STATUS, lookup: { file: b.csv, key: code, value: name } }');
    writeFileSync(join(at, 'rows-csv.yaml'), text);
    const [first, second] = ['code,name\nLyon,Lyon\nA,active\n', 'code,name\nLyon,Paris\nA,closed\n'];
    writeFileSync(join(at, 'a.csv'), first);
    writeFileSync(join(at, 'b.csv'), second);
    await ingest(deliveryOf(file(line(1, 'A'))), flowOf('a', loadMapping(join(at, 'rows-csv.yaml'))), store, { recognise: true });
    expect((await store.get('Row', 'ID1'))?.data).toMatchObject({ city: 'Lyon', status: 'closed' });
    writeFileSync(join(at, 'a.csv'), second);
    writeFileSync(join(at, 'b.csv'), first);
    const o = await ingest(deliveryOf(file(line(1, 'A'))), flowOf('a', loadMapping(join(at, 'rows-csv.yaml'))), store, { recognise: true });
    expect({ updated: o.counts.updated, recognised: o.recognised ?? 0 }).toEqual({ updated: 1, recognised: 0 });
    expect((await store.get('Row', 'ID1'))?.data).toMatchObject({ city: 'Paris', status: 'active' });
  });

  it('does not recognise, under the mapping a delivery resumed with, the records its run before mapped under another', async () => {
    const store = stores.open();
    const upper = mappingWith('upper', (t) => t.replace('A: active', 'A: ACTIVE'));
    const rows = file(...[1, 2, 3, 4, 5, 6].map((i) => line(i, 'A')));
    // Stopped after its first batch (ID1, ID2), as a shutdown does; the daemon restarts with a fixed mapping.
    const stop = new AbortController();
    const first = await ingest(named('d', rows), flowOf('a'), store, { recognise: true, signal: stop.signal, onBatch: () => stop.abort() });
    expect(first.status).toBe('interrupted');
    expect((await ingest(named('d', rows), flowOf('a', upper), store, { recognise: true })).counts).toMatchObject({ created: 4 });
    // The same records again under the fixed mapping: ID1 and ID2 still hold what the first mapped.
    const o = await ingest(named('d2', rows), flowOf('a', upper), store, { recognise: true });
    expect({ updated: o.counts.updated, unchanged: o.counts.unchanged }).toEqual({ updated: 2, unchanged: 4 });
    expect((await store.get('Row', 'ID1'))?.data.status).toBe('ACTIVE');
  });

  it('does not recognise, under a mapping, what a superseded snapshot applied anew under another kept', async () => {
    const store = stores.open();
    const upper = mappingWith('upper', (t) => t.replace('A: active', 'A: ACTIVE'));
    const full = (mapping: Mapping) => flowOf('full', mapping, { mode: 'full', maxDeleteShare: 1 });
    const s1 = file(line(1, 'A'), line(2, 'A'));
    expect((await ingest(named('s1', s1), full(csvMapping), store, { recognise: true })).counts).toMatchObject({ created: 2 });
    // The flow's mapping is fixed; its next snapshot supersedes s1, whose digests stay the first mapping's set.
    expect((await ingest(named('s2', file(line(1, 'A'), line(2, 'A'), line(3, 'A'))), full(upper), store, { recognise: true })).counts).toMatchObject({ updated: 2, created: 1 });
    // s1 sent again is applied anew, on its delivery's row, under the fixed mapping.
    expect((await ingest(named('s1', s1), full(upper), store, { recognise: true })).counts).toMatchObject({ unchanged: 2, deleted: 1 });
    // A flow still on the first mapping: ID1 A maps to active there, not to what the fixed one made of it.
    const o = await ingest(named('f1', file(line(1, 'A'))), flowOf('files'), store, { recognise: true });
    expect({ updated: o.counts.updated, recognised: o.recognised ?? 0 }).toEqual({ updated: 1, recognised: 0 });
    expect((await store.get('Row', 'ID1'))?.data.status).toBe('active');
  });
});

describe('the digests the store keeps', () => {
  it('are not kept for a delivery refused half way, which most often never completes', async () => {
    const path = stores.path();
    const store = stores.open({ path });
    const full = flowOf('full', csvMapping, { mode: 'full', maxDeleteShare: 0.2 });
    await ingest(deliveryOf(csv(ids(1, 10))), full, store, { recognise: true });
    const rows = () => {
      const db = new Database(path, { readonly: true });
      try {
        return db.prepare('SELECT count(*) FROM record_digests WHERE delivery NOT IN (SELECT delivery FROM record_digest_sets)').pluck().get();
      } finally {
        db.close();
      }
    };
    expect(rows()).toBe(0);
    // Its first batches commit (ID1..ID4, recognised), its last would delete six of ten: held.
    expect((await ingest(deliveryOf(csv(ids(1, 4))), full, store, { recognise: true })).status).toBe('held');
    expect(rows()).toBe(0);
  });
});

describe('the set a delivery recognises records by', () => {
  it('is read as one: a set another process makes meanwhile is not taken with the context of the one it replaced', async () => {
    const path = stores.path();
    const store = stores.open({ path });
    const other = stores.open({ path });
    const rows = ids(1, 2);
    const swapped = csv(rows).replace('ID,NAME,CITY', 'ID,CITY,NAME');
    // What ID1's line maps to under the swapped header: the other process's delivery writes it.
    const scratch = stores.open();
    await ingest(deliveryOf(swapped), flowOf('s'), scratch, { recognise: false });
    const mappedSwapped = (await scratch.get('Row', 'ID1'))!.data;
    await summary(store, csv(rows), flowOf('a'), {});
    // Another process (a `bridge ingest` of a file with the swapped header) completes a delivery of
    // the same mapping between the statements that read the set: its digest of ID1's line, its header.
    const sets = (store as unknown as { applier: { digestSets: { setOf: { get: (m: string) => unknown } } } }).applier.digestSets;
    const setOf = sets.setOf;
    let raced = false;
    sets.setOf = {
      get: (m: string) => {
        const set = setOf.get(m);
        if (!raced) {
          raced = true;
          const words = new Uint32Array(4);
          digestWords(hash('sha256', csvLine(rows[0]), 'base64'), words, 0);
          other.applySync({
            origin: { origin: 'flow:other', flow: 'other', deliveryId: 'y', deliveryName: 'y.csv' },
            writes: [{ type: 'Row', key: 'ID1', data: mappedSwapped }],
            progress: { flow: 'other', deliveryId: 'y', deliveryName: 'y.csv', recordsBefore: 0, recordsDone: 1, complete: true },
            digests: { writes: words, knownSeqs: new Float64Array(0), knownDigests: new Uint32Array(0), context: hash('sha256', swapped.split('\n')[0], 'base64'), mapping: digestSeed(csvMapping), mappingFile: csvMapping.file },
          });
        }
        return set;
      },
    };
    // Under this file's header ID1's line maps to what the first delivery wrote, not to what the other one did.
    expect(await summary(store, csv(rows), flowOf('a'), {})).toMatchObject({ updated: 1, unchanged: 1 });
    expect(raced).toBe(true);
    expect((await store.get('Row', 'ID1'))?.data).toMatchObject({ name: 'N', city: 'Lyon' });
  });
});

describe('a batch mapped again for known records found changed', () => {
  it('leaves them out of the table the delivery recognises by, which is not built again', async () => {
    const store = stores.open();
    const tables: unknown[] = [];
    const format = csvMapping.format;
    const watched: Mapping = {
      ...csvMapping,
      format: {
        ...format,
        decode: ((input, meta, start, digests) => {
          if (digests?.init.known !== undefined) tables.push(digests.init.known);
          return format.decode(input, meta, start, digests);
        }) as Mapping['format']['decode'],
      },
    };
    const twice = csv([{ id: 7, name: 'A' }, { id: 8 }, { id: 7, name: 'B' }, { id: 9 }]);
    await summary(store, twice, flowOf('a', watched), { worker: false });
    const counted = countingRefusals(store);
    expect(await summary(counted.store, twice, flowOf('a', watched), { worker: false })).toMatchObject({ updated: 2, unchanged: 2 });
    expect(counted.refusals()).toBeGreaterThan(0);
    // Built for a large set, a table holds up the store's thread for half a second.
    expect(tables.length).toBe(counted.refusals() + 1);
    expect(new Set(tables).size).toBe(1);
  });
});

describe('batches mapped again for known records found changed', () => {
  it('are three at most: after the third, nothing more is recognised in the delivery', async () => {
    const store = stores.open();
    // Four keys sent twice, each its own batch: each first record's version is replaced by the second's.
    const rows = [1, 2, 3, 4].flatMap((k) => [{ id: k, name: 'A' }, { id: 100 + k }, { id: k, name: 'B' }, { id: 200 + k }]);
    await summary(store, csv(rows), flowOf('a'), { worker: false });
    const counted = countingRefusals(store);
    expect(await summary(counted.store, csv(rows), flowOf('a'), { worker: false })).toMatchObject({ updated: 8, unchanged: 8 });
    expect(counted.refusals()).toBe(3);
  });
});

describe('the count of records recognised', () => {
  it('is reported for a delivery interrupted or held half way, as for one applied (the log line and `bridge ingest` say it)', async () => {
    const store = stores.open();
    await summary(store, csv(ids(1, 6)), flowOf('a'), {});
    // Stopped (SIGTERM) after its first batch of two recognised records.
    const stop = new AbortController();
    const interrupted = await ingest(deliveryOf(csv(ids(1, 6))), flowOf('b'), store, { recognise: true, signal: stop.signal, onBatch: () => stop.abort() });
    expect(interrupted).toMatchObject({ status: 'interrupted', records: 2, counts: { unchanged: 2 }, recognised: 2 });
    // A full sync held at its last batch: the batch before it, recognised, stays committed.
    const full = flowOf('full', csvMapping, { mode: 'full', maxDeleteShare: 0.2 });
    await summary(store, csv(ids(11, 16)), full, {});
    const held = await ingest(deliveryOf(csv(ids(11, 13))), full, store, { recognise: true });
    expect(held).toMatchObject({ status: 'held', counts: { unchanged: 2 }, recognised: 2 });
  });
});
