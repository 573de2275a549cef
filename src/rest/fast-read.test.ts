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

/** A raw node server over the fast path alone: what it does not take is answered 599. */
async function fastOnly(options: { rateLimit?: RateLimiter; clients?: Record<string, { token: string; scopes: string[] }> } = {}) {
  const store = stores.open();
  store.applySync({ origin: { origin: 'flow:t', flow: 't' }, writes: [upsert('Customer', 'C1', ann), upsert('Customer', 'a/b c', ann)] });
  const metrics = createMetrics();
  const fast = fastEntityRead({ model: loadModel(modelFile), store }, new Clients({ clients: options.clients ?? {} }), options.rateLimit, [
    requestContext(createLogger({ level: 'silent' }), metrics),
    securityHeaders,
  ]);
  const server = createServer((req, res) => {
    if (!fast.accepts(req)) return void res.writeHead(FALLBACK, { 'x-why': 'not accepted' }).end();
    void fast.serve(req, res).then((served) => served || res.writeHead(FALLBACK, { 'x-why': 'declined' }).end());
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { metrics, get: (path: string, init?: RequestInit) => fetch(base + path, init) };
}

describe('the fast path for reading one entity', () => {
  it('answers what it can answer in full, and declines everything else before touching it', async () => {
    const reader = { token: 'reader-token-0123456789abcdef', scopes: ['read:Customer'] };
    const t = await fastOnly({ clients: { reader, other: { token: 'other-token-0123456789abcdef', scopes: ['read:Order'] } }, rateLimit: new RateLimiter({ perSecond: 0.001, burst: 3 }) });
    const auth = { authorization: `Bearer ${reader.token}` };
    const ok = await t.get('/v1/Customer/C1', { headers: auth });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ type: 'Customer', key: 'C1', version: 1, data: ann });
    expect(ok.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(ok.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await t.get('/v1/Customer/a%2Fb%20c?fields=name', { headers: auth })).status).toBe(200);
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
      ['/v1/Customer', { headers: auth }, 'not accepted'],
    ];
    for (const [path, init, why] of declined) {
      const r = await t.get(path, init);
      expect([path, r.status, r.headers.get('x-why')]).toEqual([path, FALLBACK, why]);
    }
    // Burst 3: two taken above, one left; then declined (express answers the 429).
    expect((await t.get('/v1/Customer/C1', { headers: auth })).status).toBe(200);
    expect((await t.get('/v1/Customer/C1', { headers: auth })).status).toBe(FALLBACK);
    const counted = (await t.metrics.registry.getSingleMetricAsString('bridge_http_requests_total')).split('\n');
    expect(counted).toContain('bridge_http_requests_total{method="GET",route="/v1/:type/:key",status="200"} 3');
  });

  it('gives the answers the express route gives: body, validators, 304s, HEAD', async () => {
    const t = await startTestServer();
    testServers.push(t);
    expect((await t.fetch('/v1/Customer', json(ann))).status).toBe(201);
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
    const answer = async (init: RequestInit) => {
      const r = await t.fetch('/v1/Customer/C1', init);
      const headers = Object.fromEntries([...r.headers].filter(([k]) => !['date', 'x-request-id', 'vary'].includes(k)));
      return { status: r.status, headers, body: await r.text() };
    };
    for (const init of cases) {
      // An Origin header (no CORS origin configured) sends the request through express instead.
      const viaExpress = await answer({ ...init, headers: { ...(init.headers as Record<string, string>), origin: 'https://elsewhere.example' } });
      expect(await answer(init)).toEqual(viaExpress);
    }
    expect((await answer({ headers: { 'if-modified-since': lastModified } })).status).toBe(304);
    expect((await answer({ method: 'HEAD' })).body).toBe('');
  });
});
