import type { Position } from '../core/records.js';
import { canonicalJson } from './canonical-json.js';
import type { EntityWrite, JsonObject } from './types.js';

/**
 * An upsert whose canonical text was computed elsewhere — by the ingest worker, on the other
 * core — so that the store's thread only compares texts and inserts. It is
 * an ordinary EntityWrite: `data` is parsed from the text when something reads it (a
 * field-ownership merge), which the plain write path never does. The position's text is made
 * only for a write that stores a version: most writes of a re-ingest are unchanged.
 *
 * The fields are exactly what `prepareWrite` produces from the same data: a prepared write and
 * a plain one of equal data store the same text and position text.
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
    /** The delivery's name and where the position's line, record and offset are in `values`. */
    private readonly file: DeliveryFile,
    private readonly values: PreparedWriteValues,
    private readonly at: number,
    readonly sourceTimestamp: string | undefined,
  ) {}

  get data(): JsonObject {
    return (this.parsedData ??= JSON.parse(this.json) as JsonObject);
  }

  get position(): Position | undefined {
    if (this.pos !== undefined) return this.pos;
    if (this.text === undefined) {
      const line = this.values[this.at] as number | null;
      const offset = this.values[this.at + 2] as number | null;
      // Keys in the decoders' order, so that JSON.stringify gives the text the worker would have.
      this.pos = { file: this.file.name, line: line ?? undefined, record: this.values[this.at + 1] as number, offset: offset ?? undefined };
    } else if (typeof this.text === 'string') this.pos = JSON.parse(this.text) as Position;
    return this.pos;
  }

  /** JSON.stringify(position), or null without a position. */
  get positionJson(): string | null {
    if (this.text === undefined) {
      // Made on the store's thread for every new entity of a first ingest, where that thread is
      // the slower one: written as JSON.stringify writes it, without the object in between.
      const line = this.values[this.at] as number | null;
      const record = this.values[this.at + 1] as number;
      const offset = this.values[this.at + 2] as number | null;
      if (this.pos === undefined && Number.isFinite(record) && (line === null || Number.isFinite(line)) && (offset === null || Number.isFinite(offset))) {
        let t = this.file.json === undefined ? '{' : `{"file":${this.file.json},`;
        if (line !== null) t += `"line":${line},`;
        t += `"record":${record}`;
        if (offset !== null) t += `,"offset":${offset}`;
        this.text = `${t}}`;
      } else this.text = JSON.stringify(this.position);
    }
    return this.text;
  }
}

/** The delivery's name, and its JSON text, shared by the writes of a batch. */
interface DeliveryFile {
  name: string | undefined;
  json: string | undefined;
}

/**
 * The flat form in which prepared writes cross a thread boundary: numbers, strings and nulls
 * only, which structured clone copies far faster than thousands of small objects. A position of
 * the decoders' shape (`{ file, line?, record, offset? }` in that order, `file` the delivery's
 * name) travels as its three numbers; any other position as its JSON text.
 */
export type PreparedWriteValues = (string | number | null)[];
const PREPARED_WIDTH = 7;

/** Appends one upsert's prepared values to `into`; `file` is the delivery's name. */
export function prepareWrite(into: PreparedWriteValues, type: string, key: string, data: JsonObject, position: Position | undefined, sourceTimestamp: string | undefined, file: string | undefined): void {
  const json = canonicalJson(data);
  const ts = sourceTimestamp ?? null;
  if (position === undefined) into.push(type, key, json, null, null, null, ts);
  else if (isPlain(position, file)) into.push(type, key, json, position.line ?? null, position.record, position.offset ?? null, ts);
  else into.push(type, key, json, JSON.stringify(position), null, null, ts);
}

const order = ['file', 'line', 'record', 'offset'];

/** True when JSON.stringify of the position rebuilt from its numbers gives the same text. */
function isPlain(p: Position, file: string | undefined): boolean {
  if (p.file !== file || typeof p.record !== 'number') return false;
  let at = 0;
  for (const k in p) {
    while (at < order.length && order[at] !== k) at++;
    if (at === order.length) return false;
    const v = p[k as keyof Position];
    if (at !== 0 && v !== undefined && typeof v !== 'number') return false;
  }
  return true;
}

/** The writes of values made by `prepareWrite` with the same `file`, in order, appended to `into`. */
export function preparedWrites(values: PreparedWriteValues, file: string | undefined, into: PreparedWrite[] = []): PreparedWrite[] {
  const delivery: DeliveryFile = { name: file, json: file === undefined ? undefined : JSON.stringify(file) };
  for (let i = 0; i < values.length; i += PREPARED_WIDTH) {
    const text = typeof values[i + 4] === 'number' ? undefined : (values[i + 3] as string | null);
    into.push(new PreparedWrite(values[i] as string, values[i + 1] as string, values[i + 2] as string, text, delivery, values, i + 3, (values[i + 6] as string | null) ?? undefined));
  }
  return into;
}
