import { afterEach, describe, expect, it } from 'vitest';
import { PreparedWriteBuffer, preparedWrites, PreparedWrite } from './prepared-write.js';
import { flowOrigin, TempStores, upsert } from './test-support.js';
import type { Position } from '../core/records.js';
import type { EntityWrite, JsonObject } from './types.js';
import type { SqliteStore } from './sqlite-store.js';

const stores = new TempStores();
afterEach(() => stores.cleanup());

const position = { file: 'a.csv', line: 3, record: 2 };

function prepared(type: string, key: string, data: JsonObject, sourceTimestamp?: string): PreparedWrite {
  const buffer = new PreparedWriteBuffer(position.file);
  buffer.add(type, key, data, position, sourceTimestamp);
  return preparedWrites(buffer.take(), position.file)[0];
}

async function applyBoth(make: (plain: boolean) => EntityWrite[][], conflicts = false) {
  const options = conflicts ? { conflicts: [{ type: 'C', policy: 'field-ownership' as const, owners: { name: 'crm', limit: 'erp' } }] } : {};
  const run = async (plain: boolean) => {
    const store: SqliteStore = stores.open(options);
    const results = [];
    for (const [i, writes] of make(plain).entries()) results.push(await store.apply({ origin: flowOrigin(i % 2 ? 'erp' : 'crm'), writes }));
    const history = (await store.history('C', '1')).map(({ at, ...v }) => v);
    return { results, history, entity: (({ createdAt, updatedAt, ...e }) => e)((await store.get('C', '1'))!) };
  };
  const a = await run(true);
  const b = await run(false);
  expect(b).toEqual(a);
  return a;
}

describe('prepared writes (canonical text computed in the ingest worker)', () => {
  it('store exactly what plain writes of the same data store: versions, data, positions, unchanged', async () => {
    const data = [{ b: 1, a: 'x', n: { z: [1, { y: 2, x: 3 }], m: null } }, { a: 'x', b: 1, n: { m: null, z: [1, { x: 3, y: 2 }] } }, { a: 'y', b: 2 }];
    const result = await applyBoth((plain) => data.map((d) => [plain ? upsert('C', '1', d, { position, sourceTimestamp: '2026-01-01T00:00:00Z' }) : prepared('C', '1', d, '2026-01-01T00:00:00Z')]));
    expect(result.results.map((r) => [r.created, r.unchanged, r.updated])).toEqual([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    expect(result.history[0].lineage.position).toEqual(position);
  });

  it('are merged under field ownership from their data, parsed on demand', async () => {
    const result = await applyBoth(
      (plain) => [
        [plain ? upsert('C', '1', { name: 'A', limit: 1 }, { position }) : prepared('C', '1', { name: 'A', limit: 1 })],
        [plain ? upsert('C', '1', { name: 'B', limit: 2 }, { position }) : prepared('C', '1', { name: 'B', limit: 2 })],
      ],
      true,
    );
    expect(result.entity.data).toEqual({ name: 'A', limit: 2 });
  });

  it('read back as the data and position they were made from', () => {
    const w = prepared('C', 'k', { b: [1, 'two'], a: null });
    expect([w.type, w.key, w.data, w.position, w.sourceTimestamp]).toEqual(['C', 'k', { a: null, b: [1, 'two'] }, position, undefined]);
  });

  it('say when their texts must travel, long before one string could not hold them', () => {
    const buffer = new PreparedWriteBuffer('a.csv');
    for (let i = 0; i < 1000; i++) buffer.add('C', `k${i}`, { name: 'Ada' }, position, undefined);
    expect(buffer.full).toBe(false);
    const big = { text: 'x'.repeat(10_000_000) };
    buffer.add('C', 'big1', big, position, undefined);
    expect(buffer.full).toBe(false);
    buffer.add('C', 'big2', big, position, undefined);
    expect(buffer.full).toBe(true);
    const values = buffer.take();
    expect(buffer.full).toBe(false);
    expect(preparedWrites(values, 'a.csv').map((w) => w.key).slice(-2)).toEqual(['big1', 'big2']);
  });

  it('travel packed and come out as they went in: types, keys, texts and timestamps of any length and content', () => {
    const writes: [string, string, JsonObject, Position | undefined, string | undefined][] = [
      ['C', 'k1', { a: 1 }, position, undefined],
      ['C', '', { a: 'é \ud83d\ude00 "q"' }, undefined, '2026-01-01T00:00:00Z'],
      ['D', 'k\u0000\ud800', {}, { file: 'other.csv', line: 1, record: 1 }, undefined],
      ['', 'C', { n: [1, { z: 2, y: null }] }, position, ''],
      ['Customer', 'C', { x: 'D' }, { file: 'a.csv', record: 7 }, '2026-01-02T00:00:00+01:00'],
      ['C', 'k1', { a: 1 }, position, undefined],
    ];
    const buffer = new PreparedWriteBuffer(position.file);
    for (const [type, key, data, p, ts] of writes) buffer.add(type, key, data, p, ts);
    expect(buffer.size).toBe(writes.length);
    const values = buffer.take();
    expect(buffer.size).toBe(0);
    const out = preparedWrites(structuredClone(values, { transfer: [values.numbers.buffer] }), position.file);
    expect(out.map((w) => [w.type, w.key, w.data, w.position, w.sourceTimestamp])).toEqual(writes);
  });

  it('carry every position as the text JSON.stringify gives it, whether it travels as numbers or as text', () => {
    const positions: (Position | undefined)[] = [
      { file: 'a.csv', line: 3, record: 2 },
      { file: 'a.txt', line: 9, record: 9, offset: 744 },
      { file: 'a.txt', record: 4, offset: 372 },
      { file: undefined, line: 1, record: 1 },
      { record: 5, file: 'a.csv' },
      { file: 'other.csv', line: 2, record: 1 },
      { file: 'a.csv', record: 1, messageId: 'm-1' },
      { file: 'a.csv', line: Number.NaN, record: 1, offset: Infinity },
      { file: 'a "quoted" name.csv', line: 2, record: 1 },
      undefined,
    ];
    for (const file of ['a.csv', 'a.txt', undefined]) {
      const buffer = new PreparedWriteBuffer(file);
      for (const p of positions) buffer.add('C', 'k', { a: 1 }, p, undefined);
      const values = buffer.take();
      const writes = preparedWrites(structuredClone(values, { transfer: [values.numbers.buffer] }), file);
      expect(writes.map((w) => w.positionJson)).toEqual(positions.map((p) => (p === undefined ? null : JSON.stringify(p))));
      expect(writes.map((w) => JSON.stringify(w.position) ?? null)).toEqual(positions.map((p) => (p === undefined ? null : JSON.stringify(p))));
    }
  });
});
