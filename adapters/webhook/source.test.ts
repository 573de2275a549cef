import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { webhookSource } from './index.js';
import { WebhookHub } from './hub.js';
import { WebhookSource } from './source.js';
import { webhookSourceOptions } from './source-options.js';

const secret = `whsec_${Buffer.from('source-secret-24-bytes!!').toString('base64')}`;
const context = { file: 'bridge.yaml', path: 'flows.crm.source.webhook', resolve: (p: string) => p };
const options = (o: Record<string, unknown> = {}) => webhookSourceOptions.parse({ secrets: [secret], ...o });

describe('webhook source', () => {
  it('lists every option problem with its path, never the secret', () => {
    let error: unknown;
    try {
      webhookSource.create(options({ secrets: [secret, 'whsec_!!'], allowFrom: ['10.0.0.0/8', '300.1.1.1/8'], idHeader: 'X-Id' }), context);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.path)).toEqual(['flows.crm.source.webhook.secrets[1]', 'flows.crm.source.webhook.idHeader', 'flows.crm.source.webhook.allowFrom[1]']);
    expect((error as Error).message).not.toContain(secret);
  });

  it('answers unavailable while not reading, when too many wait, and to those waiting when it stops', async () => {
    const hub = new WebhookHub();
    const source = new WebhookSource('crm', options({ maxPending: 1 }), context, hub);
    expect(await source.submit('a', Buffer.from('{}'), {})).toEqual({ status: 'unavailable', reason: 'flow crm is not running' });
    const controller = new AbortController();
    const reader = source.read(controller.signal)[Symbol.asyncIterator]();
    const first = reader.next();
    const accepted = source.submit('a', Buffer.from('{"x":"1"}'), {});
    const delivery = (await first).value;
    expect(hub.source('crm')).toBe(source);
    expect(delivery).toMatchObject({ id: 'a', meta: { name: 'webhook a', 'webhook.id': 'a', 'webhook.flow': 'crm' } });
    const waiting = source.submit('b', Buffer.from('{}'), {});
    expect(await source.submit('c', Buffer.from('{}'), {})).toEqual({ status: 'unavailable', reason: 'flow crm has 1 requests waiting' });
    await delivery.ack();
    expect(await accepted).toEqual({ status: 'acked' });
    controller.abort();
    expect(await reader.next()).toEqual({ done: true, value: undefined });
    expect(await waiting).toEqual({ status: 'unavailable', reason: 'flow crm is stopping' });
    expect(hub.source('crm')).toBeUndefined();
  });
});
