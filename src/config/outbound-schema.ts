import { z } from 'zod';

const outcomePattern = z
  .string()
  .regex(/^(\*|timeout|network|io|http:[1-5][0-9x][0-9x])$/, 'an outcome class: timeout, network, io, http:<status> (x as a digit wildcard, e.g. http:4xx) or *')
  .describe('Outcome class the rule matches: `timeout`, `network`, `io`, `http:503`, `http:4xx` (x = any digit) or `*`.');

/** One resilience rule: what to do with a failure of an outcome class. */
export const outcomeRuleSchema = z
  .object({
    outcome: outcomePattern,
    action: z.enum(['retry', 'dead-letter']).describe('`retry` (with backoff) or `dead-letter` at once.'),
    maxRetries: z.number().int().min(0).optional().describe('With retry: at most this many retries for failures of this class (default: the connection\'s retry.maxRetries).'),
  })
  .strict();

/** A reusable resilience policy, named under `connections`. */
export const connectionSchema = z
  .object({
    timeoutMs: z.number().int().min(1).default(30_000).describe('Longest one attempt may take before it counts as a `timeout` failure.'),
    retry: z
      .object({
        maxRetries: z.number().int().min(0).default(10).describe('Retries after the first attempt before the message is dead-lettered.'),
        baseMs: z.number().int().min(1).default(500).describe('Exponential backoff: the first retry waits a random time below this; each retry doubles it (full jitter).'),
        maxMs: z.number().int().min(1).default(300_000).describe('Longest backoff between two attempts.'),
        schedule: z
          .array(z.number().int().min(0))
          .min(1)
          .optional()
          .describe('Fixed delays (ms) before each retry instead of exponential backoff, then dead letter, e.g. the webhook schedule [60000, 300000, 1800000, 7200000, 86400000].'),
      })
      .strict()
      .default({ maxRetries: 10, baseMs: 500, maxMs: 300_000 })
      .describe('Retries with exponential backoff and full jitter; a `Retry-After` from the peer is honoured when longer.'),
    rules: z
      .array(outcomeRuleSchema)
      .default([])
      .describe('Rules by outcome class, tried in order before the defaults (429 retry, 503 retry up to 3 times, 408/5xx/timeout/network/io retry, other 4xx dead letter).'),
    rateLimit: z
      .object({
        limit: z.number().int().min(1).describe('Messages allowed per interval.'),
        intervalMs: z.number().int().min(1).default(60_000).describe('The interval (ms): 100 per 60000 is 100/min.'),
        burst: z.number().int().min(1).optional().describe('Bucket size: messages that may go at once after a quiet spell (default: limit).'),
      })
      .strict()
      .optional()
      .describe('Token-bucket rate limit, shared by every outbound flow using this connection.'),
    breaker: z
      .object({
        failures: z.number().int().min(1).default(5).describe('Consecutive failed attempts that open the circuit.'),
        coolDownMs: z.number().int().min(1).default(30_000).describe('How long an open circuit refuses attempts before one half-open probe.'),
      })
      .strict()
      .optional()
      .describe('Circuit breaker, shared by every flow using this connection: while open no attempt is made.'),
  })
  .strict();

/** An outbound flow: changes of the store → mapping → format → sink. */
export const outboundFlowSchema = z
  .object({
    types: z.array(z.string().min(1)).min(1).describe('Entity types whose changes this flow delivers.'),
    ops: z.array(z.enum(['created', 'updated', 'deleted'])).min(1).default(['created', 'updated', 'deleted']).describe('Which change ops are delivered.'),
    mapping: z
      .string()
      .min(1)
      .optional()
      .describe('Mapping file (relative to bridge.yaml) mapped in reverse (canonical → legacy) and encoded with its format; without one each change is sent as JSON `{type, timestamp, data}`.'),
    sink: z.record(z.string(), z.unknown()).describe('Exactly one key: the sink adapter (`file`, `webhook`) and its options.'),
    connection: z.string().optional().describe('Name of a resilience policy under `connections`; default: the default policy.'),
    concurrency: z.number().int().min(1).max(256).default(1).describe('Messages in flight at once (per-change sinks); changes of one entity key are always delivered in order.'),
    batch: z
      .object({
        maxRecords: z.number().int().min(1).default(1000).describe('Most changes in one batch message.'),
        maxWaitMs: z.number().int().min(0).default(1000).describe('Longest a change waits for its batch to fill.'),
      })
      .strict()
      .default({ maxRecords: 1000, maxWaitMs: 1000 })
      .describe('Batching, for sinks that write batches (file): one message per batch.'),
    echo: z
      .object({
        suppress: z
          .array(z.string())
          .default([])
          .describe('Inbound flows whose changes are not delivered: set it to the flows that read from the system this sink writes to, so that two-way sync does not loop.'),
      })
      .strict()
      .default({ suppress: [] })
      .describe('Echo suppression.'),
    pollMs: z.number().int().min(10).default(500).describe('How often the change feed is read when nothing in this process woke the flow (writes by other processes).'),
    enabled: z.boolean().default(true).describe('A disabled outbound flow is loaded and checked but not started.'),
  })
  .strict();

export type ConnectionConfig = z.output<typeof connectionSchema>;
export type OutboundFlowConfig = z.output<typeof outboundFlowSchema>;
export type OutcomeRule = z.output<typeof outcomeRuleSchema>;
