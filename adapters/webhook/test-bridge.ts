import { mkdtempSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import pino from 'pino';
import { loadConfig } from '../../src/config/load.js';
import { startBridge, type RunningBridge } from '../../src/runtime/daemon.js';
import { webhookRouter } from './router.js';

const here = new URL('.', import.meta.url).pathname;
const repo = join(here, '..', '..');

/** A bridge running in-process (real SQLite store, real flow runner) with the webhook router on 127.0.0.1. */
export interface TestWebhookBridge {
  bridge: RunningBridge;
  url: string;
  close(): Promise<void>;
}

/**
 * Starts the runtime from a bridge.yaml holding `flows` (each mapped by testing-customer.yaml
 * unless it names its own mapping) and serves `/webhooks` as the REST server mounts it.
 */
export async function startWebhookBridge(flows: Record<string, Record<string, unknown>>, env: Record<string, string>): Promise<TestWebhookBridge> {
  const dir = mkdtempSync(join(tmpdir(), 'webhook-test-'));
  const config = {
    store: { sqlite: { path: join(dir, 'bridge.db') } },
    model: join(repo, 'mappings', 'model.yaml'),
    flows: Object.fromEntries(Object.entries(flows).map(([name, f]) => [name, { mapping: join(here, 'testing-customer.yaml'), ...f }])),
  };
  const file = join(dir, 'bridge.yaml');
  writeFileSync(file, JSON.stringify(config, null, 2));
  const log = pino({ level: 'silent' });
  const bridge = await startBridge(loadConfig(file, env), log);
  const app = express();
  app.use('/webhooks', webhookRouter({ log }));
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  // The flows register their sources as soon as their runners start reading.
  await new Promise((resolve) => setTimeout(resolve, 20));
  return {
    bridge,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await bridge.stop();
    },
  };
}
