import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Validator } from '@seriousme/openapi-schema-validator';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { loadModel, validateEntity } from '../model/index.js';
import { API_TYPES_FILE, generateApiTypes } from '../../test/support/generate-api-types.js';
import { PROBLEM_BASE, PROBLEM_KINDS, problemResponseName } from './openapi-common.js';
import { buildOpenApi } from './openapi.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const root = fileURLToPath(new URL('../../', import.meta.url));
const model = loadModel(join(root, 'mappings', 'model.yaml'));
const doc = buildOpenApi(model, { blindWrites: ['Price'] }) as Obj;
const METHODS = ['get', 'put', 'post', 'patch', 'delete'];
const operations = (d: Obj) => Object.entries(d.paths as Obj).flatMap(([path, item]) => METHODS.filter((m) => item[m]).map((m) => `${m.toUpperCase()} ${path}`));

describe('buildOpenApi', () => {
  it('is a valid OpenAPI 3.1 document, and the validator does refuse a broken one', async () => {
    const validator = new Validator();
    expect(await validator.validate(structuredClone(doc))).toEqual({ valid: true });
    expect(validator.version).toBe('3.1');
    const broken = structuredClone(doc);
    broken.paths['/v1/Customer'].get.responses = 'none';
    expect((await new Validator().validate(broken)).valid).toBe(false);
  });

  it('has every route of the contract, per entity type of the model', () => {
    const perType = (t: string) => [`GET /v1/${t}`, `POST /v1/${t}`, `GET /v1/${t}/{key}`, `PUT /v1/${t}/{key}`, `PATCH /v1/${t}/{key}`, `DELETE /v1/${t}/{key}`, `GET /v1/${t}/{key}/history`];
    expect(operations(doc).sort()).toEqual([
      ...['Customer', 'Order', 'Price'].flatMap(perType),
      'GET /v1/changes', 'GET /v1/changes/stream',
      'GET /v1/admin/flows', 'GET /v1/admin/rejects', 'GET /v1/admin/rejects/{id}', 'POST /v1/admin/rejects/{id}/replay', 'POST /v1/admin/rejects/{id}/discard',
      'GET /v1/admin/deadletters', 'GET /v1/admin/deadletters/{id}', 'POST /v1/admin/deadletters/{id}/replay', 'POST /v1/admin/deadletters/replay', 'POST /v1/admin/deadletters/{id}/discard',
      'GET /healthz', 'GET /readyz', 'GET /metrics', 'GET /openapi.json', 'GET /docs',
    ].sort());
    const ids = Object.values(doc.paths as Obj).flatMap((item) => METHODS.filter((m) => item[m]).map((m) => item[m].operationId));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('answers with the statuses of the contract, problems as problem+json of every kind', () => {
    const statuses = (path: string, method: string) => Object.keys(doc.paths[path][method].responses).sort();
    expect(statuses('/v1/Customer/{key}', 'get')).toEqual(['200', '304', '401', '403', '404', '429', '500']);
    // 409 and 503 on every write: a conflict policy's refusal, a store that stayed locked.
    expect(statuses('/v1/Customer', 'post')).toEqual(['201', '400', '401', '403', '409', '413', '415', '422', '429', '500', '503']);
    // 204: a client that may write Customers but not read them gets no body.
    expect(statuses('/v1/Customer/{key}', 'put')).toEqual(['200', '201', '204', '400', '401', '403', '404', '409', '412', '413', '415', '422', '428', '429', '500', '503']);
    expect(statuses('/v1/Price/{key}', 'delete')).toEqual(['204', '400', '401', '403', '404', '409', '412', '429', '500', '503']);
    expect(statuses('/readyz', 'get')).toEqual(['200', '503']);
    const post422 = doc.paths['/v1/Customer'].post.responses['422'].content['application/problem+json'].schema;
    expect(post422.properties.type.enum).toEqual([`${PROBLEM_BASE}validation-failed`, `${PROBLEM_BASE}idempotency-key-reused`]);
    for (const [kind, [status]] of Object.entries(PROBLEM_KINDS)) {
      const response = doc.components.responses[problemResponseName(kind as keyof typeof PROBLEM_KINDS)];
      expect(response.content['application/problem+json'].schema.properties.type.enum).toEqual([PROBLEM_BASE + kind]);
      expect(response.description).toContain(String(PROBLEM_BASE + kind));
      expect(status).toBeGreaterThanOrEqual(400);
    }
    expect(doc.components.responses.RateLimited.headers['Retry-After']).toEqual({ $ref: '#/components/headers/RetryAfter' });
    expect(doc.paths['/v1/Customer/{key}'].get.responses['200'].headers).toEqual({ ETag: { $ref: '#/components/headers/ETag' }, 'Last-Modified': { $ref: '#/components/headers/LastModified' } });
    expect(Object.keys(doc.paths['/v1/changes/stream'].get.responses['200'].content)).toEqual(['text/event-stream']);
  });

  it('derives list filters from the top-level scalar fields, ranges only for ordered types', () => {
    const names = (doc.paths['/v1/Customer'].get.parameters as Obj[]).filter((p) => !p.$ref).map((p) => p.name);
    expect(names).toEqual([
      'customerId', 'name',
      'balance', 'balance[gte]', 'balance[lte]', 'balance[gt]', 'balance[lt]',
      'creditLimit', 'creditLimit[gte]', 'creditLimit[lte]', 'creditLimit[gt]', 'creditLimit[lt]',
      'openedOn', 'openedOn[gte]', 'openedOn[lte]', 'openedOn[gt]', 'openedOn[lt]',
      'status', 'country',
      'changedAt', 'changedAt[gte]', 'changedAt[lte]', 'changedAt[gt]', 'changedAt[lt]',
    ]);
    const status = (doc.paths['/v1/Customer'].get.parameters as Obj[]).find((p) => p.name === 'status')!;
    expect(status.schema.oneOf[0].enum).toEqual(['active', 'closed', 'suspended', 'unknown']);
  });

  it('describes entity data as the model validator judges it', () => {
    const data = doc.components.schemas.CustomerData;
    expect(data.required).toEqual(['customerId']);
    expect(data.additionalProperties).toBe(false);
    const balance = new RegExp(data.properties.balance.pattern, 'u');
    for (const value of ['12.50', '-0.5', '7', '1.234', '012.5', '+1']) {
      const modelSays = validateEntity(model, 'Customer', { customerId: 'C1', balance: value }).length === 0;
      expect(balance.test(value), value).toBe(modelSays);
    }
    expect(data.properties.status.enum).toEqual(['active', 'closed', 'suspended', 'unknown', null]);
    expect(data.properties.address.properties.city.type).toEqual(['string', 'null']);
    expect(doc.components.schemas.OrderData.properties.lines.items.properties.lineNo).toEqual({ type: ['integer', 'null'], minimum: 1 });
    expect(doc.components.schemas.CustomerPatch.required).toBeUndefined();
  });

  it('requires If-Match on writes unless the type allows blind writes', () => {
    const ifMatch = (t: string) => doc.paths[`/v1/${t}/{key}`].patch.parameters[0];
    expect(ifMatch('Customer')).toMatchObject({ name: 'If-Match', in: 'header', required: true });
    expect(ifMatch('Price')).toEqual({ $ref: '#/components/parameters/IfMatch' });
    expect(doc.paths['/v1/Customer'].post.parameters[0]).toEqual({ $ref: '#/components/parameters/IdempotencyKey' });
  });

  it('declares bearer and X-API-Key security with the scopes of each operation', () => {
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.components.securitySchemes.apiKey).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-API-Key' });
    expect(doc.paths['/v1/Order/{key}'].delete.security).toEqual([
      { bearer: ['write:Order'] }, { apiKey: ['write:Order'] }, { bearer: ['write'] }, { apiKey: ['write'] }, { bearer: ['admin'] }, { apiKey: ['admin'] },
    ]);
    expect(doc.paths['/v1/admin/flows'].get.security).toEqual([{ bearer: ['admin'] }, { apiKey: ['admin'] }]);
    for (const path of ['/healthz', '/readyz', '/openapi.json', '/docs']) expect(doc.paths[path].get.security).toEqual([]);
  });
});

describe('generated client types (openapi-typescript)', () => {
  it(`${API_TYPES_FILE} is what openapi-typescript generates now (run: node --import tsx scripts/gen-api-types.ts)`, async () => {
    expect(readFileSync(join(root, API_TYPES_FILE), 'utf8')).toBe(await generateApiTypes(root));
  });

  it('type a client: right calls compile, wrong paths, bodies and missing If-Match do not', () => {
    const dir = join(root, 'tmp', `openapi-types-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'usage.ts');
    writeFileSync(file, `import createClient from 'openapi-fetch';
import type { paths } from '../../${API_TYPES_FILE.replace(/\.ts$/, '.js')}';
const api = createClient<paths>({ baseUrl: 'http://127.0.0.1:1' });
export async function use(): Promise<string | undefined> {
  const got = await api.GET('/v1/Customer/{key}', { params: { path: { key: 'C1' } } });
  const page = await api.GET('/v1/Customer', { params: { query: { limit: 10, status: ['active', 'closed'], 'balance[gte]': '10.00' } } });
  await api.POST('/v1/Customer', { body: { customerId: 'C2', balance: '1.50' }, params: { header: { 'Idempotency-Key': 'k' } } });
  await api.PATCH('/v1/Customer/{key}', { params: { path: { key: 'C1' }, header: { 'If-Match': '"1"' } }, body: { name: null } });
  // @ts-expect-error the path does not exist
  await api.GET('/v1/Nope/{key}', { params: { path: { key: 'x' } } });
  // @ts-expect-error status is an enum
  await api.GET('/v1/Customer', { params: { query: { status: 'gone' } } });
  // @ts-expect-error the key field is required
  await api.POST('/v1/Customer', { body: { name: 'x' } });
  // @ts-expect-error If-Match is required (Customer has no blind writes)
  await api.DELETE('/v1/Customer/{key}', { params: { path: { key: 'C1' } } });
  const version: number | undefined = got.data?.version;
  return String(version) + page.data?.items[0]?.data.balance + page.data?.next;
}
`);
    try {
      const program = ts.createProgram([file], { strict: true, noEmit: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, skipLibCheck: true, types: [] });
      const problems = ts.getPreEmitDiagnostics(program).map((d) => `${d.file?.fileName.slice(root.length) ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
      expect(problems).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
