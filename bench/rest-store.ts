import { openSqliteStore } from '../src/store/sqlite-store.js';
import type { EntityWrite } from '../src/store/types.js';

/** The key of the benchmark's `Row` number i (1-based), as bench/generate.ts writes it. */
export const rowKey = (i: number): string => `ID${String(i).padStart(8, '0')}`;

const names = ['Anna Schmidt', 'Bernd Weber', 'Chloé Martin', 'Dario Rossi', 'Eva Novak', 'Farid Haddad', 'Greta Olsen'];
const cities = ['Berlin', 'Lyon', 'Porto', 'Gdansk', 'Brno', 'Aarhus', 'Graz'];

/** Row i as canonical data of bench/mappings/model.yaml: what rows-csv.yaml maps generate.ts's row i to. */
export function rowData(i: number): Record<string, unknown> {
  const day = String((i % 28) + 1).padStart(2, '0');
  const month = String((i % 12) + 1).padStart(2, '0');
  const qty = (i * 7) % 100000;
  const price = (i * 13) % 10000000;
  return {
    id: rowKey(i),
    name: names[i % names.length],
    city: cities[i % cities.length],
    quantity: qty,
    price: (price / 100).toFixed(2),
    amount: (((qty * price) % 1e10) / 100).toFixed(2),
    discount: ((i % 5000) / 100).toFixed(2),
    orderedOn: `2026-${month}-${day}`,
    shippedOn: `2027-${month}-${day}`,
    status: ['active', 'open', 'closed'][i % 3],
  };
}

/**
 * Creates a SQLite store at `path` holding Rows 1..count, written straight through Store.applySync
 * in big batches (one delivery): the fastest honest way to a store of a million entities.
 */
export async function buildRowStore(path: string, count: number, batchSize = 20_000): Promise<void> {
  const store = openSqliteStore({ path });
  try {
    for (let from = 1; from <= count; from += batchSize) {
      const writes: EntityWrite[] = [];
      const to = Math.min(count, from + batchSize - 1);
      for (let i = from; i <= to; i++) writes.push({ type: 'Row', key: rowKey(i), data: rowData(i) });
      const progress = { flow: 'bench', deliveryId: 'build', recordsDone: to, complete: to === count };
      store.applySync({ origin: { origin: 'flow:bench', flow: 'bench', deliveryId: 'build' }, writes, progress });
    }
  } finally {
    await store.close();
  }
}

/** CSV text (bench/mappings/rows-csv.yaml layout; write it as latin1) updating Rows from..to: quantity set to `tick`. */
export function updateCsv(from: number, to: number, tick: number): string {
  let out = 'ID,NAME,CITY,QTY,PRICE,AMOUNT,DISCOUNT,ORDERED,SHIPPED,STATUS\n';
  for (let i = from; i <= to; i++) {
    const d = rowData(i);
    const code = { active: 'A', open: 'O', closed: 'C' }[d.status as string];
    const ymd = (s: unknown) => (s as string).replace(/-/g, '');
    out += `${d.id},${d.name},${d.city},${tick},${d.price},${d.amount},${d.discount},${ymd(d.orderedOn)},${ymd(d.shippedOn)},${code}\n`;
  }
  return out;
}
