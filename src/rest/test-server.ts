import { Writable } from 'node:stream';
import pino from 'pino';
import { serverSchema, type ServerConfig } from '../config/schema.js';
import { SecretValues } from '../config/secrets.js';
import { createLogger } from '../core/log.js';
import { loadModel } from '../model/index.js';
import type { Assembled } from '../runtime/assemble.js';
import type { FlowState } from '../runtime/flow-runner.js';
import { createMetrics, type BridgeMetrics } from '../runtime/metrics.js';
import { TempStores } from '../store/test-support.js';
import type { SqliteStore } from '../store/sqlite-store.js';
import type { ExtraRouter } from './context.js';
import { startServer, type RestServer } from './server.js';

export const modelFile = new URL('../../mappings/model.yaml', import.meta.url).pathname;

/** A REST server on 127.0.0.1 (a free port) over a temp SQLite store, with its log lines captured. */
export interface TestServer {
  url: string;
  store: SqliteStore;
  server: RestServer;
  metrics: BridgeMetrics;
  flows: Map<string, FlowState>;
  logs: string[];
  /** fetch against the server: path relative to its URL. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

export async function startTestServer(
  options: { server?: Partial<Record<keyof ServerConfig, unknown>>; secrets?: string[]; flows?: FlowState[]; extraRouters?: ExtraRouter[]; storePath?: string; assembled?: Assembled } = {},
): Promise<TestServer> {
  const stores = new TempStores();
  const store = stores.open(options.storePath === undefined ? {} : { path: options.storePath });
  const logs: string[] = [];
  const secrets = new SecretValues();
  for (const s of options.secrets ?? []) secrets.add(s);
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(...chunk.toString('utf8').split('\n').filter((l) => l !== ''));
      done();
    },
  });
  const logger = createLogger({ level: 'debug', secrets, destination: destination as unknown as pino.DestinationStream, pretty: false });
  const metrics = createMetrics();
  metrics.watchFeedHead(() => store.head());
  const flows = new Map((options.flows ?? []).map((f) => [f.name, f]));
  const config = serverSchema.parse({ listen: '127.0.0.1:0', ...options.server });
  const server = await startServer({ store, model: loadModel(modelFile), server: config, logger, flows, metrics, secrets, extraRouters: options.extraRouters, assembled: options.assembled });
  return {
    url: server.url,
    store,
    server,
    metrics,
    flows,
    logs,
    fetch: (path, init) => fetch(server.url + path, init),
    async close() {
      await server.close();
      await stores.cleanup();
    },
  };
}

export const json = (body: unknown, headers: Record<string, string> = {}, method = 'POST'): RequestInit => ({
  method,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});
