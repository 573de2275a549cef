import { z } from 'zod';

const oneChar = (what: string) =>
  z.string().refine((s) => [...s].length === 1 && s !== '\r' && s !== '\n', {
    message: `${what} must be exactly one character other than CR or LF`,
  });

/**
 * Options of the `csv` format, as a mapping file's `source: { csv: {...} }` holds them. Parsed
 * once by this schema; the codec reads the frozen output and never looks at raw config again.
 */
export const csvOptions = z
  .object({
    encoding: z
      .string()
      .min(1)
      .default('utf-8')
      .describe(
        'Text encoding of the file: utf-8, utf-16le, utf-16be, utf-16, or any legacy code page the ' +
          'encoding module knows (windows-1252, latin1, shift_jis, cp949…). A UTF-8 or UTF-16 ' +
          'byte-order mark is honoured and stripped when the declared encoding is a Unicode one.',
      ),
    delimiter: oneChar('delimiter').default(',').describe("Field delimiter, one character: ',', ';', '\\t', '|'…"),
    quote: z
      .union([oneChar('quote'), z.null(), z.literal(false)])
      .default('"')
      .transform((q) => (q === false ? null : q))
      .describe('Quote character around fields that hold delimiters, quotes or line breaks; null or false for none.'),
    escape: oneChar('escape')
      .default('"')
      .describe("Escapes a quote inside a quoted field: '\"' doubles it (RFC 4180), '\\\\' is psql/MySQL style."),
    header: z.boolean().default(true).describe('The first record names the columns (and is not a data record).'),
    columns: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe(
        'Declared column names, in file order. Required when header is false. With a header, the ' +
          'header must contain every declared column (any order); extra header columns are kept.',
      ),
    recordDelimiter: z
      .enum(['auto', 'lf', 'crlf', 'cr'])
      .default('auto')
      .describe('Line terminator between records: auto accepts LF, CRLF and CR (even mixed) and writes CRLF.'),
    trim: z.boolean().default(false).describe('Trim unquoted whitespace around values (and around quoted fields).'),
    skipEmptyLines: z.boolean().default(true).describe('Skip lines with nothing on them instead of reading a one-empty-field record.'),
    comment: oneChar('comment')
      .nullable()
      .default(null)
      .describe("Lines starting with this character are comments and skipped, e.g. '#'; null for none."),
    nullValues: z
      .array(z.string())
      .default([])
      .describe("Values that become null, e.g. ['', 'NULL', '\\\\N']; the first one is written for null on encode."),
    columnCount: z
      .enum(['strict', 'pad', 'ignoreExtra'])
      .default('strict')
      .describe(
        'A record with the wrong number of fields: strict rejects it (record.columns); pad fills ' +
          'missing trailing fields with null (too many is still rejected); ignoreExtra drops fields ' +
          'past the last column (too few is still rejected).',
      ),
    maxRecordSize: z
      .number()
      .int()
      .min(1024)
      .default(1_048_576)
      .describe(
        'Largest record, as csv-parse measures it: the length of its values (the one being read ' +
          'in UTF-8 bytes, the others in characters). Bounds memory when a quote is never closed: ' +
          'past it, that record is rejected up to the line where the quote opened and reading goes ' +
          'on at the next line; a record as long without an open quote fails the delivery.',
      ),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (!o.header && !o.columns) {
      ctx.addIssue({ code: 'custom', path: ['columns'], message: 'columns are required when header is false' });
    }
    const specials: [string, string | null][] = [
      ['quote', o.quote],
      ['comment', o.comment],
    ];
    for (const [name, ch] of specials) {
      if (ch !== null && ch === o.delimiter) {
        ctx.addIssue({ code: 'custom', path: [name], message: `${name} must differ from the delimiter` });
      }
    }
    if (o.quote !== null && o.comment === o.quote) {
      ctx.addIssue({ code: 'custom', path: ['comment'], message: 'comment must differ from the quote' });
    }
    if (o.escape === o.delimiter) {
      ctx.addIssue({ code: 'custom', path: ['escape'], message: 'escape must differ from the delimiter' });
    }
    if (o.columns) {
      const seen = new Set<string>();
      o.columns.forEach((c, i) => {
        if (seen.has(c)) ctx.addIssue({ code: 'custom', path: ['columns', i], message: `column ${c} is declared twice` });
        seen.add(c);
      });
    }
  });

/** Validated CSV options, as the codec uses them. */
export type CsvOptions = z.output<typeof csvOptions>;

/** The record delimiters csv-parse accepts for a `recordDelimiter` choice; CRLF first so it wins over CR. */
export function parseRecordDelimiters(rd: CsvOptions['recordDelimiter']): string[] {
  switch (rd) {
    case 'lf':
      return ['\n'];
    case 'crlf':
      return ['\r\n'];
    case 'cr':
      return ['\r'];
    default:
      return ['\r\n', '\n', '\r'];
  }
}

/** The line terminator written on encode. */
export function writeRecordDelimiter(rd: CsvOptions['recordDelimiter']): string {
  return rd === 'lf' ? '\n' : rd === 'cr' ? '\r' : '\r\n';
}
