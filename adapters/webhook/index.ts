import { ConfigError } from '../../src/core/errors.js';
import type { SinkAdapter } from '../../src/core/sink.js';
import type { SourceAdapter } from '../../src/core/source.js';
import { WebhookSink } from './sink.js';
import { webhookSinkOptions } from './sink-options.js';
import { WebhookSource } from './source.js';
import { webhookSourceOptions } from './source-options.js';

export { webhookSinkOptions, type WebhookSinkOptions } from './sink-options.js';
export { webhookSourceOptions, type WebhookSourceOptions } from './source-options.js';
export { WebhookSink } from './sink.js';
export { WebhookSource } from './source.js';
export { webhookRouter } from './router.js';
export { defaultWebhookHub, WebhookHub } from './hub.js';

/**
 * The `webhook` sink: one signed POST per change (Standard Webhooks). Only a 2xx answer counts as
 * delivered; 410 disables the endpoint; retries and their schedule belong to the engine.
 */
export const webhookSink: SinkAdapter<typeof webhookSinkOptions> = {
  kind: 'sink',
  name: 'webhook',
  summary: 'POSTs each change as JSON, signed the Standard Webhooks way (several secrets during rotation); 2xx delivered, 410 disables.',
  options: webhookSinkOptions,
  secretOptions: ['secrets'],
  headersOption: 'headers',
  grouping: 'change',
  create: (options, context) => new WebhookSink(options, context),
};

/**
 * The `webhook` source: takes `POST /webhooks/{flow}` on the REST server (signature, timestamp
 * tolerance, IP allowlist, size limit), one delivery per request, answered after the commit.
 */
export const webhookSource: SourceAdapter<typeof webhookSourceOptions> = {
  kind: 'source',
  name: 'webhook',
  summary: 'Takes signed POSTs at /webhooks/{flow} (Standard Webhooks or a legacy HMAC header); answers 2xx only after the store committed.',
  options: webhookSourceOptions,
  secretOptions: ['secrets'],
  create(options, context) {
    // The flow's name is the router's path segment; the runtime names the options `flows.<name>.source.webhook`.
    const flow = /^flows\.([^.]+)\.source\./.exec(context.path)?.[1];
    if (!flow) throw new ConfigError({ file: context.file, path: context.path, message: 'the webhook source belongs under flows.<name>.source' });
    return new WebhookSource(flow, options, context);
  },
};
