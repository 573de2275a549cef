import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import { createLogger } from '../core/log.js';
import { startBridge, type RunningBridge } from '../runtime/daemon.js';
import { conformance } from '../../test/support/openapi-conformance.js';
import { modelFile } from './test-server.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
const quiet = () => createLogger({ destination: new Writable({ write: (_c, _e, done) => done() }) as unknown as pino.DestinationStream, pretty: false });

/** A webhook receiver answering `status.current`, recording each webhook-id it got. */
async function receiver(): Promise<{ url: string; status: { current: number }; ids: string[] }> {
  const status = { current: 400 };
  const ids: string[] = [];
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      ids.push(String(req.headers['webhook-id']));
      res.writeHead(status.current).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, status, ids };
}

async function until<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('/v1/admin/deadletters', () => {
  it('lists and shows a message the peer refused for good, replays it after a fix with the same id, and refuses to discard it then', async () => {
    const peer = await receiver();
    process.env.LB_TEST_DL_SECRET = 'whsec_' + Buffer.from('a test secret of enough length').toString('base64');
    const dir = mkdtempSync(join(tmpdir(), 'lb-rest-dl-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(
      join(dir, 'bridge.yaml'),
      `model: ${modelFile}\nstore: { sqlite: { path: ${join(dir, 'b.db')} } }\nserver: { listen: "127.0.0.1:0" }\n` +
        `outbound:\n  to-crm:\n    types: [Customer]\n    pollMs: 20\n    sink: { webhook: { url: "${peer.url}", secrets: ["\${env:LB_TEST_DL_SECRET}"] } }\n`,
    );
    const bridge: RunningBridge = await startBridge(loadConfig(join(dir, 'bridge.yaml')), quiet());
    cleanups.push(() => bridge.stop());
    // Every answer is also checked against the served OpenAPI document.
    const documented = conformance(await (await fetch(`${bridge.server!.url}/openapi.json`)).json());
    const api = async (path: string, init?: RequestInit) => {
      const request = new Request(`${bridge.server!.url}${path}`, init);
      const response = await fetch(request.clone());
      const schemaPath = path.split('?')[0].replace(/^\/v1\/admin\/deadletters\/(?!replay$)[^/]+/, '/v1/admin/deadletters/{id}');
      if (response.status !== 405) await documented.middleware.onResponse!({ request, response, schemaPath } as never);
      return response;
    };

    const created = await api('/v1/Customer', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ customerId: 'C1', name: 'Ada' }) });
    expect(created.status).toBe(201);
    const list = await until(async () => {
      const body = (await (await api('/v1/admin/deadletters?status=open')).json()) as { items: { deadLetterId: number; id: string; attempts: unknown[]; body: string }[] };
      return body.items.length ? body : undefined;
    }, 'a dead letter');
    const [dead] = list.items;
    expect(dead.attempts.length).toBeGreaterThan(0);
    expect(JSON.parse(dead.body)).toMatchObject({ type: 'Customer.created' });
    expect(JSON.stringify(list)).not.toContain('a test secret');
    expect(await (await api(`/v1/admin/deadletters/${dead.deadLetterId}`)).json()).toMatchObject({ deadLetterId: dead.deadLetterId, status: 'open' });
    expect((await api('/v1/admin/deadletters/999')).status).toBe(404);
    expect((await api('/v1/admin/deadletters/x')).status).toBe(404);
    expect((await api(`/v1/admin/deadletters/${dead.deadLetterId}`, { method: 'DELETE' })).status).toBe(405);

    peer.status.current = 200;
    const replay = await api(`/v1/admin/deadletters/${dead.deadLetterId}/replay`, { method: 'POST' });
    expect(replay.status).toBe(202);
    await until(async () => (peer.ids.length >= 2 ? true : undefined), 'the replayed delivery');
    expect(new Set(peer.ids)).toEqual(new Set([dead.id]));
    expect(await (await api(`/v1/admin/deadletters/${dead.deadLetterId}`)).json()).toMatchObject({ status: 'replayed' });
    expect((await api(`/v1/admin/deadletters/${dead.deadLetterId}/discard`, { method: 'POST' })).status).toBe(409);
    expect((await api(`/v1/admin/deadletters/${dead.deadLetterId}/replay`, { method: 'POST' })).status).toBe(409);
    expect(await (await api('/v1/admin/deadletters/replay', { method: 'POST' })).json()).toEqual({ status: 'replayed', replayed: [] });
    expect(documented.violations).toEqual([]);
    expect(documented.checked.length).toBeGreaterThan(8);
  });
});
