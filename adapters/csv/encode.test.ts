import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/core/errors.js';
import { csvFormat } from './index.js';
import { csv, encodeAll, records } from './test-helpers.js';

describe('csv encode', () => {
  it('writes a header and quotes only where needed', async () => {
    const out = await encodeAll(csv(), [
      { id: '1', note: 'plain' },
      { id: '2', note: 'a,b "c"\nd' },
      { id: '3', note: null },
    ]);
    expect(out.toString()).toBe('id,note\r\n1,plain\r\n2,"a,b ""c""\nd"\r\n3,\r\n');
  });

  it('writes declared columns in order, the first null value for null, and no header when off', async () => {
    const f = csv({ header: false, columns: ['B', 'A'], delimiter: '|', recordDelimiter: 'lf', nullValues: ['\\N'] });
    expect((await encodeAll(f, [{ A: '1', B: null }])).toString()).toBe('\\N|1\n');
  });

  it('writes a header even for no records', async () => {
    expect((await encodeAll(csv({ columns: ['a', 'b'] }), [])).toString()).toBe('a,b\r\n');
  });

  it('encodes in the declared code page, UTF-16 with a BOM', async () => {
    expect(await encodeAll(csv({ encoding: 'windows-1252', recordDelimiter: 'lf' }), [{ a: '€ü' }])).toEqual(
      Buffer.from([0x61, 0x0a, 0x80, 0xfc, 0x0a]),
    );
    const be = await encodeAll(csv({ encoding: 'utf-16be', recordDelimiter: 'lf' }), [{ a: 'é' }]);
    expect(be).toEqual(Buffer.from([0xfe, 0xff, 0, 0x61, 0, 0x0a, 0, 0xe9, 0, 0x0a]));
  });

  it('throws field.encode naming record, field and value for a character the encoding lacks', async () => {
    const f = csv({ encoding: 'windows-1252' });
    const err = await encodeAll(f, [{ a: 'ok', b: 'ok' }, { a: 'ok', b: 'x\u3042y' }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).message).toBe(
      '(record 2): field b: character "\u3042" cannot be encoded in windows-1252 (value "x\u3042y") [field.encode]',
    );
    const lone = await encodeAll(csv(), [{ a: 'x\ud800' }]).catch((e: unknown) => e);
    expect((lone as DataError).details[0]).toMatchObject({ code: 'field.encode', field: 'a', position: { record: 1 } });
  });

  it('refuses values that are not text, and delimiters when quoting is off', async () => {
    const group = await encodeAll(csv(), [{ a: { b: 'x' } }]).catch((e: unknown) => e);
    expect((group as DataError).message).toBe('(record 1): field a: value is a group, not text (value "{\\"b\\":\\"x\\"}") [field.encode]');
    const noQuote = await encodeAll(csv({ quote: null }), [{ a: 'x,y' }]).catch((e: unknown) => e);
    expect((noQuote as DataError).message).toBe(
      '(record 1): field a: value holds the delimiter or a line break and quote is off (value "x,y") [field.encode]',
    );
  });

  it('round-trips decode → encode byte for byte on canonical files (property)', async () => {
    const value = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 8 }),
      fc.constantFrom('', ',', '"', '""', '\n', '\r\n', ' a ', 'x"y', '#', '\\', 'é😀', 'a\rb'),
      fc.array(fc.constantFrom('a', ',', '"', '\n', '\r', ' ', '\\', 'ü'), { maxLength: 6 }).map((a) => a.join('')),
    );
    const dialect = fc.record({
      delimiter: fc.constantFrom(',', ';', '\t', '|'),
      recordDelimiter: fc.constantFrom('lf', 'crlf', 'cr'),
      escape: fc.constantFrom('"', '\\'),
      encoding: fc.constantFrom('utf-8', 'utf-16le', 'utf-16be'),
    });
    await fc.assert(
      fc.asyncProperty(dialect, fc.array(fc.tuple(value, value, value), { minLength: 0, maxLength: 8 }), async (d, rows) => {
        const f = csv({ ...d, columns: ['c1', 'c 2', 'c"3'] });
        const recs = rows.map(([a, b, c]) => ({ c1: a, 'c 2': b, 'c"3': c }));
        const bytes = await encodeAll(f, recs);
        expect(await records(f, bytes)).toEqual(recs);
        const again = await encodeAll(f, await records(f, bytes));
        expect(again.equals(bytes)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('declares its options and field names', () => {
    expect(csvFormat.name).toBe('csv');
    const o = csvFormat.options.parse({ header: false, columns: ['SKU', 'DESC'] });
    expect(csvFormat.fieldNames?.(o)).toEqual(['SKU', 'DESC']);
    expect(csvFormat.fieldNames?.(csvFormat.options.parse({}))).toBeUndefined();
    const r = csvFormat.options.safeParse({ header: false, delimiter: '""' });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`).sort()).toEqual([
      'columns: columns are required when header is false',
      'delimiter: delimiter must be exactly one character other than CR or LF',
    ]);
    expect(() => csv({ encoding: 'klingon' })).toThrow(/^test\.yaml \(source\.csv\.encoding\): unknown encoding "klingon"/);
  });
});
