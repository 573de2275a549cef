import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../core/log.js';
import { loadModel } from '../model/index.js';
import { createMetrics } from '../runtime/metrics.js';
import { TempStores, upsert } from '../store/test-support.js';
import { Clients } from './auth.js';
import { fastEntityRead } from './fast-read.js';
import { RateLimiter } from './rate-limit.js';
import { requestContext } from './request-context.js';
import { securityHeaders } from './security.js';
import { json, modelFile, startTestServer, type TestServer } from './test-server.js';

const stores = new TempStores();
const servers: Server[] = [];
const testServers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((resolve) => s.close(resolve));
  for (const t of testServers.splice(0)) await t.close();
  await stores.cleanup();
});

const ann = { customerId: 'C1', name: 'Ann', balance: '10.00', status: 'active' };
const FALLBACK = 599;

/** A raw node server over the fast path alone: what it does not take (or fails on) is answered 599. */
async function fastOnly(options: { rateLimit?: RateLimiter; clients?: Record<string, { token: string; scopes: string[] }> } = {}) {
  const store = stores.open();
  store.applySync({ origin: { origin: 'flow:t', flow: 't' }, writes: [upsert('Customer', 'C1', ann), upsert('Customer', 'a/b c', ann)] });
  const metrics = createMetrics();
  const fast = fastEntityRead({ model: loadModel(modelFile), store }, new Clients({ clients: options.clients ?? {} }), options.rateLimit, [
    requestContext(createLogger({ level: 'silent' }), metrics),
    securityHeaders,
  ]);
  const server = createServer((req, res) => {
    const parts = fast.accepts(req);
    if (parts === null) return void res.writeHead(FALLBACK, { 'x-why': 'not accepted' }).end();
    fast.serve(req, res, parts).then(
      (served) => served || res.writeHead(FALLBACK, { 'x-why': 'declined' }).end(),
      () => res.writeHead(FALLBACK, { 'x-why': 'failed' }).end(),
    );
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { metrics, get: (path: string, init?: RequestInit) => fetch(base + path, init) };
}

describe('the fast path for reading one entity', () => {
  it('answers what it can answer in full, and declines everything else before touching it', async () => {
    const reader = { token: 'reader-token-0123456789abcdef', scopes: ['read:Customer'] };
    const t = await fastOnly({ clients: { reader, other: { token: 'other-token-0123456789abcdef', scopes: ['read:Order'] } }, rateLimit: new RateLimiter({ perSecond: 0.001, burst: 4 }) });
    const auth = { authorization: `Bearer ${reader.token}` };
    const ok = await t.get('/v1/Customer/C1', { headers: auth });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ type: 'Customer', key: 'C1', version: 1, data: ann });
    expect(ok.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(ok.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await t.get('/v1/Customer/a%2Fb%20c?x=1', { headers: auth })).status).toBe(200);
    // A sparse single entity is the express route's.
    expect((await t.get('/v1/Customer/C1?fields=name', { headers: auth })).status).toBe(FALLBACK);
    const page = await t.get('/v1/Customer?limit=1&name=Ann', { headers: auth });
    expect(page.status).toBe(200);
    expect(await page.json()).toMatchObject({ items: [{ key: 'C1' }], next: expect.stringMatching(/^\/v1\/Customer\?limit=1&name=Ann&cursor=/) });
    const declined: [string, RequestInit, string][] = [
      ['/v1/Customer/C1', {}, 'declined'],
      ['/v1/Customer/C1', { headers: { authorization: 'Bearer other-token-0123456789abcdef' } }, 'declined'],
      ['/v1/Customer/NOPE', { headers: auth }, 'declined'],
      ['/v1/Nope/C1', { headers: auth }, 'declined'],
      ['/v1/Customer/%E0%A4%A', { headers: auth }, 'declined'],
      ['/v1/Customer/C1', { headers: { ...auth, origin: 'https://app.example' } }, 'not accepted'],
      ['/v1/Customer/C1', { headers: auth, method: 'DELETE' }, 'not accepted'],
      ['/v1/Customer/C1/history', { headers: auth }, 'not accepted'],
      ['/v1/Customer/C1/', { headers: auth }, 'not accepted'],
      ['/v1/Customer?limit=0', { headers: auth }, 'failed'],
      ['/v1/Customer?nofield=1', { headers: auth }, 'failed'],
      ['/v1/changes', { headers: auth }, 'declined'],
      ['/v1/admin/flows', { headers: auth }, 'declined'],
    ];
    for (const [path, init, why] of declined) {
      const r = await t.get(path, init);
      expect([path, r.status, r.headers.get('x-why')]).toEqual([path, FALLBACK, why]);
    }
    // Burst 4: three taken above, one left; then declined (express answers the 429).
    expect((await t.get('/v1/Customer/C1', { headers: auth })).status).toBe(200);
    expect((await t.get('/v1/Customer/C1', { headers: auth })).status).toBe(FALLBACK);
    const counted = (await t.metrics.registry.getSingleMetricAsString('bridge_http_requests_total')).split('\n');
    expect(counted).toContain('bridge_http_requests_total{method="GET",route="/v1/:type/:key",status="200"} 3');
    expect(counted).toContain('bridge_http_requests_total{method="GET",route="/v1/:type",status="200"} 1');
  });

  it('gives the answers the express routes give: body, validators, 304s, HEAD, list pages', async () => {
    const t = await startTestServer();
    testServers.push(t);
    expect((await t.fetch('/v1/Customer', json(ann))).status).toBe(201);
    for (const key of ['C2', 'C3']) expect((await t.fetch('/v1/Customer', json({ ...ann, customerId: key, name: `N ${key}` }))).status).toBe(201);
    const lastModified = (await t.fetch('/v1/Customer/C1')).headers.get('last-modified')!;
    const cases: RequestInit[] = [
      {},
      { method: 'HEAD' },
      { headers: { 'if-none-match': '"1"' } },
      { headers: { 'if-none-match': 'W/"2", "1"' } },
      { headers: { 'if-none-match': '"2"' } },
      { headers: { 'if-modified-since': lastModified } },
      { headers: { 'if-modified-since': new Date(Date.parse(lastModified) - 5000).toUTCString() } },
      { headers: { 'if-none-match': '"2"', 'if-modified-since': lastModified } },
    ];
    const answer = async (init: RequestInit, path = '/v1/Customer/C1') => {
      const r = await t.fetch(path, init);
      const headers = Object.fromEntries([...r.headers].filter(([k]) => !['date', 'x-request-id', 'vary'].includes(k)));
      return { status: r.status, headers, body: await r.text() };
    };
    for (const init of cases) {
      // An Origin header (no CORS origin configured) sends the request through express instead.
      const viaExpress = await answer({ ...init, headers: { ...(init.headers as Record<string, string>), origin: 'https://elsewhere.example' } });
      expect(await answer(init)).toEqual(viaExpress);
    }
    const lists = ['/v1/Customer', '/v1/Customer?limit=2', '/v1/Customer?limit=1&sort=-updatedAt&fields=name,status', '/v1/Customer?name=Ann,N%20C3&limit=1', '/v1/Customer?limit=0'];
    for (const path of lists) {
      for (const init of [{}, { method: 'HEAD' }]) {
        const viaExpress = await answer({ ...init, headers: { origin: 'https://elsewhere.example' } }, path);
        expect(await answer(init, path)).toEqual(viaExpress);
      }
    }
    const firstPage = JSON.parse((await answer({}, '/v1/Customer?limit=2')).body) as { next: string };
    expect(await answer({}, firstPage.next)).toEqual(await answer({ headers: { origin: 'https://elsewhere.example' } }, firstPage.next));
    expect((await answer({ headers: { 'if-modified-since': lastModified } })).status).toBe(304);
    expect((await answer({ method: 'HEAD' })).body).toBe('');
  });
});
