import type { LegacyRecord } from '../../src/core/records.js';
import type { JsonOptions } from './options.js';

const CHUNK = 64 * 1024;

/**
 * Encodes records as NDJSON (one object a line) or one JSON array, in chunks of about 64 KiB.
 * Values are written as they are in the record (text stays text: "0012" keeps its zeros).
 */
export async function* encodeJson(records: AsyncIterable<LegacyRecord> | Iterable<LegacyRecord>, options: JsonOptions): AsyncIterable<Buffer> {
  const array = options.encodeAs === 'array';
  let text = array ? '[' : '';
  let first = true;
  for await (const record of records) {
    text += array ? `${first ? '' : ','}\n${JSON.stringify(record)}` : `${JSON.stringify(record)}\n`;
    first = false;
    if (text.length >= CHUNK) {
      yield Buffer.from(text);
      text = '';
    }
  }
  if (array) text += first ? ']\n' : '\n]\n';
  if (text) yield Buffer.from(text);
}
