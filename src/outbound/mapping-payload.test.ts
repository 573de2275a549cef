import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadMapping } from '../mapping/index.js';
import { flowOrigin, TempStores } from '../store/test-support.js';
import { connection, outboundFlow, ScriptedSink, startEngine, until } from './test-support.js';

const stores = new TempStores();
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
  await stores.cleanup();
});

const mapping = loadMapping(resolve(import.meta.dirname, '..', '..', 'bench', 'mappings', 'rows-fixed.yaml'));
const row = (id: string, name: string) => ({ id, name, city: 'Berlin', quantity: 3, price: '12.50', amount: '37.50', discount: '0.00', orderedOn: '2026-11-01', shippedOn: '2026-12-01', status: 'active' });

describe('outbound payloads through a mapping', () => {
  it('encode each batch with the mapping\'s format; a change that cannot be encoded is dead-lettered alone, with why', async () => {
    const store = stores.open();
    await store.apply({
      origin: flowOrigin('legacy'),
      writes: [
        { type: 'Row', key: 'R1', data: row('R1', 'Short') },
        { type: 'Row', key: 'R2', data: row('R2', 'A name far too long for twenty bytes') },
        { type: 'Row', key: 'R3', data: row('R3', 'Also short') },
      ],
    });
    await store.apply({ origin: flowOrigin('legacy'), writes: [{ type: 'Row', key: 'R1', op: 'delete' }] });
    const sink = new ScriptedSink();
    const engine = startEngine(store, [outboundFlow(sink, { types: ['Row'], mapping, grouping: 'batch', batch: { maxRecords: 10, maxWaitMs: 20 } })], connection());
    stops.push(engine.stop);
    await until(() => sink.accepted.length === 1, 3000, 'the batch');
    const [batch] = sink.accepted;
    expect(batch.contentType).toBe('application/octet-stream');
    const lines = batch.body.toString('latin1').split('\n').filter(Boolean);
    // R1 created, R3 created, R1 deleted (its last data): R2 is left out of the batch.
    expect(lines.map((l) => l.slice(0, 10).trim())).toEqual(['R1', 'R3', 'R1']);
    expect(lines.every((l) => l.length === 93)).toBe(true);
    expect(batch.id).toBe('out:1-4');
    const dead = await store.deadLetters({});
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ id: 'out:2-2', changes: [{ seq: 2, key: 'R2' }], attempts: [{ outcome: 'data' }] });
    expect(dead[0].attempts[0].error).toContain('NAME');
    expect(dead[0].body.length).toBe(0);
    await until(async () => (await store.outboundPosition('out')).seq === 4, 2000, 'position 4');
    await engine.stop();

    // After the mapping is fixed (here: a CSV layout without the 20-byte limit), the replay maps
    // the change again and sends it under its original id.
    const fixed = loadMapping(resolve(import.meta.dirname, '..', '..', 'bench', 'mappings', 'rows-csv.yaml'));
    await store.replayDeadLetters([dead[0].deadLetterId]);
    const after = new ScriptedSink();
    const again = startEngine(store, [outboundFlow(after, { types: ['Row'], mapping: fixed, grouping: 'batch', batch: { maxRecords: 10, maxWaitMs: 20 } })], connection());
    stops.push(again.stop);
    await until(() => after.accepted.length === 1, 3000, 'the replayed change');
    expect(after.accepted[0]).toMatchObject({ id: 'out:2-2', contentType: 'text/csv', changes: [{ seq: 2, key: 'R2' }] });
    expect(after.accepted[0].body.toString('latin1')).toContain('R2,A name far too long for twenty bytes,Berlin');
    await until(async () => (await store.outboundPosition('out')).inflight.length === 0, 2000, 'the replay settled');
    expect(await store.deadLetter(dead[0].deadLetterId)).toMatchObject({ status: 'replayed' });
  });
});
