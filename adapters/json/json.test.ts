import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { isDecodeFailure, type Decoded, type LegacyRecord } from '../../src/core/records.js';
import { jsonFormat, jsonOptions } from './index.js';

const codec = (options: Record<string, unknown> = {}) => jsonFormat.create(jsonOptions.parse(options), { file: 'm.yaml', path: 'source.json', resolve: (p) => p });

async function decode(input: string | Buffer[] | Buffer, options: Record<string, unknown> = {}): Promise<Decoded[]> {
  const bytes = typeof input === 'string' ? Buffer.from(input) : Array.isArray(input) ? Readable.from(input) : input;
  const out: Decoded[] = [];
  for await (const batch of codec(options).decode(bytes, { name: 'hook-1' })) out.push(...batch);
  return out;
}

describe('json format', () => {
  it('decodes one object, keeping numbers as written and booleans as text', async () => {
    const [d] = await decode('{"id": 12345678901234567890, "amount": 10.50, "ok": true, "none": null, "tags": ["a"], "addr": {"city": "Zürich"}}');
    expect(d).toMatchObject({ record: { id: '12345678901234567890', amount: '10.50', ok: 'true', none: null, tags: ['a'], addr: { city: 'Zürich' } }, position: { file: 'hook-1', record: 1 } });
  });

  it('decodes an array of objects, each with its record number; a non-object fails its record only', async () => {
    const out = await decode('[\n {"a": "1"},\n 7,\n {"a": "3"}\n]');
    expect(out.map((d) => (isDecodeFailure(d) ? `fail ${d.position.record}: ${d.error.message}` : `ok ${d.position.record}`))).toEqual([
      'ok 1',
      'fail 2: expected a JSON object, found the value "7"',
      'ok 3',
    ]);
    expect(out.some((d) => isDecodeFailure(d) && d.fatal)).toBe(false);
  });

  it('decodes NDJSON line by line across chunk boundaries, with line numbers', async () => {
    const out = await decode(['{"a":"1"}\n{"a"', ':"2"}\n\n{bad}\r\n{"a":"4"}'].map((s) => Buffer.from(s)));
    expect(out.map((d) => [d.position.line, d.position.record, isDecodeFailure(d) ? d.error.message : (d.record as LegacyRecord).a])).toEqual([
      [1, 1, '1'],
      [2, 2, '2'],
      [4, 3, 'column 2: expected a field name in quotes, found "b"'],
      [5, 4, '4'],
    ]);
  });

  it('a document that is not JSON fails the delivery, naming line and column', async () => {
    const out = await decode('{\n  "a": "1",\n  "b": tru\n}');
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ fatal: true, position: { file: 'hook-1', line: 3, record: 1 }, error: { code: 'record.decode', message: 'column 8: expected a JSON value, found "t"' } });
  });

  it('with wholeDelivery every failure is fatal and the codec asks to be checked whole', async () => {
    expect(codec({ wholeDelivery: true }).checksWholeDelivery).toBe(true);
    const out = await decode('[{"a":"1"}, "x", null]', { wholeDelivery: true });
    expect(out.filter((d) => isDecodeFailure(d) && d.fatal).map((d) => d.position.record)).toEqual([2, 3]);
  });

  it('takes the records at a path inside an envelope', async () => {
    const out = await decode('{"type": "Customer.updated", "data": [{"id": "C1"}, {"id": "C2"}]}', { at: 'data' });
    expect(out.map((d) => (d as { record: LegacyRecord }).record.id)).toEqual(['C1', 'C2']);
    const missing = await decode('{"type": "x"}', { at: 'data' });
    expect(isDecodeFailure(missing[0]) && missing[0].error.message).toBe('expected a JSON object at "data", found nothing');
  });

  it('refuses bytes that are not UTF-8, and keeps __proto__ as data', async () => {
    const bad = await decode(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]));
    expect(bad[0]).toMatchObject({ fatal: true, error: { message: 'the delivery is not valid UTF-8 (JSON is UTF-8 text)' } });
    // A multi-byte character cut off by the end of the delivery is found only when the decoder is flushed.
    const cut = await decode(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3]));
    expect(cut).toEqual([expect.objectContaining({ fatal: true, error: expect.objectContaining({ message: 'the delivery is not valid UTF-8 (JSON is UTF-8 text)' }) })]);
    const [d] = await decode('{"__proto__": {"x": "1"}}');
    const record = (d as { record: LegacyRecord }).record;
    expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
    expect(Object.keys(record)).toEqual(['__proto__']);
  });

  it('encodes back as NDJSON or an array that decodes to the same records', async () => {
    const records: LegacyRecord[] = [{ a: '0012', b: null, c: { d: ['x'] } }, { a: 'é"\n' }];
    for (const encodeAs of ['lines', 'array']) {
      const chunks: Buffer[] = [];
      for await (const c of codec({ encodeAs }).encode(records)) chunks.push(c);
      const text = Buffer.concat(chunks).toString();
      expect(text.startsWith(encodeAs === 'array' ? '[' : '{"a":"0012"')).toBe(true);
      const back = await decode(text);
      expect(back.map((d) => (d as { record: LegacyRecord }).record)).toEqual(records);
    }
  });
});
