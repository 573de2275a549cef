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
      priority: z.array(z.string()).min(1).describe('Sources in order of precedence, first wins: flows, `api:<client>` of server.clients, or `api:*`.'),
    })
    .strict(),
  z
    .object({
      policy: z.literal('field-ownership'),
      owners: z
        .record(z.string(), z.string())
        .describe('Top-level canonical field, not of the key → the source that owns it: a flow, `api:<client>` of server.clients, or `api:*`.'),
    })
    .strict(),
]);

const scopeSchema = z
  .string()
  .regex(/^(read|write|admin)(:[A-Z][A-Za-z0-9]*)?$/, 'a scope is read, write or admin, optionally narrowed to a type: read:Customer')
  .describe('`read`, `write` or `admin` (admin implies every scope), optionally narrowed to one entity type: `read:Customer`.');

/** The REST API (src/rest): where it listens, who may call it, and its limits. */
export const serverSchema = z
  .object({
    enabled: z.boolean().default(true).describe('false turns the REST API and the operational endpoints off.'),
    listen: z
      .string()
      .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'host:port, e.g. 127.0.0.1:8080 or [::1]:8080')
      .default('127.0.0.1:8080')
      .describe('host:port to listen on. Other than loopback only with at least one client configured.'),
    clients: z
      .record(
        z.string().regex(/^[A-Za-z0-9_.-]+$/, 'client names are letters, digits, _ . -'),
        z
          .object({
            token: z.string().min(16, 'a client token needs at least 16 characters').describe('The client\'s bearer token / API key: a `${env:…}` or `${file:…}` reference.'),
            scopes: z.array(scopeSchema).min(1).describe('What the client may do.'),
          })
          .strict(),
      )
      .default({})
      .describe('API clients by name (the name is the write origin `api:<name>`). None on loopback: anonymous access with every scope.'),
    blindWrites: z.array(z.string()).default([]).describe('Entity types whose PUT/PATCH/DELETE may omit If-Match.'),
    bodyLimit: z.string().regex(/^\d+(b|kb|mb)$/i, 'a size like 512kb or 1mb').default('1mb').describe('Largest request body; larger is 413.'),
    requestTimeoutMs: z.number().int().min(100).default(30_000).describe('A request not answered within this is answered 503 (the change stream excepted).'),
    rateLimit: z
      .object({
        perSecond: z.number().positive().describe('Requests per second refilled into each client\'s bucket.'),
        burst: z.number().int().min(1).describe('Bucket size: requests a client may make at once.'),
      })
      .strict()
      .optional()
      .describe('Token bucket per client (per address when unauthenticated); absent: no limit. Over the limit: 429 with Retry-After.'),
    cors: z
      .object({ origins: z.array(z.string()).default([]).describe('Allowed browser origins (exact, or "*").') })
      .strict()
      .default({ origins: [] })
      .describe('Cross-origin access for browsers; none by default.'),
    sse: z
      .object({ heartbeatMs: z.number().int().min(100).default(15_000).describe('Interval of the `: heartbeat` comment on the change stream.') })
      .strict()
      .default({ heartbeatMs: 15_000 }),
    metricsAuth: z.boolean().default(false).describe('true: /metrics needs the admin scope.'),
  })
  .strict();

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
    server: serverSchema.default(() => serverSchema.parse({})).describe('The REST API and operational endpoints served by `bridge run`.'),
    log: z
      .object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info') })
      .strict()
      .default({ level: 'info' }),
  })
  .strict();

export type BridgeConfig = z.output<typeof configSchema>;
export type ServerConfig = z.output<typeof serverSchema>;
export type FlowConfig = z.output<typeof flowSchema>;
