import { join, resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { LineSplit } from '../core/format.js';
import { loadMapping, type Mapping } from '../mapping/index.js';
import { canonicalJson } from '../store/canonical-json.js';
import { mapInThread, type MappedBatch } from './mapped-batches.js';
import { mapInPieces } from './piece-batches.js';
import { closeIngestWorkers } from './worker-batches.js';

const root = resolve(import.meta.dirname, '..', '..');
afterAll(closeIngestWorkers);
afterEach(() => {
  delete process.env.BRIDGE_FAULT;
});

const csv = loadMapping(join(root, 'bench', 'mappings', 'rows-csv.yaml'));
const fixed = loadMapping(join(root, 'bench', 'mappings', 'rows-fixed.yaml'));

function csvRows(count: number, line: (i: number) => string | undefined = () => undefined): Buffer {
  let out = 'ID,NAME,CITY,QTY,PRICE,AMOUNT,DISCOUNT,ORDERED,SHIPPED,STATUS\n';
  for (let i = 1; i <= count; i++) out += (line(i) ?? `ID${String(i).padStart(8, '0')},Name ${i},Brno,${i % 1000},12.50,125.00,0.00,20261101,20261201,${'AOC'[i % 3]}`) + '\n';
  return Buffer.from(out);
}

/** 93-byte records as bench/mappings/rows-fixed.yaml lays them out. */
function fixedRows(count: number, line: (i: number) => string | undefined = () => undefined): Buffer {
  let out = '';
  const rest = ['12'.padStart(6, '0'), '1250'.padStart(9, '0'), '12500'.padStart(11, '0'), '00000', '20261101', '20261201', 'A'].join('');
  for (let i = 1; i <= count; i++) out += (line(i) ?? `ID${String(i).padStart(8, '0')}${`Name ${i}`.padEnd(20)}${'Brno'.padEnd(15)}${rest}`) + '\n';
  return Buffer.from(out, 'latin1');
}

/** The body in chunks of `size` bytes, as a stream would bring it. */
function chunked(body: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < body.length; i += size) out.push(body.subarray(i, i + size));
  return out;
}

async function* each(chunks: Buffer[]): AsyncIterable<Buffer> {
  yield* chunks;
}

/** A batch as the store would see it: its cut, its writes' keys, texts and positions, its rejects. */
function plain(b: MappedBatch) {
  return {
    seen: b.seen,
    last: b.last,
    fatal: b.fatal,
    writes: b.writes.map((w) => [w.key, canonicalJson(w.data), JSON.stringify(w.position)]),
    rejects: b.rejects.map((r) => ({ ...r, record: undefined })),
  };
}

const job = (mapping: Mapping, batchSize: number) => ({
  mappingFile: mapping.file,
  modelFile: mapping.model.file,
  sources: { ...mapping.model.sources, ...mapping.sources },
  meta: { name: 'rows' },
  flow: 'f',
  deliveryId: 'd',
  deliveryName: 'rows',
  skip: 0,
  batchSize,
});

/** The batches of a delivery mapped in pieces, and the same on one thread; they must be equal. */
async function compare(mapping: Mapping, body: Buffer, batchSize: number, pieceBytes: number, split: LineSplit = mapping.format.lines!, chunkBytes = 1000) {
  const inPieces: ReturnType<typeof plain>[] = [];
  for await (const b of mapInPieces(each(chunked(body, chunkBytes)), job(mapping, batchSize), split, pieceBytes)) inPieces.push(plain(b));
  const inThread: ReturnType<typeof plain>[] = [];
  const cut = { mapping, flow: 'f', deliveryId: 'd', deliveryName: 'rows', skip: 0, batchSize };
  for await (const b of mapInThread(mapping.format.decode(each(chunked(body, chunkBytes)), { name: 'rows' }), cut)) inThread.push(plain(b));
  expect(inPieces).toEqual(inThread);
  return inThread;
}

/** Counts the pieces the format is asked to accept: proof that the delivery was cut. */
function counting(split: LineSplit): LineSplit & { asked: number } {
  const s = { headerLines: split.headerLines, asked: 0, accepts: (b: Buffer) => (s.asked++, split.accepts(b)) };
  return s;
}

describe('mapping a delivery in pieces on two workers', () => {
  it('yields the batches of one thread, in order, with positions and rejects of later pieces (CSV)', async () => {
    const split = counting(csv.format.lines!);
    const bad = (i: number) => (i % 97 === 0 ? `ID${i},x,y,notanumber,1.00,1.00,0.00,20261101,20261201,A` : i % 89 === 0 ? 'too,few,columns' : undefined);
    const batches = await compare(csv, csvRows(3000, bad), 50, 2048, split);
    expect(split.asked).toBeGreaterThan(10);
    expect(batches.length).toBe(61);
    expect(batches[58].rejects.at(-1)!.position).toEqual({ file: 'rows', line: 2938, record: 2937 });
  });

  it('yields the batches of one thread for fixed-width records, offsets included', async () => {
    const split = counting(fixed.format.lines!);
    const batches = await compare(fixed, fixedRows(2000, (i) => (i === 1500 ? 'short' : undefined)), 100, 4096, split);
    expect(split.asked).toBeGreaterThan(5);
    expect(batches[14].rejects[0].position).toEqual({ file: 'rows', line: 1500, record: 1500, offset: 1499 * 94 });
    expect(batches[15].writes[0][2]).toBe(JSON.stringify({ file: 'rows', line: 1501, record: 1501, offset: 1499 * 94 + 6 }));
  });

  it('decodes a piece with quotes (a quoted line break across a cut) and all after it as one', async () => {
    const quoted = (i: number) => (i === 700 ? `ID${i},"Name with a line break,\n and a ""quote""",Brno,1,1.00,1.00,0.00,20261101,20261201,A` : undefined);
    for (const pieceBytes of [1024, 2048, 3000]) await compare(csv, csvRows(1500, quoted), 25, pieceBytes);
  });

  it('decodes a piece whose lines are not one record each (blank lines) and all after it as one', async () => {
    await compare(fixed, fixedRows(1200, (i) => (i === 450 ? '' : undefined)), 50, 2048);
    await compare(csv, csvRows(1200, (i) => (i === 450 ? '' : undefined)), 50, 2048);
    // Pieces of several batches: those before the blank line are kept, the rest mapped again.
    await compare(fixed, fixedRows(1200, (i) => (i === 455 ? '' : undefined)), 10, 4096);
    // Batches of one: the piece's last batch is empty either way, only its count tells.
    await compare(fixed, fixedRows(300, (i) => (i === 155 ? '' : undefined)), 1, 2048);
  });

  it('ends as one thread does at a fatal failure in a later piece, with the same chunks', async () => {
    // A line longer than 65,536 bytes that no chunk ends in condemns the delivery.
    const long = (i: number) => (i === 900 ? 'x'.repeat(70_000) : undefined);
    const batches = await compare(fixed, fixedRows(1000, long), 50, 4096);
    expect(batches.at(-1)).toMatchObject({ last: true, seen: 900, fatal: [{ code: 'record.length' }] });
    expect(batches.length).toBe(18);
    await compare(fixed, fixedRows(1000, long), 10, 4096);
  });

  it('yields the empty last batch of a delivery that ends at a cut, and of an empty one', async () => {
    await compare(csv, csvRows(400), 100, 1);
    await compare(csv, csvRows(0), 100, 1);
  });

  it('fails with the error of a worker that dies', async () => {
    process.env.BRIDGE_FAULT = 'ingest-worker-exit';
    await closeIngestWorkers();
    const run = async () => {
      for await (const _ of mapInPieces(csvRows(1000), job(csv, 50), csv.format.lines!, 2048));
    };
    await expect(run()).rejects.toThrow('ingest worker of flow f stopped (exit code 70) before the delivery was mapped');
  });
});
