import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LegacyRecord } from '../../src/core/records.js';
import { loadMapping, type Mapping } from '../../src/mapping/index.js';
import { writeFiles } from '../../src/mapping/testing.js';
import { canonicalFields } from './field-names.js';
import { fixedWidthFormat } from './index.js';
import { fixedWidthOptions } from './options.js';

// Typed layout fields taken as they are: the mapping trusts the layout's canonical decimals and
// four-digit-year dates, and must give exactly what coercing them again gives.
const MODEL = `entities:
  Row:
    key: [id]
    fields:
      id: { type: string, required: true }
      price: { type: decimal, scale: 2 }
      anyScale: { type: decimal }
      wider: { type: decimal, scale: 3 }
      count: { type: integer }
      countText: { type: decimal }
      pointed: { type: decimal, scale: 2 }
      day: { type: date }
      shortDay: { type: date }
      farDay: { type: date }
      text: { type: string }
`;
const LAYOUT = {
  encoding: 'latin1',
  separator: 'lf',
  fields: [
    { name: 'ID', length: 4 },
    { name: 'PRICE', length: 7, type: 'decimal', scale: 2 },
    { name: 'ANY', length: 7, type: 'decimal', scale: 2 },
    { name: 'WIDER', length: 7, type: 'decimal', scale: 2 },
    { name: 'COUNT', length: 5, type: 'integer' },
    { name: 'COUNT2', length: 5, type: 'integer' },
    { name: 'POINTED', length: 8, type: 'decimal', scale: 2, point: true },
    { name: 'DAY', length: 8, type: 'date', pattern: 'yyyyMMdd' },
    { name: 'SHORT', length: 6, type: 'date', pattern: 'yyMMdd' },
    { name: 'FAR', length: 6, type: 'date', pattern: 'yyMMdd', century: 9950 },
    { name: 'TEXT', length: 5, type: 'decimal', scale: 1 },
  ],
};
const MAPPING = `entity: Row
source:
  fixed-width: ${JSON.stringify(LAYOUT)}
fields:
  id: ID
  price: PRICE
  anyScale: ANY
  wider: WIDER
  count: COUNT
  countText: COUNT2
  pointed: POINTED
  day: DAY
  shortDay: SHORT
  farDay: FAR
  text: TEXT
`;

/** A field's bytes: mostly well-formed, sometimes blank, signed, padded, broken or impossible. */
const field = (length: number, digitsOnly = false) =>
  fc.oneof(
    fc.stringMatching(new RegExp(`^[0-9]{${length}}$`)),
    fc.constant(' '.repeat(length)),
    fc.constant('9'.repeat(length)),
    fc.constant('0'.repeat(length)),
    ...(digitsOnly ? [] : [fc.stringMatching(new RegExp(`^ {0,2}[-+]?[0-9]{1,${length - 3}}[-+]? {0,2}$`)).map((s) => s.padStart(length).slice(-length)), fc.stringMatching(new RegExp(`^[0-9 .x-]{${length}}$`))]),
  );
const pad2 = (n: number) => String(n).padStart(2, '0');
/** Mostly possible dates (`yyyy` or `yy` first), sometimes any digits, blanks, zeros or nines. */
const day = (fourDigitYear: boolean) =>
  fc.oneof(
    fc.date({ min: new Date('1000-01-01'), max: new Date('9999-12-31'), noInvalidDate: true }).map((d) => `${fourDigitYear ? d.getUTCFullYear() : pad2(d.getUTCFullYear() % 100)}${pad2(d.getUTCMonth() + 1)}${pad2(d.getUTCDate())}`),
    field(fourDigitYear ? 8 : 6, true),
  );
const pointed = fc.tuple(fc.boolean(), fc.stringMatching(/^[0-9]{1,4}$/), fc.stringMatching(/^[0-9]{0,3}$/)).map(([neg, i, f]) => `${neg ? '-' : ''}${i}.${f}`.padStart(8).slice(-8));
const line = fc
  .tuple(fc.stringMatching(/^[A-Z]{4}$/), field(7), field(7), field(7), field(5), field(5), pointed, day(true), day(false), day(false), field(5))
  .map((parts) => parts.join(''));

/** The mapping `mapping` over `model`, loaded trusting the layout's canonical fields and loaded coercing every value. */
function trustingAndCoercing(model: string, mapping: string): [Mapping, Mapping] {
  const dir = writeFiles({ 'model.yaml': model, 'm.yaml': mapping });
  return [loadMapping(join(dir, 'm.yaml'), { formats: [fixedWidthFormat] }), loadMapping(join(dir, 'm.yaml'), { formats: [{ ...fixedWidthFormat, canonicalFields: undefined }] })];
}

/** What `m` makes of each record or failure of a file. */
async function mapFile(m: Mapping, file: Buffer): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const batch of m.format.decode(file, { name: 'in.txt' })) {
    for (const d of batch) out.push('record' in d ? m.toCanonical(d.record as LegacyRecord, d.position) : d);
  }
  return out;
}

const [trusting, coercing] = trustingAndCoercing(MODEL, MAPPING);
const mapAll = (text: string, trustLayout: boolean) => mapFile(trustLayout ? trusting : coercing, Buffer.from(text, 'latin1'));

describe('fixed-width fields in canonical form', () => {
  it('are the typed fields whose codec gives canonical values: numbers with their scale, dates with a four-digit year', () => {
    const forms = canonicalFields(fixedWidthOptions.parse(LAYOUT));
    expect(Object.fromEntries(forms)).toEqual({
      PRICE: { type: 'decimal', scale: 2 },
      ANY: { type: 'decimal', scale: 2 },
      WIDER: { type: 'decimal', scale: 2 },
      COUNT: { type: 'decimal', scale: 0 },
      COUNT2: { type: 'decimal', scale: 0 },
      POINTED: { type: 'decimal', scale: 2 },
      DAY: { type: 'date' },
      TEXT: { type: 'decimal', scale: 1 },
    });
  });

  it('map to exactly what coercing them again gives, errors included', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 20 }), async (lines) => {
        const text = `${lines.join('\n')}\n`;
        expect(await mapAll(text, true)).toStrictEqual(await mapAll(text, false));
      }),
      { numRuns: 300 },
    );
  });

  it('still give a two-digit year past 9999 as the error it is', async () => {
    const fields = ['ABCD', '0000100', '0000010', '0000010', '00010', '00010', '    1.00', '20240101', '240101', '011231', '00010'];
    const out = await mapAll(`${fields.join('')}\n`, true);
    expect(out).toHaveLength(1);
    expect((out[0] as { code: string; field: string }[]).map((e) => `${e.code} ${e.field}`)).toEqual(['field.date farDay']);
  });
});

describe('fixed-width names not trusted', () => {
  const model = `entities:
  Order:
    key: [id]
    fields:
      id: { type: string, required: true }
      day: { type: date }
      price: { type: decimal, scale: 2 }
      lines: { type: array, items: { type: object, fields: { amt: { type: decimal, scale: 2 } } } }
`;
  /** What a mapping of `fields` makes of `text` with the layout's canonical fields trusted, and coerced. */
  async function both(layout: object, fields: string, text: string): Promise<[unknown[], unknown[]]> {
    const mappings = trustingAndCoercing(model, `entity: Order\nsource:\n  fixed-width: ${JSON.stringify(layout)}\nfields:\n${fields}`);
    const file = Buffer.from(text, 'latin1');
    return [await mapFile(mappings[0], file), await mapFile(mappings[1], file)];
  }

  it('a date whose pattern has yy beside yyyy: its year comes from the two-digit window', async () => {
    const layout = { encoding: 'latin1', separator: 'lf', fields: [{ name: 'ID', length: 2 }, { name: 'D', type: 'date', pattern: 'yyyyMMdd/yy', century: 9950 }] };
    expect(canonicalFields(fixedWidthOptions.parse(layout)).has('D')).toBe(false);
    const [trusted, coerced] = await both(layout, '  id: ID\n  day: D\n', 'A120240101/10\n');
    expect(trusted).toStrictEqual(coerced);
    // The failure carries the record's key, which mapped (a full sync counts it as seen).
    expect(trusted).toMatchObject([Object.assign([{ code: 'field.date', field: 'day' }], { key: 'A1' })]);
  });

  it('a name two fields share: a field named A.B and field B of group A', async () => {
    const layout = { encoding: 'latin1', separator: 'lf', fields: [{ name: 'ID', length: 2 }, { name: 'A.B', length: 6 }, { name: 'A', fields: [{ name: 'B', length: 6, type: 'decimal', scale: 2 }, { name: 'C', length: 6, type: 'decimal', scale: 2 }] }] };
    expect([...canonicalFields(fixedWidthOptions.parse(layout)).keys()]).toEqual(['A.C']);
    const [trusted, coerced] = await both(layout, '  id: ID\n  price: A.B\n', 'A10012.5001250001250\n');
    expect(trusted).toStrictEqual(coerced);
    expect(trusted).toMatchObject([{ data: { price: '12.50' } }]);
  });

  it('a group of the emitted record type named as a child record type, whose records take its place', async () => {
    const layout = {
      encoding: 'latin1',
      separator: 'lf',
      recordTypes: {
        discriminator: { start: 1, length: 1 },
        emit: 'ORDER',
        types: [
          { code: 'O', name: 'ORDER', fields: [{ name: 'T', length: 1 }, { name: 'ID', length: 2 }, { name: 'LINES', fields: [{ name: 'AMT', length: 6, type: 'decimal', scale: 2 }] }] },
          { code: 'L', name: 'LINES', parent: 'ORDER', fields: [{ name: 'T', length: 1 }, { name: 'AMT', length: 8 }] },
        ],
      },
    };
    expect(canonicalFields(fixedWidthOptions.parse(layout)).has('LINES.AMT')).toBe(false);
    const [trusted, coerced] = await both(layout, '  id: ID\n  lines: { from: LINES, each: { amt: AMT } }\n', 'OA1001250\nL  12.5  \n');
    expect(trusted).toStrictEqual(coerced);
    expect(trusted).toMatchObject([Object.assign([{ code: 'field.number', field: 'lines[0].amt' }], { key: 'A1' })]);
  });
});

// Every number type and a dashed date, from random bytes, in EBCDIC and in Latin-1 (after the review's test).
describe.each(['cp037', 'latin1'])('fixed-width fields in canonical form, binary layouts in %s', (encoding) => {
  const model = `entities:
  Row:
    key: [id]
    fields:
      id: { type: string, required: true }
      a: { type: decimal, scale: 2 }
      b: { type: decimal }
      c: { type: decimal, scale: 3 }
      d: { type: decimal }
      e: { type: decimal, scale: 0 }
      f: { type: decimal, scale: 4 }
      g: { type: date }
      h: { type: decimal }
`;
  const layout = {
    encoding,
    separator: 'none',
    recordLength: 46,
    fields: [
      { name: 'ID', length: 2 },
      { name: 'Z', length: 6, type: 'zoned', scale: 2 },
      { name: 'P', length: 4, type: 'packed', scale: 5 },
      { name: 'B8', length: 8, type: 'binary', scale: 3, signed: true },
      { name: 'B2', length: 2, type: 'binary', scale: 0, signed: true },
      { name: 'BU', length: 4, type: 'binary', scale: 0 },
      { name: 'DP', length: 8, type: 'decimal', scale: 4, point: true },
      { name: 'DT', type: 'date', pattern: 'yyyy-MM-dd' },
      { name: 'DZ', length: 2, type: 'zoned', scale: 0, signed: false },
    ],
  };
  const [trustingBinary, coercingBinary] = trustingAndCoercing(model, `entity: Row\nsource:\n  fixed-width: ${JSON.stringify(layout)}\nfields:\n  id: { const: X }\n  a: Z\n  b: P\n  c: B8\n  d: B2\n  e: BU\n  f: DP\n  g: DT\n  h: DZ\n`);
  const ebcdic: Record<string, number> = { ' ': 0x40, '-': 0x60, '+': 0x4e, '.': 0x4b };
  const enc = (s: string) => (encoding === 'cp037' ? Buffer.from([...s].map((ch) => ebcdic[ch] ?? 0xf0 + Number(ch))) : Buffer.from(s, 'latin1'));
  const textish = (n: number) => fc.stringMatching(new RegExp(`^[0-9 .+-]{${n}}$`)).map(enc);
  const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map((a) => Buffer.from(a));
  const digit = fc.integer({ min: 0, max: 9 });
  const digits = (n: number) => fc.array(digit, { minLength: n, maxLength: n }).map((ds) => enc(ds.join('')));
  // The last byte of a zoned number carries its sign: C/D/F zones in EBCDIC, {A–I / }J–R overpunch in ASCII.
  const zonedLast = fc.tuple(digit, fc.constantFrom('+', '-', 'unsigned')).map(([d, s]) =>
    Buffer.from([encoding === 'cp037' ? (s === '-' ? 0xd0 : s === '+' ? 0xc0 : 0xf0) | d : s === '-' ? '}JKLMNOPQR'.charCodeAt(d) : s === '+' ? '{ABCDEFGHI'.charCodeAt(d) : 0x30 + d]),
  );
  const zoned = (n: number) => fc.oneof({ weight: 6, arbitrary: fc.tuple(digits(n - 1), zonedLast).map((p) => Buffer.concat(p)) }, textish(n), bytes(n));
  const packed = fc.oneof(
    { weight: 6, arbitrary: fc.tuple(fc.array(digit, { minLength: 7, maxLength: 7 }), fc.integer({ min: 10, max: 15 })).map(([ds, sign]) => Buffer.from([ds[0] * 16 + ds[1], ds[2] * 16 + ds[3], ds[4] * 16 + ds[5], ds[6] * 16 + sign])) },
    bytes(4),
  );
  const pointed = fc.oneof({ weight: 6, arbitrary: fc.stringMatching(/^[-+]?[0-9]{0,3}(\.[0-9]{0,4})?[-+]?$/).filter((x) => x.length <= 8).map((x) => enc(x.padStart(8))) }, textish(8));
  const date = fc.oneof(textish(10), fc.date({ min: new Date('0000-01-01T00:00:00Z'), max: new Date('9999-12-31'), noInvalidDate: true }).map((d) => enc(d.toISOString().slice(0, 10))));
  const record = fc.tuple(digits(2), zoned(6), packed, bytes(8), bytes(2), bytes(4), pointed, date, zoned(2)).map((p) => Buffer.concat(p));

  it('map random records to exactly what coercing them again gives', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(record, { minLength: 1, maxLength: 10 }), async (records) => {
        const file = Buffer.concat(records);
        expect(await mapFile(trustingBinary, file)).toStrictEqual(await mapFile(coercingBinary, file));
      }),
      { numRuns: 300 },
    );
  });
});
