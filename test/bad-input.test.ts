import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import iconv from 'iconv-lite';
import { afterEach, describe, expect, it } from 'vitest';
import { benchMappings, csvRows, makeBridge, repoRoot, runCli, startDaemon, withStore, type Daemon } from './support/bridge-process.js';

const running: Daemon[] = [];
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const d of running.splice(0)) d.child.kill('SIGKILL');
  for (const c of cleanups.splice(0)) c();
});

function daemon(configFile: string): Daemon {
  const d = startDaemon(configFile);
  running.push(d);
  return d;
}

const rowsCsv = join(benchMappings, 'rows-csv.yaml');
const isDelivery = (name: string) => (l: Record<string, unknown>) => l.msg === 'delivery' && l.delivery === name;
const started = (l: Record<string, unknown>) => l.msg === 'bridge started';

describe('bad input to the daemon', () => {
  it('refuses a zero-byte CSV that lacks its declared header, processes a header-only one as 0 records, and takes a file with an odd name', async () => {
    const bridge = makeBridge({ rows: { mapping: rowsCsv } });
    const d = daemon(bridge.configFile);
    writeFileSync(join(bridge.inbox('rows'), 'empty.csv'), '');
    expect(await d.waitForLog(isDelivery('empty.csv'))).toMatchObject({
      flow: 'rows',
      status: 'failed',
      records: 0,
      created: 0,
      errors: ['empty.csv:1 (record 0): no header row: the file is empty or blank, and the mapping declares a header [file.structure]'],
    });
    const failed = join(bridge.inbox('rows'), 'failed');
    await expect.poll(() => readdirSync(failed).sort()).toEqual([expect.stringMatching(/^\d{8}T\d{6}Z_empty\.csv$/), expect.stringMatching(/^\d{8}T\d{6}Z_empty\.csv\.errors\.json$/)]);
    writeFileSync(join(bridge.inbox('rows'), 'header-only.csv'), csvRows(1, 0));
    expect(await d.waitForLog(isDelivery('header-only.csv'))).toMatchObject({ status: 'applied', records: 0, created: 0, rejected: 0 });

    const odd = `-rf "it's" $(x) 日本 ü.csv`;
    writeFileSync(join(bridge.inbox('rows'), odd), csvRows(1, 3));
    expect(await d.waitForLog(isDelivery(odd))).toMatchObject({ status: 'applied', records: 3, created: 3 });
    const processed = join(bridge.inbox('rows'), 'processed');
    // Sorted by the original name: the time stamps of the two moves may fall in different seconds.
    const byOriginalName = () => readdirSync(processed).sort((a, b) => (a.slice(17) < b.slice(17) ? -1 : 1));
    await expect.poll(byOriginalName).toEqual([expect.stringMatching(/^\d{8}T\d{6}Z_-rf "it's" \$\(x\) 日本 ü\.csv$/), expect.stringMatching(/^\d{8}T\d{6}Z_header-only\.csv$/)]);
    expect(readdirSync(bridge.inbox('rows')).sort()).toEqual(['failed', 'processed']);
    await withStore(bridge.dbPath, async (store) => {
      expect((await store.get('Row', 'ID00000002'))?.lineage).toMatchObject({ deliveryName: odd, position: { file: odd, line: 3 } });
    });
  });

  it('rejects the undecodable records of a Shift_JIS file read as UTF-8, field by field, and commits the rest', async () => {
    const bridge = makeBridge({ rows: { mapping: 'rows-utf8.yaml' } });
    writeFileSync(join(bridge.dir, 'rows-utf8.yaml'), readFileSync(rowsCsv, 'utf8').replace('encoding: latin1', 'encoding: utf-8'));
    const d = daemon(bridge.configFile);
    const text = csvRows(1, 4, (i, f) => (i === 3 ? [f[0], 'Name 日本語', ...f.slice(2)] : f));
    writeFileSync(join(bridge.inbox('rows'), 'sjis.csv'), iconv.encode(text, 'shift_jis'));
    expect(await d.waitForLog(isDelivery('sjis.csv'))).toMatchObject({ status: 'applied', records: 4, created: 3, rejected: 1 });
    await withStore(bridge.dbPath, async (store) => {
      const rejects = await store.rejects({ flow: 'rows' });
      expect(rejects).toHaveLength(1);
      expect(rejects[0].position).toMatchObject({ file: 'sjis.csv', line: 4, record: 3 });
      expect(rejects[0].errors).toEqual([expect.objectContaining({ code: 'field.encoding', field: 'NAME' })]);
      expect(await store.get('Row', 'ID00000003')).toBeUndefined();
      expect(await store.get('Row', 'ID00000004')).toMatchObject({ data: { name: 'Name 4' } });
    });
  });

  it('refuses whole a UTF-8 file (by its byte-order mark) declared Latin-1, saying so, and commits nothing of it', async () => {
    const bridge = makeBridge({ rows: { mapping: rowsCsv } });
    const d = daemon(bridge.configFile);
    const text = csvRows(1, 3, (i, f) => (i === 2 ? [f[0], 'Zoë Brontë', ...f.slice(2)] : f));
    writeFileSync(join(bridge.inbox('rows'), 'utf8.csv'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]));
    expect(await d.waitForLog(isDelivery('utf8.csv'))).toMatchObject({ status: 'failed', created: 0 });
    const failed = join(bridge.inbox('rows'), 'failed');
    await expect.poll(() => existsSync(failed) && readdirSync(failed).some((n) => n.endsWith('_utf8.csv.errors.json'))).toBe(true);
    const report = JSON.parse(readFileSync(join(failed, readdirSync(failed).find((n) => n.endsWith('.errors.json'))!), 'utf8'));
    expect(report.errors).toEqual([
      expect.objectContaining({ code: 'file.encoding', position: expect.objectContaining({ line: 1 }), message: expect.stringMatching(/UTF-8 byte-order mark .*not latin1/) }),
    ]);
    await withStore(bridge.dbPath, async (store) => expect(await store.head()).toBe(0));
  });

  it('takes a file that is still being written only once it is complete', async () => {
    const bridge = makeBridge({ rows: { mapping: rowsCsv, source: undefined } });
    // The writer pauses for less than stableMs between its writes.
    const config = JSON.parse(readFileSync(bridge.configFile, 'utf8'));
    config.flows.rows.source.file.stableMs = 1000;
    writeFileSync(bridge.configFile, JSON.stringify(config));
    const d = daemon(bridge.configFile);
    await d.waitForLog(started);
    const file = join(bridge.inbox('rows'), 'growing.csv');
    const text = csvRows(1, 600);
    const steps = 6;
    const cut = (n: number) => Math.floor((text.length * n) / steps) + 7; // mid-line, so an early take would show
    writeFileSync(file, text.slice(0, cut(1)));
    for (let n = 2; n <= steps; n++) {
      await sleep(150);
      appendFileSync(file, text.slice(cut(n - 1), n === steps ? text.length : cut(n)));
    }
    expect(await d.waitForLog(isDelivery('growing.csv'), 10_000)).toMatchObject({ status: 'applied', records: 600, created: 600, rejected: 0 });
    await sleep(300);
    expect(d.logs.filter((l) => l.msg === 'delivery')).toHaveLength(1);
  });

  it('leaves a file in place, with a clear error and no loop, when processed/ cannot be written; the daemon goes on', async () => {
    const bridge = makeBridge({ rows: { mapping: rowsCsv } });
    // Tests run as root, for whom permissions do not stop a write: a file where the folder should be does.
    writeFileSync(join(bridge.inbox('rows'), 'processed'), 'not a folder');
    const d = daemon(bridge.configFile);
    writeFileSync(join(bridge.inbox('rows'), 'a.csv'), csvRows(1, 5));
    const failure = await d.waitForLog((l) => typeof l.msg === 'string' && /a\.csv/.test(JSON.stringify(l)) && /cannot move a\.csv to .*processed/.test(JSON.stringify(l)), 10_000);
    expect(failure.level).toMatch(/warn|error/);
    await sleep(1000);
    const about = (name: string) => d.logs.filter((l) => JSON.stringify(l).includes(name));
    expect(about('a.csv').filter((l) => l.msg === 'delivery')).toHaveLength(1);
    expect(about('a.csv').length).toBeLessThanOrEqual(3);
    expect(readdirSync(bridge.inbox('rows')).sort()).toEqual(['a.csv', 'processed']);

    // The next file is still taken: the flow is not stuck on the first.
    writeFileSync(join(bridge.inbox('rows'), 'b.csv'), csvRows(6, 5));
    expect(await d.waitForLog(isDelivery('b.csv'), 10_000)).toMatchObject({ status: 'applied', created: 5 });
    expect(d.child.exitCode).toBeNull();
    await withStore(bridge.dbPath, async (store) => expect(await store.head()).toBe(10));
  });

  it('applies a file of failed/ by hand; when processed/ cannot take it, says so with exit 3, and moves it on a second run', async () => {
    const bridge = makeBridge({ rows: { mapping: rowsCsv } });
    const failed = join(bridge.inbox('rows'), 'failed');
    mkdirSync(failed);
    const refused = join(failed, '20261101T000000Z_r.csv');
    writeFileSync(refused, csvRows(1, 3));
    writeFileSync(`${refused}.errors.json`, '{}');
    writeFileSync(join(bridge.inbox('rows'), 'processed'), 'not a folder');
    const first = await runCli(['ingest', refused, '--flow', 'rows', '--config', bridge.configFile]);
    expect(first.status).toBe(3);
    expect(first.stderr).toMatch(/: applied; 3 records .*\n  but it stays where it is: cannot move 20261101T000000Z_r\.csv to .*processed: .*; run the command again once that is fixed \(it is then skipped, and moved\)/);
    expect(readdirSync(failed).sort()).toEqual(['20261101T000000Z_r.csv', '20261101T000000Z_r.csv.errors.json']);
    rmSync(join(bridge.inbox('rows'), 'processed'));
    const second = await runCli(['ingest', refused, '--flow', 'rows', '--config', bridge.configFile]);
    expect(second.status).toBe(0);
    expect(second.stderr).toMatch(/: skipped; .*\n  moved to .*processed\/20261101T000000Z_r\.csv, its errors report removed/);
    expect(readdirSync(failed)).toEqual([]);
    await withStore(bridge.dbPath, async (store) => expect(await store.head()).toBe(3));
  });

  it('retries while another process holds the store locked, then applies the file exactly once', async () => {
    const bridge = makeBridge({ rows: { mapping: rowsCsv } }, { store: { sqlite: { path: 'bridge.db', busyTimeoutMs: 50 } } });
    const d = daemon(bridge.configFile);
    await d.waitForLog(started);
    const db = new Database(bridge.dbPath);
    cleanups.push(() => db.close());
    db.exec('BEGIN IMMEDIATE');
    writeFileSync(join(bridge.inbox('rows'), 'locked.csv'), csvRows(1, 50));
    const retried = await d.waitForLog((l) => l.msg === 'delivery will be retried' && l.delivery === 'locked.csv', 10_000);
    expect(retried).toMatchObject({ level: 'warn', flow: 'rows', err: expect.objectContaining({ message: expect.stringMatching(/lock|busy/i) }) });
    await sleep(2000);
    expect(d.logs.filter(isDelivery('locked.csv'))).toHaveLength(0);
    db.exec('COMMIT');
    expect(await d.waitForLog(isDelivery('locked.csv'), 40_000)).toMatchObject({ status: 'applied', created: 50 });
    expect(d.logs.filter(isDelivery('locked.csv'))).toHaveLength(1);
    await withStore(bridge.dbPath, async (store) => {
      expect(await store.head()).toBe(50);
      expect((await store.history('Row', 'ID00000001')).length).toBe(1);
    });
  });
});

describe('full sync and conflicts through the daemon', () => {
  const custmast = readFileSync(join(repoRoot, 'fixtures', 'customer-master', 'CUSTMAST.DAT'));
  /** The customer master with only the records numbered (1-based) in `keep`. */
  const only = (...keep: number[]) => Buffer.concat(keep.map((n) => custmast.subarray((n - 1) * 64, n * 64)));

  it('deletes a missing customer, holds a file that would delete too many, and applies it with --force', async () => {
    const bridge = makeBridge(
      { customers: { mapping: join(repoRoot, 'mappings', 'customer-master.yaml'), mode: 'full', maxDeleteShare: 0.2 } },
      { model: join(repoRoot, 'mappings', 'model.yaml') },
    );
    const d = daemon(bridge.configFile);
    const inbox = bridge.inbox('customers');
    writeFileSync(join(inbox, 'day1.DAT'), custmast);
    expect(await d.waitForLog(isDelivery('day1.DAT'))).toMatchObject({ status: 'applied', created: 5 });
    // Three of five missing (60%): a truncated transfer, held whole.
    writeFileSync(join(inbox, 'day2.DAT'), only(1, 2));
    expect(await d.waitForLog(isDelivery('day2.DAT'))).toMatchObject({ level: 'warn', status: 'held', deleted: 0, errors: [expect.stringMatching(/would delete 3 of 5 live entities \(60%\), more than the limit of 20%/)] });
    const failed = join(inbox, 'failed');
    await expect.poll(() => existsSync(failed) && readdirSync(failed).some((n) => n.endsWith('_day2.DAT.errors.json'))).toBe(true);
    const reportName = readdirSync(failed).find((n) => n.endsWith('.errors.json'))!;
    expect(JSON.parse(readFileSync(join(failed, reportName), 'utf8')).errors).toEqual([expect.objectContaining({ message: expect.stringMatching(/is held; re-run it with force/) })]);
    // One of five missing (20%): deleted, with a change event.
    writeFileSync(join(inbox, 'day3.DAT'), only(1, 2, 3, 4));
    expect(await d.waitForLog(isDelivery('day3.DAT'))).toMatchObject({ status: 'applied', deleted: 1, unchanged: 4 });
    d.child.kill('SIGTERM');
    await d.exited;
    await withStore(bridge.dbPath, async (store) => {
      expect(await store.get('Customer', 'C0000005')).toMatchObject({ deleted: true, version: 2, lineage: { deliveryName: 'day3.DAT' } });
      expect((await store.changes({ after: 5, limit: 10 })).map((e) => [e.key, e.op])).toEqual([['C0000005', 'deleted']]);
    });

    const held = join(failed, reportName.replace(/\.errors\.json$/, ''));
    const again = await runCli(['ingest', held, '--flow', 'customers', '--config', bridge.configFile]);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/_day2\.DAT: held; .* 0 deleted.*\n  .*would delete 2 of 4 live entities \(50%\), more than the limit of 20%.*re-run it with force/);
    const forced = await runCli(['ingest', held, '--flow', 'customers', '--config', bridge.configFile, '--force']);
    expect(forced.stderr).toMatch(/: applied; 2 records .* 2 deleted/);
    expect(forced.status).toBe(0);
    // Applied now, the copy in failed/ goes where an applied file goes; its report goes.
    expect(forced.stderr).toContain(`moved to ${join(inbox, 'processed', basename(held))}, its errors report removed`);
    expect(readdirSync(failed).filter((n) => n.includes('day2'))).toEqual([]);
    expect(existsSync(join(inbox, 'processed', basename(held)))).toBe(true);
    await withStore(bridge.dbPath, async (store) => {
      expect((await store.list('Customer', { limit: 10 })).map((e) => e.key)).toEqual(['C0000001', 'C0000002']);
    });

    // A file of garbage: every record rejected, and held for what it would delete; the error says both.
    const garbage = join(bridge.dir, 'garbage.DAT');
    writeFileSync(garbage, Buffer.alloc(128, 0xff));
    const refused = await runCli(['ingest', garbage, '--flow', 'customers', '--config', bridge.configFile]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/would delete 2 of 2 live entities .*; besides, 2 of the 2 records read were rejected/);
    // `bridge status` shows the deliveries refused whole, by the daemon and by the CLI, newest first.
    const status = await runCli(['status', '--json', '--config', bridge.configFile]);
    // Both refusals of day2's bytes (by the daemon, then by the CLI) say it was applied since, with --force.
    const refusedSince = JSON.parse(status.stdout).flows[0].refused;
    expect(refusedSince).toEqual([
      expect.objectContaining({ status: 'held', deliveryName: 'garbage.DAT', records: 2, errorCount: 1 }),
      expect.objectContaining({ status: 'held', deliveryName: expect.stringMatching(/_day2\.DAT$/), records: 2, appliedAt: expect.any(String) }),
      expect.objectContaining({ status: 'held', deliveryName: 'day2.DAT', records: 2, appliedAt: expect.any(String) }),
    ]);
    expect(refusedSince[0]).not.toHaveProperty('appliedAt');
    const text = await runCli(['status', '--config', bridge.configFile]);
    expect(text.stdout).toMatch(/refused whole:\n  \S+  held +garbage\.DAT: .*besides, 2 of the 2 records read were rejected/);
    expect(text.stdout).not.toMatch(/garbage\.DAT: [^\n]*applied since/);
    expect(text.stdout).toMatch(/held +day2\.DAT: .*would delete 3 of 5 .*; applied since, at \S+\n/);
  });

  it('applies a full snapshot whose bytes were applied before when another came between (A, B, A)', async () => {
    const bridge = makeBridge(
      { customers: { mapping: join(repoRoot, 'mappings', 'customer-master.yaml'), mode: 'full', maxDeleteShare: 0.2 } },
      { model: join(repoRoot, 'mappings', 'model.yaml') },
    );
    const d = daemon(bridge.configFile);
    const inbox = bridge.inbox('customers');
    writeFileSync(join(inbox, 'mon.DAT'), custmast);
    expect(await d.waitForLog(isDelivery('mon.DAT'))).toMatchObject({ status: 'applied', created: 5 });
    // Tuesday: customer 5 closed at the source; Wednesday: reopened, the same five records as Monday.
    writeFileSync(join(inbox, 'tue.DAT'), only(1, 2, 3, 4));
    expect(await d.waitForLog(isDelivery('tue.DAT'))).toMatchObject({ status: 'applied', deleted: 1 });
    writeFileSync(join(inbox, 'wed.DAT'), custmast);
    expect(await d.waitForLog(isDelivery('wed.DAT'))).toMatchObject({ status: 'applied', created: 1, unchanged: 4 });
    // Thursday's file is Wednesday's again: a repeat, skipped.
    writeFileSync(join(inbox, 'thu.DAT'), custmast);
    expect(await d.waitForLog(isDelivery('thu.DAT'))).toMatchObject({ status: 'skipped' });
    d.child.kill('SIGTERM');
    await d.exited;
    await withStore(bridge.dbPath, async (store) => {
      expect(await store.get('Customer', 'C0000005')).toMatchObject({ deleted: false, lineage: { deliveryName: 'wed.DAT' } });
      expect((await store.deliveries({ flow: 'customers' })).map((x) => [x.deliveryName, x.state])).toEqual([
        ['wed.DAT', 'complete'],
        ['tue.DAT', 'superseded'],
      ]);
    });
  });

  it('lets a lower-priority flow not overwrite what a higher one wrote (source-priority)', async () => {
    const bridge = makeBridge({ a: { mapping: rowsCsv }, b: { mapping: rowsCsv } }, { conflicts: { Row: { policy: 'source-priority', priority: ['a', 'b'] } } });
    const d = daemon(bridge.configFile);
    writeFileSync(join(bridge.inbox('a'), 'a.csv'), csvRows(1, 5));
    expect(await d.waitForLog(isDelivery('a.csv'))).toMatchObject({ flow: 'a', created: 5 });
    writeFileSync(join(bridge.inbox('b'), 'b.csv'), csvRows(4, 4, (_i, f) => [f[0], 'From B', ...f.slice(2)]));
    expect(await d.waitForLog(isDelivery('b.csv'))).toMatchObject({ flow: 'b', status: 'applied', created: 2, updated: 0, skipped: 2 });
    await withStore(bridge.dbPath, async (store) => {
      expect(await store.get('Row', 'ID00000004')).toMatchObject({ version: 1, data: { name: 'Name 4' }, lineage: { flow: 'a' } });
      expect(await store.get('Row', 'ID00000007')).toMatchObject({ data: { name: 'From B' }, lineage: { flow: 'b' } });
    });
  });
});
