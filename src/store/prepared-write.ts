import type { Position } from '../core/records.js';
import { canonicalJson, contentHash } from './canonical-json.js';
import type { EntityWrite, JsonObject } from './types.js';

/**
 * An upsert whose canonical text, content hash and position text were computed elsewhere — by
 * the ingest worker, on the other core — so that the store's thread only compares hashes and
 * inserts. It is an ordinary EntityWrite: `data` and `position` are parsed from the text when
 * something reads them (a field-ownership merge), which the plain write path never does.
 *
 * The fields are exactly what `prepareWrite` produces from the same data: a prepared write and
 * a plain one of equal data store the same text and hash.
 */
export class PreparedWrite implements EntityWrite {
  private parsedData: JsonObject | undefined;
  private parsedPosition: Position | undefined;

  constructor(
    readonly type: string,
    readonly key: string,
    /** canonicalJson(data) */
    readonly json: string,
    /** contentHash(json) */
    readonly hash: string,
    /** JSON.stringify(position), or null without a position. */
    readonly positionJson: string | null,
    readonly sourceTimestamp: string | undefined,
  ) {}

  get data(): JsonObject {
    return (this.parsedData ??= JSON.parse(this.json) as JsonObject);
  }

  get position(): Position | undefined {
    if (this.positionJson === null) return undefined;
    return (this.parsedPosition ??= JSON.parse(this.positionJson) as Position);
  }
}

/**
 * The flat form in which prepared writes cross a thread boundary: six values a write, strings
 * and nulls only, which structured clone copies far faster than thousands of small objects.
 */
export type PreparedWriteValues = (string | null)[];
const PREPARED_WIDTH = 6;

/** Appends one upsert's prepared values to `into`. */
export function prepareWrite(into: PreparedWriteValues, type: string, key: string, data: JsonObject, position: Position | undefined, sourceTimestamp: string | undefined): void {
  const json = canonicalJson(data);
  into.push(type, key, json, contentHash(json), position === undefined ? null : JSON.stringify(position), sourceTimestamp ?? null);
}

/** The writes of values made by `prepareWrite`, in order. */
export function preparedWrites(values: PreparedWriteValues): PreparedWrite[] {
  const out = new Array<PreparedWrite>(values.length / PREPARED_WIDTH);
  for (let i = 0, o = 0; i < values.length; i += PREPARED_WIDTH, o++) {
    out[o] = new PreparedWrite(values[i]!, values[i + 1]!, values[i + 2]!, values[i + 3]!, values[i + 4], values[i + 5] ?? undefined);
  }
  return out;
}
