import { stringify, type Options as StringifyOptions } from 'csv-stringify/sync';
import { DataError, type DataErrorDetail } from '../../src/core/errors.js';
import type { LegacyRecord, LegacyValue } from '../../src/core/records.js';
import { textCodec, type TextCodec } from '../../src/encoding/index.js';
import { writeRecordDelimiter, type CsvOptions } from './options.js';

/** Records stringified at once: big enough to amortise the call, small enough to stay bounded. */
const BATCH = 1000;
const LONE_SURROGATE = /\p{Surrogate}/u;

/**
 * Encodes records as CSV in the tool's canonical form: quoted only where needed, the configured
 * delimiter and line terminator after every record, a header row when `header` is true. UTF-16 is
 * written with a byte-order mark. A value that is not text, or holds a character the encoding
 * lacks, throws a DataError (field.encode) naming the record and field.
 */
export async function* encodeCsv(
  records: AsyncIterable<LegacyRecord> | Iterable<LegacyRecord>,
  options: CsvOptions,
): AsyncIterable<Buffer> {
  const sink = new ByteSink(options.encoding);
  const nullText = options.nullValues[0] ?? '';
  const quotedMatch: RegExp[] = [/^\ufeff/];
  if (options.comment !== null) quotedMatch.push(new RegExp(`^${escapeRegExp(options.comment)}`));
  const opts: StringifyOptions = {
    delimiter: options.delimiter,
    quote: options.quote ?? '',
    escape: options.escape,
    record_delimiter: writeRecordDelimiter(options.recordDelimiter),
    quoted_match: options.quote === null ? null : quotedMatch,
    eof: true,
  };
  let names = options.columns;
  let rows: string[][] = [];
  let n = 0;
  let first = true;
  const flush = (): Buffer => {
    const withHeader = first && options.header && names !== undefined;
    const text = stringify(withHeader ? [names as string[], ...rows] : rows, opts);
    const bytes = sink.encode(text, () => locate(rows, names as string[], n - rows.length, sink.codec, withHeader));
    first = false;
    rows = [];
    return bytes;
  };
  for await (const record of records) {
    names ??= Object.keys(record);
    n++;
    rows.push(toRow(record, names, n, nullText, options));
    if (rows.length >= BATCH) yield flush();
  }
  if (rows.length || (first && options.header && names)) yield flush();
}

function toRow(record: LegacyRecord, names: readonly string[], n: number, nullText: string, o: CsvOptions): string[] {
  const row = new Array<string>(names.length);
  for (let i = 0; i < names.length; i++) {
    const v: LegacyValue | undefined = record[names[i]];
    if (v === null || v === undefined) row[i] = nullText;
    else if (typeof v === 'string') {
      if (o.quote === null && (v.includes(o.delimiter) || v.includes('\n') || v.includes('\r'))) {
        throw fieldError(n, names[i], v, 'value holds the delimiter or a line break and quote is off');
      }
      row[i] = v;
    } else throw fieldError(n, names[i], JSON.stringify(v), `value is ${Array.isArray(v) ? 'a list' : 'a group'}, not text`);
  }
  return row;
}

function fieldError(record: number, field: string, value: string, message: string): DataError {
  const d: DataErrorDetail = { code: 'field.encode', message, field, value, position: { record } };
  return new DataError(d);
}

/** Finds the first value the encoding cannot hold, once a batch was found to have one. */
function locate(rows: string[][], names: string[], before: number, codec: TextCodec | undefined, header: boolean): DataError {
  const bad = (s: string) => (codec ? codec.encode(s).unencodable.length > 0 : LONE_SURROGATE.test(s));
  if (header) for (const name of names) if (bad(name)) return fieldError(0, name, name, 'column name cannot be encoded');
  for (let r = 0; r < rows.length; r++) {
    for (let i = 0; i < names.length; i++) {
      const v = rows[r][i];
      if (!bad(v)) continue;
      const ch = [...v].find((c) => bad(c)) ?? v;
      const enc = codec ? codec.name : 'UTF';
      return fieldError(before + r + 1, names[i], v, `character ${JSON.stringify(ch)} cannot be encoded in ${enc}`);
    }
  }
  return fieldError(before + 1, names[0], '', 'text cannot be encoded');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Text → bytes in the declared encoding, throwing the error `locate` builds on a lossy character. */
class ByteSink {
  readonly codec: TextCodec | undefined;
  private readonly kind: 'utf8' | 'utf16le' | 'utf16be' | 'legacy';
  private bom: boolean;

  constructor(encoding: string) {
    const e = encoding.toLowerCase().replace(/[^a-z0-9]/g, '');
    this.kind = e === 'utf8' ? 'utf8' : e === 'utf16le' || e === 'utf16' ? 'utf16le' : e === 'utf16be' ? 'utf16be' : 'legacy';
    this.codec = this.kind === 'legacy' ? textCodec(encoding) : undefined;
    this.bom = this.kind !== 'utf8' && this.kind !== 'legacy';
  }

  encode(text: string, fail: () => DataError): Buffer {
    if (this.codec) {
      const { bytes, unencodable } = this.codec.encode(text);
      if (unencodable.length) throw fail();
      return bytes;
    }
    if (LONE_SURROGATE.test(text)) throw fail();
    if (this.kind === 'utf8') return Buffer.from(text, 'utf8');
    const bytes = Buffer.from(this.bom ? `\ufeff${text}` : text, 'utf16le');
    this.bom = false;
    return this.kind === 'utf16be' ? bytes.swap16() : bytes;
  }
}
