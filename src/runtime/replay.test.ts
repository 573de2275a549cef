import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { deliveryBatch, flowOrigin, TempStores, upsert } from '../store/test-support.js';
import { VersionConflictError } from '../store/errors.js';
import type { RejectInput, RejectRecord, Store } from '../store/types.js';
import type { Assembled } from './assemble.js';
import { replayRejects } from './replay.js';

const stores = new TempStores();
afterEach(() => stores.cleanup());

const rejectOf = (deliveryId: string): RejectInput => ({
  flow: 'rows', deliveryId, deliveryName: `${deliveryId}.csv`, position: { file: `${deliveryId}.csv`, line: 2, record: 1 },
  raw: 'RAW', errors: [{ code: 'field.date', message: 'bad date', field: 'DAY', value: 'X' }], mapping: 'rows.yaml',
  record: { ID: 'H1', DAY: deliveryId }, key: 'H1',
});

/** A delivery of flow rows, complete, that rejects its one record (rejectOf). */
const rejecting = (deliveryId: string) => deliveryBatch('rows', deliveryId, [], 1, true, { rejects: [rejectOf(deliveryId)] });

/** The rejects of a delivery of flow rows for each of `deliveryIds`, applied in turn. */
async function rejectedOn(store: Store, ...deliveryIds: string[]): Promise<RejectRecord[]> {
  for (const id of deliveryIds) await store.apply(rejecting(id));
  return store.rejects({});
}

/** A config of flow rows whose (fixed) mapping maps every record to Row H1 with its DAY. */
const rowsFlow = (mode: 'incremental' | 'full') =>
  ({
    flows: new Map([['rows', { name: 'rows', mode, mapping: { toCanonicalRechecked: (r: { DAY: string }) => ({ entity: 'Row', key: 'H1', data: { day: r.DAY } }) } }]]),
  }) as unknown as Assembled;

/** What the deliveries of flow rows in mode full are applied with. */
const full = { fullSyncType: 'Row', fullSync: { type: 'Row', maxDeleteShare: 1 } };

describe('replayRejects', () => {
  it('leaves open a reject that a later full-sync delivery of its flow sent unchanged, whatever the flow\'s mode is now', async () => {
    const store = stores.open();
    await store.apply(deliveryBatch('rows', 'sun', [upsert('Row', 'H1', { day: 'A' })], 1, true, full));
    // Apart by more than the millisecond a delivery's completion and a reject are compared at.
    await sleep(5);
    await store.apply(deliveryBatch('rows', 'mon', [], 1, true, { ...full, rejects: [rejectOf('mon')] }));
    await sleep(5);
    await store.apply(deliveryBatch('rows', 'tue', [upsert('Row', 'H1', { day: 'A' })], 1, true, full));
    const [mon] = await store.rejects({});

    const superseded = { replayed: 0, superseded: 1, messages: [expect.stringContaining('superseded by delivery tue of flow rows (complete at')] };
    expect(await replayRejects(store, rowsFlow('full'), [mon])).toMatchObject(superseded);
    // Made incremental since: Tuesday was a full set all the same.
    expect(await replayRejects(store, rowsFlow('incremental'), [mon])).toMatchObject(superseded);
    expect(await store.get('Row', 'H1')).toMatchObject({ version: 1, data: { day: 'A' } });
  });

  it('replays a reject that later incremental deliveries of its flow did not write, though the flow is in mode full now', async () => {
    const store = stores.open();
    await store.apply(rejecting('mon'));
    await sleep(5);
    await store.apply(deliveryBatch('rows', 'tue', [upsert('Row', 'OTHER', { day: 'x' })], 1, true));
    const [mon] = await store.rejects({});

    expect(await replayRejects(store, rowsFlow('full'), [mon])).toMatchObject({ replayed: 1, superseded: 0 });
    expect(await store.get('Row', 'H1')).toMatchObject({ version: 1, data: { day: 'mon' } });
  });

  it('writes nothing for a reject discarded after the replay chose it, and says it is not open', async () => {
    const store = stores.open();
    const [mon] = await rejectedOn(store, 'mon');
    // `bridge rejects discard` while the API's replay runs.
    await store.setRejectStatus([mon.id], 'discarded');

    expect(await replayRejects(store, rowsFlow('incremental'), [mon])).toMatchObject({ replayed: 0, notOpen: 1, messages: [`reject ${mon.id} is discarded, not open: it changed after the replay chose it; nothing was written`] });
    expect(await store.get('Row', 'H1')).toBeUndefined();
    expect((await store.reject(mon.id))!.status).toBe('discarded');
  });

  it('leaves open a reject whose write a conflict policy skips, and says so', async () => {
    const store = stores.open({ conflicts: [{ type: 'Row', policy: 'source-priority', priority: ['other', 'rows'] }] });
    await store.apply({ origin: flowOrigin('other', 'o1'), writes: [upsert('Row', 'H1', { day: 'other' })], progress: { flow: 'other', deliveryId: 'o1', recordsDone: 1, complete: true } });
    const [mon] = await rejectedOn(store, 'mon');

    expect(await replayRejects(store, rowsFlow('incremental'), [mon])).toMatchObject({
      replayed: 0, skipped: 1, messages: ['reject 1: skipped by the conflict policy of Row: Row H1 keeps what it holds; left open'],
    });
    expect(await store.get('Row', 'H1')).toMatchObject({ version: 1, data: { day: 'other' } });
    expect((await store.reject(mon.id))!.status).toBe('open');
  });

  it('marks replayed a reject whose record the store holds already (an unchanged write)', async () => {
    const store = stores.open();
    await store.apply(rejecting('mon'));
    // Written since by its own delivery's origin, which does not supersede it.
    await store.apply({ origin: flowOrigin('rows', 'mon'), writes: [upsert('Row', 'H1', { day: 'mon' })] });
    const [mon] = await store.rejects({});

    expect(await replayRejects(store, rowsFlow('incremental'), [mon])).toMatchObject({ replayed: 1, skipped: 0 });
    expect((await store.reject(mon.id))!.status).toBe('replayed');
  });

  it('reports a reject whose write other writers raced every attempt as failed, and goes on with the others', async () => {
    const store = stores.open();
    const [mon, tue] = await rejectedOn(store, 'mon', 'tue');
    // Monday's write always finds another version than it read.
    const racing = withApply(store, async (batch) => {
      if (batch.replayOf === mon.id) throw new VersionConflictError('Row', 'H1', 0, 1);
      return store.apply(batch);
    });

    expect(await replayRejects(racing, rowsFlow('incremental'), [mon, tue])).toMatchObject({
      replayed: 1, failed: 1,
      messages: [`reject ${mon.id}: failed: Row H1: expected version none (absent), current is 1: other writes of the entity raced all 3 attempts; left open, replay it again`],
    });
    expect((await store.reject(mon.id))!.status).toBe('open');
    expect((await store.reject(tue.id))!.status).toBe('replayed');
  });

  it('leaves a replayed reject marked when the process dies right after the write commits', async () => {
    const store = stores.open();
    const [mon, tue] = await rejectedOn(store, 'mon', 'tue');
    // Killed once its write returned: nothing the replay does after it happens.
    const dying = withApply(store, async (batch) => {
      await store.apply(batch);
      throw new Error('killed');
    });
    await expect(replayRejects(dying, rowsFlow('incremental'), [mon])).rejects.toThrow('killed');

    expect((await store.reject(mon.id))!.status).toBe('replayed');
    // Tuesday's reject is newer than Monday's replayed record: not superseded by it.
    expect(await replayRejects(store, rowsFlow('incremental'), [tue])).toMatchObject({ replayed: 1, superseded: 0 });
    expect(await store.get('Row', 'H1')).toMatchObject({ version: 2, data: { day: 'tue' } });
  });
});

/** `store` with its apply replaced: a fault the real store cannot be made to show on cue. */
function withApply(store: Store, apply: Store['apply']): Store {
  return new Proxy(store, { get: (target, name, receiver) => (name === 'apply' ? apply : (Reflect.get(target, name, receiver) as unknown)) });
}
