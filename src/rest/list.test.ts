import { afterEach, describe, expect, it } from 'vitest';
import type { EntityWrite } from '../store/types.js';
import { startTestServer, type TestServer } from './test-server.js';

const open: TestServer[] = [];
afterEach(async () => {
  for (const t of open.splice(0)) await t.close();
});
async function server(): Promise<TestServer> {
  const t = await startTestServer();
  open.push(t);
  return t;
}
interface Page {
  items: { key: string; version: number; data: Record<string, unknown> }[];
  next: string | null;
}
const customer = (i: number, extra: Record<string, unknown> = {}): EntityWrite => ({
  type: 'Customer',
  key: `C${String(i).padStart(4, '0')}`,
  data: {
    customerId: `C${String(i).padStart(4, '0')}`,
    name: `Name ${i}`,
    balance: `${i}.50`,
    openedOn: `2020-01-${String((i % 28) + 1).padStart(2, '0')}`,
    changedAt: `2024-05-01T${String(i % 24).padStart(2, '0')}:00:00+02:00`,
    status: i % 3 === 0 ? 'closed' : 'active',
    address: { city: 'Lyon' },
    ...extra,
  },
});
const seed = (t: TestServer, from: number, to: number) =>
  t.store.apply({ origin: { origin: 'flow:seed', flow: 'seed' }, writes: Array.from({ length: to - from + 1 }, (_, i) => customer(from + i)) });
const keys = async (t: TestServer, path: string) => ((await (await t.fetch(path)).json()) as Page).items.map((e) => e.key);

describe('GET /v1/{type}', () => {
  it('filters on equality, lists and ranges of decimals, dates and datetimes, with sparse fields', async () => {
    const t = await server();
    await seed(t, 1, 30);
    expect(await keys(t, '/v1/Customer?status=closed&limit=3')).toEqual(['C0003', 'C0006', 'C0009']);
    expect(await keys(t, '/v1/Customer?customerId=C0002,C0005&customerId=C0007')).toEqual(['C0002', 'C0005', 'C0007']);
    expect(await keys(t, '/v1/Customer?balance[gte]=9.5&balance[lt]=12')).toEqual(['C0009', 'C0010', 'C0011']);
    expect(await keys(t, '/v1/Customer?openedOn[lte]=2020-01-03')).toEqual(['C0001', 'C0002', 'C0028', 'C0029', 'C0030']);
    // 03:00+02:00 is 01:00Z: datetimes compare as instants, not as text (as text 03:00 > 01:30).
    expect(await keys(t, '/v1/Customer?changedAt[lt]=2024-05-01T01:30:00Z&status=active')).toEqual(['C0001', 'C0002', 'C0025', 'C0026']);
    const sparse = (await (await t.fetch('/v1/Customer?fields=name,address&limit=1')).json()) as Page;
    expect(sparse.items[0].data).toEqual({ name: 'Name 1', address: { city: 'Lyon' } });
    // The same on one entity, with its validators; a field the entity lacks is 400.
    const one = await t.fetch('/v1/Customer/C0001?fields=address,name');
    expect(one.headers.get('etag')).toBe('"1"');
    const body = (await one.json()) as { key: string; data: Record<string, unknown> };
    expect(body).toMatchObject({ key: 'C0001', version: 1 });
    expect(JSON.stringify(body.data)).toBe(JSON.stringify(sparse.items[0].data));
    expect((await t.fetch('/v1/Customer/C0001?fields=nope')).status).toBe(400);
    expect(Object.keys(((await (await t.fetch('/v1/Customer/C0001')).json()) as { data: object }).data).length).toBeGreaterThan(2);
    expect(await keys(t, '/v1/Customer?sort=-key&limit=2')).toEqual(['C0030', 'C0029']);
    const since = new Date().toISOString();
    await t.store.apply({ origin: { origin: 'api:x' }, writes: [customer(5, { name: 'Changed' })] });
    expect(await keys(t, `/v1/Customer?updatedSince=${encodeURIComponent(since)}`)).toEqual(['C0005']);
    expect(await keys(t, '/v1/Customer?sort=-updatedAt&limit=2')).toEqual(['C0005', 'C0030']);
  });

  it('compares decimals exactly, digit for digit, where floating point would call them equal', async () => {
    const t = await server();
    const big = (i: number, balance: string) => customer(i, { balance });
    await t.store.apply({ origin: { origin: 'flow:seed', flow: 'seed' }, writes: [big(1, '12345678901234567.89'), big(2, '12345678901234567.88'), big(3, '-0.5'), big(4, '0.50'), big(5, '-12345678901234567.89')] });
    expect(await keys(t, '/v1/Customer?balance=12345678901234567.89')).toEqual(['C0001']);
    expect(await keys(t, '/v1/Customer?balance[gt]=12345678901234567.88')).toEqual(['C0001']);
    expect(await keys(t, '/v1/Customer?balance[lte]=12345678901234567.88')).toEqual(['C0002', 'C0003', 'C0004', 'C0005']);
    // Equal as numbers, whatever the scale: 0.5 is 0.50.
    expect(await keys(t, '/v1/Customer?balance=0.5,-12345678901234567.89')).toEqual(['C0004', 'C0005']);
    expect(await keys(t, '/v1/Customer?balance[lt]=0&balance[gt]=-1')).toEqual(['C0003']);
    // A JSON number left from when the field was a number still compares.
    await t.store.apply({ origin: { origin: 'flow:seed', flow: 'seed' }, writes: [customer(6, { balance: 7.25 })] });
    expect(await keys(t, '/v1/Customer?balance=7.250')).toEqual(['C0006']);
    expect(await keys(t, '/v1/Customer?balance[gt]=7&balance[lt]=8')).toEqual(['C0006']);
  });

  it('answers 400 naming the parameter for unknown fields, bad values, bad limits and foreign cursors', async () => {
    const t = await server();
    for (const [query, param] of [
      ['nope=1', 'nope'],
      ['balance[gte]=abc', 'balance[gte]'],
      ['name[gt]=a', 'name[gt]'],
      ['address=x', 'address'],
      ['limit=0', 'limit'],
      ['limit=1001', 'limit'],
      ['sort=name', 'sort'],
      ['fields=nope', 'fields'],
      ['updatedSince=yesterday', 'updatedSince'],
      ['cursor=garbage', 'cursor'],
    ]) {
      const r = await t.fetch(`/v1/Customer?${query}`);
      expect(r.status, query).toBe(400);
      expect(((await r.json()) as { detail: string }).detail, query).toContain(param);
    }
  });

  it('pages by cursor in key order with no duplicates or gaps while entities are created, updated and deleted', async () => {
    const t = await server();
    await seed(t, 1, 500);
    const seen: string[] = [];
    let next: string | null = '/v1/Customer?limit=37';
    let round = 0;
    const deleted = new Set<string>();
    while (next) {
      const page = (await (await t.fetch(next)).json()) as Page;
      seen.push(...page.items.map((e) => e.key));
      next = page.next;
      round++;
      // Between pages: new entities on both sides of the cursor, updates, and deletions behind it.
      await t.store.apply({ origin: { origin: 'api:w' }, writes: [customer(1000 + round), customer(round * 7, { name: `upd ${round}` })] });
      const gone = `C${String(round).padStart(4, '0')}`;
      await t.store.apply({ origin: { origin: 'api:w' }, writes: [{ type: 'Customer', key: gone, op: 'delete' }] });
      deleted.add(gone);
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual(seen);
    // Every entity that was live the whole time was seen exactly once.
    for (let i = 1; i <= 500; i++) {
      const k = `C${String(i).padStart(4, '0')}`;
      if (!deleted.has(k)) expect(seen).toContain(k);
    }
  });

  it('pages in updatedAt order by the current version', async () => {
    const t = await server();
    await seed(t, 1, 10);
    await t.store.apply({ origin: { origin: 'api:w' }, writes: [customer(2, { name: 'later' })] });
    const first = (await (await t.fetch('/v1/Customer?sort=updatedAt&limit=6')).json()) as Page;
    const second = (await (await t.fetch(first.next!)).json()) as Page;
    expect([...first.items, ...second.items].map((e) => e.key)).toEqual(['C0001', 'C0003', 'C0004', 'C0005', 'C0006', 'C0007', 'C0008', 'C0009', 'C0010', 'C0002']);
    expect(second.next).toBeNull();
    expect((await t.fetch(`${first.next!.replace('sort=updatedAt', 'sort=key')}`)).status).toBe(400);
  });
});
