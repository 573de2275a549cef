import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadMapping } from './index.js';
import { MODEL, testFormats, writeFiles } from './testing.js';

// An invertible mapping: every field uses only transforms with an inverse.
const MAPPING = `# Round-trip fixture: every transform here has an inverse.
entity: Customer
source: { test-lines: {} }
fields:
  customerId: { from: ID, transform: [trim, upper] }
  name:       { from: NAME, transform: [trim] }
  balance:    { from: BAL, transform: [{ decimal: { scale: 2 } }] }
  price:      { from: PRICE, transform: [{ decimal: { separator: ',', scale: 2 } }] }
  count:      { from: CNT, transform: [integer] }
  openedOn:   { from: OPENED, transform: [{ date: ddMMyyyy, nullIf: ['00000000'] }] }
  changedAt:  { from: CHANGED, transform: [{ datetime: yyyyMMddHHmmss, zone: Europe/Berlin }] }
  startsAt:   { from: STARTS, transform: [{ time: HHmm }] }
  status:     { from: STATUS, lookup: { A: active, C: closed } }
  vip:        { from: VIP, lookup: { 'Y': true, 'N': false } }
  tags:       { from: TAGS, transform: [{ split: '|' }] }
  address.city: { from: ADDR.CITY }
  lines:      { from: DETAIL, each: { sku: SKU, qty: { from: QTY, transform: [integer] } } }
`;

const digits = (min: number, max: number) => fc.stringMatching(new RegExp(`^[0-9]{${min},${max}}$`));
const noLead = (s: string) => s.replace(/^0+(?=\d)/, '');
const pad2 = (n: number) => String(n).padStart(2, '0');

const legacy = fc.record({
  ID: fc.stringMatching(/^[A-Z0-9]{1,10}$/),
  NAME: fc.stringMatching(/^[a-z][a-z ]{0,8}[a-z]$/),
  BAL: fc.tuple(fc.boolean(), digits(1, 12)).map(([neg, d]) => {
    const n = noLead(d);
    return n === '0' ? '0' : `${neg ? '-' : ''}${n}`;
  }),
  PRICE: fc.tuple(digits(1, 6), digits(2, 2)).map(([i, f]) => `${noLead(i)},${f}`),
  CNT: fc.integer({ min: 0, max: 1e9 }).map(String),
  OPENED: fc.oneof(fc.constant('00000000'), fc.date({ min: new Date('1900-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }).map((d) => `${pad2(d.getUTCDate())}${pad2(d.getUTCMonth() + 1)}${d.getUTCFullYear()}`)),
  // Whole hours at noon never fall into a clock change.
  CHANGED: fc.date({ min: new Date('1980-01-01'), max: new Date('2037-12-31'), noInvalidDate: true }).map((d) => `${d.getUTCFullYear()}${pad2(d.getUTCMonth() + 1)}${pad2(d.getUTCDate())}${pad2(d.getUTCHours() % 12 + 6)}${pad2(d.getUTCMinutes())}00`),
  STARTS: fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([h, m]) => `${pad2(h)}${pad2(m)}`),
  STATUS: fc.constantFrom('A', 'C'),
  VIP: fc.constantFrom('Y', 'N'),
  TAGS: fc.array(fc.stringMatching(/^[a-z]{1,4}$/), { minLength: 1, maxLength: 4 }).map((t) => t.join('|')),
  ADDR: fc.record({ CITY: fc.stringMatching(/^[A-Za-z]{1,8}$/) }),
  DETAIL: fc.array(fc.record({ SKU: fc.stringMatching(/^[A-Z0-9]{1,6}$/), QTY: fc.integer({ min: 0, max: 999 }).map(String) }), { maxLength: 3 }),
});

describe('round trip', () => {
  const dir = writeFiles({ 'model.yaml': MODEL, 'rt.yaml': MAPPING });
  const m = loadMapping(join(dir, 'rt.yaml'), { formats: testFormats });

  it('has no reverse problems', () => {
    expect(m.reverseProblems).toEqual([]);
  });

  it('fromCanonical(toCanonical(r)) reproduces r', () => {
    fc.assert(
      fc.property(legacy, (r) => {
        const mapped = m.toCanonical(r, { record: 1 });
        if (Array.isArray(mapped)) throw new Error(JSON.stringify(mapped));
        expect(m.fromCanonical(mapped.data)).toEqual(r);
      }),
      { numRuns: 300 },
    );
  });
});
