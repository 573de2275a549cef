import { z } from 'zod';

/** Options of the inbound `webhook` source (`flows.<name>.source.webhook`). */
export const webhookSourceOptions = z
  .object({
    secrets: z
      .array(z.string().min(1))
      .min(1)
      .describe('Verification secrets as `${env:…}` / `${file:…}` references: `whsec_` + base64 (Standard Webhooks), or the raw shared secret with hmacHeader. Several during a rotation; any one may match.'),
    hmacHeader: z
      .string()
      .regex(/^[A-Za-z0-9-]+$/)
      .optional()
      .describe('For legacy senders: the header holding HMAC-SHA256 of the raw body (`X-Hub-Signature-256: sha256=<hex>`) instead of the Standard Webhooks headers. Such senders send no signed timestamp: replays are caught by the delivery id only.'),
    idHeader: z
      .string()
      .regex(/^[A-Za-z0-9-]+$/)
      .optional()
      .describe('With hmacHeader: the header naming the delivery (`X-GitHub-Delivery`); absent, the id is the sha256 of the body. Standard Webhooks senders use webhook-id.'),
    toleranceSec: z.number().int().min(1).max(86_400).default(300).describe('Largest difference between webhook-timestamp and now, either way; older (or future) messages are refused as replays.'),
    allowFrom: z
      .array(z.string())
      .default([])
      .describe('CIDR blocks (IPv4 or IPv6, e.g. `10.0.0.0/8`, `2001:db8::/32`) a sender may connect from; empty: any. IPv4-mapped IPv6 peers match IPv4 blocks. The TCP peer counts, not X-Forwarded-For.'),
    bodyLimit: z
      .union([z.string().regex(/^\d+(\.\d+)?\s*(b|kb|mb)$/i, 'a size such as 512kb or 1mb'), z.number().int().min(1)])
      .default('1mb')
      .describe('Largest request body (bytes, or `512kb`, `1mb`); larger ones are answered 413 unread.'),
    maxPending: z.number().int().min(1).max(10_000).default(100).describe('Requests waiting for the flow at once; more are answered 503 with Retry-After.'),
    responseTimeoutMs: z
      .number()
      .int()
      .min(100)
      .default(30_000)
      .describe('How long a request waits for its delivery to commit before 503 (the delivery still commits; the sender retries and the repeat is answered from the first).'),
  })
  .strict();

export type WebhookSourceOptions = z.output<typeof webhookSourceOptions>;
