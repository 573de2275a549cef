import type { RequestHandler } from 'express';
import type { ServerConfig } from '../config/schema.js';
import type { SecretValues } from '../config/secrets.js';
import type { Logger } from '../core/log.js';
import type { Model } from '../model/index.js';
import type { Assembled } from '../runtime/assemble.js';
import type { FlowState } from '../runtime/flow-runner.js';
import type { BridgeMetrics } from '../runtime/metrics.js';
import type { Store } from '../store/types.js';
import type { ChangeFeed } from './change-feed.js';

/**
 * A router another part of the daemon mounts into the app (the coordinator wires them):
 * `docsRouter(model)` at `/` (serves /openapi.json and /docs) with auth 'none';
 * `webhookRouter(...)` at `/webhooks` with auth 'none' (it checks signatures itself);
 * dead-letter admin routes at `/v1/admin/deadletters` with auth 'admin'.
 */
export interface ExtraRouter {
  path: string;
  router: RequestHandler;
  /** 'none': mounted before authentication; 'admin': after it, for clients with the admin scope. */
  auth: 'none' | 'admin';
}

/** What the REST app is built from. */
export interface RestContext {
  store: Store;
  model: Model;
  server: ServerConfig;
  logger: Logger;
  /** The running flows' states (RunningBridge.flows), for /readyz and /v1/admin/flows. */
  flows: Map<string, FlowState>;
  metrics: BridgeMetrics;
  /**
   * Follows the store's change feed for /v1/changes/stream; writes through the API poke it.
   * Absent: createApp starts one (closed with `app.locals.feed.close()`); startServer passes its own.
   */
  feed?: ChangeFeed;
  /** The assembled flows, for reject replay; absent: replay answers 503. */
  assembled?: Assembled;
  /** Known secret values, scrubbed from admin output (reject raw text, flow errors). */
  secrets?: SecretValues;
  extraRouters?: ExtraRouter[];
}

/** What route handlers see: the context with its feed. */
export type RouteContext = RestContext & { feed: ChangeFeed };
