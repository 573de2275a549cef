import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formats } from '../core/registry.js';
import { jsonSchemas } from './json-schemas.js';

describe('generated JSON Schemas', () => {
  it.each(Object.entries(jsonSchemas(formats)))('schemas/%s is up to date (run: node --import tsx scripts/gen-schemas.ts)', (name, text) => {
    const committed = readFileSync(new URL(`../../schemas/${name}`, import.meta.url), 'utf8');
    expect(committed).toBe(text);
  });

  it('lists every registered format under source', () => {
    const schema = JSON.parse(jsonSchemas(formats)['mapping.schema.json']) as { properties: { source: { anyOf: { properties: object }[] } } };
    const names = schema.properties.source.anyOf.flatMap((s) => Object.keys(s.properties));
    expect(names).toEqual(formats.map((f) => f.name));
  });
});
