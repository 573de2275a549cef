import type { SinkAdapter } from '../../src/core/sink.js';
import { WebhookSink } from './sink.js';
import { webhookSinkOptions } from './sink-options.js';

export { webhookSinkOptions, type WebhookSinkOptions } from './sink-options.js';
export { WebhookSink } from './sink.js';

/**
 * The `webhook` sink: one signed POST per change (Standard Webhooks). Only a 2xx answer counts as
 * delivered; 410 disables the endpoint; retries and their schedule belong to the engine.
 */
export const webhookSink: SinkAdapter<typeof webhookSinkOptions> = {
  kind: 'sink',
  name: 'webhook',
  summary: 'POSTs each change as JSON, signed the Standard Webhooks way (several secrets during rotation); 2xx delivered, 410 disables.',
  options: webhookSinkOptions,
  grouping: 'change',
  create: (options, context) => new WebhookSink(options, context),
};
