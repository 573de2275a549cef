import { z } from 'zod';

/** Options of the `webhook` sink (`outbound.<flow>.sink.webhook`). */
export const webhookSinkOptions = z
  .object({
    url: z
      .url({ protocol: /^https?$/ })
      .describe('Where each change is POSTed (http or https). Redirects are not followed: a 3xx answer is a permanent failure.'),
    secrets: z
      .array(z.string().min(1))
      .min(1)
      .describe('Signing secrets, `whsec_` + base64 (Standard Webhooks), as `${env:…}` or `${file:…}` references. Several during a rotation: each message carries one signature per secret.'),
    headers: z
      .record(z.string().regex(/^[A-Za-z0-9-]+$/, 'header names are letters, digits and -'), z.string())
      .default({})
      .describe(
        'Extra request headers (e.g. an Authorization the receiver wants; the value of one that carries credentials must be a `${env:…}` or `${file:…}` reference). The webhook-* and content-type headers cannot be overridden.',
      ),
  })
  .strict();

export type WebhookSinkOptions = z.output<typeof webhookSinkOptions>;
