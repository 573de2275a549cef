import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookBridge, type TestWebhookBridge } from './test-bridge.js';

const SECRET = `whsec_${Buffer.from('crm-secret-of-24-bytes!!').toString('base64')}`;
const LEGACY = 'legacy-shared-secret';
let t: TestWebhookBridge;

beforeAll(async () => {
  t = await startWebhookBridge(
    {
      crm: { source: { webhook: { secrets: ['${env:CRM_OLD}', '${env:CRM_SECRET}'], bodyLimit: '2kb', allowFrom: ['127.0.0.0/8', '::1/128'] } } },
      partner: { source: { webhook: { secrets: ['${env:CRM_SECRET}'], allowFrom: ['10.0.0.0/8', 'fd00::/8'] } } },
      legacy: { source: { webhook: { secrets: ['${env:LEGACY}'], hmacHeader: 'X-Hub-Signature-256', idHeader: 'X-Delivery' } } },
    },
    { CRM_SECRET: SECRET, CRM_OLD: `whsec_${Buffer.from('old-crm-secret-24-bytes!').toString('base64')}`, LEGACY },
  );
});
afterAll(async () => t?.close());

/** Signs as the Standard Webhooks spec says, written out here independently of signature.ts. */
function post(flow: string, id: string, payload: unknown, opts: { secret?: string; timestamp?: number } = {}): Promise<Response> {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const key = Buffer.from((opts.secret ?? SECRET).replace(/^whsec_/, ''), 'base64');
  const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return fetch(`${t.url}/${flow}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': `v1,${signature}` },
    body,
  });
}

const event = (...data: unknown[]) => ({ type: 'customer.changed', timestamp: '2026-11-28T11:00:00Z', data });

describe('POST /webhooks/{flow}', () => {
  it('commits the entities before answering 200, and a repeat of the webhook id is not applied twice', async () => {
    const res = await post('crm', 'msg_1', event({ id: 'C100', name: ' Ada  Lovelace ', balance: '10.50' }, { id: 'C101', name: 'Alan' }));
    // The entity is there the moment the answer is: the answer came from the delivery's ack.
    const stored = await t.bridge.store.get('Customer', 'C100');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: 'msg_1', status: 'accepted' });
    expect(stored).toMatchObject({ version: 1, data: { customerId: 'C100', name: 'Ada Lovelace', balance: '10.50', status: 'unknown' } });
    expect(stored?.lineage).toMatchObject({ origin: 'flow:crm', deliveryId: 'msg_1', position: { record: 1 } });
    const head = await t.bridge.store.head();

    const again = await post('crm', 'msg_1', event({ id: 'C100', name: 'Changed' }));
    expect(again.status).toBe(200);
    expect(await t.bridge.store.head()).toBe(head);
    expect((await t.bridge.store.history('Customer', 'C100')).map((v) => v.version)).toEqual([1]);
    expect((await t.bridge.store.get('Customer', 'C100'))?.data.name).toBe('Ada Lovelace');
  });

  it('accepts a signature made with the older of two configured secrets (rotation)', async () => {
    const res = await post('crm', 'msg_rot', event({ id: 'C102' }), { secret: `whsec_${Buffer.from('old-crm-secret-24-bytes!').toString('base64')}` });
    expect(res.status).toBe(200);
    expect(await t.bridge.store.get('Customer', 'C102')).toBeDefined();
  });

  it('401 for a bad signature and for a stale timestamp, applying nothing', async () => {
    const head = await t.bridge.store.head();
    const wrong = await post('crm', 'msg_2', event({ id: 'C200' }), { secret: `whsec_${Buffer.from('not-the-secret-24-bytes!').toString('base64')}` });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('content-type')).toContain('application/problem+json');
    expect(await wrong.json()).toMatchObject({ type: 'https://legacy-bridge.dev/problems/unauthorized', status: 401, detail: 'the signature matches none of the configured secrets' });
    const stale = await post('crm', 'msg_3', event({ id: 'C201' }), { timestamp: Math.floor(Date.now() / 1000) - 301 });
    expect(stale.status).toBe(401);
    expect((await stale.json()).detail).toMatch(/outside the tolerance/);
    const unsigned = await fetch(`${t.url}/crm`, { method: 'POST', body: JSON.stringify(event({ id: 'C202' })) });
    expect(unsigned.status).toBe(401);
    expect(await t.bridge.store.head()).toBe(head);
  });

  it('422 with every error and its position for an invalid payload, committing nothing of it', async () => {
    const res = await post('crm', 'msg_4', event({ id: 'C300' }, 42, 'text'));
    expect(res.status).toBe(422);
    const problem = await res.json();
    expect(problem).toMatchObject({ type: 'https://legacy-bridge.dev/problems/validation-failed', status: 422 });
    expect(problem.errors).toEqual([
      expect.objectContaining({ code: 'record.decode', position: expect.objectContaining({ record: 2, file: 'webhook msg_4' }), message: expect.stringContaining('expected a JSON object at "data", found the value "42"') }),
      expect.objectContaining({ code: 'record.decode', position: expect.objectContaining({ record: 3 }) }),
    ]);
    expect(await t.bridge.store.get('Customer', 'C300')).toBeUndefined();
    const broken = await post('crm', 'msg_5', '{"data": [ {"id": "C301"');
    expect(broken.status).toBe(422);
    expect((await broken.json()).errors[0]).toMatchObject({ position: { line: 1, record: 1 }, message: expect.stringContaining('column 25: expected "," or "}", found the end of the input') });
  });

  it('403 for a peer outside the allowlist, 413 for a body over the limit, 404 for an unknown flow', async () => {
    const far = await post('partner', 'msg_6', event({ id: 'C400' }));
    expect(far.status).toBe(403);
    expect((await far.json()).type).toBe('https://legacy-bridge.dev/problems/forbidden');
    const big = await post('crm', 'msg_7', event({ id: 'C401', name: 'x'.repeat(3000) }));
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ type: 'https://legacy-bridge.dev/problems/payload-too-large', detail: "the body is larger than the flow's limit of 2048 bytes" });
    const none = await post('nope', 'msg_8', event({ id: 'C402' }));
    expect(none.status).toBe(404);
    expect(await t.bridge.store.get('Customer', 'C401')).toBeUndefined();
  });

  it('405 with Allow for another method, as problem+json without the query', async () => {
    const res = await fetch(`${t.url}/crm?token=s3cret`);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await res.json()).toMatchObject({ type: 'https://legacy-bridge.dev/problems/method-not-allowed', status: 405, instance: '/webhooks/crm' });
  });

  it('takes a legacy sender signing the body with X-Hub-Signature-256, idempotent by its delivery header', async () => {
    const body = JSON.stringify(event({ id: 'C500', name: 'Legacy' }));
    const send = (signature: string) =>
      fetch(`${t.url}/legacy`, { method: 'POST', headers: { 'x-hub-signature-256': signature, 'x-delivery': 'gh-1' }, body });
    const good = `sha256=${createHmac('sha256', LEGACY).update(body).digest('hex')}`;
    expect((await send(good)).status).toBe(200);
    expect((await send(good)).status).toBe(200);
    expect((await t.bridge.store.history('Customer', 'C500')).map((v) => v.lineage.deliveryId)).toEqual(['gh-1']);
    expect((await send(`sha256=${'0'.repeat(64)}`)).status).toBe(401);
  });
});
