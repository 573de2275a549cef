import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import { MODEL, writeFiles } from '../mapping/testing.js';
import { entityKey, loadModel, validateEntity } from './index.js';
import { MAPPING_YAML, parseYamlText } from '../core/yaml-file.js';

function modelProblems(text: string): string[] {
  const dir = writeFiles({ 'model.yaml': text });
  try {
    loadModel(join(dir, 'model.yaml'));
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => `${p.line}|${p.path ?? ''}|${p.message}`);
    throw e;
  }
  return [];
}

describe('loadModel', () => {
  it('loads entities with key, timestamp and fields', () => {
    const dir = writeFiles({ 'model.yaml': MODEL });
    const m = loadModel(join(dir, 'model.yaml'));
    const c = m.entities.get('Customer')!;
    expect(c.key).toEqual(['customerId']);
    expect(c.timestamp).toBe('changedAt');
    expect(c.fields.balance).toEqual({ type: 'decimal', scale: 2 });
    expect(m.file).toBe(join(dir, 'model.yaml'));
  });

  it('lists every problem with its line and path', () => {
    const text = `entities:
  Customer:
    key: [id, missing]
    timestamp: name
    fields:
      id: { type: string, pattern: '(' }
      name: { type: string, scale: 2 }
      list: { type: array }
      bad: { type: money }
`;
    expect(modelProblems(text)).toEqual([
      '9|entities.Customer.fields.bad.type|expected one of "string"|"integer"|"number"|"decimal"|"boolean"|"date"|"datetime"|"time"|"object"|"array"',
    ]);
    expect(modelProblems(text.replace('      bad: { type: money }\n', ''))).toEqual([
      expect.stringMatching(/^6\|entities\.Customer\.fields\.id\.pattern\|not a valid regular expression: /),
      '7|entities.Customer.fields.name.scale|"scale" does not apply to type string',
      '8|entities.Customer.fields.list|an array needs "items" (the type of each element)',
      '3|entities.Customer.key[1]|key field "missing" is not a field of Customer',
      '4|entities.Customer.timestamp|timestamp field "name" must be of type datetime or date, not string',
    ]);
  });

  it('reports unknown keys, YAML syntax errors and missing files', () => {
    expect(modelProblems('entities:\n  Customer:\n    key: [id]\n    fields: { id: { type: string, lenght: 3 } }\n')).toEqual([
      '4|entities.Customer.fields.id.lenght|unknown key "lenght"',
    ]);
    expect(modelProblems('entities:\n  Customer: {\n')[0]).toMatch(/^3\|\|YAML syntax error: /);
    expect(() => loadModel('/nowhere/model.yaml')).toThrow('/nowhere/model.yaml: cannot read: file not found');
  });
});

describe('YAML reading', () => {
  it('keeps codes with leading zeros, hex and octal forms as text', () => {
    const y = parseYamlText('x.yaml', 'a: 0012\nb: 12\nc: 0x1A\nd: 1.50\ne: 007.5\nf: true\n', MAPPING_YAML);
    expect(y.value).toEqual({ a: '0012', b: 12, c: '0x1A', d: 1.5, e: '007.5', f: true });
  });
});

describe('validateEntity', () => {
  const dir = writeFiles({ 'model.yaml': MODEL });
  const model = loadModel(join(dir, 'model.yaml'));

  it('accepts a valid entity', () => {
    const data = { customerId: 'C1', balance: '-1.50', count: 3, openedOn: '2024-02-29', changedAt: '2024-01-01T10:00:00+01:00', address: { city: 'X' }, lines: [{ sku: 'a', qty: 1 }], tags: ['x'], vip: false, startsAt: '10:00:00' };
    expect(validateEntity(model, 'Customer', data)).toEqual([]);
  });

  it('lists every field error with its path', () => {
    const data = {
      customerId: 'toolong-id-x', balance: '1.234', count: -1, status: 'gone', openedOn: '2023-02-31', changedAt: '2024-01-01T10:00:00',
      ratio: 'x', vip: 'yes', address: { city: 1, town: 'x' }, lines: [{ sku: 'a', qty: 1.5 }], tags: [null], extra: 1,
    };
    expect(validateEntity(model, 'Customer', data).map((e) => `${e.field}: ${e.message}`)).toEqual([
      'customerId: longer than 10 characters',
      'customerId: does not match pattern ^[A-Z0-9]+$',
      'balance: more than 2 decimal places',
      'count: less than the minimum 0',
      'ratio: not a finite number',
      'status: not one of "active", "closed", "unknown"',
      'openedOn: not a date (YYYY-MM-DD)',
      'changedAt: not a datetime (ISO 8601 with offset)',
      'vip: not a boolean',
      'tags[0]: null in a list',
      'address.city: not a string',
      'address.town: unknown field',
      'lines[0].qty: not a safe integer',
      'extra: unknown field',
    ]);
    expect(validateEntity(model, 'Customer', {})).toEqual([{ code: 'model.invalid', field: 'customerId', message: 'required' }]);
    expect(validateEntity(model, 'Nope', {})[0].message).toBe('unknown entity type "Nope"');
    expect(validateEntity(model, 'Customer', [])[0].message).toBe('Customer: not an object');
  });
});

describe('entityKey', () => {
  it('joins composite keys with "," and escapes it inside values', () => {
    expect(entityKey({ key: ['id'] }, { id: 'C1' })).toBe('C1');
    expect(entityKey({ key: ['o', 'n'] }, { o: 'A', n: 7 })).toBe('A,7');
    expect(entityKey({ key: ['o', 'n'] }, { o: 'A,1', n: 'B\\' })).toBe('A\\,1,B\\\\');
  });
});
