import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../src/store/index.js';
import type { OutboundPosition } from '../src/store/types.js';
import { benchMappings, csvRows, makeBridge, startDaemon, type Daemon } from './support/bridge-process.js';

const running: Daemon[] = [];
afterEach(() => {
  for (const d of running.splice(0)) d.child.kill('SIGKILL');
});

async function outbox(dbPath: string): Promise<{ position: OutboundPosition; head: number }> {
  const store = openSqliteStore({ path: dbPath });
  try {
    return { position: await store.outboundPosition('rows-out'), head: await store.head() };
  } finally {
    await store.close();
  }
}

/** Batch files by the seq range in their name, with the seqs their lines carry. */
function batches(dir: string): { first: number; last: number; seqs: number[] }[] {
  return readdirSync(dir)
    .filter((n) => n.endsWith('.ndjson'))
    .map((n) => {
      const [, first, last] = /-(\d+)-(\d+)\.ndjson$/.exec(n)!.map(Number);
      const seqs = readFileSync(join(dir, n), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { data: { seq: number } }).data.seq);
      return { first, last, seqs };
    })
    .sort((a, b) => a.first - b.first);
}

describe('crash safety of an outbound flow', () => {
  it('after kill -9 mid-delivery, sends every change at least once, skips none, and keeps message ids stable', async () => {
    const records = 1500;
    const bridge = makeBridge(
      { rows: { mapping: join(benchMappings, 'rows-csv.yaml'), batchSize: 500 } },
      { outbound: { 'rows-out': { types: ['Row'], sink: { file: { path: 'outbox', fileName: '{flow}-{seq}-{lastSeq}.ndjson' } }, batch: { maxRecords: 7, maxWaitMs: 10 } } } },
    );
    const outDir = join(bridge.dir, 'outbox');
    writeFileSync(join(bridge.inbox('rows'), 'rows.csv'), csvRows(1, records));

    // Killed after the sink wrote its third batch and before that batch was settled.
    const first = startDaemon(bridge.configFile, { BRIDGE_FAULT: 'outbound-kill-after-write:3' });
    running.push(first);
    expect((await first.exited).signal).toBe('SIGKILL');
    const afterFault = await outbox(bridge.dbPath);
    expect(afterFault.position.inflight).toHaveLength(1);
    const unsettled = afterFault.position.inflight[0];
    expect(batches(outDir).map((b) => `rows-out:${b.first}-${b.last}`)).toContain(unsettled.id);

    // Killed again at an arbitrary point of the feed.
    const second = startDaemon(bridge.configFile);
    running.push(second);
    expect(await second.waitForLog((l) => l.msg === 'delivered' && l.messageId === unsettled.id)).toMatchObject({ flow: 'rows-out' });
    for (;;) {
      const { position } = await outbox(bridge.dbPath).catch(() => ({ position: { seq: 0 } as OutboundPosition }));
      if (position.seq >= records * 0.4) break;
      await sleep(5);
    }
    second.child.kill('SIGKILL');
    await second.exited;
    const mid = await outbox(bridge.dbPath);
    expect(mid.position.seq).toBeLessThan(records);

    const last = startDaemon(bridge.configFile);
    running.push(last);
    for (;;) {
      const { position, head } = await outbox(bridge.dbPath);
      if (head === records && position.seq === records) break;
      await sleep(20);
    }
    last.child.kill('SIGTERM');
    expect((await last.exited).code).toBe(0);

    // Every message id names one range, never overlapping another: a resent batch kept its id and
    // content; together the batches hold every change exactly once by content.
    const all = batches(outDir);
    let expected = 1;
    for (const b of all) {
      expect(b.first).toBe(expected);
      expect(b.seqs).toEqual(Array.from({ length: b.last - b.first + 1 }, (_, i) => b.first + i));
      expected = b.last + 1;
    }
    expect(expected).toBe(records + 1);
    const final = await outbox(bridge.dbPath);
    expect(final.position).toMatchObject({ seq: records, done: [], inflight: [] });
  }, 120_000);
});
