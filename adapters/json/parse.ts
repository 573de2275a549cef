import type { LegacyRecord, LegacyValue } from '../../src/core/records.js';

/** A JSON syntax error at a character offset of the text. */
export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** A parsed value, and where it ended in the text. */
export interface Parsed {
  value: LegacyValue;
  end: number;
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/**
 * A JSON parser (RFC 8259) that yields legacy values: numbers keep their text as written (a
 * JSON.parse float would lose the digits of large amounts and ids), booleans become "true" /
 * "false", objects records, arrays arrays. Errors carry the offset where the text went wrong.
 */
export function parseValue(text: string, start: number): Parsed {
  let i = start;
  const skip = () => {
    while (i < text.length && WS.has(text.charCodeAt(i))) i++;
  };
  const fail = (what: string): never => {
    const found = i >= text.length ? 'the end of the input' : JSON.stringify(text[i]);
    throw new JsonSyntaxError(`expected ${what}, found ${found}`, i);
  };
  const string = (): string => {
    i++;
    let out = '';
    let from = i;
    for (;;) {
      if (i >= text.length) fail('a closing quote');
      const c = text.charCodeAt(i);
      if (c === 0x22) break;
      if (c < 0x20) fail('an escaped control character');
      if (c !== 0x5c) {
        i++;
        continue;
      }
      out += text.slice(from, i);
      const e = text[i + 1];
      if (e === 'u') {
        const hex = text.slice(i + 2, i + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
          i += 2;
          fail('four hex digits');
        }
        out += String.fromCharCode(parseInt(hex, 16));
        i += 6;
      } else if (e !== undefined && ESCAPES[e] !== undefined) {
        out += ESCAPES[e];
        i += 2;
      } else {
        i++;
        fail('an escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)');
      }
      from = i;
    }
    out += text.slice(from, i);
    i++;
    return out;
  };
  const value = (depth: number): LegacyValue => {
    if (depth > 200) fail('less nesting (over 200 levels)');
    skip();
    const c = text[i];
    if (c === '{') {
      i++;
      const record: LegacyRecord = {};
      skip();
      if (text[i] === '}') {
        i++;
        return record;
      }
      for (;;) {
        skip();
        if (text[i] !== '"') fail('a field name in quotes');
        const name = string();
        skip();
        if (text[i] !== ':') fail('":"');
        i++;
        // defineProperty: a field named __proto__ is data, never the record's prototype.
        Object.defineProperty(record, name, { value: value(depth + 1), enumerable: true, writable: true, configurable: true });
        skip();
        if (text[i] === ',') i++;
        else if (text[i] === '}') {
          i++;
          return record;
        } else fail('"," or "}"');
      }
    }
    if (c === '[') {
      i++;
      const list: LegacyValue[] = [];
      skip();
      if (text[i] === ']') {
        i++;
        return list;
      }
      for (;;) {
        list.push(value(depth + 1));
        skip();
        if (text[i] === ',') i++;
        else if (text[i] === ']') {
          i++;
          return list;
        } else fail('"," or "]"');
      }
    }
    if (c === '"') return string();
    for (const [word, result] of [['true', 'true'], ['false', 'false'], ['null', null]] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return result;
      }
    }
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (!m) return fail('a JSON value');
    i += m[0].length;
    return m[0];
  };
  const parsed = value(0);
  skip();
  return { value: parsed, end: i };
}

/** Line (1-based) and column (1-based) of an offset, as an editor shows them. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let k = text.indexOf('\n'); k !== -1 && k < offset; k = text.indexOf('\n', k + 1)) {
    line++;
    lineStart = k + 1;
  }
  return { line, column: offset - lineStart + 1 };
}
