import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import pino from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Delivery, Source } from '../core/delivery.js';
import { DeliveryChangedError } from '../core/errors.js';
import { loadMapping } from '../mapping/index.js';
import { TempStores } from '../store/test-support.js';
import type { AssembledFlow } from './assemble.js';
import { runFlow, type FlowState } from './flow-runner.js';
import { closeIngestWorkers } from './worker-batches.js';

const root = resolve(import.meta.dirname, '..', '..');
const stores = new TempStores();
afterEach(() => stores.cleanup());
afterAll(closeIngestWorkers);

const header = 'ID,NAME,CITY,QTY,PRICE,AMOUNT,DISCOUNT,ORDERED,SHIPPED,STATUS\n';
const row = (i: number, qty = 1) => `ID${String(i).padStart(8, '0')},Name ${i},Lyon,${qty},1.00,1.00,0.00,20260101,20270101,A\n`;
const rows = (from: number, to: number, qty = 1) => Array.from({ length: to - from + 1 }, (_, i) => row(from + i, qty)).join('');
/** A record whose status the mapping's lookup does not know: rejected. */
const badRow = (i: number) => row(i).replace(/,A\n$/, ',X\n');

/**
 * A delivery whose bytes change under the reader: the file source detects that by its hash; here
 * the stream fails the same way after some records, which a real file cannot be made to do on cue.
 */
function changingDelivery(id: string, body: string, failAfter: number, settled: string[]): Delivery {
  return {
    id,
    meta: { name: 'rows.csv' },
    size: Buffer.byteLength(body),
    open: () =>
      new Readable({
        read() {
          this.push(Buffer.from(body.slice(0, failAfter)));
          this.destroy(new DeliveryChangedError('rows.csv changed while it was read'));
        },
      }),
    ack: async () => void settled.push('ack'),
    nack: async (e) => void settled.push(`nack: ${e.message}`),
  };
}

function plainDelivery(id: string, body: string, settled: string[]): Delivery {
  return { id, meta: { name: 'rows.csv' }, size: Buffer.byteLength(body), open: () => Buffer.from(body), ack: async () => void settled.push('ack'), nack: async (e) => void settled.push(`nack: ${e.message}`) };
}

describe('runFlow', () => {
  it('gives up a delivery whose bytes changed while read, forgets its progress, and applies it whole when it comes again', async () => {
    const store = stores.open();
    const settled: string[] = [];
    // The first 5 records, as the reader saw them before the file changed under it, hold other
    // values, and record 3 was bad then; in the real content it is record 8 that is bad.
    const seenBefore = header + rows(1, 2, 7) + badRow(3) + rows(4, 5, 7);
    const real = header + rows(1, 7) + badRow(8) + rows(9, 10);
    const deliveries = [changingDelivery('sha-real', seenBefore + rows(6, 10), seenBefore.length, settled), plainDelivery('sha-real', real, settled)];
    const abort = new AbortController();
    const source: Source = {
      async *read() {
        for (const d of deliveries) yield d;
        abort.abort();
      },
      close: async () => undefined,
    };
    const flow: AssembledFlow = { name: 'rows', mapping: loadMapping(resolve(root, 'bench/mappings/rows-csv.yaml')), mode: 'incremental', maxDeleteShare: 0.2, batchSize: 2, enabled: true, deliversFiles: false, createSource: () => source };
    const lines: { msg: string; discardedRejects?: number }[] = [];
    const log = pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l) as { msg: string }) });
    const state: FlowState = { name: 'rows', state: 'starting', deliveries: 0 };
    await runFlow(flow, store, log, abort.signal, state);

    expect(lines.find((l) => l.msg === 'rows.csv changed while it was read')).toMatchObject({ discardedRejects: 1 });
    // Had the progress of the first attempt (4 records) been kept, records 1-4 would be skipped, still at qty 7.
    const entities = await store.list('Row', { limit: 100 });
    const good = [1, 2, 3, 4, 5, 6, 7, 9, 10].map((i) => [`ID${String(i).padStart(8, '0')}`, 1]);
    expect(entities.map((e) => [e.key, e.data.quantity])).toEqual(good);
    // Only the real content's bad record is open: record 3's reject came from bytes that are gone.
    expect((await store.rejects({ status: 'open' })).map((r) => r.position?.record)).toEqual([8]);
    expect((await store.rejects({ status: 'discarded' })).map((r) => r.position?.record)).toEqual([3]);
    expect(await store.delivery('rows', 'sha-real')).toMatchObject({ state: 'complete', recordsDone: 10 });
    expect(settled).toEqual(['ack']);
  });

  it('logs a delivery resumed after an interrupted run with the records the earlier run committed', async () => {
    const store = stores.open();
    const body = header + rows(1, 10);
    const firstPart = header + rows(1, 6);
    const lines: { msg: string; status?: string; records?: number; resumedAfter?: number; created?: number }[] = [];
    const log = pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l) as { msg: string }) });
    const flow = (source: Source): AssembledFlow => ({ name: 'rows', mapping: loadMapping(resolve(root, 'bench/mappings/rows-csv.yaml')), mode: 'incremental', maxDeleteShare: 0.2, batchSize: 2, enabled: true, deliversFiles: false, createSource: () => source });
    const once = (delivery: Delivery, abort: AbortController): Source => ({
      async *read() {
        yield delivery;
        abort.abort();
      },
      close: async () => undefined,
    });
    const settled: string[] = [];

    // The daemon is stopped once the first six records have been read: the run ends at a batch's commit.
    const stopping = new AbortController();
    let reads = 0;
    const interrupted: Delivery = {
      ...plainDelivery('sha-rows', body, settled),
      open: () =>
        new Readable({
          read() {
            if (reads++ === 0) this.push(Buffer.from(firstPart));
            else {
              stopping.abort();
              this.push(Buffer.from(body.slice(firstPart.length)));
              this.push(null);
            }
          },
        }),
    };
    await runFlow(flow(once(interrupted, stopping)), store, log, stopping.signal, { name: 'rows', state: 'starting', deliveries: 0 });
    const committed = (await store.delivery('rows', 'sha-rows'))!.recordsDone;
    expect(lines.filter((l) => l.msg === 'delivery').map((l) => [l.status, l.records, l.resumedAfter])).toEqual([['interrupted', committed, undefined]]);
    expect(committed).toBeGreaterThan(0);
    expect(committed).toBeLessThan(10);

    const again = new AbortController();
    await runFlow(flow(once(plainDelivery('sha-rows', body, settled), again)), store, log, again.signal, { name: 'rows', state: 'starting', deliveries: 0 });
    expect(lines.filter((l) => l.msg === 'delivery').slice(1).map((l) => [l.status, l.records, l.resumedAfter, l.created])).toEqual([['applied', 10 - committed, committed, 10 - committed]]);
    expect(await store.list('Row', { limit: 100 })).toHaveLength(10);
    expect(settled).toEqual(['ack']);
  });
});
