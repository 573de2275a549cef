import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChangeEvent } from '../store/types.js';
import { SseReader } from './sse-client.js';
import { json, startTestServer, type TestServer } from './test-server.js';

const open: TestServer[] = [];
const readers: SseReader[] = [];
afterEach(async () => {
  for (const r of readers.splice(0)) await r.drop();
  for (const t of open.splice(0)) await t.close();
});
async function server(options: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  const t = await startTestServer(options);
  open.push(t);
  return t;
}
function reader(url: string, headers?: Record<string, string>): SseReader {
  const r = new SseReader(url, headers);
  readers.push(r);
  return r;
}
const price = (i: number) => ({ type: 'Price', key: `P${i}`, data: { sku: `P${i}`, price: `${i}.00` } });
const seqs = (r: SseReader) => r.events.map((e) => (JSON.parse(e.data) as ChangeEvent).seq);

describe('change feed', () => {
  it('GET /v1/changes pages after a seq, filters by type, and gives next and head', async () => {
    const t = await server();
    await t.store.apply({ origin: { origin: 'flow:f', flow: 'f' }, writes: [price(1), price(2)] });
    await t.fetch('/v1/Customer', json({ customerId: 'C1' }));
    await t.store.apply({ origin: { origin: 'flow:f', flow: 'f' }, writes: [price(3)] });
    const page = (await (await t.fetch('/v1/changes?limit=2')).json()) as { items: ChangeEvent[]; next: string; head: number };
    expect(page.items.map((c) => c.seq)).toEqual([1, 2]);
    expect(page.items[0]).toEqual({ seq: 1, type: 'Price', key: 'P1', op: 'created', version: 1, origin: 'flow:f', at: expect.any(String) });
    expect(page.head).toBe(4);
    expect(page.next).toBe('/v1/changes?after=2&limit=2');
    const rest = (await (await t.fetch(page.next)).json()) as { items: ChangeEvent[]; next: string };
    expect(rest.items.map((c) => [c.seq, c.type, c.origin])).toEqual([
      [3, 'Customer', 'api:anonymous'],
      [4, 'Price', 'flow:f'],
    ]);
    expect(rest.next).toBe('/v1/changes?after=4&limit=2');
    const prices = (await (await t.fetch('/v1/changes?types=Price')).json()) as { items: ChangeEvent[] };
    expect(prices.items.map((c) => c.seq)).toEqual([1, 2, 4]);
    expect((await t.fetch('/v1/changes?after=-1')).status).toBe(400);
    // A misspelt type is a 400 naming it, not a feed that stays empty forever.
    const unknown = await t.fetch('/v1/changes?types=Price,Prices');
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ detail: expect.stringContaining('no entity type "Prices"'), errors: [{ field: 'types' }] });
    expect((await t.fetch('/v1/changes?types=')).status).toBe(400);
    expect((await t.fetch('/v1/changes/stream?types=Nope')).status).toBe(400);
  });

  it('streams as SSE with heartbeats, and a client that drops and resumes with Last-Event-ID misses nothing and sees nothing twice', async () => {
    const t = await server({ server: { sse: { heartbeatMs: 100 } } });
    const total = 3000;
    let written = 0;
    // A writer in the background: batches through the store (seen by polling) and single API writes (poked).
    const writer = (async () => {
      while (written < total) {
        if (written % 100 === 0) {
          await t.fetch(`/v1/Price/P${written}`, json({ sku: `P${written}`, price: '1.00' }, { 'if-match': '*' }, 'PUT'));
          written++;
        } else {
          const n = Math.min(37, total - written);
          await t.store.apply({ origin: { origin: 'flow:f', flow: 'f' }, writes: Array.from({ length: n }, (_, i) => price(written + i)) });
          written += n;
        }
        await sleep(1);
      }
    })();
    const first = reader(`${t.url}/v1/changes/stream`);
    await first.until(() => first.events.length >= 200);
    await first.drop();
    const got = seqs(first);
    const last = first.events.at(-1)!.id!;
    expect(Number(last)).toBe(got.at(-1));
    await sleep(50);
    const second = reader(`${t.url}/v1/changes/stream?after=0`, { 'last-event-id': last });
    await writer;
    await second.until(() => (seqs(second).at(-1) ?? 0) >= total, 20_000);
    const all = [...got, ...seqs(second)];
    expect(all).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(second.events.every((e) => e.event === 'change')).toBe(true);
    await second.until(() => second.comments.includes('heartbeat'), 2_000);
  });

  it('streams only the types asked for, from `after`', async () => {
    const t = await server();
    await t.store.apply({ origin: { origin: 'flow:f', flow: 'f' }, writes: [price(1)] });
    await t.fetch('/v1/Customer', json({ customerId: 'C1' }));
    const r = reader(`${t.url}/v1/changes/stream?types=Customer&after=0`);
    await r.until(() => r.events.length >= 1);
    await t.fetch('/v1/Customer', json({ customerId: 'C2' }));
    await t.store.apply({ origin: { origin: 'flow:f', flow: 'f' }, writes: [price(2)] });
    await t.fetch('/v1/Customer', json({ customerId: 'C3' }));
    await r.until(() => r.events.length >= 3);
    await sleep(150);
    expect(r.events.map((e) => [e.id, (JSON.parse(e.data) as ChangeEvent).key])).toEqual([
      ['2', 'C1'],
      ['3', 'C2'],
      ['5', 'C3'],
    ]);
  });
});

describe('a slow change-stream client', () => {
  it('that stops reading while the feed runs ahead gets every change, in order, once it reads again', async () => {
    const { connect } = await import('node:net');
    const t = await server();
    const socket = connect(t.server.port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    // HTTP/1.0: no chunked encoding, so the bytes read are the event stream itself.
    socket.write('GET /v1/changes/stream?after=0 HTTP/1.0\r\nHost: x\r\n\r\n');
    socket.pause();
    const total = 40_000;
    for (let i = 0; i < total; i += 1000) {
      await t.store.apply({ origin: { origin: 'flow:f', flow: 'f' }, writes: Array.from({ length: 1000 }, (_, j) => price(i + j)) });
      await sleep(5);
    }
    await sleep(300);
    let text = '';
    const ids: number[] = [];
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
      const end = text.lastIndexOf('\n\n');
      if (end < 0) return;
      for (const m of text.slice(0, end).matchAll(/^id: (\d+)$/gm)) ids.push(Number(m[1]));
      text = text.slice(end);
    });
    socket.resume();
    const deadline = Date.now() + 20_000;
    while ((ids.at(-1) ?? 0) < total && Date.now() < deadline) await sleep(20);
    socket.destroy();
    expect(ids.length).toBe(total);
    expect(ids.every((id, i) => id === i + 1)).toBe(true);
  });
});
