import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DataErrorDetail } from '../core/errors.js';
import type { LegacyRecord, Position } from '../core/records.js';
import { formatPath } from '../core/yaml-file.js';
import { entityKey } from '../model/entity-key.js';
import { loadModel } from '../model/model.js';
import { entityValidator } from '../model/validate.js';
import { compileField, type CompiledField, type FieldContext } from './compile-fields.js';
import type { FieldSpec } from './mapping-schema.js';
import type { MappingFailure } from './load-mapping.js';
import { compileToCanonical, keyedFailure, mergeErrors } from './record-mapper.js';
import { ErrorSink } from './sink.js';
import { MODEL, writeFiles } from './testing.js';
import { SourceFiles } from '../core/source-files.js';

const entity = loadModel(join(writeFiles({ 'model.yaml': MODEL }), 'model.yaml')).entities.get('Customer')!;

// Every kind of field: inline plans (with and without a final type), rules the validator still
// applies, dotted paths both ways, and fields that keep their own run (when, const, concat, each).
const SPECS: Record<string, FieldSpec | string> = {
  customerId: { from: 'ID', transform: ['trim'], required: true },
  name: { from: 'NAME', transform: ['trim', 'collapseSpaces'] },
  balance: 'BAL',
  price: { from: 'PRICE', transform: [{ decimal: { separator: ',', scale: 3 } }] },
  count: { from: 'CNT', transform: ['integer'] },
  // A boolean for a number field passes its coercion: only the model's type test catches it.
  ratio: { from: 'RATIO', transform: ['number'], lookup: { '1': true, '2.5': 2.5 }, default: 3 },
  status: { from: 'ST', lookup: { A: 'active', C: 'closed', X: 'bogus', N: 7 } },
  openedOn: { from: 'OPENED', transform: [{ date: 'yyyyMMdd' }] },
  changedAt: { from: 'CHANGED', transform: [{ datetime: 'yyyyMMddHHmmss', zone: 'UTC' }] },
  startsAt: 'STARTS',
  vip: { from: 'VIP', lookup: { Y: true, N: false, Q: 'maybe' } },
  kind: { when: { field: 'K', equals: 'R' }, const: 'retail' },
  fullName: { from: ['F', 'L'], join: ' ' },
  region: { from: 'ZIP', lookup: { '1': 5 }, default: 'x' },
  tags: { from: 'TAGS', transform: [{ split: ';' }, 'trim'] },
  'address.city': { from: 'G.CITY', transform: ['trim'] },
  lines: { from: 'DETAIL', each: { sku: 'SKU', qty: { from: 'QTY', transform: ['integer'] } } },
  phone: { from: 'PHONE', emptyAsNull: true },
  orderNo: { from: 'ORD', default: 'none' },
};

function compileAll(): CompiledField[] {
  const ctx: FieldContext = {
    file: 'm.yaml', resolve: (r) => r, files: new SourceFiles(), problem: (path, message) => ({ file: 'm.yaml', path: formatPath(path), message }),
    problems: [], legacyPrefix: '', owner: 'Customer',
  };
  const fields = Object.entries(SPECS).map(([canon, spec]) => compileField(canon, spec, entity.fields, ctx, ['fields', canon])!);
  expect(ctx.problems).toEqual([]);
  return fields;
}

/** The engine before whole-record generation: each field's run, then the entity validator. */
function reference(fields: CompiledField[]) {
  const validate = entityValidator(entity, true);
  const sink = new ErrorSink('m.yaml');
  return (record: LegacyRecord, position: Position) => {
    sink.reset(position);
    const data: Record<string, unknown> = {};
    for (const f of fields) f.run(record, data, sink);
    const invalid = validate(data);
    if (sink.errors !== undefined || invalid.length) return keyedFailure(mergeErrors(sink.errors ?? [], invalid, position, 'm.yaml'), data, entity);
    const out: { entity: string; key: string; data: Record<string, unknown>; sourceTimestamp?: string } = { entity: 'Customer', key: entityKey(entity, data), data };
    if (typeof data.changedAt === 'string') out.sourceTimestamp = data.changedAt;
    return out;
  };
}

const text = (...pool: string[]) => fc.oneof(fc.constantFrom(...pool), fc.string({ maxLength: 6 }), fc.constant(null));
const legacy = fc.record({
  ID: text('C1', ' C2 ', 'c3', '', '   ', 'ABCDEFGHIJK'),
  NAME: text(' a  b ', ''),
  BAL: text('12.5', '-0012.50', '1.234', '', '0', '-0', 'x'),
  PRICE: text('1,5', '1,250', '1,2345', '1.5', ''),
  CNT: text('42', '-1', '9007199254740993', '', '+7'),
  RATIO: text('1e3', '.5', 'nan', '1', '2.50'),
  ST: text('A', 'C', 'X', 'N', 'Z', ''),
  OPENED: text('20240229', '20230229', '2024022', ''),
  CHANGED: text('20240101120000', '20241301120000'),
  STARTS: text('12:30', '12:30:15', '25:00', '1230'),
  VIP: text('Y', 'N', 'Q'),
  K: text('R', 'S'),
  F: text('Ada'),
  L: text('Lovelace'),
  ZIP: text('1', '2'),
  TAGS: text('a; b', ';'),
  G: fc.oneof(fc.record({ CITY: text(' Graz ') }), fc.constant(null)),
  DETAIL: fc.oneof(fc.array(fc.record({ SKU: text('X1'), QTY: text('3', 'q') }), { maxLength: 2 }), fc.constant(null)),
  PHONE: text('  ', '+49 1'),
  ORD: text('', 'O1'),
}, { requiredKeys: [] });

describe('the generated whole-record function', () => {
  const fields = compileAll();
  const generated = compileToCanonical({ file: 'm.yaml', entity, key: entity.key, fields });
  const ref = reference(fields);
  const pos = { file: 'in.dat', line: 3, record: 3 };

  // The same fields with every skipped re-check done: final coercion and model type tests.
  const checked = compileToCanonical({
    file: 'm.yaml', entity, key: entity.key,
    fields: fields.map((f) => ({ ...f, typeChecked: false, ...(f.plan ? { plan: { ...f.plan, finalType: undefined } } : {}) })),
  });

  it('gives the same entities and the same errors, in order, as field runs plus the validator', () => {
    fc.assert(fc.property(legacy, (r) => {
      const out = generated(r as LegacyRecord, pos);
      expect(out).toStrictEqual(ref(r as LegacyRecord, pos));
      expect(out).toStrictEqual(checked(r as LegacyRecord, pos));
      if (!Array.isArray(out)) expect(entityValidator(entity)(out.data)).toEqual([]);
    }), { numRuns: 2000 });
  });

  it('still applies the model rules to fields whose type it trusts', () => {
    const errors = generated({ ID: 'lower', ST: 'X', PRICE: '1,255', CNT: '-1' }, pos) as DataErrorDetail[];
    expect(errors.map((e) => `${e.code} ${e.field}: ${e.message}`)).toEqual([
      'field.number price: PRICE: more than 2 decimal places',
      'model.invalid customerId: does not match pattern ^[A-Z0-9]+$',
      'model.invalid count: less than the minimum 0',
      'model.invalid status: not one of "active", "closed", "unknown"',
    ]);
  });

  it("names a rejected record's key when its key fields mapped, and no key when one failed or is missing", () => {
    const keyOf = (r: LegacyRecord) => (generated(r, pos) as MappingFailure).key;
    expect(keyOf({ ID: ' C7 ', PRICE: '1,2345' })).toBe('C7');
    expect(keyOf({ ID: 'lower', PRICE: '1,2345' })).toBeUndefined();
    expect(keyOf({ PRICE: '1,2345' })).toBeUndefined();
  });

  it('maps a good record with its key and source timestamp', () => {
    const out = generated({ ID: ' C7 ', CHANGED: '20240101120000', PRICE: '1,5', BAL: '-0012.50' }, pos);
    expect(out).toMatchObject({ entity: 'Customer', key: 'C7', sourceTimestamp: '2024-01-01T12:00:00+00:00', data: { customerId: 'C7', price: '1.50', balance: '-12.50', orderNo: 'none' } });
  });
});
