import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../src/store/index.js';
import { benchMappings, csvRows, makeBridge, startDaemon, type Daemon } from './support/bridge-process.js';

const running: Daemon[] = [];
afterEach(() => {
  for (const d of running.splice(0)) d.child.kill('SIGKILL');
});

describe('two-way sync with a legacy system through its drop folder', () => {
  it('writes other flows\' changes into the system\'s drop folder, and never echoes the system\'s own changes back', async () => {
    const mapping = join(benchMappings, 'rows-csv.yaml');
    const bridge = makeBridge(
      { legacy: { mapping }, other: { mapping } },
      {
        outbound: {
          // The sink writes to the same system the `legacy` flow reads: its changes are suppressed.
          'to-legacy': { types: ['Row'], mapping, sink: { file: { path: 'inbox/legacy', fileName: '{flow}-{seq}.csv' } }, batch: { maxRecords: 100, maxWaitMs: 20 }, echo: { suppress: ['legacy'] } },
        },
      },
    );
    const daemon = startDaemon(bridge.configFile);
    running.push(daemon);
    writeFileSync(join(bridge.inbox('legacy'), 'own.csv'), csvRows(1, 3));
    await daemon.waitForLog((l) => l.msg === 'delivery' && l.delivery === 'own.csv');
    writeFileSync(join(bridge.inbox('other'), 'theirs.csv'), csvRows(4, 2));
    // The other flow's rows reach the legacy system as a file, which it reads back unchanged.
    const written = await daemon.waitForLog((l) => l.msg === 'delivered' && l.flow === 'to-legacy');
    expect(written).toMatchObject({ messageId: 'to-legacy:4-5', changes: 2 });
    const back = await daemon.waitForLog((l) => l.msg === 'delivery' && l.flow === 'legacy' && l.delivery === 'to-legacy-000000000004.csv');
    expect(back).toMatchObject({ status: 'applied', unchanged: 2, created: 0, updated: 0 });
    daemon.child.kill('SIGTERM');
    expect((await daemon.exited).code).toBe(0);

    const processed = readdirSync(join(bridge.inbox('legacy'), 'processed')).map((n) => n.replace(/^\d{8}T\d{6}Z_/, '')).sort();
    expect(processed).toEqual(['own.csv', 'to-legacy-000000000004.csv']);
    const file = readdirSync(join(bridge.inbox('legacy'), 'processed')).find((n) => n.endsWith('to-legacy-000000000004.csv'))!;
    expect(readFileSync(join(bridge.inbox('legacy'), 'processed', file), 'latin1')).toBe(csvRows(4, 2).replaceAll('\n', '\r\n'));
    expect(daemon.logs.filter((l) => l.msg === 'delivered')).toHaveLength(1);
    const store = openSqliteStore({ path: bridge.dbPath });
    try {
      expect(await store.head()).toBe(5);
      expect(await store.outboundPosition('to-legacy')).toMatchObject({ seq: 5, inflight: [] });
    } finally {
      await store.close();
    }
  }, 60_000);
});
