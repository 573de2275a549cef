import { entityDataSchema, entityPatchSchema, fieldJsonSchema, scalarFields, type JsonSchema } from '../model/json-schema.js';
import type { EntityModel } from '../model/model.js';
import { json, PARAMETERS, ref, responses, scopesFor, secured, type Obj } from './openapi-common.js';
import { SCHEMA_PRIMITIVES } from './openapi-schemas.js';

const RANGE_TYPES = new Set(['integer', 'number', 'decimal', 'date', 'datetime']);
const RANGES = { gte: 'at least', lte: 'at most', gt: 'greater than', lt: 'less than' } as const;

/** The component schemas of one entity type: `<T>Data`, `<T>Patch`, `<T>Entity`, `<T>Sparse`, `<T>ListItem`, `<T>Page`, `<T>History`. */
export function entitySchemas(e: EntityModel): Obj {
  const { str, int, dateTime, op } = SCHEMA_PRIMITIVES;
  const data = ref('schemas', `${e.name}Data`);
  const full = entityDataSchema(e);
  const { required: _required, ...sparse } = full;
  const entity = (dataSchema: Obj, description: string): Obj => ({
    type: 'object',
    description,
    properties: { type: { const: e.name }, key: str, version: { type: 'integer', minimum: 1 }, createdAt: dateTime, updatedAt: dateTime, data: dataSchema },
    required: ['type', 'key', 'version', 'createdAt', 'updatedAt', 'data'],
  });
  return {
    [`${e.name}Data`]: full,
    [`${e.name}Patch`]: entityPatchSchema(e),
    [`${e.name}Entity`]: entity(data, `A ${e.name} with its store metadata.${e.description ? ` ${e.description}` : ''}`),
    [`${e.name}Sparse`]: { ...sparse, title: `${e.name} data, some fields`, description: 'The fields a list asked for with `fields=` (all of them without it).' },
    // List items: with `fields=` the data holds only the fields asked for, required ones included.
    [`${e.name}ListItem`]: entity({ anyOf: [data, ref('schemas', `${e.name}Sparse`)] }, `A ${e.name} in a list.`),
    [`${e.name}Page`]: {
      type: 'object',
      description: `A page of ${e.name} entities. With \`fields\`, each \`data\` holds only the fields asked for.`,
      properties: {
        items: { type: 'array', items: ref('schemas', `${e.name}ListItem`) },
        next: { type: ['string', 'null'], description: 'Relative URL of the next page; null on the last page.' },
      },
      required: ['items', 'next'],
    },
    [`${e.name}History`]: {
      type: 'object',
      properties: {
        items: {
          type: 'array',
          items: {
            type: 'object',
            properties: { version: int, op, data: { oneOf: [data, { type: 'null' }] }, at: dateTime, lineage: ref('schemas', 'Lineage') },
            required: ['version', 'op', 'data', 'at', 'lineage'],
          },
        },
      },
      required: ['items'],
    },
  };
}

/** Query parameters filtering a list: equality / `in` per scalar field, ranges on ordered ones. */
function filterParameters(e: EntityModel): Obj[] {
  const out: Obj[] = [];
  for (const [name, f] of scalarFields(e)) {
    const value = fieldJsonSchema({ ...f, description: undefined }, true);
    out.push({
      name,
      in: 'query',
      description: `Only entities whose \`${name}\` equals the value, or one of the values (repeated, or comma-separated).`,
      schema: { oneOf: [value, { type: 'array', items: value }] },
      style: 'form',
      explode: true,
    });
    if (!RANGE_TYPES.has(f.type)) continue;
    for (const [bound, words] of Object.entries(RANGES)) {
      out.push({ name: `${name}[${bound}]`, in: 'query', description: `Only entities whose \`${name}\` is ${words} the value.`, schema: value });
    }
  }
  return out;
}

/** The five paths of one entity type, with every status of the contract. */
export function entityPaths(e: EntityModel, blindWrites: boolean): Obj {
  const t = e.name;
  const entity = ref('schemas', `${t}Entity`);
  const tags = [t];
  const read = secured(scopesFor('read', t));
  const write = secured(scopesFor('write', t));
  const withEtag = { ETag: ref('headers', 'ETag'), 'Last-Modified': ref('headers', 'LastModified') };
  // Without blind writes the server answers 428 when If-Match is missing: generated clients should require it.
  const ifMatch = blindWrites ? ref('parameters', 'IfMatch') : { ...PARAMETERS.IfMatch, required: true };
  // conflict: the type's conflict policy refused the write; unavailable: the store stayed locked.
  const writeKinds = ['bad-request', 'unauthorized', 'forbidden', 'conflict', 'payload-too-large', 'unsupported-media-type', 'validation-failed', 'unavailable'] as const;
  // A client that may write the type but not read it gets the validators only, never the data.
  const noBody = { description: `Done, for a client without the read:${t} scope: no body; ETag and Last-Modified give the new version.`, headers: withEtag };
  const preconditions = blindWrites ? (['precondition-failed'] as const) : (['precondition-failed', 'precondition-required'] as const);
  const body = (schema: JsonSchema, types = ['application/json']): Obj => ({ required: true, content: Object.fromEntries(types.map((ct) => [ct, { schema }])) });
  return {
    [`/v1/${t}`]: {
      get: {
        operationId: `list${t}`, tags, summary: `List ${t} entities`, security: read,
        description: 'Cursor pagination: follow `next` until it is null. Filters combine with AND.',
        parameters: [ref('parameters', 'Limit'), ref('parameters', 'Cursor'), ref('parameters', 'Sort'), ref('parameters', 'Fields'), ref('parameters', 'UpdatedSince'), ...filterParameters(e)],
        responses: responses({ 200: json(ref('schemas', `${t}Page`), `A page of ${t} entities.`) }, ['bad-request', 'unauthorized', 'forbidden']),
      },
      post: {
        operationId: `create${t}`, tags, summary: `Create a ${t}`, security: write,
        description: 'The body is the whole data, key fields included. 409 when a live entity has the key.',
        parameters: [ref('parameters', 'IdempotencyKey')],
        requestBody: body(ref('schemas', `${t}Data`)),
        responses: responses(
          { 201: json(entity, `The created ${t} (without a body for a client without the read:${t} scope).`, { ...withEtag, Location: ref('headers', 'Location') }) },
          [...writeKinds, 'idempotency-key-reused'],
        ),
      },
    },
    [`/v1/${t}/{key}`]: {
      parameters: [ref('parameters', 'Key')],
      get: {
        operationId: `get${t}`, tags, summary: `Get a ${t}`, security: read,
        parameters: [ref('parameters', 'IfNoneMatch')],
        responses: responses(
          { 200: json(entity, `The ${t}.`, withEtag), 304: { description: 'Not modified: the ETag given in If-None-Match is current.', headers: { ETag: ref('headers', 'ETag') } } },
          ['unauthorized', 'forbidden', 'not-found'],
        ),
      },
      put: {
        operationId: `replace${t}`, tags, summary: `Replace (or create) a ${t}`, security: write,
        description: 'The body is the whole data; its key must be the path key. `If-Match: *` creates.',
        parameters: [ifMatch],
        requestBody: body(ref('schemas', `${t}Data`)),
        responses: responses(
          { 200: json(entity, `The replaced ${t}.`, withEtag), 201: json(entity, `The created ${t} (without a body for a client without the read:${t} scope).`, { ...withEtag, Location: ref('headers', 'Location') }), 204: noBody },
          [...writeKinds, 'not-found', ...preconditions],
        ),
      },
      patch: {
        operationId: `patch${t}`, tags, summary: `Update fields of a ${t} (JSON Merge Patch)`, security: write,
        description: 'RFC 7396: fields given replace, null removes; the result is validated as a whole.',
        parameters: [ifMatch],
        requestBody: body(ref('schemas', `${t}Patch`), ['application/merge-patch+json', 'application/json']),
        responses: responses({ 200: json(entity, `The updated ${t}.`, withEtag), 204: noBody }, [...writeKinds, 'not-found', ...preconditions]),
      },
      delete: {
        operationId: `delete${t}`, tags, summary: `Delete a ${t}`, security: write,
        parameters: [ifMatch],
        responses: responses({ 204: { description: 'Deleted.' } }, ['bad-request', 'unauthorized', 'forbidden', 'conflict', 'not-found', ...preconditions, 'unavailable']),
      },
    },
    [`/v1/${t}/{key}/history`]: {
      parameters: [ref('parameters', 'Key')],
      get: {
        operationId: `get${t}History`, tags, summary: `Versions of a ${t} with their lineage`, security: read,
        responses: responses({ 200: json(ref('schemas', `${t}History`), 'Every version, oldest first.') }, ['unauthorized', 'forbidden', 'not-found']),
      },
    },
  };
}
