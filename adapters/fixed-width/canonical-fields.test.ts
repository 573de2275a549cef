import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LegacyRecord } from '../../src/core/records.js';
import { loadMapping } from '../../src/mapping/index.js';
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

const dir = writeFiles({ 'model.yaml': MODEL, 'm.yaml': MAPPING });
const trusting = loadMapping(join(dir, 'm.yaml'), { formats: [fixedWidthFormat] });
const coercing = loadMapping(join(dir, 'm.yaml'), { formats: [{ ...fixedWidthFormat, canonicalFields: undefined }] });

async function mapAll(text: string, trustLayout: boolean): Promise<unknown[]> {
  const m = trustLayout ? trusting : coercing;
  const out: unknown[] = [];
  for await (const batch of m.format.decode(Buffer.from(text, 'latin1'), { name: 'in.txt' })) {
    for (const d of batch) out.push('record' in d ? m.toCanonical(d.record as LegacyRecord, d.position) : d);
  }
  return out;
}

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
