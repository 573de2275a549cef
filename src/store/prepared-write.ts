import type { Position } from '../core/records.js';
import { canonicalJson } from './canonical-json.js';
import type { EntityWrite, JsonObject } from './types.js';

/**
 * An upsert whose canonical text was computed elsewhere — by the ingest worker, on the other
 * core — so that the store's thread only compares texts and inserts. It is an ordinary
 * EntityWrite: `data` is parsed from the text when something reads it (a field-ownership merge),
 * which the plain write path never does. The position's text is made only for a write that
 * stores a version: most writes of a re-ingest are unchanged.
 *
 * The fields are exactly what a PreparedWriteBuffer was given: a prepared write and a plain one
 * of equal data store the same text and position text.
 */
export class PreparedWrite implements EntityWrite {
  private parsedData: JsonObject | undefined;
  private pos: Position | undefined;

  constructor(
    readonly type: string,
    readonly key: string,
    /** canonicalJson(data) */
    readonly json: string,
    /** JSON.stringify(position), or null without one; undefined while it is only numbers. */
    private text: string | null | undefined,
    /** The delivery's name and where the position's line, record and offset are in `numbers`. */
    private readonly file: DeliveryFile,
    private readonly numbers: Float64Array,
    private readonly at: number,
    readonly sourceTimestamp: string | undefined,
  ) {}

  get data(): JsonObject {
    return (this.parsedData ??= JSON.parse(this.json) as JsonObject);
  }

  get position(): Position | undefined {
    if (this.pos !== undefined) return this.pos;
    if (this.text === undefined) {
      const [line, record, offset] = this.numbers.subarray(this.at, this.at + 3);
      // Keys in the decoders' order, so that JSON.stringify gives the text the worker would have.
      this.pos = { file: this.file.name, line: absent(line), record, offset: absent(offset) };
    } else if (typeof this.text === 'string') this.pos = JSON.parse(this.text) as Position;
    return this.pos;
  }

  /** JSON.stringify(position), or null without a position. */
  get positionJson(): string | null {
    if (this.text === undefined) {
      // Made on the store's thread for every new entity of a first ingest, where that thread is
      // the slower one: written as JSON.stringify writes it, without the object in between.
      const n = this.numbers;
      const line = n[this.at];
      const offset = n[this.at + 2];
      let t = this.file.json === undefined ? '{' : `{"file":${this.file.json},`;
      if (!Number.isNaN(line)) t += `"line":${line},`;
      t += `"record":${n[this.at + 1]}`;
      if (!Number.isNaN(offset)) t += `,"offset":${offset}`;
      this.text = `${t}}`;
    }
    return this.text;
  }
}

/** A line or offset as it travels (NaN for none: the numbers that travel are all finite). */
const absent = (n: number): number | undefined => (Number.isNaN(n) ? undefined : n);

/** The delivery's name, and its JSON text, shared by the writes of a batch. */
interface DeliveryFile {
  name: string | undefined;
  json: string | undefined;
}

/**
 * The flat form in which prepared writes cross a thread boundary: all their texts in one string
 * and their lengths and position numbers in one Float64Array. Structured clone copies those as
 * two blocks; thousands of small strings it copied one by one, on both threads, and the store's
 * thread then collected them. A position of the decoders' shape (`{ file, line?, record,
 * offset? }` in that order, `file` the delivery's name, finite numbers) travels as its three
 * numbers; any other position as its JSON text.
 */
export interface PreparedWriteValues {
  texts: string;
  numbers: Float64Array<ArrayBuffer>;
}

/**
 * Per write, in `numbers`: the lengths of its type, key and canonical text; its position's (NONE,
 * NUMBERS, or the length of its JSON text); line, record and offset; its source timestamp's
 * length or NONE. The texts follow one another in that order.
 */
const WIDTH = 8;
const NONE = -1;
const NUMBERS = -2;
/**
 * The texts travel as one string, and a string holds at most 2^29 - 24 characters: 500 records
 * of 1.2 MB of data passed that. A buffer this full is taken before it can.
 */
const FULL_CHARS = 1 << 24;

/** Collects prepared writes (`add`) and hands them over packed (`take`). */
export class PreparedWriteBuffer {
  /** Concatenated as they come: structured clone flattens the whole once, faster than join. */
  private texts = '';
  private numbers: number[] = [];

  /** `file`: the delivery's name. */
  constructor(private readonly file: string | undefined) {}

  get size(): number {
    return this.numbers.length / WIDTH;
  }

  /** True once the texts must travel before more are added (see FULL_CHARS). */
  get full(): boolean {
    return this.texts.length >= FULL_CHARS;
  }

  add(type: string, key: string, data: JsonObject, position: Position | undefined, sourceTimestamp: string | undefined): void {
    const json = canonicalJson(data);
    this.texts += type;
    this.texts += key;
    this.texts += json;
    const n = this.numbers;
    if (position === undefined) n.push(type.length, key.length, json.length, NONE, NaN, NaN, NaN);
    else if (isPlain(position, this.file)) n.push(type.length, key.length, json.length, NUMBERS, position.line ?? NaN, position.record, position.offset ?? NaN);
    else {
      const text = JSON.stringify(position);
      this.texts += text;
      n.push(type.length, key.length, json.length, text.length, NaN, NaN, NaN);
    }
    if (sourceTimestamp === undefined) n.push(NONE);
    else {
      this.texts += sourceTimestamp;
      n.push(sourceTimestamp.length);
    }
  }

  /** The writes added since the last take, packed; post them with `numbers.buffer` transferred. */
  take(): PreparedWriteValues {
    const out = { texts: this.texts, numbers: Float64Array.from(this.numbers) };
    this.texts = '';
    this.numbers = [];
    return out;
  }
}

const order = ['file', 'line', 'record', 'offset'];

/** True when JSON.stringify of the position rebuilt from its numbers gives the same text. */
function isPlain(p: Position, file: string | undefined): boolean {
  if (p.file !== file || !Number.isFinite(p.record)) return false;
  let at = 0;
  for (const k in p) {
    while (at < order.length && order[at] !== k) at++;
    if (at === order.length) return false;
    const v = p[k as keyof Position];
    if (at !== 0 && v !== undefined && !Number.isFinite(v)) return false;
  }
  return true;
}

/** The writes packed by a PreparedWriteBuffer of the same `file`, in order, appended to `into`. */
export function preparedWrites(values: PreparedWriteValues, file: string | undefined, into: PreparedWrite[] = []): PreparedWrite[] {
  const delivery: DeliveryFile = { name: file, json: file === undefined ? undefined : JSON.stringify(file) };
  const { texts, numbers: n } = values;
  let at = 0;
  const next = (length: number) => texts.slice(at, (at += length));
  // A batch's writes are mostly of one type: its name is made once, not once a write.
  let type = '';
  for (let i = 0; i < n.length; i += WIDTH) {
    if (n[i] !== type.length || !texts.startsWith(type, at)) type = texts.slice(at, at + n[i]);
    at += n[i];
    const key = next(n[i + 1]);
    const json = next(n[i + 2]);
    const text = n[i + 3] === NONE ? null : n[i + 3] === NUMBERS ? undefined : next(n[i + 3]);
    const sourceTimestamp = n[i + 7] === NONE ? undefined : next(n[i + 7]);
    into.push(new PreparedWrite(type, key, json, text, delivery, n, i + 4, sourceTimestamp));
  }
  return into;
}
