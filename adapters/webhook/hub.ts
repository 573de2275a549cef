import type { WebhookSource } from './source.js';

/**
 * Where the webhook sources of running flows meet the HTTP router: a source registers under its
 * flow's name while it reads, and the router hands each request to it. One hub per process by
 * default (the daemon runs one set of flows); tests may pass their own.
 */
export class WebhookHub {
  private readonly sources = new Map<string, WebhookSource>();

  /** Called by a source when its flow starts reading; a second reader of one flow is a bug. */
  register(flow: string, source: WebhookSource): void {
    const present = this.sources.get(flow);
    if (present && present !== source) throw new Error(`flow ${flow} already has a webhook source reading`);
    this.sources.set(flow, source);
  }

  unregister(flow: string, source: WebhookSource): void {
    if (this.sources.get(flow) === source) this.sources.delete(flow);
  }

  /** The running source of a flow; undefined when no such webhook flow runs. */
  source(flow: string): WebhookSource | undefined {
    return this.sources.get(flow);
  }
}

/** The process's hub: sources built from bridge.yaml register here, and `webhookRouter()` reads it. */
export const defaultWebhookHub = new WebhookHub();
