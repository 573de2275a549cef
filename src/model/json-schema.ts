import type { FieldModel } from './model-schema.js';
import type { EntityModel } from './model.js';
import { ISO_TIME } from './values.js';

/** A JSON Schema (draft 2020-12, as OpenAPI 3.1 uses it) as a plain object. */
export type JsonSchema = { [keyword: string]: unknown };

// The canonical decimal form of values.ts, with the scale as the most digits after the point.
function decimalPattern(scale: number | undefined): string {
  const fraction = scale === undefined ? '[0-9]+' : scale === 0 ? '' : `[0-9]{1,${scale}}`;
  return fraction ? `^-?(?:0|[1-9][0-9]*)(?:\\.${fraction})?$` : '^-?(?:0|[1-9][0-9]*)$';
}

function typed(f: FieldModel): JsonSchema {
  switch (f.type) {
    case 'string':
      return { type: 'string', minLength: f.minLength, maxLength: f.maxLength, pattern: f.pattern };
    case 'integer':
    case 'number':
      return { type: f.type, minimum: f.minimum, maximum: f.maximum };
    case 'boolean':
      return { type: 'boolean' };
    case 'decimal': {
      const rules = [f.scale !== undefined && (f.scale === 0 ? 'no digits after the point' : `at most ${f.scale} digits after the point`), f.precision !== undefined && `at most ${f.precision} digits in all`].filter(Boolean);
      const note = `Exact decimal as a string (like "-12.50")${rules.length ? `, ${rules.join(', ')}` : ''}.`;
      return { type: 'string', format: 'decimal', pattern: decimalPattern(f.scale), 'x-decimal-note': note };
    }
    case 'date':
      return { type: 'string', format: 'date' };
    case 'datetime':
      return { type: 'string', format: 'date-time' };
    case 'time':
      // Not JSON Schema's "time" format, which demands an offset: canonical times have none.
      return { type: 'string', pattern: ISO_TIME.source };
    case 'object':
      return objectSchema(f.fields ?? {}, []);
    case 'array':
      return { type: 'array', items: f.items ? fieldJsonSchema(f.items, true) : {} };
  }
}

/**
 * The JSON Schema of one model field, accepting exactly what src/model/validate.ts accepts
 * (up to precision, which only the description states). An optional field also takes null,
 * which the validator treats as absent.
 */
export function fieldJsonSchema(f: FieldModel, required: boolean): JsonSchema {
  const schema = typed(f);
  const note = schema['x-decimal-note'];
  delete schema['x-decimal-note'];
  const description = [f.description, note].filter(Boolean).join(' ');
  if (description) schema.description = description;
  if (f.enum) schema.enum = [...f.enum];
  if (!required) {
    schema.type = [schema.type, 'null'];
    if (f.enum) (schema.enum as unknown[]).push(null);
  }
  for (const k of Object.keys(schema)) if (schema[k] === undefined) delete schema[k];
  return schema;
}

/** An object of model fields: unknown fields refused, required and key fields listed. */
function objectSchema(fields: Record<string, FieldModel>, key: readonly string[]): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const [name, f] of Object.entries(fields)) {
    const needed = f.required === true || key.includes(name);
    properties[name] = fieldJsonSchema(f, needed);
    if (needed) required.push(name);
  }
  return { type: 'object', properties, ...(required.length ? { required } : {}), additionalProperties: false };
}

/** The JSON Schema of an entity's `data`, as the REST facade accepts and returns it. */
export function entityDataSchema(entity: EntityModel): JsonSchema {
  return { title: `${entity.name} data`, ...(entity.description ? { description: entity.description } : {}), ...objectSchema(entity.fields, entity.key) };
}

// In a merge patch nested objects merge too (RFC 7396): their fields are all optional as well.
function patchField(f: FieldModel): JsonSchema {
  if (f.type !== 'object') return fieldJsonSchema(f, false);
  const properties: Record<string, JsonSchema> = {};
  for (const [name, inner] of Object.entries(f.fields ?? {})) properties[name] = patchField(inner);
  return { type: ['object', 'null'], ...(f.description ? { description: f.description } : {}), properties, additionalProperties: false };
}

/**
 * The JSON Schema of a JSON Merge Patch (RFC 7396) of an entity's data: every field optional,
 * null removes it. The facade validates the merged result against the full data schema.
 */
export function entityPatchSchema(entity: EntityModel): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const [name, f] of Object.entries(entity.fields)) properties[name] = patchField(f);
  return { title: `${entity.name} merge patch`, type: 'object', properties, additionalProperties: false };
}

/** Top-level fields whose values are single scalars (filterable in list queries), with their models. */
export function scalarFields(entity: EntityModel): [string, FieldModel][] {
  return Object.entries(entity.fields).filter(([, f]) => f.type !== 'object' && f.type !== 'array');
}
