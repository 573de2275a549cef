import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { SinkError, type OutboundMessage } from '../../src/core/sink.js';
import { WebhookSink } from './sink.js';
import { webhookSinkOptions } from './sink-options.js';
import { TestReceiver, type Behaviour, type Received } from './test-receiver.js';

const OLD = `whsec_${Buffer.from('old-secret-of-24-bytes!!').toString('base64')}`;
const NEW = `whsec_${Buffer.from('new-secret-of-24-bytes!!').toString('base64')}`;
const context = { file: 'bridge.yaml', path: 'outbound.hooks.sink.webhook', resolve: (p: string) => p };

/** The check a receiver would write from the Standard Webhooks spec, independent of signature.ts. */
function independentlyVerified(secret: string, r: Received): boolean {
  const key = Buffer.from(secret.split('_')[1], 'base64');
  const content = `${r.headers['webhook-id']}.${r.headers['webhook-timestamp']}.${r.body.toString('utf8')}`;
  const expected = createHmac('sha256', key).update(content).digest();
  return String(r.headers['webhook-signature'])
    .split(' ')
    .some((part) => {
      const [version, sig] = part.split(',');
      const given = Buffer.from(sig, 'base64');
      return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
    });
}

const message = (id = 'orders-out:41-41'): OutboundMessage => ({
  id,
  body: Buffer.from(JSON.stringify({ type: 'Customer.updated', timestamp: '2026-11-28T10:00:00.000Z', data: { seq: 41, key: 'C1' } })),
  contentType: 'application/json',
  changes: [{ seq: 41, type: 'Customer', key: 'C1', op: 'updated', version: 2 }],
  at: '2026-11-28T10:00:00.000Z',
});

let receiver: TestReceiver;
afterEach(async () => receiver?.close());

async function sinkFor(behaviour: Behaviour, secrets = [NEW, OLD], headers: Record<string, string> = {}): Promise<WebhookSink> {
  receiver = await new TestReceiver(behaviour).start();
  return new WebhookSink(webhookSinkOptions.parse({ url: receiver.url, secrets, headers }), context);
}

async function failure(sink: WebhookSink, signal = new AbortController().signal): Promise<SinkError> {
  const error = await sink.write(message(), signal).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(SinkError);
  return error as SinkError;
}

describe('webhook sink', () => {
  it('posts the body signed with every secret, as an independent verifier checks', async () => {
    const sink = await sinkFor(() => ({ status: 204 }), [NEW, OLD], { authorization: 'Bearer t0ken' });
    await sink.write(message(), new AbortController().signal);
    const [got] = receiver.received;
    expect(got.body.toString()).toBe(message().body.toString());
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers['webhook-id']).toBe('orders-out:41-41');
    expect(Math.abs(Number(got.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(5);
    expect(String(got.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(independentlyVerified(NEW, got)).toBe(true);
    expect(independentlyVerified(OLD, got)).toBe(true);
    const stranger = `whsec_${Buffer.from('someone-else-s-24-bytes!').toString('base64')}`;
    expect(independentlyVerified(stranger, got)).toBe(false);
    expect(got.headers.authorization).toBe('Bearer t0ken');
  });

  it('keeps webhook-id across attempts: 503 three times is retryable, then delivered', async () => {
    const sink = await sinkFor((n) => (n < 3 ? { status: 503, body: 'busy' } : { status: 200 }));
    for (let i = 0; i < 3; i++) {
      const e = await failure(sink);
      expect(e).toMatchObject({ outcome: 'http:503', permanent: false, gone: false });
      expect(e.message).toContain('answered 503: busy');
    }
    await sink.write(message(), new AbortController().signal);
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id']))).toEqual(new Set(['orders-out:41-41']));
    expect(receiver.received).toHaveLength(4);
  });

  it('429 with Retry-After in seconds or as an HTTP date', async () => {
    const later = new Date(Date.now() + 120_000).toUTCString();
    const sink = await sinkFor((n) => ({ status: 429, headers: { 'retry-after': n === 0 ? '7' : later } }));
    expect(await failure(sink)).toMatchObject({ outcome: 'http:429', retryAfterMs: 7000, permanent: false });
    const dated = await failure(sink);
    expect(dated.retryAfterMs).toBeGreaterThan(110_000);
    expect(dated.retryAfterMs).toBeLessThanOrEqual(120_000);
  });

  it('408 is retryable, other 4xx and 3xx permanent, 410 gone', async () => {
    const statuses = [408, 400, 422, 302, 410];
    const sink = await sinkFor((n) => ({ status: statuses[n], headers: statuses[n] === 302 ? { location: 'http://127.0.0.1:1/' } : undefined }));
    expect(await failure(sink)).toMatchObject({ outcome: 'http:408', permanent: false });
    expect(await failure(sink)).toMatchObject({ outcome: 'http:400', permanent: true, gone: false });
    expect(await failure(sink)).toMatchObject({ outcome: 'http:422', permanent: true });
    const redirect = await failure(sink);
    expect(redirect).toMatchObject({ outcome: 'http:302', permanent: true });
    expect(redirect.message).toContain('redirects are not followed');
    expect(await failure(sink)).toMatchObject({ outcome: 'http:410', permanent: true, gone: true });
    expect(receiver.received).toHaveLength(5);
  });

  it('a hanging receiver times out through the signal', async () => {
    const sink = await sinkFor(() => 'hang');
    const started = Date.now();
    const e = await failure(sink, AbortSignal.timeout(300));
    expect(e.outcome).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('a closed port is a network error naming the endpoint without its query', async () => {
    receiver = await new TestReceiver().start();
    const url = receiver.url;
    await receiver.close();
    const sink = new WebhookSink(webhookSinkOptions.parse({ url: `${url}?token=s3cret`, secrets: [NEW] }), context);
    const e = await failure(sink);
    expect(e.outcome).toBe('network');
    expect(e.message).toContain('ECONNREFUSED');
    expect(e.message).not.toContain('s3cret');
  });

  it('refuses a secret that is not base64 and reserved headers, naming where', () => {
    const url = 'http://127.0.0.1:9/hook';
    expect(() => new WebhookSink(webhookSinkOptions.parse({ url, secrets: [NEW, 'whsec_not base64!'] }), context)).toThrow(/outbound\.hooks\.sink\.webhook\.secrets\[1\]/);
    const e = (() => {
      try {
        new WebhookSink(webhookSinkOptions.parse({ url, secrets: [NEW], headers: { 'Webhook-Id': 'x' } }), context);
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as Error).message).toContain('Webhook-Id cannot be set');
    expect((e as Error).message).not.toContain(NEW);
  });
});
