/**
 * A client built from the generated types (test/support/api-types.ts, openapi-typescript) with
 * openapi-fetch, against `bridge run` over loopback: what a client team would do with /openapi.json.
 */
import { join } from 'node:path';
import createClient from 'openapi-fetch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../src/model/index.js';
import { DOCS_CSP } from '../src/rest/docs-router.js';
import { buildOpenApi } from '../src/rest/openapi.js';
import { PROBLEM_BASE } from '../src/rest/problem.js';
import type { paths } from './support/api-types.js';
import { makeBridge, repoRoot, startDaemon, type Daemon } from './support/bridge-process.js';
import { conformance } from './support/openapi-conformance.js';

const token = 'tok-client-0123456789abcdef';
const opsToken = 'tok-ops-0123456789abcdef';
const modelFile = join(repoRoot, 'mappings', 'model.yaml');
let daemon: Daemon;
let url: string;
let api: ReturnType<typeof createClient<paths>>;
const document = buildOpenApi(loadModel(modelFile), { blindWrites: ['Price'] });
const checker = conformance(document);

beforeAll(async () => {
  const bridge = makeBridge({}, {
    model: modelFile,
    server: { listen: '127.0.0.1:0', blindWrites: ['Price'], clients: { app: { token: '${env:BRIDGE_TEST_TOKEN}', scopes: ['read', 'write'] }, ops: { token: '${env:BRIDGE_OPS_TOKEN}', scopes: ['admin'] } } },
  });
  daemon = startDaemon(bridge.configFile, { BRIDGE_TEST_TOKEN: token, BRIDGE_OPS_TOKEN: opsToken });
  ({ url } = (await daemon.waitForLog((l) => l.msg === 'REST API listening')) as { url: string });
  api = createClient<paths>({ baseUrl: url, headers: { 'X-API-Key': token } });
  api.use(checker.middleware);
});

afterAll(async () => {
  daemon?.child.kill('SIGTERM');
  await daemon?.exited;
});

describe('a typed client of the generated OpenAPI types', () => {
  it('the daemon serves the document of its model and config at /openapi.json and the page at /docs, without auth', async () => {
    const served = await (await fetch(`${url}/openapi.json`)).json();
    expect(served).toEqual(document);
    const docs = await fetch(`${url}/docs`);
    expect(docs.status).toBe(200);
    expect(docs.headers.get('content-security-policy')).toBe(DOCS_CSP);
  });

  it('creates with POST, reads with GET, lists with filters, and gets typed problems', async () => {
    const created = await api.POST('/v1/Customer', {
      params: { header: { 'Idempotency-Key': 'create-c1' } },
      body: { customerId: 'C1', name: 'Ada', balance: '12.50', status: 'active', address: { city: 'Graz' } },
    });
    expect(created.response.status).toBe(201);
    expect(created.response.headers.get('etag')).toBe('"1"');
    expect(created.data).toMatchObject({ type: 'Customer', key: 'C1', version: 1, data: { customerId: 'C1', balance: '12.50', address: { city: 'Graz' } } });
    for (const [id, status, balance] of [['C2', 'closed', '3.00'], ['C3', 'active', '99.99']] as const) {
      expect((await api.POST('/v1/Customer', { body: { customerId: id, status, balance } })).response.status).toBe(201);
    }

    const got = await api.GET('/v1/Customer/{key}', { params: { path: { key: 'C1' } } });
    expect(got.data?.data.name).toBe('Ada');
    expect(got.data?.updatedAt).toMatch(/^\d{4}-\d\d-\d\dT/);

    const page = await api.GET('/v1/Customer', { params: { query: { status: ['active'], 'balance[gte]': '10.00', sort: '-key', limit: 1 } } });
    expect(page.data?.items.map((e) => e.key)).toEqual(['C3']);
    expect(page.data?.next).toMatch(/^\/v1\/Customer\?/);
    const rest = await fetch(url + page.data!.next!, { headers: { 'X-API-Key': token } });
    expect(((await rest.json()) as { items: { key: string }[] }).items.map((e) => e.key)).toEqual(['C1']);

    const either = await api.GET('/v1/Customer', { params: { query: { status: ['active', 'closed'], fields: 'status' } } });
    expect(either.data?.items.map((e) => [e.key, e.data])).toEqual([['C1', { status: 'active' }], ['C2', { status: 'closed' }], ['C3', { status: 'active' }]]);

    const patched = await api.PATCH('/v1/Customer/{key}', { params: { path: { key: 'C1' }, header: { 'If-Match': '"1"' } }, body: { name: null } });
    expect([patched.response.status, patched.data?.version, patched.data?.data.name]).toEqual([200, 2, undefined]);

    const again = await api.POST('/v1/Customer', { body: { customerId: 'C1' } });
    expect([again.response.status, again.error?.type]).toEqual([409, `${PROBLEM_BASE}conflict`]);
    const invalid = await api.POST('/v1/Customer', { body: { customerId: 'lower-case', balance: '1.234' } });
    expect(invalid.error?.errors?.map((e) => e.field).sort()).toEqual(['balance', 'customerId']);
    const missing = await api.GET('/v1/Customer/{key}', { params: { path: { key: 'nope' } } });
    expect([missing.response.status, missing.error?.type]).toEqual([404, `${PROBLEM_BASE}not-found`]);
  });

  it('every answer above has a documented status and matches its schema in the document', async () => {
    const history = await api.GET('/v1/Customer/{key}/history', { params: { path: { key: 'C1' } } });
    expect(history.data?.items.map((v) => v.op)).toEqual(['created', 'updated']);
    const changes = await api.GET('/v1/changes', { params: { query: { after: 0, limit: 2 } } });
    expect(changes.data?.items.map((c) => c.seq)).toEqual([1, 2]);
    const forbidden = await api.GET('/v1/admin/flows');
    expect(forbidden.response.status).toBe(403);
    const stale = await api.PUT('/v1/Customer/{key}', { params: { path: { key: 'C2' }, header: { 'If-Match': '"7"' } }, body: { customerId: 'C2' } });
    expect(stale.response.status).toBe(412);
    // @ts-expect-error If-Match is required for Customer: the server agrees (428)
    const blind = await api.DELETE('/v1/Customer/{key}', { params: { path: { key: 'C2' } } });
    expect(blind.response.status).toBe(428);
    const deleted = await api.DELETE('/v1/Customer/{key}', { params: { path: { key: 'C2' }, header: { 'If-Match': '"1"' } } });
    expect(deleted.response.status).toBe(204);
    const price = await api.PUT('/v1/Price/{key}', { params: { path: { key: 'SKU-1' }, header: { 'If-Match': '*' } }, body: { sku: 'SKU-1', price: '9.90', currency: 'EUR' } });
    expect(price.response.status).toBe(201);
    const ops = createClient<paths>({ baseUrl: url, headers: { authorization: `Bearer ${opsToken}` } });
    ops.use(checker.middleware);
    expect((await ops.GET('/v1/admin/flows')).data?.items).toEqual([]);
    expect((await ops.GET('/v1/admin/rejects', { params: { query: { status: 'open' } } })).data?.items).toEqual([]);
    expect((await ops.GET('/v1/admin/rejects/{id}', { params: { path: { id: 999 } } })).response.status).toBe(404);
    expect((await ops.GET('/healthz')).data?.status).toBe('ok');
    expect((await ops.GET('/readyz')).data?.store).toBe('ok');
    expect((await ops.GET('/v1/changes', { params: { query: { after: 0, types: 'Price' } } })).data?.items.map((c) => c.key)).toEqual(['SKU-1']);
    expect(checker.checked).toHaveLength(23);
    expect(checker.violations).toEqual([]);
  });

  it('the conformance check does catch an answer the document does not describe', async () => {
    const schemas = document.components.schemas as Record<string, object>;
    const narrowed = { ...schemas.CustomerEntity, properties: { type: {} }, additionalProperties: false };
    const strict = conformance({ ...document, components: { ...document.components, schemas: { ...schemas, CustomerEntity: narrowed } } });
    const client = createClient<paths>({ baseUrl: url, headers: { 'X-API-Key': token } });
    client.use(strict.middleware);
    await client.GET('/v1/Customer/{key}', { params: { path: { key: 'C1' } } });
    expect(strict.violations).toEqual([expect.stringContaining('GET /v1/Customer/{key} -> 200: data must NOT have additional properties')]);
  });
});
