import { describe, expect, it } from 'vitest';
import type { EntityModel } from './model.js';
import { entityChecker, entityValidator } from './validate.js';
import type { DataErrorDetail } from '../core/errors.js';

const entity: EntityModel = {
  name: 'Row',
  key: ['id'],
  fields: {
    id: { type: 'string', maxLength: 3 },
    price: { type: 'decimal' },
    on: { type: 'date' },
    tags: { type: 'array', items: { type: 'integer', minimum: 1 } },
  },
};

function check(trusted: string[], data: Record<string, unknown>): string[] {
  const out: DataErrorDetail[] = [];
  entityChecker(entity, new Set(trusted))(data, out);
  return out.map((e) => `${e.field}: ${e.message}`);
}

describe('entityChecker (for data a mapping built)', () => {
  it('skips only the type tests of trusted fields, keeping their rules and required keys', () => {
    const data = { price: 12, on: '2024-02-30', id: 'ABCD', tags: [0, null], extra: 1 };
    expect(check([], data)).toEqual([
      'id: longer than 3 characters',
      'price: not a canonical decimal string (like "-12.50")',
      'on: not a date (YYYY-MM-DD)',
      'tags[0]: less than the minimum 1',
      'tags[1]: null in a list',
    ]);
    expect(check(['price', 'on', 'id'], data)).toEqual(['id: longer than 3 characters', 'tags[0]: less than the minimum 1', 'tags[1]: null in a list']);
    expect(check(['id'], {})).toEqual(['id: required']);
  });

  it('refuses an empty key and lone surrogates in text, trusted or not: the store could not keep them', () => {
    const withNote: EntityModel = { ...entity, fields: { ...entity.fields, note: { type: 'string' } } };
    const problems = (data: Record<string, unknown>, trusted: string[] = []) => {
      const out: DataErrorDetail[] = [];
      entityChecker(withNote, new Set(trusted))(data, out);
      return out.map((e) => `${e.field}: ${e.message}`);
    };
    expect(problems({ id: '' }, ['id'])).toEqual(['id: empty: a key field needs a value']);
    expect(problems({ id: 'A\uD800', note: '\uDC00x' })).toEqual(['id: not well-formed Unicode (a lone surrogate)', 'note: not well-formed Unicode (a lone surrogate)']);
    expect(problems({ id: 'A\uD83D\uDE00', note: '' })).toEqual([]);
  });

  it('reports what entityValidator reports, less unknown fields', () => {
    const data = { id: 5, price: '-0.5', on: '2024-02-29', tags: 'x', extra: 1 };
    expect(entityValidator(entity)(data).map((e) => `${e.field}: ${e.message}`)).toEqual([...check([], data), 'extra: unknown field']);
  });
});
