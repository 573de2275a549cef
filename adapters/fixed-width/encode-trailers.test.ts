import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataError, formatDataError } from '../../src/core/errors.js';
import type { LegacyRecord } from '../../src/core/records.js';
import { chunked, decodeAll, encodeAll, failures, formatOf, records } from './test-support.js';

/** The layout of mappings/orders.yaml (ORDEXP v3 order export), copied: no mapping engine here. */
const orders = (emit: string | undefined, extra: object = {}) => ({
  encoding: 'latin1',
  separator: 'lf',
  lineLength: 'pad',
  recordLength: 40,
  ...extra,
  recordTypes: {
    discriminator: { start: 1, length: 1 },
    emit,
    types: [
      {
        code: 'H',
        name: 'HEADER',
        fields: [
          { name: 'REC-TYPE', start: 1, length: 1 },
          { name: 'ORDER-NO', start: 2, length: 10 },
          { name: 'CUSTOMER-ID', start: 12, length: 8 },
          { name: 'ORDER-DATE', start: 20, length: 8, type: 'date', pattern: 'yyyyMMdd' },
          { name: 'CURRENCY', start: 28, length: 3 },
          { name: 'FILLER', start: 31, length: 10, type: 'filler' },
        ],
      },
      {
        code: 'D',
        name: 'DETAIL',
        parent: 'HEADER',
        fields: [
          { name: 'REC-TYPE', start: 1, length: 1 },
          { name: 'LINE-NO', start: 2, length: 3, type: 'integer' },
          { name: 'SKU', start: 5, length: 12 },
          { name: 'QTY', start: 17, length: 5, type: 'integer' },
          { name: 'UNIT-PRICE', start: 22, length: 9, type: 'decimal', scale: 2 },
          { name: 'LINE-AMOUNT', start: 31, length: 10, type: 'decimal', scale: 2 },
        ],
      },
      {
        code: 'T',
        name: 'TRAILER',
        fields: [
          { name: 'REC-TYPE', start: 1, length: 1 },
          { name: 'RECORD-COUNT', start: 2, length: 6, type: 'integer' },
          { name: 'AMOUNT-TOTAL', start: 8, length: 13, type: 'decimal', scale: 2 },
          { name: 'FILLER', start: 21, length: 20, type: 'filler' },
        ],
        checks: [
          { count: 'DETAIL', equals: 'RECORD-COUNT' },
          { sum: 'DETAIL.LINE-AMOUNT', equals: 'AMOUNT-TOTAL' },
        ],
      },
    ],
  },
});

const ordersFile = readFileSync(new URL('../../fixtures/orders/ORDERS.TXT', import.meta.url));
const text = (lines: string[]) => lines.map((l) => `${l.padEnd(40)}\n`).join('');

describe('encoding header / detail / trailer files', () => {
  it('ORDERS.TXT: decode, then encode gives back every byte, trailer generated', async () => {
    const fmt = formatOf(orders('HEADER'));
    const decoded = await decodeAll(fmt, ordersFile, 'ORDERS.TXT');
    expect(failures(decoded)).toEqual([]);
    const recs = records(decoded);
    expect(recs.map((r) => (r.DETAIL as unknown[]).length)).toEqual([2, 1, 3]);
    expect((await encodeAll(fmt, recs)).toString('hex')).toBe(ordersFile.toString('hex'));
  });

  it('ORDERS.TXT as { TYPE } records keeps the trailer given, and generates it when absent', async () => {
    const fmt = formatOf(orders(undefined));
    const recs = records(await decodeAll(fmt, ordersFile));
    expect(recs.at(-1)).toEqual({ TRAILER: { 'REC-TYPE': 'T', 'RECORD-COUNT': '6', 'AMOUNT-TOTAL': '567.02' } });
    expect((await encodeAll(fmt, recs)).toString('hex')).toBe(ordersFile.toString('hex'));
    expect((await encodeAll(fmt, recs.slice(0, -1))).toString('hex')).toBe(ordersFile.toString('hex'));
    const odd = [...recs.slice(0, -1), { TRAILER: { 'RECORD-COUNT': '1', 'AMOUNT-TOTAL': '2' } }];
    expect((await encodeAll(fmt, odd)).toString('latin1').split('\n').at(-2)).toBe('T0000010000000000200'.padEnd(40));
  });

  it('fills in a missing discriminator field; refuses one that contradicts the record type', async () => {
    const fmt = formatOf(orders('HEADER'));
    const header = { 'ORDER-NO': 'ORD1', 'CUSTOMER-ID': 'C1', 'ORDER-DATE': null, CURRENCY: 'EUR' };
    const bytes = await encodeAll(fmt, [{ ...header, DETAIL: [{ 'LINE-NO': '1', SKU: 'X', QTY: '1', 'UNIT-PRICE': '2.5', 'LINE-AMOUNT': '-2.5' }] }]);
    expect(bytes.toString('latin1')).toBe(
      text(['HORD1      C1      00000000EUR', 'D001X           00001000000250-000000250', 'T000001-000000000250']),
    );
    const err = await encodeAll(fmt, [{ ...header, 'REC-TYPE': 'D', DETAIL: [] }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect(formatDataError((err as DataError).details[0])).toBe(
      '(record 1): field REC-TYPE: cannot write: a HEADER record has code "H" there (value "D") [field.encode]',
    );
  });

  it('a header whose details outgrow one output chunk', async () => {
    const fmt = formatOf(orders('HEADER'));
    const DETAIL = Array.from({ length: 4000 }, (_, i) => ({ 'REC-TYPE': 'D', 'LINE-NO': String(i % 1000), SKU: 'S'.padEnd(12), QTY: '1', 'UNIT-PRICE': '0.01', 'LINE-AMOUNT': '0.01' }));
    const recs = [{ 'REC-TYPE': 'H', 'ORDER-NO': 'BIG'.padEnd(10), 'CUSTOMER-ID': 'C'.padEnd(8), 'ORDER-DATE': null, CURRENCY: 'EUR', DETAIL }];
    const bytes = await encodeAll(fmt, recs);
    expect(bytes.length).toBe(4002 * 41);
    expect(bytes.toString('latin1', bytes.length - 41)).toBe(text(['T0040000000000004000']));
    expect(records(await decodeAll(fmt, bytes))).toEqual(recs);
  });

  it('no records: the trailer alone, counts zero', async () => {
    expect((await encodeAll(formatOf(orders('HEADER')), [])).toString('latin1')).toBe(text(['T0000000000000000000']));
  });

  it('a file without a final newline encodes back exactly with finalNewline: false', async () => {
    const cut = ordersFile.subarray(0, ordersFile.length - 1);
    const fmt = formatOf(orders('HEADER', { finalNewline: false }));
    const decoded = await decodeAll(fmt, cut);
    expect(failures(decoded)).toEqual([]);
    expect((await encodeAll(fmt, records(decoded))).toString('hex')).toBe(cut.toString('hex'));
    expect((await encodeAll(formatOf(orders('HEADER')), records(decoded))).toString('hex')).toBe(ordersFile.toString('hex'));
  });
});

/** A CNAB 240-like file: lots with their own trailers inside a file with a trailer. */
const lots = (emit: string) => ({
  recordTypes: {
    discriminator: { start: 1, length: 1 },
    emit,
    types: [
      { code: '1', name: 'LOT', fields: [{ name: 'T', length: 1 }, { name: 'LOT-NO', length: 2, type: 'integer' }, { name: 'BANK', length: 5 }] },
      { code: '3', name: 'SEG', parent: 'LOT', fields: [{ name: 'T', length: 1 }, { name: 'AMT', length: 7, type: 'zoned', scale: 2 }] },
      {
        code: '5', name: 'LOT-TRAILER', parent: 'LOT',
        fields: [{ name: 'T', length: 1 }, { name: 'N', length: 3, type: 'integer' }, { name: 'SUM', length: 4, type: 'packed', scale: 2 }],
        checks: [{ count: '*', equals: 'N' }, { sum: 'SEG.AMT', equals: 'SUM' }],
      },
      {
        code: '9', name: 'FILE-TRAILER',
        fields: [{ name: 'T', length: 1 }, { name: 'LOTS', length: 2, type: 'integer' }, { name: 'ALL', length: 4, type: 'integer' }, { name: 'NOTE', length: 1 }],
        checks: [{ count: 'LOT', equals: 'LOTS' }, { count: '*', equals: 'ALL' }],
      },
    ],
  },
});

describe('trailers that close a parent', () => {
  const input: LegacyRecord[] = [
    { 'LOT-NO': '1', BANK: 'ITAU', SEG: [{ AMT: '1.50' }, { AMT: '-0.25' }] },
    { 'LOT-NO': '2', BANK: 'BB', SEG: [] },
  ];

  it('writes each lot trailer after its lot, the file trailer last, with non-check fields zero or blank', async () => {
    const fmt = formatOf(lots('LOT'));
    const bytes = await encodeAll(fmt, input);
    expect(bytes.toString('hex')).toBe(
      Buffer.concat([
        Buffer.from('101ITAU \n3000015{\n3000002N\n5004', 'latin1'), Buffer.from('0000125c', 'hex'), Buffer.from('\n102BB   \n5002', 'latin1'),
        Buffer.from('0000000c', 'hex'), Buffer.from('\n9020007 \n', 'latin1'),
      ]).toString('hex'),
    );
    const decoded = await decodeAll(fmt, bytes);
    expect(failures(decoded)).toEqual([]);
    const back = records(decoded);
    expect(back.map((r) => r['LOT-TRAILER'])).toEqual([[{ T: '5', N: '4', SUM: '1.25' }], [{ T: '5', N: '2', SUM: '0.00' }]]);
    expect((await encodeAll(fmt, back)).equals(bytes)).toBe(true);
    // An empty trailer list is the input saying "none": decode → encode keeps a file without one.
    const none = back.map((r) => ({ ...r, 'LOT-TRAILER': [] }));
    expect((await encodeAll(fmt, none)).toString('latin1').split('\n').map((l) => l.slice(0, 1))).toEqual(['1', '3', '3', '1', '9', '']);
  });

  it('emitting the child type: trailers are generated when the parent changes', async () => {
    const fmt = formatOf(lots('SEG'));
    const lot = { T: '1', 'LOT-NO': '7', BANK: 'X' };
    const bytes = await encodeAll(fmt, [{ AMT: '1.00', LOT: lot }, { AMT: '2.00', LOT: lot }, { AMT: '3.00', LOT: { ...lot, 'LOT-NO': '8' } }]);
    expect(bytes.toString('latin1').split('\n').map((l) => l.slice(0, 4))).toEqual(['107X', '3000', '3000', '5004', '108X', '3000', '5003', '9020008', ''].map((l) => l.slice(0, 4)));
    expect(failures(await decodeAll(fmt, bytes))).toEqual([]);
  });
});

/** Independent of the code under test: a bigint of cents as canonical decimal text. */
const cents = (v: bigint) => {
  const neg = v < 0n;
  const abs = (neg ? -v : v).toString().padStart(3, '0');
  return `${neg ? '-' : ''}${abs.slice(0, -2)}.${abs.slice(-2)}`;
};

describe('round trip property, orders layout', () => {
  const detail = fc.record({
    'REC-TYPE': fc.constant('D'),
    'LINE-NO': fc.integer({ min: 0, max: 999 }).map(String),
    SKU: fc.stringMatching(/^[A-Z0-9-]{12}$/),
    QTY: fc.integer({ min: 0, max: 99999 }).map(String),
    'UNIT-PRICE': fc.bigInt({ min: 0n, max: 10n ** 9n - 1n }).map(cents),
    'LINE-AMOUNT': fc.bigInt({ min: -(10n ** 9n) + 1n, max: 10n ** 10n - 1n }).map(cents),
  });
  const header = fc.record({
    'REC-TYPE': fc.constant('H'),
    'ORDER-NO': fc.stringMatching(/^[A-Z0-9]{10}$/),
    'CUSTOMER-ID': fc.stringMatching(/^[A-Z0-9]{8}$/),
    'ORDER-DATE': fc.option(fc.date({ min: new Date('1900-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10))),
    CURRENCY: fc.constantFrom('EUR', 'USD', 'BRL'),
    DETAIL: fc.array(detail, { maxLength: 5 }),
  });

  it('encode → decode: checks hold, records equal, the trailer says the count and exact sum; bytes come back', async () => {
    const fmt = formatOf(orders('HEADER'));
    const flat = formatOf(orders(undefined));
    await fc.assert(
      fc.asyncProperty(fc.array(header, { maxLength: 6 }), fc.integer({ min: 1, max: 97 }), async (recs, chunk) => {
        const bytes = await encodeAll(fmt, recs);
        const decoded = await decodeAll(fmt, chunked(bytes, chunk));
        expect(failures(decoded)).toEqual([]);
        expect(records(decoded)).toEqual(recs);
        const details = recs.flatMap((r) => r.DETAIL as LegacyRecord[]);
        const total = details.reduce((s, d) => s + BigInt((d['LINE-AMOUNT'] as string).replace('.', '')), 0n);
        const trailer = records(await decodeAll(flat, bytes)).at(-1);
        expect(trailer).toEqual({ TRAILER: { 'REC-TYPE': 'T', 'RECORD-COUNT': String(details.length), 'AMOUNT-TOTAL': cents(total) } });
        expect((await encodeAll(fmt, records(decoded))).toString('hex')).toBe(bytes.toString('hex'));
      }),
      { numRuns: 80 },
    );
  });
});
