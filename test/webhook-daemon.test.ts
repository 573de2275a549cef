import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebhookSink } from '../adapters/webhook/sink.js';
import { openSqliteStore } from '../src/store/index.js';
import { SinkError } from '../src/core/sink.js';
import { makeBridge, repoRoot, startDaemon, type Daemon } from './support/bridge-process.js';
import { TestReceiver } from '../adapters/webhook/test-receiver.js';
import { verify, secretKey } from '../adapters/webhook/signature.js';

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

  it('two-way sync: changes from one webhook flow go out as signed webhooks, those from the suppressed flow do not echo', async () => {
    const receiver = await new TestReceiver(() => ({ status: 204 })).start();
    try {
      const mapping = join(repoRoot, 'adapters', 'webhook', 'testing-customer.yaml');
      const inbound = { mapping, source: { webhook: { secrets: ['${env:CRM_WEBHOOK_SECRET}'] } } };
      const bridge = makeBridge(
        { crm: inbound, erp: inbound },
        {
          model: join(repoRoot, 'mappings', 'model.yaml'),
          server: { listen: '127.0.0.1:0' },
          outbound: { 'to-crm': { types: ['Customer'], sink: { webhook: { url: receiver.url, secrets: ['${env:CRM_WEBHOOK_SECRET}'] } }, echo: { suppress: ['crm'] }, pollMs: 50 } },
        },
      );
      const d = startDaemon(bridge.configFile, { CRM_WEBHOOK_SECRET: secret });
      running.push(d);
      const { url } = (await d.waitForLog((l) => l.msg === 'REST API listening')) as { url: string };
      await d.waitForLog((l) => l.msg === 'bridge started');
      const context = { file: 'test', path: 'sink', resolve: (p: string) => p };
      const send = (flow: string, id: string, data: unknown) =>
        new WebhookSink({ url: `${url}/webhooks/${flow}`, secrets: [secret], headers: {} }, context).write(
          { id, body: Buffer.from(JSON.stringify({ data })), contentType: 'application/json', changes: [], at: new Date().toISOString() },
          AbortSignal.timeout(10_000),
        );
      await send('crm', 'from-crm-1', { id: 'C1', name: 'Echo' });
      await send('erp', 'from-erp-1', { id: 'C2', name: 'News' });
      await expect.poll(() => receiver.received.length, { timeout: 10_000 }).toBe(1);
      await new Promise((r) => setTimeout(r, 300));
      expect(receiver.received).toHaveLength(1);
      const [got] = receiver.received;
      expect(got.headers['webhook-id']).toBe('to-crm:2-2');
      const headers = { id: String(got.headers['webhook-id']), timestamp: String(got.headers['webhook-timestamp']), signature: String(got.headers['webhook-signature']), body: got.body };
      expect(verify([secretKey(secret)], headers, 300, Math.floor(Date.now() / 1000))).toBeUndefined();
      expect(JSON.parse(got.body.toString())).toMatchObject({ type: 'Customer.created', data: { key: 'C2', origin: 'flow:erp', entity: { customerId: 'C2', name: 'News' } } });
      d.child.kill('SIGTERM');
      expect(await d.exited).toEqual({ code: 0, signal: null });
    } finally {
      await receiver.close();
    }
  });
});
