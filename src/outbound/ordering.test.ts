import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { register } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { FileSink } from '../../adapters/file/sink.js';
import { fileSinkOptions } from '../../adapters/file/sink-options.js';
import { TempStores } from '../store/test-support.js';
import { connection, outboundFlow, ScriptedSink, startEngine, until, writeCustomers } from './test-support.js';

const stores = new TempStores();
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
  await stores.cleanup();
});

describe('outbound ordering and batching', () => {
  it('delivers different keys in parallel up to the concurrency, each key in seq order', async () => {
    const store = stores.open();
    const sink = new ScriptedSink(['http:503', 'ok', 'network']);
    sink.delayMs = 5;
    const keys = ['A', 'B', 'C', 'D', 'E'];
    for (let round = 0; round < 4; round++) await writeCustomers(store, keys, 'legacy', { round });
    const engine = startEngine(store, [outboundFlow(sink, { concurrency: 3 })], connection({ retry: { baseMs: 1, maxMs: 5 } }));
    stops.push(engine.stop);
    await until(() => sink.accepted.length === 20, 5000, 'twenty deliveries');
    expect(sink.maxConcurrent).toBeGreaterThan(1);
    expect(sink.maxConcurrent).toBeLessThanOrEqual(3);
    for (const key of keys) {
      const seqs = sink.accepted.filter((m) => m.changes[0].key === key).map((m) => m.changes[0].seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(seqs).toHaveLength(4);
    }
    await until(async () => (await store.outboundPosition('out')).seq === 20, 2000, 'position 20');
    expect((await store.outboundPosition('out')).done).toEqual([]);
    // The engine's metrics live on the registry it was given, never on prom-client's global one.
    expect(register.getSingleMetric('bridge_outbound_attempts_total')).toBeUndefined();
  });

  it('groups changes into one file per batch: full batches at maxRecords, the rest after maxWait', async () => {
    const store = stores.open();
    const dir = join(stores.path('x'), '..', 'outbox');
    const sink = new FileSink(dir, 'out', fileSinkOptions.parse({ path: dir, fileName: '{flow}-{seq}-{lastSeq}.ndjson', doneMarker: true }));
    await writeCustomers(store, ['C1', 'C2', 'C3', 'C4', 'C5', 'C6', 'C7']);
    const engine = startEngine(store, [outboundFlow(sink, { grouping: 'batch', batch: { maxRecords: 3, maxWaitMs: 150 } })], connection());
    stops.push(engine.stop);
    await until(() => existsSync(dir) && readdirSync(dir).filter((n) => n.endsWith('.done')).length === 3, 5000, 'three batch files');
    const files = readdirSync(dir).sort();
    expect(files).toEqual([
      'out-000000000001-000000000003.ndjson',
      'out-000000000001-000000000003.ndjson.done',
      'out-000000000004-000000000006.ndjson',
      'out-000000000004-000000000006.ndjson.done',
      'out-000000000007-000000000007.ndjson',
      'out-000000000007-000000000007.ndjson.done',
    ]);
    const lines = readFileSync(join(dir, files[2]), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.data.key)).toEqual(['C4', 'C5', 'C6']);
    await until(() => engine.states.get('out')?.delivered === 3, 2000, 'three settled');
  });

  it('sends a message cut short by a stop again after the restart, with the same id, before newer changes of its key', async () => {
    const store = stores.open();
    const hanging = new ScriptedSink([], true);
    await writeCustomers(store, ['C1']);
    const first = startEngine(store, [outboundFlow(hanging)], connection());
    await until(() => hanging.concurrent === 1, 2000, 'a message in flight');
    await first.stop();
    expect(hanging.accepted).toEqual([]);
    await writeCustomers(store, ['C1'], 'legacy', { name: 'newer' });
    const sink = new ScriptedSink();
    const second = startEngine(store, [outboundFlow(sink, { concurrency: 4 })], connection());
    stops.push(second.stop);
    await until(() => sink.accepted.length === 2, 2000, 'both changes');
    expect(sink.accepted.map((m) => m.id)).toEqual(['out:1-1', 'out:2-2']);
    await until(async () => (await store.outboundPosition('out')).seq === 2, 2000, 'position 2');
  });

  it('suppresses changes whose origin is a flow listed under echo.suppress', async () => {
    const store = stores.open();
    const sink = new ScriptedSink();
    await writeCustomers(store, ['C1'], 'same-system');
    await writeCustomers(store, ['C2'], 'other');
    const engine = startEngine(store, [outboundFlow(sink, { suppress: new Set(['same-system']) })], connection());
    stops.push(engine.stop);
    await until(() => sink.accepted.length === 1, 2000, 'one delivery');
    await until(async () => (await store.outboundPosition('out')).seq === 2, 2000, 'position past both');
    expect(sink.accepted[0].changes).toMatchObject([{ key: 'C2' }]);
    expect(engine.states.get('out')).toMatchObject({ suppressed: 1, delivered: 1 });
  });

  it('stops within a bounded time even when a sink ignores the abort, leaving its change to the next start', async () => {
    const store = stores.open();
    await writeCustomers(store, ['C1']);
    let started = false;
    const deaf = { write: () => ((started = true), new Promise<void>(() => {})), close: async () => {} };
    const engine = startEngine(store, [outboundFlow(deaf)], connection());
    await until(() => started, 2000, 'the write');
    const t0 = Date.now();
    await engine.stop();
    // Grace (500 ms in tests) for the write to finish, then as long again after the abort.
    expect(Date.now() - t0).toBeLessThan(2_500);
    expect(await store.outboundPosition('out')).toMatchObject({ seq: 0 });
  });

  it('keeps delivering other keys while many changes of one key wait behind its failing delivery', async () => {
    const store = stores.open();
    for (let i = 0; i < 300; i++) await writeCustomers(store, ['A'], 'legacy', { n: i });
    await writeCustomers(store, ['B']);
    let release: () => void = () => {};
    const released = new Promise<void>((r) => (release = r));
    const accepted: string[] = [];
    const sink = {
      write: async (m: { id: string; changes: { key: string }[] }) => {
        if (m.changes[0].key === 'A' && accepted.length === 0) await released;
        accepted.push(m.id);
      },
      close: async () => {},
    };
    const engine = startEngine(store, [outboundFlow(sink, { concurrency: 2 })], connection());
    stops.push(engine.stop);
    // B (seq 301) sits behind 300 changes of A, more than the read-ahead of 256.
    await until(() => accepted.includes('out:301-301'), 3000, 'B delivered while A waits');
    expect(accepted).toEqual(['out:301-301']);
    release();
    await until(() => accepted.length === 301, 5000, 'every change');
    const aSeqs = accepted.filter((id) => id !== 'out:301-301').map((id) => Number(id.split(':')[1].split('-')[0]));
    expect(aSeqs).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    await until(async () => (await store.outboundPosition('out')).seq === 301, 2000, 'position 301');
  });
});
