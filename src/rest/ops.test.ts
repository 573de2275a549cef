import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Router } from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import { ConfigError } from '../core/errors.js';
import { type Assembled, assemble } from '../runtime/assemble.js';
import { checkServerConfig } from './server.js';
import { json, modelFile, startTestServer, type TestServer } from './test-server.js';

const open: TestServer[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const t of open.splice(0)) await t.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
async function server(options: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  const t = await startTestServer(options);
  open.push(t);
  return t;
}
function configFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'lb-rest-cfg-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'bridge.yaml'), `model: ${modelFile}\n${text}`);
  return join(dir, 'bridge.yaml');
}

describe('operational endpoints', () => {
  it('/readyz is 503 naming a failed flow, 200 when every flow is up', async () => {
    const t = await server({ flows: [{ name: 'orders', state: 'running', deliveries: 2 }, { name: 'prices', state: 'failed', deliveries: 0, lastError: 'boom' }] });
    const r = await t.fetch('/readyz');
    expect(r.status).toBe(503);
    expect(await r.json()).toEqual({ store: 'ok', flows: { orders: { state: 'running' }, prices: { state: 'failed' } } });
    t.flows.get('prices')!.state = 'running';
    expect((await t.fetch('/readyz')).status).toBe(200);
    expect(await (await t.fetch('/healthz')).json()).toEqual({ status: 'ok' });
  });

  it('/metrics has per-route request counts and latencies by status, flow records and the feed head', async () => {
    const t = await server();
    await t.fetch('/v1/Customer', json({ customerId: 'C1' }));
    await t.fetch('/v1/Customer/C1');
    await t.fetch('/v1/Customer/NOPE');
    t.metrics.recordDelivery('orders', { status: 'applied', deliveryId: 'd', records: 5, counts: { created: 3, updated: 1, deleted: 0, unchanged: 1, rejected: 2, skipped: 0 }, ms: 40, errors: [] });
    const text = await (await t.fetch('/metrics')).text();
    expect(text).toContain('bridge_http_requests_total{method="POST",route="/v1/:type",status="201"} 1');
    expect(text).toContain('bridge_http_requests_total{method="GET",route="/v1/:type/:key",status="200"} 1');
    expect(text).toContain('bridge_http_requests_total{method="GET",route="/v1/:type/:key",status="404"} 1');
    expect(text).toMatch(/bridge_http_request_duration_seconds_bucket\{le="0\.1",method="GET",route="\/v1\/:type\/:key",status="200"\} 1/);
    expect(text).toContain('bridge_flow_records_total{flow="orders",outcome="ok"} 4');
    expect(text).toContain('bridge_flow_records_total{flow="orders",outcome="rejected"} 2');
    expect(text).toContain('bridge_delivery_duration_seconds_count{flow="orders",status="applied"} 1');
    expect(text).toContain('bridge_change_feed_head 1');
  });

  it('lists, shows, replays and discards rejects for the admin scope', async () => {
    const t = await server({ flows: [{ name: 'orders', state: 'running', deliveries: 1 }] });
    await t.store.apply({
      origin: { origin: 'flow:orders', flow: 'orders' },
      writes: [],
      rejects: [1, 2, 3].map((i) => ({ flow: 'orders', raw: `bad ${i}`, errors: [{ code: 'field.number' as const, message: 'not a number', field: 'QTY' }] })),
    });
    const list = (await (await t.fetch('/v1/admin/rejects?status=open&limit=2')).json()) as { items: { id: number; raw: string }[]; next: string };
    expect(list.items.map((r) => r.id)).toEqual([1, 2]);
    expect(list.next).toBe('/v1/admin/rejects?status=open&limit=2&after=2');
    expect(((await (await t.fetch(list.next)).json()) as { items: { id: number }[] }).items.map((r) => r.id)).toEqual([3]);
    expect(await (await t.fetch('/v1/admin/rejects/2')).json()).toMatchObject({ id: 2, raw: 'bad 2', status: 'open', errors: [{ field: 'QTY' }] });
    expect((await t.fetch('/v1/admin/rejects/99')).status).toBe(404);
    const bogus = await t.fetch('/v1/admin/rejects?status=bogus');
    expect(bogus.status).toBe(400);
    expect(await bogus.json()).toMatchObject({ errors: [{ field: 'status', code: 'invalid', message: 'one of open, replayed, discarded expected' }] });
    expect(await (await t.fetch('/v1/admin/rejects/2/discard', { method: 'POST' })).json()).toEqual({ id: 2, status: 'discarded' });
    expect((await t.store.reject(2))?.status).toBe('discarded');
    expect((await t.fetch('/v1/admin/rejects/2/discard')).status).toBe(405);
    // Only an open reject is discarded: a discarded (or replayed) one keeps its status.
    expect((await t.fetch('/v1/admin/rejects/2/discard', { method: 'POST' })).status).toBe(409);
    // Replay without the running flows: 503.
    expect((await t.fetch('/v1/admin/rejects/1/replay', { method: 'POST' })).status).toBe(503);
    const flows = (await (await t.fetch('/v1/admin/flows')).json()) as { items: unknown[] };
    expect(flows.items).toEqual([{ name: 'orders', state: 'running', deliveries: 1, records: { ok: 0, unchanged: 0, rejected: 0 } }]);
    // A delivery refused whole is kept in the store: the flow shows the last one, with its first errors.
    const trailer = { code: 'file.trailer' as const, message: 'trailer says 7, the records give 6' };
    await t.store.recordDeliveryFailure({ flow: 'orders', deliveryId: 'sha-o', deliveryName: 'ORDERS.TXT', status: 'failed', records: 0, errors: Array.from({ length: 7 }, () => trailer) });
    const refused = (await (await t.fetch('/v1/admin/flows')).json()) as { items: unknown[] };
    expect(refused.items).toEqual([
      expect.objectContaining({ name: 'orders', lastRefused: { name: 'ORDERS.TXT', deliveryId: 'sha-o', status: 'failed', at: expect.any(String), errorCount: 7, errors: Array.from({ length: 5 }, () => trailer) } }),
    ]);
  });

  it('replays a reject through the flow mapping (a record that never decoded is reported as not replayable)', async () => {
    const file = configFile('flows: {}\n');
    const assembled = assemble(loadConfig(file));
    const t = await server({ assembled });
    await t.store.apply({ origin: { origin: 'flow:gone', flow: 'gone' }, writes: [], rejects: [{ flow: 'gone', raw: 'x', errors: [{ code: 'record.length', message: 'short' }] }] });
    const r = await t.fetch('/v1/admin/rejects/1/replay', { method: 'POST' });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ id: 1, replayed: 0, superseded: 0, notReplayable: 1, status: 'open', messages: [expect.stringContaining('flow "gone" is not in the config')] });
    const bad = await t.fetch('/v1/admin/rejects/1/replay?force=yes', { method: 'POST' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ errors: [{ field: 'force', message: 'true or false expected' }] });
  });

  it('answers 409 for a reject discarded while its replay runs, and writes nothing', async () => {
    let t: TestServer | undefined;
    // Mapping it is where the replay is when `bridge rejects discard` comes in.
    const toCanonicalRechecked = () => {
      void t!.store.setRejectStatus([1], 'discarded');
      return { entity: 'Row', key: 'H1', data: { day: 'mon' } };
    };
    t = await server({ assembled: { flows: new Map([['rows', { name: 'rows', mode: 'incremental', mapping: { toCanonicalRechecked } }]]) } as unknown as Assembled });
    await t.store.apply({ origin: { origin: 'flow:rows', flow: 'rows' }, writes: [], rejects: [{ flow: 'rows', raw: 'x', record: { DAY: 'mon' }, errors: [{ code: 'field.date', message: 'bad date' }] }] });
    const r = await t.fetch('/v1/admin/rejects/1/replay', { method: 'POST' });
    expect(r.status).toBe(409);
    expect(await r.json()).toMatchObject({ detail: 'reject 1 is discarded, not open: it changed after the replay chose it; nothing was written' });
    expect(await t.store.get('Row', 'H1')).toBeUndefined();
  });

  it('mounts extra routers, times out slow requests with 503 and answers unexpected errors with 500 problems', async () => {
    const slow = Router();
    slow.get('/slow', async (_req, res) => {
      await sleep(400);
      res.json({ late: true });
    });
    slow.get('/boom', () => {
      throw new Error('kaboom');
    });
    const t = await server({ server: { requestTimeoutMs: 100 }, extraRouters: [{ path: '/x', router: slow, auth: 'none' }] });
    const r = await t.fetch('/x/slow');
    expect(r.status).toBe(503);
    expect(((await r.json()) as { type: string }).type).toBe('https://legacy-bridge.dev/problems/unavailable');
    const boom = await t.fetch('/x/boom');
    expect(boom.status).toBe(500);
    const body = (await boom.json()) as { detail: string };
    expect(body.detail).toContain(boom.headers.get('x-request-id')!);
    expect(body.detail).not.toContain('kaboom');
    await sleep(400);
    expect(t.logs.some((l) => l.includes('kaboom') && l.includes(boom.headers.get('x-request-id')!))).toBe(true);
  });
});

describe('server config', () => {
  it('refuses to listen beyond loopback without clients, naming server.listen; allows loopback without and non-loopback with clients', () => {
    const bad = loadConfig(configFile('server:\n  listen: 0.0.0.0:8080\n'));
    let error: unknown;
    try {
      checkServerConfig(bad);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(/bridge\.yaml:\d+:\d+ \(server\.listen\): listening on 0\.0\.0\.0:8080 \(not loopback\) without any client/);
    expect(() => checkServerConfig(loadConfig(configFile('server:\n  listen: "[::1]:8080"\n')))).not.toThrow();
    const withClient = configFile('server:\n  listen: 0.0.0.0:8080\n  clients:\n    web: { token: "${env:LB_TEST_TOKEN}", scopes: [read] }\n');
    expect(() => checkServerConfig(loadConfig(withClient, { LB_TEST_TOKEN: 'a-long-enough-token-123' }))).not.toThrow();
    expect(() => loadConfig(configFile('server:\n  clients:\n    web: { token: x, scopes: [fly] }\n'))).toThrow(/scopes/);
  });
});
