import { once } from 'node:events';
import { createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const benchDir = dirname(fileURLToPath(import.meta.url));
export const outDir = join(benchDir, 'out');

const names = ['Anna Schmidt', 'Bernd Weber', 'Chloé Martin', 'Dario Rossi', 'Eva Novak', 'Farid Haddad', 'Greta Olsen'];
const cities = ['Berlin', 'Lyon', 'Porto', 'Gdansk', 'Brno', 'Aarhus', 'Graz'];

/** One deterministic row of the 10-field benchmark record: text, integer, decimal, date. */
function row(i: number): string[] {
  const day = String((i % 28) + 1).padStart(2, '0');
  const month = String((i % 12) + 1).padStart(2, '0');
  const qty = (i * 7) % 100000;
  const price = (i * 13) % 10000000;
  return [
    `ID${String(i).padStart(8, '0')}`,
    names[i % names.length],
    cities[i % cities.length],
    String(qty),
    (price / 100).toFixed(2),
    ((qty * price) % 1e10 / 100).toFixed(2),
    ((i % 5000) / 100).toFixed(2),
    `2026${month}${day}`,
    `2027${month}${day}`,
    'AOC'[i % 3],
  ];
}

const widths = [10, 20, 15, 6, 9, 11, 5, 8, 8, 1];
const numeric = new Set([3, 4, 5, 6]);

/** The CSV's header line; the fixed-width file has none. */
export const CSV_HEADER = 'ID,NAME,CITY,QTY,PRICE,AMOUNT,DISCOUNT,ORDERED,SHIPPED,STATUS\n';

/** Writes `count` records as CSV (with header) or fixed-width (LF), once; reuses an existing file. */
export async function generate(kind: 'csv' | 'fixed', count: number): Promise<string> {
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `rows-${count}.${kind === 'csv' ? 'csv' : 'txt'}`);
  if (existsSync(file) && statSync(file).size > 0) return file;
  const out = createWriteStream(file);
  let chunk = kind === 'csv' ? CSV_HEADER : '';
  for (let i = 1; i <= count; i++) {
    const fields = row(i);
    if (kind === 'csv') chunk += fields.join(',') + '\n';
    else {
      let line = '';
      for (let f = 0; f < fields.length; f++) {
        const v = numeric.has(f) ? fields[f].replace('.', '') : fields[f];
        line += numeric.has(f) ? v.padStart(widths[f], '0') : v.padEnd(widths[f], ' ');
      }
      chunk += line + '\n';
    }
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk, 'latin1')) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk, 'latin1');
  await once(out, 'finish');
  return file;
}
