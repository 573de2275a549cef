import { ConfigError } from '../../src/core/errors.js';
import type { Format, FormatAdapter, FormatContext } from '../../src/core/format.js';
import { decodeCsv } from './decode.js';
import { encodeCsv } from './encode.js';
import { checkEncoding, lineSplit } from './input.js';
import { csvOptions, type CsvOptions } from './options.js';

export { csvOptions, type CsvOptions } from './options.js';

/** Builds the codec from validated options; an encoding nobody knows is a ConfigError. */
function create(options: CsvOptions, context: FormatContext): Format {
  try {
    checkEncoding(options.encoding);
  } catch (err) {
    throw new ConfigError({ file: context.file, path: `${context.path}.encoding`, message: (err as Error).message });
  }
  const frozen = Object.freeze({ ...options });
  return {
    decode: ((input, meta, start, digests) => decodeCsv(input, meta, frozen, start, digests)) as Format['decode'],
    encode: (records) => encodeCsv(records, frozen),
    lines: lineSplit(frozen),
  };
}

/**
 * The `csv` format: delimited text (RFC 4180 and its dialects: `;`, tab, pipe, psql, backslash
 * escapes) in any encoding, one record per row, values as text or null.
 */
export const csvFormat: FormatAdapter<typeof csvOptions> = {
  kind: 'format',
  name: 'csv',
  summary: 'Delimited text (CSV, TSV, psql…) in any encoding; header or declared columns; per-record errors with line numbers.',
  options: csvOptions,
  create,
  fieldNames: (options) => options.columns,
};
