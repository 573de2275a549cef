import { afterEach, describe, expect, it } from 'vitest';
import { json, startTestServer, type TestServer } from './test-server.js';

const open: TestServer[] = [];
afterEach(async () => {
  for (const t of open.splice(0)) await t.close();
});
async function server(options: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  const t = await startTestServer(options);
  open.push(t);
  return t;
}
const problem = async (r: Response) => ({ status: r.status, type: r.headers.get('content-type'), body: (await r.json()) as Record<string, unknown> });
const kind = (k: string) => `https://legacy-bridge.dev/problems/${k}`;
const ann = { customerId: 'C1', name: 'Ann', balance: '10.00', status: 'active' };

describe('entities over HTTP', () => {
  it('creates (201, Location, ETag), reads (200, ETag, Last-Modified), answers 304 and 404', async () => {
    const t = await server();
    const created = await t.fetch('/v1/Customer', json(ann));
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe('/v1/Customer/C1');
    expect(created.headers.get('etag')).toBe('"1"');
    expect(await created.json()).toMatchObject({ type: 'Customer', key: 'C1', version: 1, data: ann });
    const got = await t.fetch('/v1/Customer/C1');
    expect(got.status).toBe(200);
    expect(got.headers.get('etag')).toBe('"1"');
    expect(new Date(got.headers.get('last-modified')!).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(got.headers.get('x-content-type-options')).toBe('nosniff');
    const body = (await got.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['createdAt', 'data', 'key', 'type', 'updatedAt', 'version']);
    expect(body).toMatchObject({ type: 'Customer', key: 'C1', version: 1, data: ann });
    // The list builds the same representation in SQL: the two must not drift apart.
    expect(((await (await t.fetch('/v1/Customer')).json()) as { items: unknown[] }).items).toEqual([body]);
    expect((await t.fetch('/v1/Customer/C1', { headers: { 'if-none-match': '"1"' } })).status).toBe(304);
    expect((await t.fetch('/v1/Customer/C1', { headers: { 'if-none-match': '"7"' } })).status).toBe(200);
    expect(await problem(await t.fetch('/v1/Customer/NOPE'))).toMatchObject({ status: 404, type: expect.stringContaining('application/problem+json'), body: { type: kind('not-found'), status: 404 } });
    expect((await t.fetch('/v1/Nope/1')).status).toBe(404);
    expect((await t.fetch('/v2/whatever')).status).toBe(404);
    expect((await problem(await t.fetch('/v1/Customer', json(ann)))).body).toMatchObject({ status: 409, type: kind('conflict') });
  });

  it('refuses (422) an empty key and text with lone surrogates, which could never be read back, and (400) a write without a body', async () => {
    const t = await server();
    const empty = await problem(await t.fetch('/v1/Price', json({ sku: '' })));
    expect(empty.body).toMatchObject({ status: 422, errors: [{ field: 'sku', message: 'empty: a key field needs a value' }] });
    const surrogate = await problem(await t.fetch('/v1/Price', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"sku":"A\\ud800B","description":"x\\udc00"}' }));
    expect(surrogate.body).toMatchObject({ status: 422, errors: [{ field: 'sku' }, { field: 'description' }] });
    expect(await t.store.head()).toBe(0);
    const none = await problem(await t.fetch('/v1/Price', { method: 'POST', headers: { 'content-type': 'application/json' } }));
    expect(none.body).toMatchObject({ status: 400, type: kind('bad-request'), detail: expect.stringContaining('no body') });
    // A DELETE's body is not read: a broken one does not fail it.
    await t.fetch('/v1/Price', json({ sku: 'P1' }));
    expect((await t.fetch('/v1/Price/P1', { method: 'DELETE', headers: { 'content-type': 'application/json', 'if-match': '"1"' }, body: '{"x":' })).status).toBe(204);
  });

  it('keys with "/", "," and spaces travel percent-encoded as one path segment', async () => {
    const t = await server();
    const r = await t.fetch('/v1/Price', json({ sku: 'A/B, 1', price: '1.00' }));
    expect(r.status).toBe(201);
    expect(r.headers.get('location')).toBe('/v1/Price/A%2FB%2C%201');
    expect(await (await t.fetch(r.headers.get('location')!)).json()).toMatchObject({ key: 'A/B, 1' });
  });

  it('lists every field error in a 422, and refuses a body whose key is not the path key', async () => {
    const t = await server();
    const bad = await problem(await t.fetch('/v1/Customer', json({ customerId: 'c-1', balance: 12.5, status: 'gone', extra: 1 })));
    expect(bad.status).toBe(422);
    expect(bad.body.type).toBe(kind('validation-failed'));
    expect((bad.body.errors as { field: string }[]).map((e) => e.field).sort()).toEqual(['balance', 'customerId', 'extra', 'status']);
    const mismatch = await problem(await t.fetch('/v1/Customer/C2', json(ann, { 'if-match': '*' }, 'PUT')));
    expect(mismatch.body).toMatchObject({ status: 422, errors: [{ field: 'customerId', code: 'key.mismatch' }] });
  });

  it('PUT, PATCH and DELETE need If-Match (428), refuse a stale one (412) and apply a current one', async () => {
    const t = await server();
    expect((await t.fetch('/v1/Customer/C1', json(ann, {}, 'PUT'))).status).toBe(428);
    expect((await t.fetch('/v1/Customer/C1', json(ann, { 'if-match': '"1"' }, 'PUT'))).status).toBe(412);
    const created = await t.fetch('/v1/Customer/C1', json(ann, { 'if-match': '*' }, 'PUT'));
    expect(created.status).toBe(201);
    const put = await t.fetch('/v1/Customer/C1', json({ ...ann, name: 'Anne' }, { 'if-match': '"1"' }, 'PUT'));
    expect(put.status).toBe(200);
    expect(put.headers.get('etag')).toBe('"2"');
    const patchInit = (body: unknown, tag: string): RequestInit => ({ method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json', 'if-match': tag }, body: JSON.stringify(body) });
    expect((await problem(await t.fetch('/v1/Customer/C1', patchInit({ name: 'X' }, '"1"')))).body).toMatchObject({ status: 412, type: kind('precondition-failed') });
    const patched = await t.fetch('/v1/Customer/C1', patchInit({ name: null, address: { city: 'Lyon' } }, '"2"'));
    expect(patched.status).toBe(200);
    expect(((await patched.json()) as { data: unknown }).data).toEqual({ customerId: 'C1', balance: '10.00', status: 'active', address: { city: 'Lyon' } });
    expect((await t.fetch('/v1/Customer/C1', patchInit({ balance: 'x' }, '"3"'))).status).toBe(422);
    expect((await problem(await t.fetch('/v1/Customer/C1', { method: 'DELETE' }))).status).toBe(428);
    expect((await t.fetch('/v1/Customer/C1', { method: 'DELETE', headers: { 'if-match': '"2"' } })).status).toBe(412);
    expect((await t.fetch('/v1/Customer/C1', { method: 'DELETE', headers: { 'if-match': '"3"' } })).status).toBe(204);
    expect((await t.fetch('/v1/Customer/C1')).status).toBe(404);
    const history = (await (await t.fetch('/v1/Customer/C1/history')).json()) as { items: { version: number; op: string; lineage: { origin: string } }[] };
    expect(history.items.map((v) => [v.version, v.op, v.lineage.origin])).toEqual([
      [1, 'created', 'api:anonymous'],
      [2, 'updated', 'api:anonymous'],
      [3, 'updated', 'api:anonymous'],
      [4, 'deleted', 'api:anonymous'],
    ]);
  });

  it('takes If-Match lists and If-None-Match: * as RFC 9110 says, and refuses a header that is not entity tags (400)', async () => {
    const t = await server();
    const put = (body: unknown, headers: Record<string, string>) => t.fetch('/v1/Customer/C7', json(body, headers, 'PUT'));
    const c7 = { ...ann, customerId: 'C7' };
    // Create only: absent, so created; present, so 412.
    expect((await put(c7, { 'if-none-match': '*' })).status).toBe(201);
    const again = await problem(await put(c7, { 'if-none-match': '*' }));
    expect(again.body).toMatchObject({ status: 412, detail: expect.stringMatching(/is at version 1, not absent \(If-None-Match: \*\)/) });
    expect((await problem(await put(c7, { 'if-none-match': '"1"' }))).status).toBe(400);
    // Any of a list: the write goes ahead when the entity is at one of them.
    expect((await put({ ...c7, name: 'Two' }, { 'if-match': '"5", W/"1"' })).headers.get('etag')).toBe('"2"');
    const stale = await problem(await put(c7, { 'if-match': '"1", "3"' }));
    expect(stale.body).toMatchObject({ status: 412, detail: expect.stringMatching(/is at version 2, not any of 1, 3$/) });
    const patch = (tag: string) => t.fetch('/v1/Customer/C7', { method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json', 'if-match': tag }, body: '{"name":"Three"}' });
    expect((await problem(await patch('"1", "3"'))).body).toMatchObject({ status: 412, detail: expect.stringMatching(/is at version 2, not any of 1, 3/) });
    expect((await patch('"1", "2"')).status).toBe(200);
    for (const garbage of ['3', '"x"', '"3",', 'W/3']) {
      const bad = await problem(await patch(garbage));
      expect(bad.body).toMatchObject({ status: 400, type: kind('bad-request'), detail: expect.stringMatching(/If-Match .* is not a list of entity tags/) });
    }
    expect((await problem(await t.fetch('/v1/Customer/C7', { method: 'DELETE', headers: { 'if-match': 'nope' } }))).status).toBe(400);
    expect((await t.fetch('/v1/Customer/C7', { method: 'DELETE', headers: { 'if-match': '"2", "3"' } })).status).toBe(204);
  });

  it('lets blindWrites types omit If-Match', async () => {
    const t = await server({ server: { blindWrites: ['Price'] } });
    expect((await t.fetch('/v1/Price/P1', json({ sku: 'P1', price: '1.00' }, {}, 'PUT'))).status).toBe(201);
    expect((await t.fetch('/v1/Price/P1', json({ sku: 'P1', price: '2.00' }, {}, 'PUT'))).status).toBe(200);
    // Concurrent blind patches of different fields: each is merged over the other, none lost.
    const patch = (body: unknown) => t.fetch('/v1/Price/P1', { method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json' }, body: JSON.stringify(body) });
    const patched = await Promise.all([patch({ description: 'Bolt' }), patch({ currency: 'EUR' })]);
    expect(patched.map((r) => r.status)).toEqual([200, 200]);
    expect(((await (await t.fetch('/v1/Price/P1')).json()) as { data: unknown }).data).toEqual({ sku: 'P1', price: '2.00', description: 'Bolt', currency: 'EUR' });
    expect((await t.fetch('/v1/Price/P1', { method: 'DELETE' })).status).toBe(204);
    expect((await t.fetch('/v1/Customer/C1', json(ann, {}, 'PUT'))).status).toBe(428);
  });

  it('of two concurrent conflicting writes exactly one wins and the other gets 412', async () => {
    const t = await server();
    await t.fetch('/v1/Customer', json(ann));
    for (let round = 1; round <= 15; round++) {
      const tag = `"${round}"`;
      const [a, b] = await Promise.all([
        t.fetch('/v1/Customer/C1', json({ ...ann, name: `A${round}` }, { 'if-match': tag }, 'PUT')),
        t.fetch('/v1/Customer/C1', json({ ...ann, name: `B${round}` }, { 'if-match': tag }, 'PUT')),
      ]);
      expect([a.status, b.status].sort()).toEqual([200, 412]);
    }
    expect(await (await t.fetch('/v1/Customer/C1')).json()).toMatchObject({ version: 16 });
    const creates = await Promise.all([1, 2, 3].map(() => t.fetch('/v1/Customer', json({ ...ann, customerId: 'C9' }))));
    expect(creates.map((r) => r.status).sort()).toEqual([201, 409, 409]);
  });

  it('answers 400 for malformed JSON, 413 past the body limit, 415 for other media types, 405 with Allow', async () => {
    const t = await server({ server: { bodyLimit: '1kb' } });
    expect((await problem(await t.fetch('/v1/Customer', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":' }))).body).toMatchObject({ status: 400, type: kind('bad-request') });
    const big = await problem(await t.fetch('/v1/Customer', json({ ...ann, name: 'x'.repeat(2000) })));
    expect(big.body).toMatchObject({ status: 413, type: kind('payload-too-large') });
    const post = await t.fetch('/v1/Customer', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hi' });
    expect(post.headers.get('accept-patch')).toBeNull();
    expect((await problem(post)).body).toMatchObject({ status: 415, type: kind('unsupported-media-type') });
    const patch = await t.fetch('/v1/Customer/C1', { method: 'PATCH', headers: { 'content-type': 'text/plain', 'if-match': '"1"' }, body: 'hi' });
    expect(patch.status).toBe(415);
    expect(patch.headers.get('accept-patch')).toBe('application/merge-patch+json, application/json');
    const r = await t.fetch('/v1/Customer', { method: 'DELETE' });
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('GET, HEAD, POST');
    expect(((await r.json()) as { type: string }).type).toBe(kind('method-not-allowed'));
  });

  it('replays a POST with the same Idempotency-Key, also after a restart, and refuses the key for another body', async () => {
    const first = await server();
    const path = first.store.path;
    const r1 = await first.fetch('/v1/Customer', json(ann, { 'idempotency-key': 'k-1' }));
    const body1 = await r1.text();
    expect(r1.status).toBe(201);
    // A restart: the server and its store closed, a new one on the same file (afterEach removes it).
    await first.server.close();
    await first.store.close();
    const t = await server({ storePath: path });
    const r2 = await t.fetch('/v1/Customer', json(ann, { 'idempotency-key': 'k-1' }));
    expect(r2.status).toBe(201);
    expect(r2.headers.get('location')).toBe('/v1/Customer/C1');
    expect(r2.headers.get('idempotent-replayed')).toBe('true');
    expect(await r2.text()).toBe(body1);
    const reused = await problem(await t.fetch('/v1/Customer', json({ ...ann, name: 'Other' }, { 'idempotency-key': 'k-1' })));
    expect(reused.body).toMatchObject({ status: 422, type: kind('idempotency-key-reused') });
    expect((await t.store.history('Customer', 'C1')).length).toBe(1);
    // Concurrent repeats of a new key: one creation, every answer the same 201.
    const repeats = await Promise.all([1, 2, 3, 4].map(() => t.fetch('/v1/Customer', json({ ...ann, customerId: 'C7' }, { 'idempotency-key': 'k-2' }))));
    expect(repeats.map((r) => r.status)).toEqual([201, 201, 201, 201]);
    expect(new Set(await Promise.all(repeats.map((r) => r.text()))).size).toBe(1);
  });
});
