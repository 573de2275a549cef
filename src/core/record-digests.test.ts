import { hash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BatchDigestsBuffer, digestWords, ENTRY_BYTES, excludeKnown, knownRecordsTable, RecordDigests } from './record-digests.js';

/** Stored entries for `records`, the i-th with seq i + 1, as the store keeps them. */
function entries(records: string[], seqOf = (i: number) => i + 1): Buffer {
  const buffer = new ArrayBuffer(records.length * ENTRY_BYTES);
  const words = new Uint32Array(buffer);
  const seqs = new Float64Array(buffer);
  records.forEach((r, i) => {
    digestWords(hash('sha256', r, 'base64'), words, i * 6);
    seqs[i * 3 + 2] = seqOf(i);
  });
  return Buffer.from(buffer);
}

describe('record digests', () => {
  const records = Array.from({ length: 3000 }, (_, i) => `ID${i},name ${i},Lyon`);

  it('finds every known record by its text or bytes, and no other', () => {
    const d = new RecordDigests({ known: knownRecordsTable(entries(records)) });
    records.forEach((r, i) => expect(d.known(d.of(r))).toBe(i + 1));
    expect(d.known(d.of(Buffer.from(records[7], 'latin1')))).toBe(8);
    expect(d.known(d.of('ID7,name 7,Lyon '))).toBe(0);
    expect(d.known(d.of(''))).toBe(0);
  });

  it('leaves out excluded seqs, and keeps the last seq of a text met twice, excluded or not', () => {
    const table = knownRecordsTable(entries([...records.slice(0, 3), records[1], records[2]]))!;
    excludeKnown(table, new Set([1, 5]));
    const d = new RecordDigests({ known: table });
    expect(d.known(d.of(records[0]))).toBe(0);
    expect(d.known(d.of(records[1]))).toBe(4);
    // Its later entry (seq 5) is excluded: the earlier one (3) is older still, not recognised either.
    expect(d.known(d.of(records[2]))).toBe(0);
    expect(knownRecordsTable(Buffer.alloc(0))).toBeUndefined();
  });

  it('recognises nothing until the delivery depends on what the known records depended on', () => {
    const header = 'ID,NAME,CITY';
    const known = knownRecordsTable(entries(records));
    const same = new RecordDigests({ known, context: hash('sha256', header, 'base64') });
    expect(same.known(same.of(records[0]))).toBe(0);
    same.dependOn(header);
    expect(same.known(same.of(records[0]))).toBe(1);
    const other = new RecordDigests({ known, context: hash('sha256', header, 'base64') });
    other.dependOn('ID,CITY,NAME');
    expect(other.known(other.of(records[0]))).toBe(0);
    // Known records of a file without a header are not recognised after one, nor the other way round.
    const headerless = new RecordDigests({ known, context: '' });
    expect(headerless.known(headerless.of(records[0]))).toBe(1);
    headerless.dependOn(header);
    expect(headerless.known(headerless.of(records[0]))).toBe(0);
  });

  it('hands a batch its writes\' digests (zeros for a record without one), its known records and the context', () => {
    const d = new RecordDigests({});
    d.dependOn('H');
    const buffer = new BatchDigestsBuffer(d);
    for (let i = 0; i < 100; i++) buffer.write(i === 5 ? undefined : d.of(records[i]));
    buffer.known(42, d.of(records[0]));
    const batch = buffer.take()!;
    expect(batch.writes.length).toBe(400);
    expect(Array.from(batch.writes.subarray(20, 24))).toEqual([0, 0, 0, 0]);
    const first = new Uint32Array(4);
    digestWords(d.of(records[0]), first, 0);
    expect(Array.from(batch.writes.subarray(0, 4))).toEqual(Array.from(first));
    expect(Array.from(batch.knownDigests)).toEqual(Array.from(first));
    expect(Array.from(batch.knownSeqs)).toEqual([42]);
    expect(batch.context).toBe(d.context);
    expect(buffer.take()).toMatchObject({ knownSeqs: new Float64Array(0), context: d.context });
    expect(new BatchDigestsBuffer(undefined).take()).toBeUndefined();
  });
});
