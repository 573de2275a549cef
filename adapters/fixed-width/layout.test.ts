import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { fixedWidthFormat } from './index.js';
import { formatOf } from './test-support.js';

function configError(options: unknown): string {
  try {
    formatOf(options);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('layout validation at create', () => {
  it('names overlapping fields with their byte ranges and the options path', () => {
    expect(configError({ fields: [{ name: 'A', start: 1, length: 10 }, { name: 'B', start: 5, length: 3 }] })).toBe(
      'orders.mapping.yaml (source.fixed-width.fields[1].start): bytes 5-7 overlap A (bytes 1-10); use redefines for another view of the same bytes',
    );
  });

  it('lists every problem at once', () => {
    const msg = configError({
      recordLength: 8,
      fields: [
        { name: 'N', length: 2, type: 'integer' },
        { name: 'ITEMS', occurs: { max: 3, dependingOn: 'COUNT' }, fields: [{ name: 'X', length: 1 }] },
        { name: 'AMT', length: 3, type: 'binary' },
        { name: 'TXT', length: 2, scale: 2 },
        { name: 'V', redefines: 'NOPE', length: 1 },
      ],
    });
    expect(msg.split('\n')).toEqual([
      'orders.mapping.yaml (source.fixed-width.fields[1].occurs.dependingOn): names no earlier field: COUNT',
      'orders.mapping.yaml (source.fixed-width.fields[2].length): binary fields are 1, 2, 4 or 8 bytes, not 3',
      'orders.mapping.yaml (source.fixed-width.fields[3].scale): scale does not apply to type text',
      'orders.mapping.yaml (source.fixed-width.fields[4].redefines): names no earlier field at this level: NOPE',
      'orders.mapping.yaml (source.fixed-width.fields[3].length): TXT ends at byte 10, after the record length 8',
    ]);
  });

  it('refuses a dependingOn that is not a number, a start inside a repeating group, a group length that does not add up', () => {
    expect(configError({ fields: [{ name: 'N', length: 1 }, { name: 'I', length: 1, occurs: { max: 2, dependingOn: 'N' } }] })).toBe(
      'orders.mapping.yaml (source.fixed-width.fields[1].occurs.dependingOn): N is not a number field',
    );
    expect(configError({ fields: [{ name: 'G', occurs: 2, fields: [{ name: 'X', start: 3, length: 1 }] }] })).toBe(
      'orders.mapping.yaml (source.fixed-width.fields[0].fields[0].start): start is not allowed inside a repeating group (fields follow each other)',
    );
    expect(configError({ fields: [{ name: 'G', length: 5, fields: [{ name: 'X', length: 1 }] }] })).toBe(
      "orders.mapping.yaml (source.fixed-width.fields[0].length): group length 5 differs from its fields' 1 bytes",
    );
  });

  it('checks record types: code length (YAML numbers), parents, emit, check fields, unknown encoding', () => {
    const msg = configError({
      recordTypes: {
        discriminator: { start: 1, length: 2 },
        emit: 'NOPE',
        types: [
          { code: 1, name: 'H', fields: [{ name: 'T', length: 2 }] },
          { code: '02', name: 'D', parent: 'X', fields: [{ name: 'T', length: 2 }] },
          { code: '09', name: 'T', checks: [{ count: 'D', equals: 'T' }], fields: [{ name: 'T', length: 2 }] },
        ],
      },
    });
    expect(msg.split('\n')).toEqual([
      'orders.mapping.yaml (source.fixed-width.recordTypes.types[0].code): code "1" is not 2 bytes in iso-8859-1 (quote codes in YAML: 01 reads as 1)',
      'orders.mapping.yaml (source.fixed-width.recordTypes.types[1].parent): names no record type: X',
      'orders.mapping.yaml (source.fixed-width.recordTypes.types[2].checks[0].equals): T is not a number field of T',
      'orders.mapping.yaml (source.fixed-width.recordTypes.emit): names no record type: NOPE',
    ]);
    expect(configError({ encoding: 'klingon', fields: [{ name: 'A', length: 1 }] })).toMatch(/^orders\.mapping\.yaml \(source\.fixed-width\.encoding\): /);
  });

  it('rejects unknown options by schema', () => {
    expect(fixedWidthFormat.options.safeParse({ fields: [{ name: 'A', lenght: 1 }] }).success).toBe(false);
  });
});

describe('fieldNames', () => {
  const names = (o: unknown) => fixedWidthFormat.fieldNames!(fixedWidthFormat.options.parse(o));

  it('dots groups, keeps arrays by their own name, leaves fillers out', () => {
    expect(
      names({
        fields: [
          { name: 'ID', length: 2 },
          { name: 'COMPANY', fields: [{ name: 'SHORT-NAME', length: 10 }, { name: 'FILLER', length: 2 }] },
          { name: 'ACCOUNT-DETAIL', occurs: 3, fields: [{ name: 'NO', length: 2 }] },
          { name: 'PAD', length: 2, type: 'filler' },
        ],
      }),
    ).toEqual(['ID', 'COMPANY.SHORT-NAME', 'ACCOUNT-DETAIL']);
  });

  const types = (emit?: string) => ({
    recordTypes: {
      discriminator: { start: 1, length: 1 },
      emit,
      types: [
        { code: 'H', name: 'HEADER', fields: [{ name: 'T', length: 1 }, { name: 'ORDER-NO', length: 4 }] },
        { code: 'D', name: 'DETAIL', parent: 'HEADER', fields: [{ name: 'T', length: 1 }, { name: 'AMOUNT', length: 4 }] },
      ],
    },
  });

  it('follows what is yielded for record types', () => {
    expect(names(types())).toEqual(['HEADER.T', 'HEADER.ORDER-NO', 'DETAIL.T', 'DETAIL.AMOUNT']);
    expect(names(types('HEADER'))).toEqual(['T', 'ORDER-NO', 'DETAIL']);
    expect(names(types('DETAIL'))).toEqual(['T', 'AMOUNT', 'HEADER.T', 'HEADER.ORDER-NO']);
  });
});
