import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebhookSink } from '../adapters/webhook/sink.js';
import { openSqliteStore } from '../src/store/index.js';
import { SinkError } from '../src/core/sink.js';
import { makeBridge, repoRoot, startDaemon, type Daemon } from './support/bridge-process.js';

const running: Daemon[] = [];
afterEach(() => {
  for (const d of running.splice(0)) d.child.kill('SIGKILL');
});

const secret = `whsec_${Buffer.from('daemon-secret-24-bytes!!').toString('base64')}`;

describe('bridge run takes webhooks', () => {
  it('a webhook sink posting to /webhooks/{flow} of a running daemon: committed once, repeats answered 200, wrong secret 401', async () => {
    const bridge = makeBridge(
      { crm: { mapping: join(repoRoot, 'adapters', 'webhook', 'testing-customer.yaml'), source: { webhook: { secrets: ['${env:CRM_WEBHOOK_SECRET}'] } } } },
      { model: join(repoRoot, 'mappings', 'model.yaml'), server: { listen: '127.0.0.1:0' } },
    );
    const d = startDaemon(bridge.configFile, { CRM_WEBHOOK_SECRET: secret });
    running.push(d);
    const { url } = (await d.waitForLog((l) => l.msg === 'REST API listening')) as { url: string };
    await d.waitForLog((l) => l.msg === 'bridge started');
    const context = { file: 'test', path: 'sink', resolve: (p: string) => p };
    const sink = new WebhookSink({ url: `${url}/webhooks/crm`, secrets: [secret], headers: {} }, context);
    const message = {
      id: 'evt_1',
      body: Buffer.from(JSON.stringify({ type: 'customer.changed', data: { id: 'C9', name: 'Grace' } })),
      contentType: 'application/json',
      changes: [],
      at: new Date().toISOString(),
    };
    await sink.write(message, AbortSignal.timeout(10_000));
    await sink.write(message, AbortSignal.timeout(10_000));
    const stranger = new WebhookSink({ url: `${url}/webhooks/crm`, secrets: [`whsec_${Buffer.from('another-secret-24-bytes!').toString('base64')}`], headers: {} }, context);
    const refused = await stranger.write({ ...message, id: 'evt_2' }, AbortSignal.timeout(10_000)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(SinkError);
    expect(refused).toMatchObject({ outcome: 'http:401', permanent: true });

    d.child.kill('SIGTERM');
    expect(await d.exited).toEqual({ code: 0, signal: null });
    const store = openSqliteStore({ path: bridge.dbPath });
    try {
      expect(await store.head()).toBe(1);
      expect(await store.get('Customer', 'C9')).toMatchObject({ version: 1, data: { name: 'Grace' }, lineage: { deliveryId: 'evt_1', origin: 'flow:crm' } });
    } finally {
      await store.close();
    }
    expect(d.logs.filter((l) => l.msg === 'delivery').map((l) => l.status)).toEqual(['applied', 'skipped']);
    expect(JSON.stringify(d.logs)).not.toContain(secret.slice(6));
  });
});
