/**
 * Writes the example legacy files of the fixture cases (fixtures/<case>/), byte by byte, so that every byte of them
 * is explained here rather than by the codecs under test. Run: node --import tsx scripts/make-samples.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { textCodec } from '../src/encoding/index.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
function write(file: string, bytes: Buffer): void {
  mkdirSync(dirname(join(fixtures, file)), { recursive: true });
  writeFileSync(join(fixtures, file), bytes);
}

/** COMP-3: two digits a byte, the last nibble the sign (C positive, D negative). */
function packed(value: bigint, bytes: number): Buffer {
  const digits = (value < 0n ? -value : value).toString().padStart(bytes * 2 - 1, '0');
  const nibbles = [...digits].map(Number).concat(value < 0n ? 0xd : 0xc);
  const buf = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) buf[i] = (nibbles[2 * i] << 4) | nibbles[2 * i + 1];
  return buf;
}

/** EBCDIC zoned decimal: digits F0–F9, the last digit's zone C (+) or D (−). */
function zonedEbcdic(value: bigint, length: number): Buffer {
  const digits = (value < 0n ? -value : value).toString().padStart(length, '0');
  const buf = Buffer.from([...digits].map((d) => 0xf0 | Number(d)));
  buf[length - 1] = ((value < 0n ? 0xd : 0xc) << 4) | Number(digits[length - 1]);
  return buf;
}

const cp037 = textCodec('cp037');
const ebcdic = (text: string, length: number) => cp037.encode(text.padEnd(length, ' ').slice(0, length)).bytes;

// Customer master: 64-byte EBCDIC records, no separators (see mappings/customer-master.yaml).
const customers: [string, string, bigint, bigint, string, string, string][] = [
  ['C0000001', 'Müller Maschinenbau GmbH', 1234567n, 5000000n, '19980312', 'A', 'DE'],
  ['C0000002', 'Société Générale de Café', -4550n, 100000n, '20010131', 'A', 'FR'],
  ['C0000003', 'Ørsted Nordic A/S', 0n, 0n, '00000000', 'C', 'DK'],
  ['C0000004', 'Acme Supplies, Inc.', 99999999n, 9999999n, '20191115', 'S', 'US'],
  ['C0000005', 'José Peña Ltda.', -1n, 250000n, '20240229', 'A', 'BR'],
];
const master = Buffer.concat(
  customers.map(([id, name, balance, limit, opened, status, country]) =>
    Buffer.concat([ebcdic(id, 8), ebcdic(name, 30), packed(balance, 5), zonedEbcdic(limit, 7), ebcdic(opened, 8), ebcdic(status, 1), ebcdic(country, 2), ebcdic('', 3)]),
  ),
);
write('customer-master/CUSTMAST.DAT', master);

// Orders: 40-byte latin-1 lines, H/D/T record types (see mappings/orders.yaml).
const cents = (c: number, width: number) => String(c).padStart(width, '0');
const lines: string[] = [];
let details = 0;
let total = 0;
const orders: [string, string, string, string, [string, number, number][]][] = [
  ['ORD0000001', 'C0000001', '20261101', 'EUR', [['SKU-100', 2, 1999], ['SKU-200', 1, 45000]]],
  ['ORD0000002', 'C0000002', '20261102', 'EUR', [['SKU-300', 10, 250]]],
  ['ORD0000003', 'C0000004', '20261103', 'USD', [['SKU-100', 1, 2199], ['SKU-400', 3, 1000], ['SKU-500', 1, 5]]],
];
for (const [no, customer, date, currency, items] of orders) {
  lines.push(`H${no}${customer}${date}${currency}`.padEnd(40, ' '));
  items.forEach(([sku, qty, price], i) => {
    const amount = qty * price;
    details++;
    total += amount;
    lines.push(`D${String(i + 1).padStart(3, '0')}${sku.padEnd(12, ' ')}${String(qty).padStart(5, '0')}${cents(price, 9)}${cents(amount, 10)}`);
  });
}
lines.push(`T${String(details).padStart(6, '0')}${cents(total, 13)}`.padEnd(40, ' '));
write('orders/ORDERS.TXT', Buffer.from(lines.join('\n') + '\n', 'latin1'));

// Price list: Windows-1252 CSV with `;`, decimal comma, dd.MM.yyyy, CRLF (see mappings/price-list.yaml).
const cp1252 = textCodec('windows-1252');
const prices = [
  'ARTIKELNR;BEZEICHNUNG;PREIS;WAEHRUNG;GUELTIG_AB',
  'SKU-100;Müsli „Früchte“ 500 g;3,49;EUR;01.11.2026',
  'SKU-200;Crème brûlée – 4 Stück;12,90;EUR;01.11.2026',
  'SKU-300;"Kaffee; gemahlen, 1 kg";17,50;EUR;15.11.2026',
  'SKU-400;Œufs frais (10) — Bio;4,20;EUR;01.12.2026',
  'SKU-500;Versandkostenpauschale €;5,00;EUR;01.01.2027',
];
write('price-list/PRICES.CSV', cp1252.encode(prices.join('\r\n') + '\r\n').bytes);

console.log(`wrote ${fixtures}: customer-master/CUSTMAST.DAT, orders/ORDERS.TXT, price-list/PRICES.CSV`);
