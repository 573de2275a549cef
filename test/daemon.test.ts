import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../src/store/index.js';
import { benchMappings, csvRows, makeBridge, repoRoot, startDaemon, type Daemon } from './support/bridge-process.js';

const running: Daemon[] = [];
afterEach(() => {
  for (const d of running.splice(0)) d.child.kill('SIGKILL');
});

function daemon(configFile: string): Daemon {
  const d = startDaemon(configFile);
  running.push(d);
  return d;
}

const rowsCsv = join(benchMappings, 'rows-csv.yaml');
const isDelivery = (name: string) => (l: Record<string, unknown>) => l.msg === 'delivery' && l.delivery === name;

describe('bridge run', () => {
  it('ingests a dropped file, logs one line with its counts, moves it to processed/ and stops cleanly on SIGTERM', async () => {
    const bridge = makeBridge({ rows: { mapping: rowsCsv } });
    const d = daemon(bridge.configFile);
    writeFileSync(join(bridge.inbox('rows'), 'batch 1 (ünïcode).csv'), csvRows(1, 250));
    const line = await d.waitForLog(isDelivery('batch 1 (ünïcode).csv'));
    expect(line).toMatchObject({ flow: 'rows', status: 'applied', records: 250, created: 250, unchanged: 0, rejected: 0 });
    expect(typeof line.ms).toBe('number');
    await expect.poll(() => readdirSync(join(bridge.inbox('rows'), 'processed'))).toEqual([expect.stringMatching(/^\d{8}T\d{6}Z_batch 1 \(ünïcode\)\.csv$/)]);

    // The same bytes again under another name: the same delivery, skipped whole.
    writeFileSync(join(bridge.inbox('rows'), 'batch 2.csv'), csvRows(1, 250));
    expect(await d.waitForLog(isDelivery('batch 2.csv'))).toMatchObject({ status: 'skipped', records: 0, created: 0, unchanged: 0 });
    // The same records with one changed: one new version, the rest unchanged and without events.
    writeFileSync(join(bridge.inbox('rows'), 'batch 3.csv'), csvRows(1, 250, (i, f) => (i === 7 ? [f[0], 'Renamed', ...f.slice(2)] : f)));
    expect(await d.waitForLog(isDelivery('batch 3.csv'))).toMatchObject({ status: 'applied', unchanged: 249, updated: 1, created: 0 });

    d.child.kill('SIGTERM');
    expect(await d.exited).toEqual({ code: 0, signal: null });
    const store = openSqliteStore({ path: bridge.dbPath });
    try {
      expect(await store.head()).toBe(251);
      const row = await store.get('Row', 'ID00000007');
      expect(row).toMatchObject({ version: 2, data: { id: 'ID00000007', name: 'Renamed', quantity: 7, price: '12.50', orderedOn: '2026-11-01', status: 'active' } });
      expect(row?.lineage).toMatchObject({ origin: 'flow:rows', flow: 'rows', deliveryName: 'batch 3.csv', position: { file: 'batch 3.csv', line: 8, record: 7 } });
      expect((await store.history('Row', 'ID00000007')).map((v) => [v.version, v.op, v.lineage.deliveryName])).toEqual([
        [1, 'created', 'batch 1 (ünïcode).csv'],
        [2, 'updated', 'batch 3.csv'],
      ]);
    } finally {
      await store.close();
    }
  });

  it('rejects bad records one by one, commits the good ones, and keeps the file as processed', async () => {
    const bridge = makeBridge({ rows: { mapping: rowsCsv } });
    const d = daemon(bridge.configFile);
    const text = csvRows(1, 5, (i, f) => (i === 2 ? [...f.slice(0, 7), '20260231', ...f.slice(8)] : i === 4 ? f.slice(0, 9) : f));
    writeFileSync(join(bridge.inbox('rows'), 'mixed.csv'), text);
    expect(await d.waitForLog(isDelivery('mixed.csv'))).toMatchObject({ status: 'applied', created: 3, rejected: 2 });
    const out = spawnSync(process.execPath, [join(repoRoot, 'bin/bridge.js'), 'rejects', 'list', '--config', bridge.configFile], { encoding: 'utf8' });
    expect(out.status).toBe(0);
    expect(out.stdout).toMatch(/mixed\.csv:3 .*ORDERED|mixed\.csv:3 .*orderedOn/);
    expect(out.stdout).toMatch(/mixed\.csv:5 .*record\.columns/);
  });

  it('moves a file whose trailer does not hold to failed/ with every error beside it, committing nothing of it', async () => {
    const bridge = makeBridge({ orders: { mapping: join(repoRoot, 'mappings', 'orders.yaml') } }, { model: join(repoRoot, 'mappings', 'model.yaml') });
    const d = daemon(bridge.configFile);
    const good = readFileSync(join(repoRoot, 'fixtures', 'orders', 'ORDERS.TXT'), 'latin1');
    writeFileSync(join(bridge.inbox('orders'), 'ORDERS.TXT'), good.replace('T000006', 'T000007'), 'latin1');
    expect(await d.waitForLog(isDelivery('ORDERS.TXT'))).toMatchObject({ status: 'failed', created: 0 });
    const failed = join(bridge.inbox('orders'), 'failed');
    await expect.poll(() => existsSync(failed) && readdirSync(failed).some((n) => n.endsWith('.errors.json'))).toBe(true);
    const report = JSON.parse(readFileSync(join(failed, readdirSync(failed).find((n) => n.endsWith('.errors.json'))!), 'utf8'));
    expect(report.errors).toEqual([expect.objectContaining({ code: 'file.trailer', message: expect.stringMatching(/RECORD-COUNT/) })]);
    const store = openSqliteStore({ path: bridge.dbPath });
    try {
      expect(await store.head()).toBe(0);
      // Kept for `bridge status`, not only logged.
      expect(await store.deliveryFailures({ flow: 'orders' })).toEqual([
        expect.objectContaining({ status: 'failed', deliveryName: 'ORDERS.TXT', records: 0, errorCount: 1, errors: [expect.objectContaining({ code: 'file.trailer' })] }),
      ]);
    } finally {
      await store.close();
    }
  });

  it('keeps a flow whose drop folder cannot be made up, and makes it and takes files once the way is clear', async () => {
    const bridge = makeBridge({ rows: { mapping: rowsCsv } });
    // A file where the folder's parent should be: the folder cannot be made (as on a share not mounted).
    const blocker = join(bridge.dir, 'later');
    writeFileSync(blocker, '');
    const inbox = join(blocker, 'inbox');
    const config = JSON.parse(readFileSync(bridge.configFile, 'utf8'));
    config.flows.rows.source.file.path = inbox;
    writeFileSync(bridge.configFile, JSON.stringify(config));
    const d = daemon(bridge.configFile);
    expect(await d.waitForLog((l) => l.msg === 'source failed, will be opened again')).toMatchObject({ flow: 'rows', level: 'warn' });
    rmSync(blocker);
    for (let i = 0; i < 300 && !existsSync(inbox); i++) await sleep(50);
    writeFileSync(join(inbox, 'late.csv'), csvRows(1, 3));
    expect(await d.waitForLog(isDelivery('late.csv'))).toMatchObject({ status: 'applied', created: 3 });
  });

  it('refuses to start on a bad config, naming file, line and path, and exits 2', () => {
    const bridge = makeBridge({ rows: { mapping: rowsCsv, mode: 'sometimes' } });
    const out = spawnSync(process.execPath, [join(repoRoot, 'bin/bridge.js'), 'run', '--config', bridge.configFile], { encoding: 'utf8', timeout: 20_000 });
    expect(out.status).toBe(2);
    expect(out.stderr).toMatch(/bridge\.yaml:\d+:\d+ flows\.rows\.mode: Invalid option/);
  });
});
