import { Registry } from 'prom-client';
import type { LoadedConfig } from '../config/load.js';
import type { OutboundState } from '../outbound/flow-state.js';
import { startOutbound } from '../outbound/engine.js';
import type { Logger } from '../core/log.js';
import { openSqliteStore } from '../store/index.js';
import type { Store } from '../store/types.js';
import { assemble, type Assembled } from './assemble.js';
import { runFlow, type FlowState } from './flow-runner.js';

export interface RunningBridge {
  store: Store;
  assembled: Assembled;
  flows: Map<string, FlowState>;
  /** Outbound flows by name: position, in flight, delivered, dead-lettered, disabled. */
  outbound: Map<string, OutboundState>;
  /** The metrics registry every part registers on (bridge_outbound_* among them). */
  metrics: Registry;
  /** Finishes the batch in flight, commits; lets outbound deliveries in flight finish (bounded), closes the store. */
  stop(): Promise<void>;
}

export function openStore(loaded: LoadedConfig, assembled: Pick<Assembled, 'conflicts'>): Store {
  const { sqlite } = loaded.config.store;
  return openSqliteStore({ path: loaded.resolve(sqlite.path), conflicts: assembled.conflicts, busyTimeoutMs: sqlite.busyTimeoutMs });
}

/** Starts the store and every enabled flow. Configuration problems throw before anything starts. */
export async function startBridge(loaded: LoadedConfig, log: Logger, options: { metrics?: Registry } = {}): Promise<RunningBridge> {
  const assembled = assemble(loaded);
  const store = openStore(loaded, assembled);
  const metrics = options.metrics ?? new Registry();
  const outbound = startOutbound({ store, flows: assembled.outbound, connections: loaded.config.connections, log, metrics });
  const controller = new AbortController();
  const flows = new Map<string, FlowState>();
  const running: Promise<void>[] = [];
  for (const flow of assembled.flows.values()) {
    const state: FlowState = { name: flow.name, state: flow.enabled ? 'starting' : 'stopped', deliveries: 0 };
    flows.set(flow.name, state);
    if (!flow.enabled) continue;
    running.push(
      runFlow(flow, store, log, controller.signal, state).catch((e) => {
        state.state = 'failed';
        state.lastError = (e as Error).message;
        log.error({ flow: flow.name, err: e }, 'flow stopped');
      }),
    );
  }
  log.info({ flows: [...flows.keys()], store: loaded.config.store.sqlite.path }, 'bridge started');
  return {
    store,
    assembled,
    flows,
    outbound: outbound.states,
    metrics,
    async stop() {
      controller.abort();
      await Promise.all([...running, outbound.stop()]);
      await store.close();
    },
  };
}
