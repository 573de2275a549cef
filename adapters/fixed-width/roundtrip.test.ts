import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LegacyRecord } from '../../src/core/records.js';
import { chunked, decodeAll, encodeAll, failures, formatOf, records } from './test-support.js';

/** Independent of the code under test: a bigint of unscaled digits as canonical decimal text. */
function decimalText(v: bigint, scale: number): string {
  const neg = v < 0n;
  const abs = (neg ? -v : v).toString().padStart(scale + 1, '0');
  const body = scale ? `${abs.slice(0, -scale)}.${abs.slice(-scale)}` : abs;
  return neg && v !== 0n ? `-${body}` : body;
}

const fields = [
  { name: 'CUST-ID', length: 8 },
  { name: 'QTY', length: 7, type: 'integer' },
  { name: 'AMOUNT', length: 13, type: 'decimal', scale: 2 },
  { name: 'RATE', length: 9, type: 'decimal', scale: 3, point: true },
  { name: 'BAL', length: 9, type: 'zoned', scale: 2 },
  { name: 'PK', length: 5, type: 'packed', scale: 2 },
  { name: 'B2', length: 2, type: 'binary', signed: true },
  { name: 'B4', length: 4, type: 'binary', signed: true },
  { name: 'B8', length: 8, type: 'binary', signed: true },
  { name: 'OPENED', length: 8, type: 'date' },
  { name: 'SHORT', length: 6, type: 'date', pattern: 'ddMMyy' },
  { name: 'AT', length: 6, type: 'time' },
  { name: 'FILLER', length: 3 },
  { name: 'LINES', occurs: 2, fields: [{ name: 'SKU', length: 4 }, { name: 'N', length: 3, type: 'zoned', signed: false }] },
];

const text = (max: number) => fc.stringMatching(new RegExp(`^[A-Z0-9 .,-]{0,${max}}$`));
const big = (digits: number, signed = true) => fc.bigInt({ min: signed ? -(10n ** BigInt(digits)) + 1n : 0n, max: 10n ** BigInt(digits) - 1n });
const pad = (n: number, w: number) => String(n).padStart(w, '0');
const isoDate = (min: number, max: number) =>
  fc.record({ y: fc.integer({ min, max }), m: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 28 }) }).map(({ y, m, d }) => `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`);

const record: fc.Arbitrary<LegacyRecord> = fc.record({
  'CUST-ID': text(8),
  QTY: big(6).map((v) => decimalText(v, 0)),
  AMOUNT: big(12).map((v) => decimalText(v, 2)),
  RATE: big(7, false).map((v) => decimalText(v, 3)),
  BAL: big(9).map((v) => decimalText(v, 2)),
  PK: big(9).map((v) => decimalText(v, 2)),
  B2: fc.integer({ min: -32768, max: 32767 }).map(String),
  B4: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map(String),
  B8: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String),
  OPENED: fc.option(isoDate(1, 9999)),
  SHORT: fc.option(isoDate(1950, 2049)),
  AT: fc.record({ h: fc.integer({ min: 0, max: 23 }), m: fc.integer({ min: 0, max: 59 }), s: fc.integer({ min: 0, max: 59 }) }).map(({ h, m, s }) => `${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}`),
  LINES: fc.array(fc.record({ SKU: text(4), N: big(3, false).map((v) => decimalText(v, 0)) }), { minLength: 2, maxLength: 2 }),
});

/** Binary fields of a line-separated file cannot hold the line end bytes: such cases are skipped. */
function noLineEnd(bytes: Buffer, lines: number, separator: string): boolean {
  const count = (b: number) => bytes.reduce((n, x) => n + (x === b ? 1 : 0), 0);
  return count(0x0a) === lines && count(0x0d) === (separator === 'crlf' ? lines : 0);
}

/** What decode gives back for a generated record: text padded to its field. */
function normalized(r: LegacyRecord): LegacyRecord {
  const lines = (r.LINES as LegacyRecord[]).map((l) => ({ SKU: (l.SKU as string).padEnd(4), N: l.N }));
  return { ...r, 'CUST-ID': (r['CUST-ID'] as string).padEnd(8), LINES: lines };
}

describe('round trip: decode(encode(records)) gives the records, encode(decode(bytes)) the bytes', () => {
  for (const encoding of ['latin1', 'cp037']) {
    for (const separator of ['none', 'lf', 'crlf']) {
      it(`every field type, ${encoding}, separator ${separator}`, async () => {
        const fmt = formatOf({ encoding, separator, fields });
        await fc.assert(
          fc.asyncProperty(fc.array(record, { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 64 }), async (recs, chunk) => {
            const bytes = await encodeAll(fmt, recs);
            if (separator !== 'none') fc.pre(noLineEnd(bytes, recs.length, separator));
            const decoded = await decodeAll(fmt, chunked(bytes, chunk));
            expect(failures(decoded)).toEqual([]);
            const back = records(decoded);
            expect(back).toEqual(recs.map(normalized));
            expect((await encodeAll(fmt, back)).equals(bytes)).toBe(true);
          }),
          { numRuns: 60 },
        );
      });
    }
  }

  it('multi-record (header with details), with and without separators', async () => {
    for (const separator of ['lf', 'none']) {
      const fmt = formatOf({
        encoding: 'cp037',
        separator,
        recordTypes: {
          discriminator: { start: 1, length: 1 },
          emit: 'HEADER',
          types: [
            { code: 'H', name: 'HEADER', fields: [{ name: 'T', length: 1 }, { name: 'ORDER-NO', length: 6 }, { name: 'DAY', length: 8, type: 'date' }] },
            { code: 'D', name: 'DETAIL', parent: 'HEADER', fields: [{ name: 'T', length: 1 }, { name: 'AMT', length: 6, type: 'packed', scale: 2 }, { name: 'QTY', length: 4, type: 'binary' }] },
          ],
        },
      });
      const detail = fc.record({ T: fc.constant('D'), AMT: big(11).map((v) => decimalText(v, 2)), QTY: fc.integer({ min: 0, max: 2 ** 32 - 1 }).map(String) });
      const header = fc.record({ T: fc.constant('H'), 'ORDER-NO': fc.stringMatching(/^[A-Z0-9]{6}$/), DAY: fc.option(isoDate(1900, 2100)), DETAIL: fc.array(detail, { maxLength: 3 }) });
      await fc.assert(
        fc.asyncProperty(fc.array(header, { minLength: 1, maxLength: 4 }), async (recs) => {
          const bytes = await encodeAll(fmt, recs);
          if (separator !== 'none') fc.pre(noLineEnd(bytes, recs.reduce((n, r) => n + 1 + (r.DETAIL as unknown[]).length, 0), separator));
          const decoded = await decodeAll(fmt, chunked(bytes, 5));
          expect(failures(decoded)).toEqual([]);
          expect(records(decoded)).toEqual(recs);
          expect((await encodeAll(fmt, records(decoded))).equals(bytes)).toBe(true);
        }),
        { numRuns: 60 },
      );
    }
  });
});
