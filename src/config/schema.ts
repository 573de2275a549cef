import { z } from 'zod';
import { connectionSchema, outboundFlowSchema } from './outbound-schema.js';

const flowName = /^[a-z][a-z0-9-]*$/;

/** One inbound flow: a source adapter, and the mapping file whose format decodes its deliveries. */
export const flowSchema = z
  .object({
    source: z
      .record(z.string(), z.unknown())
      .describe('Exactly one key: the source adapter (`file`) and its options.'),
    mapping: z.string().min(1).describe('Mapping file, relative to bridge.yaml: the format and the canonical entity.'),
    mode: z
      .enum(['incremental', 'full'])
      .default('incremental')
      .describe('`full`: each delivery is the complete set of its entity type from this flow; entities absent from it are deleted.'),
    maxDeleteShare: z
      .number()
      .min(0)
      .max(1)
      .default(0.2)
      .describe('With mode full: largest share of the entities a delivery may delete before it is held back.'),
    batchSize: z.number().int().min(1).max(100_000).default(2_000).describe('Records committed in one store transaction.'),
    enabled: z.boolean().default(true).describe('A disabled flow is loaded and checked but not started.'),
  })
  .strict();

const conflictSchema = z.discriminatedUnion('policy', [
  z.object({ policy: z.literal('last-write-wins') }).strict(),
  z
    .object({
      policy: z.literal('source-priority'),
      priority: z.array(z.string()).min(1).describe('Flows in order of precedence, first wins.'),
    })
    .strict(),
  z
    .object({
      policy: z.literal('field-ownership'),
      owners: z.record(z.string(), z.string()).describe('Top-level canonical field → the flow that owns it.'),
    })
    .strict(),
]);

export const configSchema = z
  .object({
    store: z
      .object({
        sqlite: z
          .object({
            path: z.string().min(1).describe('SQLite database file, relative to bridge.yaml.'),
            busyTimeoutMs: z.number().int().min(0).default(5_000).describe('How long a write waits for a lock held by another process.'),
          })
          .strict(),
      })
      .strict()
      .default({ sqlite: { path: 'var/bridge.db', busyTimeoutMs: 5_000 } })
      .describe('Where the canonical model is kept.'),
    model: z.string().default('mappings/model.yaml').describe('The canonical model, relative to bridge.yaml.'),
    flows: z
      .record(z.string().regex(flowName, 'flow names are lower-case words joined by -'), flowSchema)
      .default({})
      .describe('Inbound flows by name.'),
    connections: z
      .record(z.string().regex(flowName, 'connection names are lower-case words joined by -'), connectionSchema)
      .default({})
      .describe('Resilience policies of outbound flows by name (timeout, retries, rules, rate limit, breaker), shared by the flows naming them.'),
    outbound: z
      .record(z.string().regex(flowName, 'flow names are lower-case words joined by -'), outboundFlowSchema)
      .default({})
      .describe('Outbound flows by name: store changes pushed to a sink.'),
    conflicts: z
      .record(z.string(), conflictSchema)
      .default({})
      .describe('Per entity type: how writes from different flows to the same entity are settled.'),
    log: z
      .object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info') })
      .strict()
      .default({ level: 'info' }),
  })
  .strict();

export type BridgeConfig = z.output<typeof configSchema>;
export type FlowConfig = z.output<typeof flowSchema>;
