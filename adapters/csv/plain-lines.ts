import type { CsvOptions } from './options.js';

/**
 * What stops CSV input from being read as plain lines split at LF: undefined when the record
 * delimiters rule it out (LF must be one), else the characters after which a record may span
 * lines or read differently (CR, the quote character, the comment mark). The decoder's own split
 * (PlainLines) and the cutting of a delivery into pieces (lineSplit) share it: they must agree.
 */
export function plainLineStops(o: CsvOptions): string[] | undefined {
  if (o.recordDelimiter !== 'auto' && o.recordDelimiter !== 'lf') return undefined;
  return ['\r', ...[o.quote, o.comment].filter((c): c is string => c !== null)];
}

/**
 * Input that csv-parse would read as nothing but lines split at the delimiter: no quote
 * character, comment mark or CR in it, no trimming, an ASCII delimiter, LF among the record
 * delimiters, and lines too short to reach maxRecordSize. The decoder splits such input itself
 * until the first slice that is not plain, and hands everything from there to csv-parse. Written
 * by hand because csv-parse reads a byte at a time: ~3.2 s of CPU per million 80-byte rows here,
 * most of what re-ingesting an unchanged file costs, where a split takes a tenth of that.
 */
export class PlainLines {
  private constructor(
    /** Bytes that make a slice not plain. */
    private readonly stops: Buffer[],
    readonly delimiter: string,
    /** The longest line (in UTF-16 units) whose bytes (three a unit at most) stay within maxRecordSize. */
    private readonly maxUnits: number,
  ) {}

  /** Undefined when the options rule plain reading out, or BRIDGE_CSV_PLAIN=never (for tests, and to rule this path out when looking into a problem). */
  static for(o: CsvOptions): PlainLines | undefined {
    const stops = plainLineStops(o);
    if (process.env.BRIDGE_CSV_PLAIN === 'never' || stops === undefined || o.trim || o.delimiter.charCodeAt(0) > 0x7f) return undefined;
    return new PlainLines(stops.map((c) => Buffer.from(c, 'utf8')), o.delimiter, Math.floor(o.maxRecordSize / 3));
  }

  /** True when nothing in `bytes` is read by csv-parse other than as a split would. */
  accepts(bytes: Buffer): boolean {
    for (const s of this.stops) if (bytes.includes(s)) return false;
    return true;
  }

  /** True when csv-parse's maxRecordSize cannot be reached by a line of `units` UTF-16 units. */
  fits(units: number): boolean {
    return units <= this.maxUnits;
  }
}
