import { describe, expect, it } from 'vitest';
import { entityDataSchema, entityPatchSchema, fieldJsonSchema, scalarFields } from './json-schema.js';
import type { EntityModel } from './model.js';

const entity: EntityModel = {
  name: 'Row',
  description: 'A row.',
  key: ['id'],
  fields: {
    id: { type: 'integer', minimum: 1 },
    price: { type: 'decimal', scale: 0, precision: 5 },
    at: { type: 'time' },
    kind: { type: 'string', enum: ['a', 'b'], required: true },
    nested: { type: 'object', fields: { deep: { type: 'string', required: true } } },
    list: { type: 'array', items: { type: 'boolean' } },
  },
};

describe('model → JSON Schema', () => {
  it('maps each type with its rules; optional fields also take null', () => {
    const data = entityDataSchema(entity) as { properties: Record<string, object>; required: string[] };
    expect(data.required).toEqual(['id', 'kind']);
    expect(data.properties.id).toEqual({ type: 'integer', minimum: 1 });
    expect(data.properties.price).toEqual({ type: ['string', 'null'], format: 'decimal', pattern: '^-?(?:0|[1-9][0-9]*)$', description: 'Exact decimal as a string (like "-12.50"), no digits after the point, at most 5 digits in all.' });
    expect(data.properties.kind).toEqual({ type: 'string', enum: ['a', 'b'] });
    expect(data.properties.nested).toEqual({ type: ['object', 'null'], properties: { deep: { type: 'string' } }, required: ['deep'], additionalProperties: false });
    expect(data.properties.list).toEqual({ type: ['array', 'null'], items: { type: 'boolean' } });
    expect(new RegExp((data.properties.at as { pattern: string }).pattern).test('10:00:00')).toBe(true);
    expect(new RegExp((data.properties.at as { pattern: string }).pattern).test('10:00:00Z')).toBe(false);
  });

  it('a decimal pattern allows up to its scale of digits after the point', () => {
    const re = new RegExp((fieldJsonSchema({ type: 'decimal', scale: 2 }, true) as { pattern: string }).pattern);
    expect(['1', '1.5', '-1.25', '0.10'].map((v) => re.test(v))).toEqual([true, true, true, true]);
    expect(['1.234', '01', '+1', '1.', '.5'].map((v) => re.test(v))).toEqual([false, false, false, false, false]);
  });

  it('a merge patch has every field optional and nullable, nested ones too', () => {
    const patch = entityPatchSchema(entity) as { required?: string[]; properties: Record<string, { type: unknown; required?: unknown; enum?: unknown }> };
    expect(patch.required).toBeUndefined();
    expect(patch.properties.kind.enum).toEqual(['a', 'b', null]);
    expect(patch.properties.nested).toEqual({ type: ['object', 'null'], properties: { deep: { type: ['string', 'null'] } }, additionalProperties: false });
  });

  it('scalar fields are the top-level ones that are neither objects nor arrays', () => {
    expect(scalarFields(entity).map(([n]) => n)).toEqual(['id', 'price', 'at', 'kind']);
  });
});
