import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, contentHash } from './canonical-json.js';

/** Rebuilds a value with every object's keys in reverse insertion order. */
function reorder(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reorder);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    // defineProperty: plain assignment of "__proto__" (which fast-check generates) sets the prototype.
    for (const k of Object.keys(value).reverse()) {
      Object.defineProperty(out, k, { value: reorder((value as Record<string, unknown>)[k]), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}

describe('canonicalJson', () => {
  it('sorts keys at every depth and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: true, y: null }], c: 'x' } })).toBe('{"a":{"c":"x","d":[1,{"y":null,"z":true}]},"b":1}');
  });

  it('leaves out undefined properties and writes undefined array items as null, like JSON.stringify', () => {
    expect(canonicalJson({ a: undefined, b: [undefined, 2] })).toBe('{"b":[null,2]}');
    expect(canonicalJson({ when: new Date('2024-01-31T00:00:00Z') })).toBe('{"when":"2024-01-31T00:00:00.000Z"}');
  });

  it('sorts many keys (past the insertion-sort size) like the default sort', () => {
    const keys = Array.from({ length: 200 }, (_, i) => `k${(i * 7919) % 200}é${i % 3}`);
    const object = Object.fromEntries(keys.map((k) => [k, 1]));
    expect(Object.keys(JSON.parse(canonicalJson(object)))).toEqual([...keys].sort());
  });

  it('keeps a "__proto__" key as data', () => {
    expect(canonicalJson(JSON.parse('{"b":1,"__proto__":{"x":1}}'))).toBe('{"__proto__":{"x":1},"b":1}');
  });

  it('refuses what JSON cannot carry', () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow('cannot store the number NaN in canonical JSON');
    expect(() => canonicalJson({ n: 1n })).toThrow('cannot store a value of type bigint in canonical JSON');
  });

  it('is valid JSON equal to the value, whatever the key order (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ depthSize: 'small' }), (value) => {
        const text = canonicalJson(value);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
        expect(canonicalJson(reorder(value))).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  it('writes flat objects of many shapes as the sorted copy would (property)', () => {
    const key = fc.oneof(fc.string(), fc.constantFrom('__proto__', '0', '9', '10', '01', 'a', 'B', 'é', '\ud800'));
    const scalar = fc.oneof(fc.string({ unit: 'binary' }), fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.constantFrom('"', '\\', '\u0001', '\u2028', '😀', '\udc00x'));
    const sortedText = (o: Record<string, unknown>) => {
      const keys = Object.keys(o).sort();
      const copy: Record<string, unknown> = {};
      for (const k of keys) Object.defineProperty(copy, k, { value: o[k], enumerable: true, writable: true, configurable: true });
      return JSON.stringify(copy);
    };
    fc.assert(
      fc.property(fc.array(fc.dictionary(key, scalar, { maxKeys: 6 }), { minLength: 1, maxLength: 4 }), (objects) => {
        // The same shapes again and again, as records of one mapping come.
        for (const o of [...objects, ...objects]) {
          let expected: string | Error;
          try {
            expected = sortedText(o);
            if (Object.values(o).some((v) => typeof v === 'number' && !Number.isFinite(v))) expected = new TypeError();
          } catch (e) {
            expected = e as Error;
          }
          if (expected instanceof Error) expect(() => canonicalJson(o)).toThrow(TypeError);
          else expect(canonicalJson(o)).toBe(expected);
        }
      }),
      // Fewer runs than the writers kept (1024 shapes): every shape here gets one.
      { numRuns: 200 },
    );
  });

  it('hashes with sha256 in hex', () => {
    expect(contentHash('{}')).toBe('44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
  });
});
