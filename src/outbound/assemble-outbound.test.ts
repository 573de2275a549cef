import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import { ConfigError } from '../core/errors.js';
import { assemble } from '../runtime/assemble.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const bench = resolve(import.meta.dirname, '..', '..', 'bench', 'mappings');

function config(outbound: unknown, connections: unknown = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'lb-outbound-'));
  dirs.push(dir);
  const file = join(dir, 'bridge.yaml');
  writeFileSync(
    file,
    JSON.stringify({ model: join(bench, 'model.yaml'), flows: { rows: { source: { file: { path: 'in' } }, mapping: join(bench, 'rows-csv.yaml') } }, connections, outbound }, null, 1),
  );
  return file;
}

describe('outbound flows in bridge.yaml', () => {
  it('are assembled with their sink, mapping, connection and echo settings', () => {
    const file = config(
      { out: { types: ['Row'], mapping: join(bench, 'rows-csv.yaml'), sink: { file: { path: 'outbox' } }, connection: 'peer', echo: { suppress: ['rows'] } } },
      { peer: { rateLimit: { limit: 100 } } },
    );
    const loaded = loadConfig(file);
    const flow = assemble(loaded).outbound.get('out')!;
    expect(flow).toMatchObject({ name: 'out', types: ['Row'], ops: ['created', 'updated', 'deleted'], grouping: 'batch', sink: 'file', connection: 'peer', concurrency: 1, batch: { maxRecords: 1000, maxWaitMs: 1000 } });
    expect([...flow.suppress]).toEqual(['rows']);
    expect(flow.mapping?.entity).toBe('Row');
    expect(loaded.config.connections.peer).toMatchObject({ timeoutMs: 30_000, rateLimit: { limit: 100, intervalMs: 60_000 } });
  });

  it('report every problem with its path: unknown type, connection, echo flow, sink adapter and option', () => {
    const file = config({
      a: { types: ['Nope'], sink: { file: { path: 'x', colour: 1 } }, connection: 'missing', echo: { suppress: ['ghost'] } },
      b: { types: ['Row'], sink: { ftp: {} } },
    });
    let error: unknown;
    try {
      assemble(loadConfig(file));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const messages = (error as ConfigError).problems.map((p) => `${p.path}: ${p.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^outbound\.a\.types\[?\.?0\]?: no entity type "Nope" in the model$/),
        expect.stringMatching(/^outbound\.a\.connection: no connection named "missing"/),
        expect.stringMatching(/^outbound\.a\.echo\.suppress\[?\.?0\]?: no inbound flow named "ghost"$/),
        expect.stringMatching(/^outbound\.a\.sink\.file: .*colour/),
        expect.stringMatching(/^outbound\.b\.sink\.ftp: unknown sink adapter "ftp"$/),
      ]),
    );
  });
});
