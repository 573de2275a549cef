import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, DataError, formatConfigProblem } from '../core/errors.js';
import { loadMapping, validateMappingFiles } from './index.js';
import { MODEL, testFormats, writeFiles } from './testing.js';

const CUSTOMER = readFileSync(new URL('./testing-customer.yaml', import.meta.url), 'utf8');
const REGIONS = 'zip,region\n10115,Berlin\n80331,Bayern\n';
const pos = { file: 'cust.dat', line: 7, record: 7 };

const record = {
  'CUST-ID': 'C001  ', 'CUST-NAME': ' Acme   Corp ', 'FIRST-NAME': 'Ada', 'LAST-NAME': 'Lovelace', BALANCE: '-12.5', PRICE: '1.234,5',
  OPENED: '20230228', 'CHG-DATE': '20230615', 'CHG-TIME': '134500', STATUS: 'A', ZIP: '10115', CLASS: 'G', PHONE: '+49 (30) 1234',
  REF: 'ORD-0042', TAGS: 'a; b ;c', CITY: ' berlin ', DETAIL: [{ SKU: 'X1', QTY: '3' }, { SKU: 'Y2', QTY: '10' }],
};

function setup(mapping: string, extra: Record<string, string> = {}) {
  const dir = writeFiles({ 'model.yaml': MODEL, 'regions.csv': REGIONS, 'm.yaml': mapping, ...extra });
  return { dir, file: join(dir, 'm.yaml') };
}

function problemsOf(mapping: string): string[] {
  const { file } = setup(mapping);
  try {
    loadMapping(file, { formats: testFormats });
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => formatConfigProblem({ ...p, file: 'm.yaml' }));
    throw e;
  }
  return [];
}

describe('loadMapping: the full example', () => {
  const { file } = setup(CUSTOMER);
  const m = loadMapping(file, { formats: testFormats });

  it('maps a record into the canonical entity', () => {
    expect(m.entity).toBe('Customer');
    expect(m.formatName).toBe('test-lines');
    expect(m.timestampField).toBe('changedAt');
    expect(m.toCanonical(record, pos)).toEqual({
      entity: 'Customer',
      key: 'C001',
      sourceTimestamp: '2023-06-15T13:45:00+02:00',
      data: {
        customerId: 'C001', name: 'Acme Corp', fullName: 'Ada Lovelace', balance: '-12.50', price: '1234.50', openedOn: '2023-02-28',
        changedAt: '2023-06-15T13:45:00+02:00', status: 'active', region: 'Berlin', kind: 'retail', vip: true, phone: '+49301234',
        orderNo: '0042', tags: ['a', 'b', 'c'], address: { city: 'BERLIN' }, lines: [{ sku: 'X1', qty: 3 }, { sku: 'Y2', qty: 10 }],
      },
    });
  });

  it('maps back, using the reverse entries where a transform has no inverse', () => {
    const mapped = m.toCanonical(record, pos);
    if (Array.isArray(mapped)) throw new Error('expected an entity');
    expect(m.reverseProblems).toEqual([]);
    expect(m.fromCanonical(mapped.data)).toEqual({
      PHONE: '+49301234', REF: 'ORD-0042', 'FIRST-NAME': 'Ada', 'LAST-NAME': 'Lovelace', 'CHG-DATE': '20230615', 'CHG-TIME': '134500', CLASS: 'G',
      'CUST-ID': 'C001', 'CUST-NAME': 'Acme Corp', BALANCE: '-12.50', PRICE: '1234,50', OPENED: '20230228', STATUS: 'A', ZIP: '10115',
      TAGS: 'a;b;c', CITY: 'BERLIN', DETAIL: [{ SKU: 'X1', QTY: '3' }, { SKU: 'Y2', QTY: '10' }],
    });
  });

  it('collects every field error of a record, naming file, field, legacy field, position and value', () => {
    const bad = { ...record, 'CUST-ID': '  ', OPENED: '20230231', DETAIL: [{ SKU: 'a', QTY: 'x' }], TAGS: 'x', REF: 'INV-1' };
    expect(m.toCanonical(bad, pos)).toEqual([
      { code: 'field.required', field: 'customerId', message: 'CUST-ID: required but empty', value: '  ', position: pos, mapping: file },
      { code: 'field.date', field: 'openedOn', message: 'OPENED: not a date of pattern yyyyMMdd', value: '20230231', position: pos, mapping: file },
      { code: 'field.pattern', field: 'orderNo', message: 'REF: does not match ^ORD-(\\d+)', value: 'INV-1', position: pos, mapping: file },
      { code: 'field.number', field: 'lines[0].qty', message: 'DETAIL[0].QTY: not an integer', value: 'x', position: pos, mapping: file },
    ]);
  });

  it('rejects what the model refuses with model.invalid', () => {
    expect(m.toCanonical({ ...record, 'CUST-ID': 'c-1' }, pos)).toEqual([
      { code: 'model.invalid', field: 'customerId', message: 'does not match pattern ^[A-Z0-9]+$', value: 'c-1', position: pos, mapping: file },
    ]);
  });

  it('throws a DataError naming the field when a value cannot map back', () => {
    const mapped = m.toCanonical(record, pos) as { data: Record<string, unknown> };
    const data = { ...mapped.data, status: 'frozen', openedOn: 'soon' };
    expect(() => m.fromCanonical(data)).toThrow(DataError);
    try {
      m.fromCanonical(data);
    } catch (e) {
      expect((e as DataError).details).toEqual([
        { code: 'field.encode', field: 'openedOn', message: 'OPENED: not a date (YYYY-MM-DD)', value: 'soon', mapping: file },
        { code: 'field.lookup', field: 'status', message: 'STATUS: no legacy code maps to "frozen"', value: 'frozen', mapping: file },
      ]);
    }
  });
});

describe('loadMapping: problems', () => {
  const head = 'entity: Customer\nsource: { test-lines: { fields: [ID, NAME, BAL, G.X] } }\n';

  it('lists every problem with line and path, all at once', () => {
    expect(problemsOf(`${head}fields:
  customerId: { from: ID, transform: [trimm] }
  name: { from: NAEM }
  balance: { from: BAL, transform: [trim, { decimal: { scale: -1 } }] }
  nope: { from: ID }
  phone: { from: ID, transform: [{ extract: '(' }] }
  region: { from: ID, lookup: { file: missing.csv, key: a, value: b } }
  openedOn: { from: ID, transform: [{ date: yyyyMMdq }] }
  kind: { from: ID, tranform: [trim] }
  status: { from: G.X, transform: [{ pad: 3 }] }
`)).toEqual([
      'm.yaml:4 (fields.customerId.transform[0]): unknown transform "trimm" (expected one of: trim, trimStart, trimEnd, upper, lower, collapseSpaces, number, integer, decimal, required, pad, date, datetime, time, lookup, default, nullIf, replace, extract, split, template)',
      'm.yaml:6 (fields.balance.transform[1].decimal.scale): Too small: expected number to be >=0',
      'm.yaml:11 (fields.kind.tranform): unknown key "tranform"',
      'm.yaml:12 (fields.status.transform[0].pad): expected object, received number',
      'm.yaml:5 (fields.name.from): "NAEM" is not a field of the legacy record (fields: ID, NAME, BAL, G.X)',
      'm.yaml:7 (fields.nope): "nope" is not a field of Customer (fields: customerId, name, fullName, balance, price, count, ratio, status, openedOn, changedAt, startsAt, region, kind, vip, phone, orderNo, tags, address, lines)',
      expect.stringMatching(/^m\.yaml:8 \(fields\.phone\.transform\[0\]\.extract\): not a valid regular expression: /),
      expect.stringMatching(/^m\.yaml:9 \(fields\.region\.lookup\.file\): lookup file .*missing\.csv: file not found$/),
      'm.yaml:10 (fields.openedOn.transform[0].date): "d" in date pattern "yyyyMMdq" is not one of yyyy, yy, MM, dd, HH, mm, ss, SSS, XXX (quote literal letters: \'T\')',
    ]);
  });

  it('reports source, entity, key and syntax problems', () => {
    expect(problemsOf('entity: Customer\nsource: { csv-ish: {} }\nfields: {}\n')).toEqual(['m.yaml:2 (source.csv-ish): unknown format "csv-ish" (expected one of test-lines)']);
    expect(problemsOf('entity: Customer\nsource:\n  test-lines: { fields: 3 }\nfields: {}\n')).toEqual(['m.yaml:3 (source.test-lines.fields): expected array, received number']);
    expect(problemsOf('entity: Customer\nsource:\n  test-lines: { strict: true }\nfields: {}\n')).toEqual(['m.yaml:3 (source.test-lines.strict): strict needs fields']);
    expect(problemsOf('entity: Client\nsource: { test-lines: {} }\nfields: {}\n')).toEqual(['m.yaml:1 (entity): unknown entity "Client" (the model has: Customer, OrderLine)']);
    expect(problemsOf('entity: Customer\nsource: { test-lines: {} }\nkey: [id]\nfields: {}\n')).toEqual(['m.yaml:3 (key[0]): key field "id" is not a field of Customer']);
    expect(problemsOf('entity: Customer\nsource: { test-lines: {} }\nfields: { a: [ }\n')[0]).toMatch(/^m\.yaml:3:\d+: YAML syntax error: /);
    expect(problemsOf('entity: Customer\nsource: { test-lines: {} }\nfields:\n  address: { from: X }\n  lines: { from: X }\n  tags: { from: X, each: { a: B } }\n')).toEqual([
      'm.yaml:4 (fields.address): Customer.address is an object: map its fields (address.city)',
      'm.yaml:5 (fields.lines): Customer.lines is a list of objects: use each',
      'm.yaml:6 (fields.tags.each): Customer.tags is array of string; each maps into an array of objects',
    ]);
  });

  it('finds the model file named by model:', () => {
    const { file } = setup('entity: Customer\nmodel: sub/other.yaml\nsource: { test-lines: {} }\nfields: {}\n');
    expect(() => loadMapping(file, { formats: testFormats })).toThrow(/\(model\): the model .*sub\/other\.yaml could not be loaded: cannot read: file not found/);
  });
});

describe('reverse', () => {
  const base = 'entity: Customer\nsource: { test-lines: {} }\nfields:\n  customerId: ID\n  fullName: { from: [A, B], join: " " }\n  vip: { when: { field: C, equals: X }, const: true, else: { const: false } }\n  kind: { const: retail }\n';

  it('records what cannot map back; fromCanonical throws it; validate lists it', () => {
    const { file } = setup(base);
    const m = loadMapping(file, { formats: testFormats });
    expect(m.reverseProblems.map((p) => `${p.line} ${p.path} ${p.message}`)).toEqual([
      '5 fields.fullName A, B cannot be derived back from fullName (a concatenation has no inverse): say how under reverse (reverse: { A: { from: fullName } }), or write reverse: none for an inbound-only mapping',
      '6 fields.vip C cannot be derived back from vip (a when condition has no inverse): say how under reverse (reverse: { C: { from: vip } }), or write reverse: none for an inbound-only mapping',
    ]);
    expect(() => m.fromCanonical({ customerId: 'X' })).toThrow(ConfigError);
    expect(validateMappingFiles([file], { formats: testFormats })).toEqual(m.reverseProblems);
  });

  it('accepts reverse: none as inbound-only', () => {
    const { file } = setup(`${base}reverse: none\n`);
    const m = loadMapping(file, { formats: testFormats });
    expect(m.inboundOnly).toBe(true);
    expect(validateMappingFiles([file], { formats: testFormats })).toEqual([]);
    expect(() => m.fromCanonical({})).toThrow('(reverse): the mapping is inbound-only (reverse: none)');
  });

  it('uses reverse entries: lookups, conditions and formatting', () => {
    const { file } = setup(`${base}reverse:\n  A: { from: fullName, transform: [{ extract: '^(\\S+)' }] }\n  B: { from: fullName, transform: [{ extract: '\\s(.*)$' }] }\n  C: { when: { field: vip, equals: true }, const: X, else: { const: N } }\n`);
    const m = loadMapping(file, { formats: testFormats });
    expect(m.reverseProblems).toEqual([]);
    expect(m.fromCanonical({ customerId: 'K1', fullName: 'Ada B. Lovelace', vip: false, kind: 'retail' })).toEqual({ A: 'Ada', B: 'B. Lovelace', C: 'N', ID: 'K1' });
  });

  it('validateMappingFiles reports all files in one run', () => {
    const { dir } = setup(base, { 'bad.yaml': 'entity: Customer\nsource: { test-lines: {} }\nfields: { nope: X }\n' });
    const problems = validateMappingFiles([join(dir, 'm.yaml'), join(dir, 'bad.yaml')], { formats: testFormats });
    expect(problems.map((p) => `${p.file.endsWith('bad.yaml') ? 'bad' : 'm'}:${p.line}`)).toEqual(['m:5', 'm:6', 'bad:3']);
  });
});

describe('legacy field checks', () => {
  it('does not check fields inside a group whose fields the format does not declare', () => {
    const { file } = setup('entity: Customer\nsource: { test-lines: { fields: [ID, DETAIL] } }\nreverse: none\nfields:\n  customerId: ID\n  lines: { from: DETAIL, each: { sku: SKU } }\n');
    expect(loadMapping(file, { formats: testFormats }).toCanonical({ ID: 'A', DETAIL: [{ SKU: 'x' }] }, pos)).toMatchObject({ data: { lines: [{ sku: 'x' }] } });
  });
});
