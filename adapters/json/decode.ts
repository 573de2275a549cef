import type { ByteInput } from '../../src/core/format.js';
import type { Decoded, DeliveryMeta, LegacyRecord, LegacyValue, Position } from '../../src/core/records.js';
import { slicedChunks } from '../fixed-width/byte-input.js';
import type { JsonOptions } from './options.js';
import { JsonSyntaxError, lineColumn, parseValue } from './parse.js';

const BATCH = 1000;

const isRecord = (v: LegacyValue | undefined): v is LegacyRecord => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Decodes JSON deliveries: one object, an array of objects, or NDJSON (one object a line). The
 * kind is told by the first line: a line that is a whole JSON value starts NDJSON, read line by
 * line as the bytes come; anything else is one document, read whole. Positions: the record's
 * number and the line it starts on. A document that is not JSON fails the delivery (nothing of it
 * can be read); an element or line that is not an object fails its record, or the delivery with
 * `wholeDelivery`.
 */
export async function* decodeJson(input: ByteInput, meta: DeliveryMeta, options: JsonOptions): AsyncIterable<Decoded[]> {
  const file = meta.name;
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  let pending = '';
  let mode: 'unknown' | 'lines' | 'document' = 'unknown';
  let line = 0;
  let record = 0;
  let out: Decoded[] = [];
  const fail = (message: string, position: Position, raw: string, fatal = options.wholeDelivery) => {
    out.push({ error: { code: 'record.decode', message, position }, position, raw: raw.slice(0, 2000), fatal });
  };
  /** Every record of one JSON value (the value at `at`: an object, or an array of them). */
  const take = (value: LegacyValue, line: number | undefined, raw?: string) => {
    const inner = pick(value, options.at);
    for (const item of Array.isArray(inner) ? inner : [inner]) {
      const position: Position = { file, line, record: ++record };
      if (isRecord(item)) out.push({ record: item, position, raw });
      else fail(`expected a JSON object${options.at ? ` at "${options.at}"` : ''}, found ${kindOf(item)}`, position, raw ?? JSON.stringify(item ?? null));
    }
  };
  const takeLine = (text: string) => {
    line++;
    if (!text.trim()) return;
    try {
      const parsed = parseValue(text, 0);
      if (parsed.end < text.length) throw new JsonSyntaxError('expected the end of the line after one JSON value', parsed.end);
      take(parsed.value, line, text);
    } catch (e) {
      if (!(e instanceof JsonSyntaxError)) throw e;
      fail(`column ${e.offset + 1}: ${e.message}`, { file, line, record: ++record }, text);
    }
  };

  /** The text of a chunk (none: the end, which flushes the decoder); undefined, the delivery failed, when the bytes are not UTF-8. */
  const textOf = (chunk?: Buffer): string | undefined => {
    try {
      return chunk ? utf8.decode(chunk, { stream: true }) : utf8.decode();
    } catch {
      fail('the delivery is not valid UTF-8 (JSON is UTF-8 text)', { file, record: record + 1 }, chunk ? chunk.toString('latin1') : pending, true);
      return undefined;
    }
  };

  for await (const chunk of slicedChunks(input)) {
    const text = textOf(chunk);
    if (text === undefined) {
      yield out;
      return;
    }
    pending += text;
    if (mode === 'unknown') mode = kindOfStart(pending);
    if (mode !== 'lines') continue;
    let from = 0;
    for (let nl = pending.indexOf('\n'); nl !== -1; nl = pending.indexOf('\n', from)) {
      takeLine(pending.slice(from, nl).replace(/\r$/, ''));
      from = nl + 1;
    }
    pending = pending.slice(from);
    if (out.length) {
      yield out;
      out = [];
    }
  }
  const rest = textOf();
  if (rest === undefined) {
    yield out;
    return;
  }
  pending += rest;
  // Still 'unknown': no newline came, so the whole delivery is one line.
  if (mode !== 'document') takeLine(pending.replace(/\r$/, ''));
  else {
    try {
      const parsed = parseValue(pending, 0);
      if (parsed.end < pending.length) throw new JsonSyntaxError('expected the end of the document after one JSON value', parsed.end);
      take(parsed.value, undefined);
    } catch (e) {
      if (!(e instanceof JsonSyntaxError)) throw e;
      const at = lineColumn(pending, e.offset);
      const position: Position = { file, line: at.line, record: 1, offset: Buffer.byteLength(pending.slice(0, e.offset)) };
      fail(`column ${at.column}: ${e.message}`, position, pending.slice(Math.max(0, e.offset - 40), e.offset + 40), true);
    }
  }
  for (let k = 0; k < out.length; k += BATCH) yield out.slice(k, k + BATCH);
}

/** The first line decides, once it is complete: a whole JSON value on it means NDJSON. */
function kindOfStart(text: string): 'unknown' | 'lines' | 'document' {
  const nl = text.indexOf('\n');
  if (nl === -1) return 'unknown';
  const first = text.slice(0, nl).replace(/\r$/, '');
  if (!first.trim()) return 'document';
  try {
    return parseValue(first, 0).end === first.length ? 'lines' : 'document';
  } catch {
    return 'document';
  }
}

/** The value at a dotted path; undefined when a step is missing. */
function pick(value: LegacyValue, path: string | undefined): LegacyValue | undefined {
  if (!path) return value;
  let at: LegacyValue | undefined = value;
  for (const step of path.split('.')) at = isRecord(at) && Object.hasOwn(at, step) ? at[step] : undefined;
  return at;
}

function kindOf(v: LegacyValue | undefined): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `the value ${JSON.stringify(v).slice(0, 40)}`;
}
