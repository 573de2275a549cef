import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import type pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fileSource } from '../../adapters/file/index.js';
import { loadConfig } from '../config/load.js';
import { createLogger } from '../core/log.js';
import { sources } from '../core/registry.js';
import type { SourceAdapter } from '../core/source.js';
import { startBridge } from './daemon.js';
import { closeIngestWorkers, idleIngestWorkers } from './worker-batches.js';

const root = resolve(import.meta.dirname, '..', '..');
const dirs: string[] = [];
afterEach(async () => {
  vi.unstubAllEnvs();
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
    // Deliveries always use a worker here, whatever the machine's cores.
    vi.stubEnv('BRIDGE_INGEST_WORKER', 'always');
    const withFiles = await startBridge(loadConfig(config(`  crm:\n${crm}  prices:\n    source: { file: { path: inbox } }\n${prices}`), env), quiet());
    expect(idleIngestWorkers()).toBe(1);
    await withFiles.stop();
    expect(idleIngestWorkers()).toBe(0);

    const webhookOnly = await startBridge(loadConfig(config(`  crm:\n${crm}`), env), quiet());
    expect(idleIngestWorkers()).toBe(0);
    await webhookOnly.stop();

    const disabled = await startBridge(loadConfig(config(`  prices:\n    enabled: false\n    source: { file: { path: inbox } }\n${prices}`), env), quiet());
    expect(idleIngestWorkers()).toBe(0);
    await disabled.stop();

    // What the source declares decides, not its name.
    const pickup: SourceAdapter = { ...fileSource, name: 'pickup' };
    (sources as SourceAdapter[]).push(pickup);
    try {
      const declared = await startBridge(loadConfig(config(`  prices:\n    source: { pickup: { path: inbox } }\n${prices}`), env), quiet());
      expect(idleIngestWorkers()).toBe(1);
      await declared.stop();
    } finally {
      (sources as SourceAdapter[]).splice(sources.indexOf(pickup), 1);
    }
  });
});
