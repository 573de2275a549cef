import { readFileSync } from 'node:fs';
import { readdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadMapping } from '../../src/mapping/index.js';
import type { AssembledFlow } from '../../src/runtime/assemble.js';
import { runFlow } from '../../src/runtime/flow-runner.js';
import { closeIngestWorkers } from '../../src/runtime/worker-batches.js';
import { TempStores } from '../../src/store/test-support.js';
import type { Store } from '../../src/store/types.js';
import { createFileSource } from './index.js';
import { fileSourceOptions } from './options.js';
import { tempDir } from './test-support.js';

/** A drop folder run by the runtime against a real store, whose settle folder cannot be made. */

const root = resolve(import.meta.dirname, '..', '..');
const stores = new TempStores();
const dirs: string[] = [];
afterEach(async () => {
  await stores.cleanup();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});
afterAll(closeIngestWorkers);

interface Line {
  msg: string;
  delivery?: string;
  status?: string;
  updated?: number;
  refusedAt?: string;
}

function flowOver(dir: string, name: string, mapping: string, mode: 'incremental' | 'full'): AssembledFlow {
  const options = fileSourceOptions.parse({ path: '.', stableMs: 50, pollMs: 20, settleRetryMs: 150 });
  return {
    name,
    mapping: loadMapping(resolve(root, mapping)),
    mode,
    maxDeleteShare: 0.5,
    batchSize: 100,
    enabled: true,
    deliversFiles: true,
    createSource: (log) => createFileSource(options, { file: 'bridge.yaml', path: `flows.${name}.source.file`, resolve: (p) => resolve(dir, p), log }),
  };
}

/** Runs the flow until `deliveries` delivery lines more were logged, then stops it. */
async function runUntil(flow: AssembledFlow, store: Store, lines: Line[], deliveries: number): Promise<Line[]> {
  const from = lines.length;
  const log = pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l) as Line) });
  const abort = new AbortController();
  const running = runFlow(flow, store, log, abort.signal, { name: flow.name, state: 'starting', deliveries: 0 });
  const logged = () => lines.slice(from).filter((l) => l.msg === 'delivery');
  try {
    await expect.poll(() => logged().length, { timeout: 5000, interval: 20 }).toBeGreaterThanOrEqual(deliveries);
  } finally {
    abort.abort();
    await running;
  }
  return logged();
}

async function folder(files: Record<string, string>): Promise<string> {
  const dir = await tempDir();
  dirs.push(dir);
  for (const [name, body] of Object.entries(files)) await writeFile(join(dir, name), body, 'latin1');
  return dir;
}

const header = 'ID,NAME,CITY,QTY,PRICE,AMOUNT,DISCOUNT,ORDERED,SHIPPED,STATUS\n';
const snapshot = (name2: string) => header + [1, 2, 3].map((i) => `ID${String(i).padStart(8, '0')},${i === 2 ? name2 : `Name ${i}`},Lyon,1,1.00,1.00,0.00,20260101,20270101,A\n`).join('');

describe('a drop folder whose processed/ cannot be made', () => {
  it('applies a full snapshot once and then only tries to move it, in the running daemon and after a restart', async () => {
    // processed/ cannot be made: a file has its name.
    const dir = await folder({ 'A_MON.csv': snapshot('Monday'), 'B_TUE.csv': snapshot('Tuesday'), processed: 'not a folder' });
    const store = stores.open();
    const flow = flowOver(dir, 'rows', 'bench/mappings/rows-csv.yaml', 'full');
    const lines: Line[] = [];
    const names = async () => (await store.history('Row', 'ID00000002')).map((v) => v.data?.name);

    // Each is taken again every 150 ms: Monday's, superseded by Tuesday's, would be applied again.
    const first = await runUntil(flow, store, lines, 8);
    expect(first.map((l) => [l.delivery, l.status])).toEqual([
      ['A_MON.csv', 'applied'],
      ['B_TUE.csv', 'applied'],
      ...Array.from({ length: first.length - 2 }, (_, i) => [i % 2 ? 'B_TUE.csv' : 'A_MON.csv', 'skipped']),
    ]);
    expect(lines.filter((l) => /could not be settled/.test(l.msg))).toHaveLength(first.length);
    expect(await names()).toEqual(['Monday', 'Tuesday']);

    // Restarted with both files still there: still only moves are tried.
    expect((await runUntil(flow, store, lines, 2)).map((l) => l.status)).toEqual(['skipped', 'skipped']);
    expect(await names()).toEqual(['Monday', 'Tuesday']);

    // Fixed: both move, then Monday's snapshot dropped again is the truth again.
    await rm(join(dir, 'processed'));
    expect((await runUntil(flow, store, lines, 2)).map((l) => l.status)).toEqual(['skipped', 'skipped']);
    expect(await readdir(join(dir, 'processed'))).toHaveLength(2);
    expect(await store.delivery('rows', (await store.deliveries({ flow: 'rows' }))[0]!.deliveryId)).toMatchObject({ settledAt: expect.any(String) });
    await writeFile(join(dir, 'C_MON_AGAIN.csv'), snapshot('Monday'));
    expect(await runUntil(flow, store, lines, 1)).toMatchObject([{ delivery: 'C_MON_AGAIN.csv', status: 'applied', updated: 1 }]);
    expect(await names()).toEqual(['Monday', 'Tuesday', 'Monday']);
  });
});

describe('a drop folder whose failed/ cannot be made', () => {
  it('records a refused file once and then only tries to move it, in the running daemon and after a restart', async () => {
    const orders = readFileSync(resolve(root, 'fixtures/orders/ORDERS.TXT'), 'latin1').split('\n');
    // A trailer that does not hold: refused whole.
    const bad = `${orders.slice(0, 9).join('\n')}\nT0000070000000056702\n`;
    const dir = await folder({ 'bad.TXT': bad, failed: 'not a folder' });
    const store = stores.open();
    const flow = flowOver(dir, 'orders', 'mappings/orders.yaml', 'incremental');
    const lines: Line[] = [];

    const first = await runUntil(flow, store, lines, 4);
    expect(first.map((l) => l.status)).toEqual(first.map(() => 'failed'));
    const refusals = await store.deliveryFailures({ flow: 'orders' });
    expect(refusals).toHaveLength(1);
    expect(first.slice(1).map((l) => l.refusedAt)).toEqual(first.slice(1).map(() => refusals[0]!.at));
    expect((await runUntil(flow, store, lines, 2)).map((l) => l.refusedAt)).toEqual([refusals[0]!.at, refusals[0]!.at]);
    expect(await store.deliveryFailures({ flow: 'orders' })).toHaveLength(1);

    // Fixed: moved with the errors recorded then; the same bytes dropped again are checked again.
    await rm(join(dir, 'failed'));
    await runUntil(flow, store, lines, 1);
    expect((await readdir(join(dir, 'failed'))).sort()).toEqual([expect.stringMatching(/_bad\.TXT$/), expect.stringMatching(/_bad\.TXT\.errors\.json$/)]);
    expect(await store.deliveryFailures({ flow: 'orders' })).toMatchObject([{ settledAt: expect.any(String) }]);
    await writeFile(join(dir, 'bad again.TXT'), bad, 'latin1');
    expect(await runUntil(flow, store, lines, 1)).toMatchObject([{ delivery: 'bad again.TXT', status: 'failed' }]);
    expect(await store.deliveryFailures({ flow: 'orders' })).toHaveLength(2);
  });
});
