import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import type pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import { createLogger } from '../core/log.js';
import { startBridge } from './daemon.js';
import { closeIngestWorkers, idleIngestWorkers } from './worker-batches.js';

const root = resolve(import.meta.dirname, '..', '..');
const dirs: string[] = [];
afterEach(async () => {
  await closeIngestWorkers();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const quiet = () => createLogger({ destination: new Writable({ write: (_c, _e, done) => done() }) as unknown as pino.DestinationStream, pretty: false });

const env = { CRM_SECRET: 'whsec_c2VjcmV0LWZvci10aGUtdGVzdA==' };

/** A config of `flows` (YAML), no REST server. */
function config(flows: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'lb-daemon-'));
  dirs.push(dir);
  const file = join(dir, 'bridge.yaml');
  writeFileSync(file, `model: ${join(root, 'mappings', 'model.yaml')}\nstore: { sqlite: { path: ${join(dir, 'b.db')} } }\nserver: { enabled: false }\nflows:\n${flows}`);
  return file;
}

const prices = `    mapping: ${join(root, 'mappings', 'price-list.yaml')}\n`;
const crm = `    mapping: ${join(root, 'adapters', 'webhook', 'testing-customer.yaml')}\n    source: { webhook: { secrets: ["\${env:CRM_SECRET}"] } }\n`;

describe('startBridge', () => {
  it('has an ingest worker ready only when an enabled flow takes files, and stops it on stop()', async () => {
    // What runs here decides: a worker is warmed only where deliveries would use one.
    const forced = process.env.BRIDGE_INGEST_WORKER;
    const expected = forced === 'never' ? 0 : forced === 'always' || forced === 'pieces' || availableParallelism() > 1 ? 1 : 0;
    const withFiles = await startBridge(loadConfig(config(`  crm:\n${crm}  prices:\n    source: { file: { path: inbox } }\n${prices}`), env), quiet());
    expect(idleIngestWorkers()).toBe(expected);
    await withFiles.stop();
    expect(idleIngestWorkers()).toBe(0);

    const webhookOnly = await startBridge(loadConfig(config(`  crm:\n${crm}`), env), quiet());
    expect(idleIngestWorkers()).toBe(0);
    await webhookOnly.stop();

    const disabled = await startBridge(loadConfig(config(`  prices:\n    enabled: false\n    source: { file: { path: inbox } }\n${prices}`), env), quiet());
    expect(idleIngestWorkers()).toBe(0);
    await disabled.stop();
  });
});
