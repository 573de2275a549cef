import { describe, expect, it } from 'vitest';
import { DataError, formatDataError } from '../../src/core/errors.js';
import { canonicalDecimal, DecimalSum, sameDecimal, unscaledDecimal } from './decimal.js';
import { decodeAll, encodeAll, failures, formatOf, records } from './test-support.js';

const one = async (field: object, text: string, encoding = 'latin1') =>
  decodeAll(formatOf({ encoding, fields: [{ name: 'F', ...field }] }), Buffer.from(text, 'latin1'));
const value = async (field: object, text: string) => {
  const d = await one(field, text);
  expect(failures(d)).toEqual([]);
  return records(d)[0].F;
};

describe('decimal text', () => {
  it('is canonical and exact beyond 2^53', () => {
    expect(canonicalDecimal(false, '0000000004000', 2)).toBe('40.00');
    expect(canonicalDecimal(true, '000', 2)).toBe('0.00');
    expect(canonicalDecimal(true, '5', 3)).toBe('-0.005');
    expect(canonicalDecimal(false, '123456789012345678901234567', 4)).toBe('12345678901234567890123.4567');
    expect(unscaledDecimal('-12.3', 2)).toEqual({ negative: true, digits: '1230' });
    expect(unscaledDecimal('1.239', 2)).toBe('more than 2 decimal places');
    expect(unscaledDecimal('1.2.3', 2)).toBe('not a number');
    const sum = new DecimalSum();
    for (const v of ['9007199254740993.01', '0.99', '-1']) sum.add(v);
    expect(sum.toString(2)).toBe('9007199254740993.00');
    expect(sameDecimal('40', '40.00')).toBe(true);
  });
});

describe('field decoding', () => {
  it('integer and decimal: signs leading or trailing, blanks, explicit point', async () => {
    expect(await value({ length: 6, type: 'integer' }, '+00042')).toBe('42');
    expect(await value({ length: 6, type: 'integer' }, '00042-')).toBe('-42');
    expect(await value({ length: 6, type: 'integer' }, '      ')).toBeNull();
    expect(await value({ length: 19, type: 'integer' }, '9223372036854775809')).toBe('9223372036854775809');
    expect(await value({ length: 8, type: 'decimal', scale: 2, point: true }, '00789.09')).toBe('789.09');
    expect(await value({ length: 8, type: 'decimal', scale: 2, point: true }, '   789.1')).toBe('789.10');
    const [f] = failures(await one({ length: 8, type: 'decimal', scale: 1, point: true }, '00789.09'));
    expect(formatDataError(f.error)).toBe('orders.txt:1 (record 1, byte 0): field F: bytes 1-8: more than 1 decimal places (value "00789.09") [field.number]');
    expect(failures(await one({ length: 4, type: 'integer' }, '1 2 ')).map((x) => x.error.message)).toEqual(['bytes 1-4: not a number']);
  });

  it('zoned ASCII overpunch and unsigned digits', async () => {
    expect(await value({ length: 4, type: 'zoned', scale: 2 }, '123}')).toBe('-12.30');
    expect(await value({ length: 4, type: 'zoned', scale: 2 }, '123A')).toBe('12.31');
    expect(await value({ length: 4, type: 'zoned' }, '0042')).toBe('42');
    expect(await value({ length: 4, type: 'zoned' }, '    ')).toBeNull();
  });

  it('dates: two-digit years by century window, 9s and zeros as no date, impossible dates rejected', async () => {
    expect(await value({ type: 'date', pattern: 'yyMMdd' }, '491231')).toBe('2049-12-31');
    expect(await value({ type: 'date', pattern: 'yyMMdd' }, '500101')).toBe('1950-01-01');
    expect(await value({ type: 'date', pattern: 'yyMMdd', century: 1900 }, '491231')).toBe('1949-12-31');
    expect(await value({ type: 'date', pattern: 'dd/MM/yyyy' }, '29/02/2024')).toBe('2024-02-29');
    expect(await value({ type: 'date' }, '99999999')).toBeNull();
    expect(await value({ type: 'datetime' }, '20240131134500')).toBe('2024-01-31T13:45:00');
    expect(await value({ type: 'time' }, '000000')).toBe('00:00:00');
    expect(failures(await one({ type: 'date' }, '20230229')).map((f) => f.error.message)).toEqual(['bytes 1-8: impossible date']);
    expect(failures(await one({ type: 'time' }, '246000')).map((f) => f.error.message)).toEqual(['bytes 1-6: impossible time']);
  });
});

describe('field encoding errors (field.encode)', () => {
  const fails = async (fields: object[], rec: object, encoding = 'latin1') => {
    try {
      await encodeAll(formatOf({ encoding, fields }), [rec as never]);
    } catch (e) {
      expect(e).toBeInstanceOf(DataError);
      return (e as Error).message;
    }
    throw new Error('expected a DataError');
  };

  it('names the field and the value', async () => {
    expect(await fails([{ name: 'NAME', length: 3 }], { NAME: 'ABCD' })).toBe('(record 1): field NAME: cannot write: too long (4 bytes, field holds 3) (value "ABCD") [field.encode]');
    expect(await fails([{ name: 'NAME', length: 3 }], { NAME: 'a€' }, 'cp037')).toBe('(record 1): field NAME: cannot write: character "€" has no cp037 byte (value "a€") [field.encode]');
    expect(await fails([{ name: 'QTY', length: 3, type: 'integer' }], { QTY: '-123' })).toBe('(record 1): field QTY: cannot write: too many digits for 3 bytes (value "-123") [field.encode]');
    expect(await fails([{ name: 'PK', length: 2, type: 'packed', scale: 1 }], { PK: '1.25' })).toBe('(record 1): field PK: cannot write: more than 1 decimal places (value "1.25") [field.encode]');
    expect(await fails([{ name: 'B', length: 1, type: 'binary' }], { B: '256' })).toBe('(record 1): field B: cannot write: out of range 0..255 (value "256") [field.encode]');
    expect(await fails([{ name: 'D', type: 'date', pattern: 'yyMMdd' }], { D: '2050-01-01' })).toBe('(record 1): field D: cannot write: year 2050 outside 1950–2049 (value "2050-01-01") [field.encode]');
    expect(await fails([{ name: 'N', length: 1, type: 'integer' }, { name: 'I', length: 1, occurs: { max: 3, dependingOn: 'N' } }], { N: '2', I: ['a'] })).toBe(
      '(record 1): field I: cannot write: 1 occurrences but N says 2 (value "1") [field.encode]',
    );
  });

  it('writes text padded with the code page space, numbers zero-padded, EBCDIC signs', async () => {
    const fmt = formatOf({ encoding: 'cp037', separator: 'none', fields: [{ name: 'T', length: 3 }, { name: 'Z', length: 3, type: 'zoned' }, { name: 'P', length: 2, type: 'packed', signed: false }, { name: 'I', length: 4, type: 'integer' }] });
    expect((await encodeAll(fmt, [{ T: 'A', Z: '-5', P: '7', I: '-3' }])).toString('hex')).toBe('c14040' + 'f0f0d5' + '007f' + '60f0f0f3');
  });
});
