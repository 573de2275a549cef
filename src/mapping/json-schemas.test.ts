import { describe, expect, it } from 'vitest';
import { formats } from '../core/registry.js';
import { jsonSchemas } from './json-schemas.js';

// Whether schemas/*.json are up to date is checked with the other generated artefacts, in
// test/generated.test.ts.
describe('generated JSON Schemas', () => {
  it('lists every registered format under source', () => {
    const schema = JSON.parse(jsonSchemas(formats)['mapping.schema.json']) as { properties: { source: { anyOf: { properties: object }[] } } };
    const names = schema.properties.source.anyOf.flatMap((s) => Object.keys(s.properties));
    expect(names).toEqual(formats.map((f) => f.name));
  });
});
