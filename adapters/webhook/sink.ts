import { ConfigError } from '../../src/core/errors.js';
import type { OutboundMessage, Sink, SinkContext } from '../../src/core/sink.js';
import { requestError, responseError } from './classify.js';
import type { WebhookSinkOptions } from './sink-options.js';
import { secretKey, sign } from './signature.js';

/** Headers the sink sets itself; configured headers cannot replace them. */
const RESERVED = new Set(['content-type', 'webhook-id', 'webhook-timestamp', 'webhook-signature', 'content-length', 'host']);
/** How much of a refusing receiver's answer goes into the error (it may be a whole HTML page). */
const DETAIL_CHARS = 200;

/**
 * Posts each message to one URL, signed the Standard Webhooks way. The signature is made at each
 * attempt (its timestamp is the attempt's), while `webhook-id` stays the message id so that the
 * receiver drops repeats. Errors are SinkErrors classified for the resilience rules; they name
 * the endpoint by origin and path only (a query string may carry a token), never a header.
 */
export class WebhookSink implements Sink {
  private readonly keys: Buffer[];
  private readonly where: string;

  constructor(
    private readonly options: WebhookSinkOptions,
    context: SinkContext,
    private readonly now: () => number = Date.now,
  ) {
    this.keys = options.secrets.map((secret, i) => {
      try {
        return secretKey(secret);
      } catch (e) {
        throw new ConfigError({ file: context.file, path: `${context.path}.secrets[${i}]`, message: (e as Error).message });
      }
    });
    const reserved = Object.keys(options.headers).filter((h) => RESERVED.has(h.toLowerCase()));
    if (reserved.length) {
      throw new ConfigError({ file: context.file, path: `${context.path}.headers`, message: `${reserved.join(', ')} cannot be set: the sink sets ${[...RESERVED].join(', ')}` });
    }
    const url = new URL(options.url);
    this.where = `webhook ${url.origin}${url.pathname}`;
  }

  async write(message: OutboundMessage, signal: AbortSignal): Promise<void> {
    const timestamp = Math.floor(this.now() / 1000);
    const headers: Record<string, string> = {
      ...this.options.headers,
      'content-type': message.contentType,
      'webhook-id': message.id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': sign(this.keys, message.id, timestamp, message.body),
    };
    let response: Response;
    try {
      response = await fetch(this.options.url, { method: 'POST', headers, body: message.body as Uint8Array<ArrayBuffer>, signal, redirect: 'manual' });
    } catch (e) {
      throw requestError(e, signal, this.where);
    }
    let detail = '';
    try {
      // The answer is read whole either way, so the connection goes back to the pool.
      detail = (await response.text()).slice(0, DETAIL_CHARS).replace(/\s+/g, ' ').trim();
    } catch (e) {
      if (response.ok) throw requestError(e, signal, this.where);
    }
    const error = responseError(response.status, response.headers.get('retry-after'), this.where, response.ok ? '' : detail, this.now());
    if (error) throw error;
  }

  async close(): Promise<void> {
    // fetch keeps no per-sink state: the shared connection pool closes with the process.
  }
}
