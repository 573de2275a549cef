import { createHash } from 'node:crypto';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../src/store/index.js';
import type { DeliveryState } from '../src/store/types.js';
import { benchMappings, csvRows, makeBridge, startDaemon, type Daemon } from './support/bridge-process.js';

const running: Daemon[] = [];
afterEach(() => {
  for (const d of running.splice(0)) d.child.kill('SIGKILL');
});

/** Reads the delivery's progress from the store file, as a second process would. */
async function progress(dbPath: string, deliveryId: string): Promise<DeliveryState | undefined> {
  const store = openSqliteStore({ path: dbPath });
  try {
    return await store.delivery('rows', deliveryId);
  } finally {
    await store.close();
  }
}

/** Starts the daemon and kills it (-9) once the delivery has `records` committed, or is complete. */
async function killWhenDone(bridge: { configFile: string; dbPath: string }, deliveryId: string, records: number, env: Record<string, string>): Promise<void> {
  const d = startDaemon(bridge.configFile, env);
  running.push(d);
  for (;;) {
    const state = await progress(bridge.dbPath, deliveryId).catch(() => undefined);
    if (state && (state.recordsDone >= records || state.state === 'complete')) break;
    await sleep(5);
  }
  d.child.kill('SIGKILL');
  await d.exited;
}

// Every way of mapping a delivery: on the store's thread, in the ingest worker while the store
// commits, and in pieces on two workers (a resumed delivery then goes on in one worker).
describe.each(['never', 'always', 'pieces'])('crash safety of the drop-folder flow (ingest worker: %s)', (worker) => {
  it('applies every record exactly once and moves the file exactly once, however often the daemon is killed', async () => {
    const env = { BRIDGE_INGEST_WORKER: worker };
    const records = 60_000;
    const bridge = makeBridge({ rows: { mapping: join(benchMappings, 'rows-csv.yaml'), batchSize: 500 } });
    const content = csvRows(1, records);
    const deliveryId = createHash('sha256').update(content).digest('hex');
    writeFileSync(join(bridge.inbox('rows'), 'big.csv'), content);

    // kill -9 at several points of the file: each restart resumes where the last commit left off.
    const killedAt: number[] = [];
    for (const share of [0.1, 0.4, 0.75]) {
      await killWhenDone(bridge, deliveryId, share * records, env);
      killedAt.push((await progress(bridge.dbPath, deliveryId))?.recordsDone ?? 0);
    }
    expect(killedAt[0]).toBeLessThan(records);
    expect(killedAt[2]).toBeGreaterThanOrEqual(killedAt[0]);

    // Killed after the last commit and before the file was moved.
    const beforeAck = startDaemon(bridge.configFile, { ...env, BRIDGE_FAULT: 'kill-before-ack' });
    running.push(beforeAck);
    expect((await beforeAck.exited).signal).toBe('SIGKILL');
    expect(readdirSync(bridge.inbox('rows'))).toContain('big.csv');
    expect((await progress(bridge.dbPath, deliveryId))?.state).toBe('complete');

    // The last restart finds the file applied: it is moved without touching the store.
    const last = startDaemon(bridge.configFile, env);
    running.push(last);
    expect(await last.waitForLog((l) => l.msg === 'delivery' && l.delivery === 'big.csv')).toMatchObject({ status: 'skipped' });
    last.child.kill('SIGTERM');
    expect((await last.exited).code).toBe(0);

    expect(readdirSync(bridge.inbox('rows')).filter((n) => n !== 'processed')).toEqual([]);
    expect(readdirSync(join(bridge.inbox('rows'), 'processed'))).toEqual([expect.stringMatching(/_big\.csv$/)]);
    const state = await progress(bridge.dbPath, deliveryId);
    // Resumed runs never re-read committed records: a re-read would count them as unchanged.
    expect(state).toMatchObject({ state: 'complete', recordsDone: records, counts: expect.objectContaining({ created: records, unchanged: 0, rejected: 0 }) });
    const store = openSqliteStore({ path: bridge.dbPath });
    try {
      expect(await store.head()).toBe(records);
      const events = await store.changes({ after: 0, limit: records + 10 });
      expect(events).toHaveLength(records);
      expect(new Set(events.map((e) => e.key)).size).toBe(records);
      expect(events.every((e, i) => e.seq === i + 1 && e.op === 'created' && e.version === 1)).toBe(true);
    } finally {
      await store.close();
    }
  }, 120_000);
});

describe('crash safety of a file sent again, its records recognised', () => {
  it('applies each changed record exactly once and counts the rest unchanged, however often the daemon is killed', async () => {
    const env = { BRIDGE_INGEST_WORKER: 'always' };
    const records = 60_000;
    const changed = new Set([7, 20_000, 45_000, 59_999]);
    const bridge = makeBridge({ rows: { mapping: join(benchMappings, 'rows-csv.yaml'), batchSize: 500 } });
    writeFileSync(join(bridge.inbox('rows'), 'monday.csv'), csvRows(1, records));
    const first = startDaemon(bridge.configFile, env);
    running.push(first);
    expect(await first.waitForLog((l) => l.msg === 'delivery' && l.delivery === 'monday.csv')).toMatchObject({ status: 'applied', created: records });
    first.child.kill('SIGTERM');
    await first.exited;

    const again = csvRows(1, records, (i, f) => (changed.has(i) ? [f[0], `Renamed ${i}`, ...f.slice(2)] : f));
    const deliveryId = createHash('sha256').update(again).digest('hex');
    writeFileSync(join(bridge.inbox('rows'), 'tuesday.csv'), again);
    for (const share of [0.2, 0.6]) await killWhenDone(bridge, deliveryId, share * records, env);
    const last = startDaemon(bridge.configFile, env);
    running.push(last);
    const line = await last.waitForLog((l) => l.msg === 'delivery' && l.delivery === 'tuesday.csv');
    last.child.kill('SIGTERM');
    await last.exited;
    expect(line.status).toBe('applied');
    expect(line.recognised).toBeGreaterThan(0);
    const state = await progress(bridge.dbPath, deliveryId);
    expect(state).toMatchObject({ state: 'complete', recordsDone: records, counts: expect.objectContaining({ created: 0, updated: changed.size, unchanged: records - changed.size, rejected: 0 }) });
    const store = openSqliteStore({ path: bridge.dbPath });
    try {
      expect(await store.head()).toBe(records + changed.size);
      const events = await store.changes({ after: records, limit: 100 });
      expect(events.map((e) => [e.key, e.op, e.version])).toEqual([...changed].map((i) => [`ID${String(i).padStart(8, '0')}`, 'updated', 2]));
    } finally {
      await store.close();
    }
  }, 120_000);
});
