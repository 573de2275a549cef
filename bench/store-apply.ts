/**
 * Measures Store.apply throughput (not part of `npm test`):
 *   node --import tsx bench/store-apply.ts [rows] [rounds]
 * Prints the best rows/s over the rounds, each on a fresh store, for new entities, unchanged
 * rewrites (plain and in a full-sync delivery), updates, and the baseline measured in the same
 * run: better-sqlite3 plain inserts of the same JSON, one transaction per 1,000 rows, WAL.
 * Batches of 1,000 are one delivery; only its last batch commits with synchronous=FULL.
 * Also prints rows per CPU second (user + system), steadier than wall time on a shared machine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteStore } from '../src/store/sqlite-store.js';
import type { ApplyBatch, EntityWrite } from '../src/store/types.js';

const rows = Number(process.argv[2] ?? 100_000);
const rounds = Number(process.argv[3] ?? 3);
const batchSize = 1000;
const best = new Map<string, number>();
const bestCpu = new Map<string, number>();

function batches(rev: number): EntityWrite[][] {
  const out: EntityWrite[][] = [];
  for (let from = 0; from < rows; from += batchSize) {
    const batch: EntityWrite[] = [];
    for (let i = from; i < from + batchSize; i++) {
      const id = String(i).padStart(10, '0');
      const data = { customerId: id, name: `Customer ${i}`, balance: `${i % 100000}.${rev}0`, openedOn: '2024-01-31', status: 'active', city: 'Springfield', zip: '12345', country: 'US', segment: 'retail', rev };
      batch.push({ type: 'Customer', key: id, data, position: { file: 'cust.txt', line: i + 1, record: i + 1 } });
    }
    out.push(batch);
  }
  return out;
}

function time(label: string, fn: () => void): void {
  const started = performance.now();
  const cpu = process.cpuUsage();
  fn();
  const perSecond = rows / ((performance.now() - started) / 1000);
  const used = process.cpuUsage(cpu);
  const perCpuSecond = rows / ((used.user + used.system) / 1e6);
  best.set(label, Math.max(best.get(label) ?? 0, perSecond));
  bestCpu.set(label, Math.max(bestCpu.get(label) ?? 0, perCpuSecond));
}

// Writes are built before timing: this measures the store, not the building of objects.
const rev0 = batches(0);
const rev1 = batches(1);
for (let round = 0; round < rounds; round++) {
  const dir = mkdtempSync(join(tmpdir(), 'lb-bench-'));
  const store = openSqliteStore({ path: join(dir, 'store.db') });
  const delivery = (id: string, all: EntityWrite[][], extra: Partial<ApplyBatch> = {}) => () => {
    all.forEach((writes, b) => {
      const progress = { flow: 'crm', deliveryId: id, recordsDone: (b + 1) * batchSize, complete: b === all.length - 1 };
      store.applySync({ origin: { origin: 'flow:crm', flow: 'crm', deliveryId: id }, writes, progress, ...extra });
    });
  };
  time('new entities', delivery('d1', rev0));
  time('unchanged', delivery('d2', rev0));
  time('unchanged, full-sync delivery', delivery('d3', rev0, { fullSyncType: 'Customer' }));
  time('updated', delivery('d4', rev1));
  await store.close();

  const db = new Database(join(dir, 'plain.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT)');
  const insert = db.prepare('INSERT INTO t VALUES (?, ?)');
  const json = rev0.map((b) => b.map((w) => [w.key, JSON.stringify(w.data)] as const));
  const tx = db.transaction((batch: (typeof json)[number]) => {
    for (const [k, v] of batch) insert.run(k, v);
  });
  time('baseline: plain insert', () => json.forEach((batch) => tx(batch)));
  db.close();
  rmSync(dir, { recursive: true, force: true });
}
const baseline = best.get('baseline: plain insert')!;
const baselineCpu = bestCpu.get('baseline: plain insert')!;
for (const [label, perSecond] of best) {
  const perCpu = bestCpu.get(label)!;
  const figures = `${Math.round(perSecond).toLocaleString('en').padStart(9)} rows/s (${(perSecond / baseline).toFixed(2)} of baseline)`;
  console.log(`${label.padEnd(30)} ${figures}   ${Math.round(perCpu).toLocaleString('en').padStart(9)} rows/cpu-s (${(perCpu / baselineCpu).toFixed(2)})`);
}
