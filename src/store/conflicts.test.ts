import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../core/errors.js';
import { compileConflicts } from './conflicts.js';
import { flowOrigin, TempStores, upsert } from './test-support.js';
import type { EntityWrite, Origin } from './types.js';

const stores = new TempStores();
afterEach(() => stores.cleanup());

const crm = flowOrigin('crm');
const erp = flowOrigin('erp');
const api: Origin = { origin: 'api:portal' };
const at = (sourceTimestamp: string, data: Record<string, unknown>): EntityWrite => upsert('C', '1', data, { sourceTimestamp });

describe('no policy', () => {
  it('applies every write in arrival order, whatever its source timestamp', async () => {
    const store = stores.open();
    await store.apply({ origin: crm, writes: [at('2024-02-01T00:00:00Z', { v: 'new' })] });
    expect(await store.apply({ origin: erp, writes: [at('2024-01-01T00:00:00Z', { v: 'old' })] })).toMatchObject({ updated: 1, skipped: 0 });
    expect((await store.get('C', '1'))!.data).toEqual({ v: 'old' });
  });
});

describe('last-write-wins', () => {
  const conflicts = [{ type: 'C', policy: 'last-write-wins' as const }];

  it('skips a write older than the stored one, applies an equal or newer one, and compares instants not text', async () => {
    const store = stores.open({ conflicts });
    await store.apply({ origin: crm, writes: [at('2024-02-01T12:00:00+02:00', { v: 1 })] });
    expect(await store.apply({ origin: erp, writes: [at('2024-02-01T10:30:00Z', { v: 2 })] })).toMatchObject({ skipped: 0, updated: 1 });
    expect(await store.apply({ origin: erp, writes: [at('2024-02-01T10:00:00Z', { v: 3 })] })).toMatchObject({ skipped: 1, updated: 0, lastSeq: 2 });
    expect(await store.apply({ origin: crm, writes: [at('2024-02-01T10:30:00.000Z', { v: 4 })] })).toMatchObject({ updated: 1 });
    expect((await store.get('C', '1'))!.data).toEqual({ v: 4 });
    // A delete with an older timestamp is skipped too.
    expect(await store.apply({ origin: erp, writes: [{ type: 'C', key: '1', op: 'delete', sourceTimestamp: '2023-12-31T00:00:00Z' }] })).toMatchObject({ skipped: 1 });
  });

  it('takes the arrival time for a write without timestamp, so an older legacy record cannot overwrite it', async () => {
    const store = stores.open({ conflicts });
    await store.apply({ origin: crm, writes: [at('2024-02-01T00:00:00Z', { v: 1 })] });
    expect(await store.apply({ origin: api, writes: [upsert('C', '1', { v: 'api' })] })).toMatchObject({ updated: 1 });
    expect(await store.apply({ origin: crm, writes: [at('2024-03-01T00:00:00Z', { v: 2 })] })).toMatchObject({ skipped: 1 });
    expect(await store.apply({ origin: crm, writes: [at('2999-01-01T00:00:00Z', { v: 3 })] })).toMatchObject({ updated: 1 });
  });

  it('leaves other entity types to arrival order', async () => {
    const store = stores.open({ conflicts });
    await store.apply({ origin: crm, writes: [upsert('D', '1', { v: 1 }, { sourceTimestamp: '2024-02-01' })] });
    expect(await store.apply({ origin: crm, writes: [upsert('D', '1', { v: 2 }, { sourceTimestamp: '2024-01-01' })] })).toMatchObject({ updated: 1 });
  });
});

describe('source-priority', () => {
  const conflicts = [{ type: 'C', policy: 'source-priority' as const, priority: ['erp', 'api:*', 'crm'] }];

  it('lets a lower-priority source not overwrite, an equal or higher one overwrite, and ranks unlisted sources lowest', async () => {
    const store = stores.open({ conflicts });
    await store.apply({ origin: crm, writes: [upsert('C', '1', { v: 'crm' })] });
    expect(await store.apply({ origin: flowOrigin('other'), writes: [upsert('C', '1', { v: 'other' })] })).toMatchObject({ skipped: 1 });
    expect(await store.apply({ origin: api, writes: [upsert('C', '1', { v: 'api' })] })).toMatchObject({ updated: 1 });
    expect(await store.apply({ origin: crm, writes: [upsert('C', '1', { v: 'crm2' })] })).toMatchObject({ skipped: 1 });
    expect(await store.apply({ origin: { origin: 'api:other' }, writes: [upsert('C', '1', { v: 'api2' })] })).toMatchObject({ updated: 1 });
    expect(await store.apply({ origin: erp, writes: [upsert('C', '1', { v: 'erp' })] })).toMatchObject({ updated: 1 });
    expect(await store.apply({ origin: api, writes: [upsert('C', '1', { v: 'api3' })] })).toMatchObject({ skipped: 1 });
    expect((await store.get('C', '1'))!).toMatchObject({ data: { v: 'erp' }, version: 4 });
  });

  it("does not let a lower-priority source revive a higher one's tombstone", async () => {
    const store = stores.open({ conflicts });
    await store.apply({ origin: erp, writes: [upsert('C', '1', { v: 1 }), { type: 'C', key: '1', op: 'delete' }] });
    expect(await store.apply({ origin: crm, writes: [upsert('C', '1', { v: 2 })] })).toMatchObject({ skipped: 1, created: 0 });
    expect((await store.get('C', '1'))!.deleted).toBe(true);
  });
});

describe('field-ownership', () => {
  const conflicts = [{ type: 'C', policy: 'field-ownership' as const, owners: { balance: 'erp', email: 'api:*' } }];

  it("keeps fields owned by others at their stored value, and lets each owner set and remove its own", async () => {
    const store = stores.open({ conflicts });
    // crm creates: it may not set balance or email, so they stay absent.
    await store.apply({ origin: crm, writes: [upsert('C', '1', { name: 'Ada', balance: '9.99', email: 'x@crm' })] });
    expect((await store.get('C', '1'))!.data).toEqual({ name: 'Ada' });
    await store.apply({ origin: erp, writes: [upsert('C', '1', { name: 'Ada L.', balance: '1.00' })] });
    await store.apply({ origin: api, writes: [upsert('C', '1', { email: 'ada@example.org', balance: '0.00' })] });
    // The API write removed name (unowned, absent from its write) and could not touch balance.
    expect((await store.get('C', '1'))!.data).toEqual({ balance: '1.00', email: 'ada@example.org' });
    // crm again: owned fields kept; with the same result the write is unchanged.
    const same = await store.apply({ origin: crm, writes: [upsert('C', '1', { balance: '5', email: 'other' })] });
    expect(same).toMatchObject({ unchanged: 1, updated: 0 });
    // erp removes its own field by leaving it out.
    await store.apply({ origin: erp, writes: [upsert('C', '1', { name: 'Ada' })] });
    expect((await store.get('C', '1'))!).toMatchObject({ data: { email: 'ada@example.org', name: 'Ada' }, lineage: { origin: 'flow:erp' } });
  });

  it('lets any source delete, and a revival starts from what that writer may set', async () => {
    const store = stores.open({ conflicts });
    await store.apply({ origin: erp, writes: [upsert('C', '1', { balance: '1.00' })] });
    expect(await store.apply({ origin: crm, writes: [{ type: 'C', key: '1', op: 'delete' }] })).toMatchObject({ deleted: 1 });
    expect(await store.apply({ origin: crm, writes: [upsert('C', '1', { name: 'B', balance: '2' })] })).toMatchObject({ created: 1 });
    expect((await store.get('C', '1'))!.data).toEqual({ name: 'B' });
  });
});

describe('compileConflicts', () => {
  it('lists every problem in one ConfigError', () => {
    const run = () =>
      compileConflicts([
        { type: 'A', policy: 'last-write-wins' },
        { type: 'A', policy: 'last-write-wins' },
        { type: 'B', policy: 'source-priority' },
        { type: 'C', policy: 'field-ownership', owners: {} },
      ]);
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(
      [
        'store options (conflicts[1]): entity type A has more than one conflict policy',
        'store options (conflicts[2]): source-priority for B needs a non-empty priority list',
        'store options (conflicts[3]): field-ownership for C needs owners (field: source)',
      ].join('\n'),
    );
  });
});
