import { createHash } from 'node:crypto';
import { ConfigError, type ConfigProblem } from '../../src/core/errors.js';
import type { Delivery, Source } from '../../src/core/delivery.js';
import type { SourceContext } from '../../src/core/source.js';
import { Allowlist } from './cidr.js';
import { defaultWebhookHub, type WebhookHub } from './hub.js';
import { secretKey, verify, verifyLegacy, type VerifyFailure } from './signature.js';
import type { WebhookSourceOptions } from './source-options.js';

/** How a delivery handed to the flow was settled, which the router turns into the HTTP answer. */
export type Settlement = { status: 'acked' } | { status: 'nacked'; error: Error } | { status: 'unavailable'; reason: string };

/** The headers the router reads, lower-cased as node gives them. */
export type RequestHeaders = Record<string, string | string[] | undefined>;

/** A header's (first) value; `name` in any case. */
function header(headers: RequestHeaders, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

interface Pending {
  delivery: Delivery;
  settle(s: Settlement): void;
}

/**
 * The inbound webhook source: its deliveries are requests pushed by the router. `read` registers
 * the source in the hub under its flow's name and yields each verified request as a Delivery
 * whose ack/nack settle the waiting HTTP answer — so the sender hears 2xx only after the store
 * committed. The delivery id is the webhook id, so a repeat is skipped by the store and acked.
 */
export class WebhookSource implements Source {
  readonly allowlist: Allowlist;
  private readonly keys: Buffer[] = [];
  private readonly queue: Pending[] = [];
  private wake?: () => void;
  private reading = false;

  constructor(
    readonly flow: string,
    readonly options: WebhookSourceOptions,
    context: SourceContext,
    private readonly hub: WebhookHub = defaultWebhookHub,
  ) {
    const problems: ConfigProblem[] = [];
    const problem = (at: string, message: string) => problems.push({ file: context.file, path: `${context.path}.${at}`, message });
    if (!options.hmacHeader) {
      options.secrets.forEach((secret, i) => {
        try {
          this.keys.push(secretKey(secret));
        } catch (e) {
          problem(`secrets[${i}]`, (e as Error).message);
        }
      });
    }
    if (options.idHeader && !options.hmacHeader) problem('idHeader', 'only with hmacHeader: Standard Webhooks senders name the delivery in webhook-id');
    let allowlist: Allowlist | undefined;
    try {
      allowlist = new Allowlist(options.allowFrom);
    } catch (e) {
      problem(`allowFrom[${(e as { index: number }).index}]`, (e as Error).message);
    }
    if (problems.length) throw new ConfigError(problems);
    this.allowlist = allowlist!;
  }

  /** Checks a request's signature (and timestamp); undefined when it holds. */
  verify(headers: RequestHeaders, body: Buffer, nowMs: number): VerifyFailure | undefined {
    if (this.options.hmacHeader) return verifyLegacy(this.options.secrets, header(headers, this.options.hmacHeader), body);
    const input = { id: header(headers, 'webhook-id'), timestamp: header(headers, 'webhook-timestamp'), signature: header(headers, 'webhook-signature'), body };
    return verify(this.keys, input, this.options.toleranceSec, Math.floor(nowMs / 1000));
  }

  /** The delivery id of a verified request: webhook-id, the legacy id header, or the body's sha256. */
  deliveryId(headers: RequestHeaders, body: Buffer): string {
    const name = this.options.hmacHeader ? this.options.idHeader : 'webhook-id';
    const id = name ? header(headers, name) : undefined;
    return id ? id.slice(0, 200) : `sha256:${createHash('sha256').update(body).digest('hex')}`;
  }

  /** Queues a verified request for the flow; resolves once the delivery is settled (or refused). */
  submit(id: string, body: Buffer, meta: Record<string, unknown>): Promise<Settlement> {
    if (!this.reading) return Promise.resolve({ status: 'unavailable', reason: `flow ${this.flow} is not running` });
    if (this.queue.length >= this.options.maxPending) return Promise.resolve({ status: 'unavailable', reason: `flow ${this.flow} has ${this.queue.length} requests waiting` });
    return new Promise<Settlement>((resolve) => {
      let settled = false;
      const settle = (s: Settlement) => {
        if (!settled) resolve(s);
        settled = true;
      };
      const delivery: Delivery = {
        id,
        open: () => body,
        size: body.length,
        meta: { name: `webhook ${id}`, 'webhook.id': id, 'webhook.flow': this.flow, ...meta },
        ack: async () => settle({ status: 'acked' }),
        nack: async (error) => settle({ status: 'nacked', error }),
      };
      this.queue.push({ delivery, settle });
      this.wake?.();
    });
  }

  async *read(signal: AbortSignal): AsyncIterable<Delivery> {
    this.hub.register(this.flow, this);
    this.reading = true;
    const onAbort = () => this.wake?.();
    signal.addEventListener('abort', onAbort);
    try {
      while (!signal.aborted) {
        const next = this.queue.shift();
        if (next) {
          yield next.delivery;
          continue;
        }
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.stop();
    }
  }

  async close(): Promise<void> {
    this.stop();
  }

  /** Stops taking requests; those still waiting are answered 503 (their sender retries later). */
  private stop(): void {
    this.reading = false;
    this.hub.unregister(this.flow, this);
    for (const pending of this.queue.splice(0)) pending.settle({ status: 'unavailable', reason: `flow ${this.flow} is stopping` });
  }
}
