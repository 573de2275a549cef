import { Router } from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { json, startTestServer, type TestServer } from './test-server.js';

const open: TestServer[] = [];
afterEach(async () => {
  for (const t of open.splice(0)) await t.close();
});

const tokens = {
  reader: 'reader-token-0123456789abcdef',
  orders: 'orders-token-0123456789abcdef',
  writer: 'writer-token-0123456789abcdef',
  admin: 'admin-token-0123456789abcdefgh',
  pricer: 'pricer-token-0123456789abcdef',
};
const clients = {
  reader: { token: tokens.reader, scopes: ['read'] },
  orders: { token: tokens.orders, scopes: ['read:Order', 'write:Order'] },
  writer: { token: tokens.writer, scopes: ['read:Customer', 'write:Customer'] },
  admin: { token: tokens.admin, scopes: ['admin'] },
  pricer: { token: tokens.pricer, scopes: ['write:Price'] },
};
async function server(extra: Record<string, unknown> = {}): Promise<TestServer> {
  const t = await startTestServer({ server: { clients, ...extra }, secrets: Object.values(tokens) });
  open.push(t);
  return t;
}
const bearer = (name: keyof typeof tokens) => ({ authorization: `Bearer ${tokens[name]}` });
const ann = { customerId: 'C1', name: 'Ann' };

describe('authentication and scopes', () => {
  it('answers 401 without a token and with an unknown one, as problem+json with WWW-Authenticate', async () => {
    const t = await server();
    const attempts: Record<string, string>[] = [{}, { authorization: 'Bearer nope-nope-nope-nope' }, { 'x-api-key': 'nope' }, { authorization: 'Basic abc' }];
    for (const headers of attempts) {
      const r = await t.fetch('/v1/Customer', { headers });
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toContain('Bearer');
      expect(((await r.json()) as { type: string }).type).toBe('https://legacy-bridge.dev/problems/unauthorized');
    }
    expect((await t.fetch('/v1/Customer', { headers: { 'x-api-key': tokens.reader } })).status).toBe(200);
    // Two different tokens: neither is taken, even a valid one beside an unknown one (on the fast path too).
    for (const path of ['/v1/Customer', '/v1/Customer/C1']) {
      const both = await t.fetch(path, { headers: { ...bearer('reader'), 'x-api-key': 'someone-else-entirely' } });
      expect(both.status).toBe(401);
      expect(((await both.json()) as { detail: string }).detail).toBe('Authorization and X-API-Key carry different tokens: send one');
    }
    expect((await t.fetch('/v1/Customer', { headers: { ...bearer('reader'), 'x-api-key': tokens.reader } })).status).toBe(200);
    expect((await t.fetch('/healthz')).status).toBe(200);
    expect((await t.fetch('/readyz')).status).toBe(200);
    expect((await t.fetch('/metrics')).status).toBe(200);
  });

  it('enforces the scope matrix per verb and type', async () => {
    const t = await server();
    const matrix: [keyof typeof tokens, string, RequestInit, number][] = [
      ['writer', '/v1/Customer', json(ann, bearer('writer')), 201],
      ['reader', '/v1/Customer/C1', { headers: bearer('reader') }, 200],
      ['reader', '/v1/Order', { headers: bearer('reader') }, 200],
      ['reader', '/v1/Customer', json({ customerId: 'C2' }, bearer('reader')), 403],
      ['orders', '/v1/Customer/C1', { headers: bearer('orders') }, 403],
      ['orders', '/v1/Order', json({ orderNo: 'O1' }, bearer('orders')), 201],
      ['writer', '/v1/Order', json({ orderNo: 'O2' }, bearer('writer')), 403],
      ['writer', '/v1/Order/O1', { headers: bearer('writer') }, 403],
      ['writer', '/v1/admin/flows', { headers: bearer('writer') }, 403],
      ['admin', '/v1/admin/flows', { headers: bearer('admin') }, 200],
      ['admin', '/v1/Customer/C1', { headers: bearer('admin') }, 200],
      ['orders', '/v1/changes?types=Customer', { headers: bearer('orders') }, 403],
      ['orders', '/v1/changes', { headers: bearer('orders') }, 200],
    ];
    for (const [who, path, init, status] of matrix) expect(`${who} ${init.method ?? 'GET'} ${path}: ${(await t.fetch(path, init)).status}`).toBe(`${who} ${init.method ?? 'GET'} ${path}: ${status}`);
    // A client following the feed without a type list sees only the types it may read.
    const feed = (await (await t.fetch('/v1/changes', { headers: bearer('orders') })).json()) as { items: { type: string }[] };
    expect(feed.items.map((c) => c.type)).toEqual(['Order']);
    const writes = (await t.store.history('Order', 'O1'))[0].lineage.origin;
    expect(writes).toBe('api:orders');
  });

  it('never reveals whether an entity exists to a client that may not read its type', async () => {
    const t = await server();
    await t.fetch('/v1/Customer', json(ann, bearer('writer')));
    const existing = await t.fetch('/v1/Customer/C1', { headers: bearer('orders') });
    const missing = await t.fetch('/v1/Customer/NOPE', { headers: bearer('orders') });
    const existingHistory = await t.fetch('/v1/Customer/C1/history', { headers: bearer('orders') });
    const missingHistory = await t.fetch('/v1/Customer/NOPE/history', { headers: bearer('orders') });
    const strip = (b: Record<string, unknown>) => ({ ...b, instance: undefined });
    expect([existing.status, missing.status, existingHistory.status, missingHistory.status]).toEqual([403, 403, 403, 403]);
    expect(strip((await existing.json()) as Record<string, unknown>)).toEqual(strip((await missing.json()) as Record<string, unknown>));
    // Writes too: the same answer whether the key exists or not.
    const put = (key: string) => t.fetch(`/v1/Customer/${key}`, json({ customerId: key }, { ...bearer('orders'), 'if-match': '"1"' }, 'PUT'));
    expect([(await put('C1')).status, (await put('NOPE')).status]).toEqual([403, 403]);
  });

  it('mounts extra routers for the admin scope behind authentication (the dead-letter mount point)', async () => {
    const router = Router();
    router.get('/', (_req, res) => {
      res.json({ items: [] });
    });
    const t = await startTestServer({ server: { clients }, extraRouters: [{ path: '/v1/admin/deadletters', router, auth: 'admin' }] });
    open.push(t);
    expect((await t.fetch('/v1/admin/deadletters')).status).toBe(401);
    expect((await t.fetch('/v1/admin/deadletters', { headers: bearer('reader') })).status).toBe(403);
    const ok = await t.fetch('/v1/admin/deadletters', { headers: bearer('admin') });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ items: [] });
  });

  it('requires admin for /metrics with metricsAuth', async () => {
    const t = await server({ metricsAuth: true });
    expect((await t.fetch('/metrics')).status).toBe(401);
    expect((await t.fetch('/metrics', { headers: bearer('reader') })).status).toBe(403);
    expect((await t.fetch('/metrics', { headers: bearer('admin') })).status).toBe(200);
  });

  it('rate-limits per client with a token bucket: 429 with Retry-After, other clients unaffected', async () => {
    const t = await server({ rateLimit: { perSecond: 1, burst: 3 } });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await t.fetch('/v1/Customer', { headers: bearer('reader') })).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    const limited = await t.fetch('/v1/Customer', { headers: bearer('reader') });
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(((await limited.json()) as { type: string }).type).toBe('https://legacy-bridge.dev/problems/rate-limited');
    expect((await t.fetch('/v1/Customer', { headers: bearer('admin') })).status).toBe(200);
  });

  it('throttles refused tokens per address: guessing tokens is rate-limited too', async () => {
    const t = await server({ rateLimit: { perSecond: 1, burst: 3 } });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await t.fetch('/v1/Customer/C1', { headers: { authorization: `Bearer guess-${i}-0123456789abcdef` } })).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    // A known client has its own bucket.
    expect((await t.fetch('/v1/Customer', { headers: bearer('reader') })).status).toBe(200);
  });

  it('answers a client that may write a type but not read it with validators only, never the data', async () => {
    const t = await server();
    const price = { sku: 'P1', description: 'secret to writers', price: '2.50' };
    const created = await t.fetch('/v1/Price', json(price, { ...bearer('pricer'), 'idempotency-key': 'k1' }));
    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toBe('"1"');
    expect(created.headers.get('location')).toBe('/v1/Price/P1');
    expect(await created.text()).toBe('');
    const replayed = await t.fetch('/v1/Price', json(price, { ...bearer('pricer'), 'idempotency-key': 'k1' }));
    expect([replayed.status, replayed.headers.get('idempotent-replayed'), replayed.headers.get('last-modified'), await replayed.text()]).toEqual([201, 'true', created.headers.get('last-modified'), '']);
    // An empty merge patch changes nothing: it must not read the entity back either.
    const patched = await t.fetch('/v1/Price/P1', { method: 'PATCH', headers: { ...bearer('pricer'), 'content-type': 'application/merge-patch+json', 'if-match': '"1"' }, body: '{}' });
    expect([patched.status, patched.headers.get('etag'), await patched.text()]).toEqual([204, '"1"', '']);
    const put = await t.fetch('/v1/Price/P1', json({ ...price, price: '3.00' }, { ...bearer('pricer'), 'if-match': '"1"' }, 'PUT'));
    expect([put.status, put.headers.get('etag'), await put.text()]).toEqual([204, '"2"', '']);
    expect((await t.fetch('/v1/Price/P1', { headers: bearer('pricer') })).status).toBe(403);
    // A client that can read gets the entity as before.
    const admin = await t.fetch('/v1/Price/P1', json({ ...price, price: '4.00' }, { ...bearer('admin'), 'if-match': '"2"' }, 'PUT'));
    expect(await admin.json()).toMatchObject({ version: 3, data: { price: '4.00' } });
  });

  it('keeps tokens and secret values out of the logs, and tags every request line with its request id', async () => {
    const t = await server();
    const apiKeyOnly = 'api-key-never-in-config-0123456789';
    await t.fetch('/v1/Customer', json(ann, { ...bearer('writer'), 'x-request-id': 'req-42' }));
    await t.fetch('/v1/Customer/C1', { headers: { 'x-api-key': tokens.reader } });
    await t.fetch('/v1/Customer/C1', { headers: { 'x-api-key': apiKeyOnly } });
    await t.fetch(`/v1/Customer?name=${tokens.admin}`, { headers: bearer('admin') });
    await t.fetch('/v1/Customer', json({ customerId: tokens.orders }, bearer('writer')));
    const r = await t.fetch('/v1/nope', { headers: bearer('reader') });
    expect(r.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const text = t.logs.join('\n');
    expect(t.logs.length).toBeGreaterThanOrEqual(6);
    for (const secret of [...Object.values(tokens), apiKeyOnly]) expect(text).not.toContain(secret);
    expect(t.logs.map((l) => JSON.parse(l) as { reqId?: string }).every((l) => typeof l.reqId === 'string')).toBe(true);
    expect(t.logs.some((l) => (JSON.parse(l) as { reqId: string }).reqId === 'req-42')).toBe(true);
  });

  it('sends security headers and CORS headers only to configured origins', async () => {
    const t = await server({ cors: { origins: ['https://app.example'] } });
    const pre = await t.fetch('/v1/Customer', { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(pre.headers.get('access-control-allow-headers')).toContain('If-Match');
    const other = await t.fetch('/v1/Customer', { headers: { ...bearer('reader'), origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const r = await t.fetch('/v1/Customer', { headers: { ...bearer('reader'), origin: 'https://app.example' } });
    expect(r.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(r.headers.get('access-control-expose-headers')).toContain('ETag');
    expect(r.headers.get('x-frame-options')).toBe('DENY');
    expect(r.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(r.headers.get('x-powered-by')).toBeNull();
  });
});
