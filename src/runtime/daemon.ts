import type { LoadedConfig } from '../config/load.js';
import type { OutboundState } from '../outbound/flow-state.js';
import { startOutbound } from '../outbound/engine.js';
import type { Logger } from '../core/log.js';
import { ConfigError } from '../core/errors.js';
import { openSqliteStore } from '../store/index.js';
import type { Store } from '../store/types.js';
import { assemble, type Assembled } from './assemble.js';
import { runFlow, type FlowState } from './flow-runner.js';
import { warmIngest } from './ingest.js';
import { closeIngestWorkers } from './worker-batches.js';
import { claimStore } from '../store/store-claim.js';
import { createMetrics, type BridgeMetrics } from './metrics.js';
import { checkServerConfig, startServer, type RestServer } from '../rest/server.js';
import type { ExtraRouter } from '../rest/context.js';
import { webhookRouter } from '../../adapters/webhook/router.js';
import { docsRouter } from '../rest/docs-router.js';

export interface RunningBridge {
  store: Store;
  assembled: Assembled;
  flows: Map<string, FlowState>;
  metrics: BridgeMetrics;
  /** The REST server, unless `server.enabled` is false. */
  server?: RestServer;
  /** Outbound flows by name: position, in flight, delivered, dead-lettered, disabled. */
  outbound: Map<string, OutboundState>;
  /** Finishes the batch in flight, commits; lets outbound deliveries in flight finish (bounded), closes the store. */
  stop(): Promise<void>;
}

export function openStore(loaded: LoadedConfig, assembled: Pick<Assembled, 'conflicts'>): Store {
  const { sqlite } = loaded.config.store;
  return openSqliteStore({ path: loaded.resolve(sqlite.path), conflicts: assembled.conflicts, busyTimeoutMs: sqlite.busyTimeoutMs });
}

/**
 * Starts the store, the REST server (listening before this resolves), the outbound engine and
 * every enabled flow. Configuration problems throw before anything starts. `extraRouters` are
 * mounted into the REST app (see src/rest/context.ts); /webhooks is always mounted.
 */
export async function startBridge(loaded: LoadedConfig, log: Logger, options: { extraRouters?: ExtraRouter[] } = {}): Promise<RunningBridge> {
  const assembled = assemble(loaded);
  checkServerConfig(loaded);
  const storePath = loaded.resolve(loaded.config.store.sqlite.path);
  const claim = claimStore(storePath);
  if ('heldBy' in claim) {
    const who = claim.heldBy === undefined ? 'another bridge run' : `another bridge run (pid ${claim.heldBy})`;
    throw new ConfigError(loaded.yaml.problem(['store', 'sqlite', 'path'], `${who} uses the store ${storePath}: stop it first, or give this one its own store`));
  }
  try {
    return await startOnClaimedStore(loaded, log, assembled, claim.release, options);
  } catch (e) {
    claim.release();
    throw e;
  }
}

async function startOnClaimedStore(loaded: LoadedConfig, log: Logger, assembled: Assembled, releaseClaim: () => void, options: { extraRouters?: ExtraRouter[] }): Promise<RunningBridge> {
  const store = openStore(loaded, assembled);
  const metrics = createMetrics();
  metrics.watchFeedHead(() => store.head());
  const outbound = startOutbound({ store, flows: assembled.outbound, connections: loaded.config.connections, log, metrics: metrics.registry });
  const controller = new AbortController();
  const flows = new Map<string, FlowState>();
  const serverConfig = loaded.config.server;
  let server: RestServer | undefined;
  if (serverConfig.enabled) {
    // Client tokens are secrets whether or not they came from a reference: scrubbed from logs.
    for (const c of Object.values(serverConfig.clients)) loaded.secrets.add(c.token);
    // /openapi.json and /docs, without auth (contract): the document of this model and config.
    const docs: ExtraRouter = { path: '/', router: docsRouter(assembled.model, { blindWrites: serverConfig.blindWrites }), auth: 'none' };
    try {
      server = await startServer(
        { store, model: assembled.model, server: serverConfig, logger: log, flows, metrics, assembled, secrets: loaded.secrets, extraRouters: [{ path: '/webhooks', router: webhookRouter({ log, flows: webhookFlows(loaded) }), auth: 'none' }, docs, ...(options.extraRouters ?? [])] },
        loaded.file,
      );
    } catch (e) {
      await outbound.stop();
      await store.close();
      throw e;
    }
    // The app keeps only the tokens' hashes; the plain values go from the config object.
    for (const c of Object.values(serverConfig.clients)) c.token = '[hashed]';
    log.info({ url: server.url }, 'REST API listening');
  }
  const running: Promise<void>[] = [];
  for (const flow of assembled.flows.values()) {
    const state: FlowState = { name: flow.name, state: flow.enabled ? 'starting' : 'stopped', deliveries: 0 };
    flows.set(flow.name, state);
    if (!flow.enabled) continue;
    running.push(
      runFlow(flow, store, log, controller.signal, state, metrics.recordDelivery).catch((e) => {
        state.state = 'failed';
        state.lastError = (e as Error).message;
        log.error({ flow: flow.name, err: e }, 'flow stopped');
      }),
    );
  }
  if ([...assembled.flows.values()].some((f) => f.enabled && f.deliversFiles)) warmIngest();
  log.info({ flows: [...flows.keys()], store: loaded.config.store.sqlite.path }, 'bridge started');
  return {
    store,
    assembled,
    flows,
    metrics,
    server,
    outbound: outbound.states,
    async stop() {
      try {
        await server?.close();
        controller.abort();
        await Promise.all([...running, outbound.stop()]);
        await closeIngestWorkers();
        await store.close();
      } finally {
        releaseClaim();
      }
    },
  };
}

/** The flows fed by the webhook source: a POST for one of them before its source reads is answered 503, not 404. */
function webhookFlows(loaded: LoadedConfig): Set<string> {
  return new Set(Object.entries(loaded.config.flows).filter(([, f]) => f.enabled && 'webhook' in f.source).map(([name]) => name));
}
