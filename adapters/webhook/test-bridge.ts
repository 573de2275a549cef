import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../src/config/load.js';
import { startBridge, type RunningBridge } from '../../src/runtime/daemon.js';

const here = new URL('.', import.meta.url).pathname;
const repo = join(here, '..', '..');

/** A bridge running in-process (real SQLite store, flow runner and REST server on 127.0.0.1, /webhooks mounted by the daemon). */
export interface TestWebhookBridge {
  bridge: RunningBridge;
  url: string;
  close(): Promise<void>;
}

/**
 * Starts the runtime from a bridge.yaml holding `flows` (each mapped by testing-customer.yaml
 * unless it names its own mapping); the REST server listens on a free loopback port.
 */
export async function startWebhookBridge(flows: Record<string, Record<string, unknown>>, env: Record<string, string>): Promise<TestWebhookBridge> {
  const dir = mkdtempSync(join(tmpdir(), 'webhook-test-'));
  const config = {
    store: { sqlite: { path: join(dir, 'bridge.db') } },
    model: join(repo, 'mappings', 'model.yaml'),
    server: { listen: '127.0.0.1:0' },
    flows: Object.fromEntries(Object.entries(flows).map(([name, f]) => [name, { mapping: join(here, 'testing-customer.yaml'), ...f }])),
  };
  const file = join(dir, 'bridge.yaml');
  writeFileSync(file, JSON.stringify(config, null, 2));
  const log = pino({ level: 'silent' });
  const bridge = await startBridge(loadConfig(file, env), log);
  // The flows register their sources as soon as their runners start reading.
  await new Promise((resolve) => setTimeout(resolve, 20));
  return {
    bridge,
    url: `${bridge.server!.url}/webhooks`,
    async close() {
      await bridge.stop();
    },
  };
}
