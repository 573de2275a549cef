import { Parser, type Options as ParseOptions } from 'csv-parse';
import type { DataErrorDetail } from '../../src/core/errors.js';
import { unicodeMarkedMessage, type UnicodeMark } from '../../src/encoding/index.js';
import { DECODE_SLICE_BYTES, type ByteInput, type DecodeStart } from '../../src/core/format.js';
import type { RecordDigests } from '../../src/core/record-digests.js';
import type { DigestedDecoded, DeliveryMeta, Position } from '../../src/core/records.js';
import { checkHeader, ColumnLayout, type BuildResult } from './columns.js';
import { openFeed, type ParserFeed } from './input.js';
import { parseRecordDelimiters, type CsvOptions } from './options.js';
import { InputWindow } from './input-window.js';
import { PlainLines } from './plain-lines.js';
import { byteOffsetAfterBreaks, countBreaks, delimiterAfter, delimiterSoFar, findQuoteProblem, mayHavePrefix, skippedPrefix, withinBytes, type QuoteProblem, type RawSyntax } from './raw-text.js';
import { describeParserError } from './parser-errors.js';

const NO_BYTES: Buffer = Buffer.alloc(0);

/** An error csv-parse stopped with: its code, and (CsvError's context) the 0-based field it was reading. */
type ParserError = Error & { code?: string; column?: unknown };

/**
 * Decodes one delivery: bytes in, batches of records and failures out, one batch per slice of
 * input. Plain lines are split here (see PlainLines); from the first slice that is not plain,
 * csv-parse runs as a Transform driven synchronously (write a slice, read what it parsed), so
 * there is no async step per record and memory stays at one slice's worth of records.
 */
export async function* decodeCsv(input: ByteInput, meta: DeliveryMeta, options: CsvOptions, start?: DecodeStart, digests?: RecordDigests): AsyncIterable<DigestedDecoded[]> {
  const feed = openFeed(input, options.encoding);
  const delivery = new DeliveryDecoder(options, meta, feed, start, digests);
  try {
    for await (const slice of feed.slices) {
      if (feed.unicodeMark !== undefined) {
        delivery.refuseUnicodeMarked(feed.unicodeMark);
        yield delivery.take();
        return;
      }
      delivery.write(slice);
      if (delivery.pending.length) yield delivery.take();
      yield* readOn(delivery);
      if (delivery.stopped) return;
    }
    do await delivery.end();
    while (yield* readOn(delivery));
    if (delivery.pending.length) yield delivery.take();
  } finally {
    delivery.close();
  }
}

/**
 * Writes what a quote that was never closed left to read again (see readOnAfter) to the parser
 * that reads on, slice by slice; true when there was such a rest.
 */
function* readOn(delivery: DeliveryDecoder): Generator<DigestedDecoded[], boolean> {
  let any = false;
  for (let piece = delivery.nextToReread(); piece !== undefined; piece = delivery.nextToReread()) {
    any = true;
    delivery.write(piece);
    if (delivery.pending.length) yield delivery.take();
  }
  return any;
}

class DeliveryDecoder {
  pending: DigestedDecoded[] = [];
  stopped = false;
  private parser: Parser | undefined;
  private layout: ColumnLayout | undefined;
  private nextLine = 1;
  private recordNo = 0;
  private readonly file: string | undefined;
  private readonly syn: RawSyntax;
  private readonly built: BuildResult = { record: {}, bad: -1, quoteFirst: false };
  private window: InputWindow | undefined;
  private readonly delimiters: string[];
  /** Input to read again after a quote that was never closed (readOnAfter), in the order it is read. */
  private reread: Buffer[] = [];
  /**
   * A read-on past maxRecordSize found the quote's line going on past what was written: the rest
   * of that line is dropped as it comes, up to its record delimiter (`skipCarry`: a CR that may be
   * the first half of a CRLF).
   */
  private skipping = false;
  private skipCarry = NO_BYTES;
  /** Set while the input is plain (see PlainLines): its lines are split here, until csv-parse reads on. */
  private plain: PlainLines | undefined;
  /** The start of a plain line whose end is still to come. */
  private lineCarry = NO_BYTES;

  constructor(
    private readonly options: CsvOptions,
    meta: DeliveryMeta,
    private readonly feed: ParserFeed,
    start?: DecodeStart,
    /** Read by onLine only once there is a layout: after the header, which it depends on, if there is one. */
    private readonly digests?: RecordDigests,
  ) {
    this.file = meta.name;
    // A piece's input starts with the header line (one line: a piece has no quotes), then its own lines.
    if (start !== undefined) {
      this.nextLine = start.line - (options.header ? 1 : 0);
      this.recordNo = start.record;
    }
    this.syn = options;
    this.delimiters = parseRecordDelimiters(options.recordDelimiter);
    this.plain = PlainLines.for(options);
    if (!options.header) this.layout = new ColumnLayout(options.columns ?? [], options);
  }

  write(slice: Buffer): void {
    if (this.stopped) return;
    if (this.skipping) slice = this.skipRestOfLine(slice);
    if (this.plain !== undefined) slice = this.readPlain(slice);
    if (slice.length === 0) return;
    const p = (this.parser ??= this.open());
    this.window!.append(slice);
    p.write(slice);
    this.drain(p);
  }

  async end(): Promise<void> {
    if (this.lineCarry.length && !this.stopped) {
      // The last line, without a terminator.
      const text = this.lineCarry.toString('utf8');
      this.lineCarry = NO_BYTES;
      this.onLine(text.split(this.plain!.delimiter), this.nextLine, text);
    }
    const p = this.parser;
    if (p && !this.stopped) {
      await new Promise<void>((resolve) => {
        p.once('end', resolve);
        p.once('error', () => resolve());
        p.on('readable', () => this.drain(p));
        p.end();
      });
      this.drain(p);
    }
    // A file without the header row the mapping declares is a truncated transfer (most often
    // zero bytes), not a delivery of no records: a header-only file is the latter.
    if (this.layout === undefined && !this.stopped) {
      const position: Position = { file: this.file, line: 1, record: 0 };
      this.fail({ code: 'file.structure', message: 'no header row: the file is empty or blank, and the mapping declares a header', position }, '', true);
    }
  }

  /** The next slice of the input to read again (see readOnAfter), taken; undefined when there is none. */
  nextToReread(): Buffer | undefined {
    const first = this.reread[0];
    if (first === undefined || this.stopped) return undefined;
    if (first.length <= DECODE_SLICE_BYTES) return this.reread.shift();
    this.reread[0] = first.subarray(DECODE_SLICE_BYTES);
    return first.subarray(0, DECODE_SLICE_BYTES);
  }

  take(): DigestedDecoded[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }

  close(): void {
    this.parser?.destroy();
  }

  /** Refuses a delivery that is in a Unicode encoding by its byte-order mark but declared in a legacy code page (see ParserFeed). */
  refuseUnicodeMarked(mark: UnicodeMark): void {
    const position: Position = { file: this.file, line: 1, record: 0 };
    this.fail({ code: 'file.encoding', message: unicodeMarkedMessage(mark, this.options.encoding, 'mapping'), position }, '', true);
  }

  private open(): Parser {
    const o = this.options;
    const opts: ParseOptions = {
      encoding: 'utf8',
      bom: false,
      delimiter: o.delimiter,
      quote: o.quote ?? false,
      escape: o.escape,
      record_delimiter: this.delimiters,
      trim: o.trim,
      skip_empty_lines: o.skipEmptyLines,
      comment: o.comment ?? undefined,
      // Lenient like Python's csv and Commons CSV: a quote inside an unquoted field is a character.
      // A quoted field followed by junk is kept as literal text by csv-parse; `onItem` reports it.
      relax_quotes: true,
      // Field counts are checked here, per record, under the `columnCount` policy.
      relax_column_count: true,
      max_record_size: o.maxRecordSize,
    };
    const p = new Parser(opts);
    p.on('error', () => undefined); // read through `errored`, after the records parsed before it
    this.window = new InputWindow(p);
    return p;
  }

  private drain(p: Parser): void {
    if (this.stopped || p !== this.parser) return;
    const window = this.window!;
    let values: string[] | null;
    while ((values = p.read() as string[] | null) !== null) {
      this.onItem(values, window.nextRecord().toString('utf8'));
      if (this.stopped || p !== this.parser) return;
    }
    if (p.errored) {
      const bytes = window.rest();
      // Whether it stopped inside an open quote is csv-parse's to say (the `state` it exposes).
      const quoteOpen = (p as unknown as { state?: { quoting?: unknown } }).state?.quoting === true;
      this.onParserError(p.errored as ParserError, bytes.toString('utf8'), bytes, quoteOpen);
    }
  }

  /**
   * Reads the complete lines of `slice`, after the start of a line carried from the one before,
   * while the input is plain; returns what csv-parse is to read: nothing, or all from the first
   * line that is not plain on.
   */
  private readPlain(slice: Buffer): Buffer {
    const plain = this.plain!;
    const bytes = this.lineCarry.length ? Buffer.concat([this.lineCarry, slice]) : slice;
    this.lineCarry = NO_BYTES;
    const lastLf = bytes.lastIndexOf(10);
    if (!plain.accepts(bytes)) {
      this.plain = undefined;
      return bytes;
    }
    const text = bytes.toString('utf8', 0, lastLf + 1);
    let from = 0;
    for (let lf = text.indexOf('\n'); lf !== -1 && !this.stopped; lf = text.indexOf('\n', from)) {
      if (!plain.fits(lf - from)) {
        this.plain = undefined;
        return bytes.subarray(byteOffsetAfterBreaks(text, from, bytes));
      }
      const line = text.slice(from, lf);
      from = lf + 1;
      if (line.length === 0 && this.options.skipEmptyLines) this.nextLine++;
      // Split by onLine, once it knows the line is not a record recognised as sent before.
      else this.onLine(undefined, this.nextLine++, line);
    }
    // The start of the next line: csv-parse's from here when it is already too long to be plain.
    const tail = bytes.subarray(lastLf + 1);
    if (!plain.fits(tail.length)) {
      this.plain = undefined;
      return tail;
    }
    this.lineCarry = tail;
    return NO_BYTES;
  }

  /** Drops input while `skipping` (see readOnAfter), counting its lines; returns what comes after the record delimiter. */
  private skipRestOfLine(slice: Buffer): Buffer {
    const bytes = this.skipCarry.length ? Buffer.concat([this.skipCarry, slice]) : slice;
    // Record delimiters are ASCII: one character a byte finds them at their byte offsets.
    const text = bytes.toString('latin1');
    const { next, found } = delimiterSoFar(text, 0, this.delimiters);
    this.nextLine += countBreaks(text.slice(0, next));
    this.skipping = !found;
    this.skipCarry = found ? NO_BYTES : bytes.subarray(next);
    return found ? bytes.subarray(next) : NO_BYTES;
  }

  /**
   * Splits a raw text into its record's first line and the record text without terminator;
   * `start`: where that text starts in `raw` (after skipped blank or comment lines).
   */
  private locate(raw: string): { line: number; text: string; start: number } {
    let line = this.nextLine;
    this.nextLine += countBreaks(raw);
    let text = raw;
    let start = 0;
    if (mayHavePrefix(raw, this.syn)) {
      const prefix = skippedPrefix(raw, this.syn);
      line += prefix.lines;
      start = prefix.start;
      text = raw.slice(start);
    }
    let end = text.length;
    const last = text.charCodeAt(end - 1);
    if (last === 10 || last === 13) end -= last === 10 && text.charCodeAt(end - 2) === 13 ? 2 : 1;
    return { line, text: end === text.length ? text : text.slice(0, end), start };
  }

  private onItem(values: string[], raw: string): void {
    const { line, text } = this.locate(raw);
    this.onLine(values, line, text);
  }

  /** A record's values (undefined: a plain line's, to split), the line it starts on, and its text without its terminator. */
  private onLine(values: string[] | undefined, line: number, text: string): void {
    const layout = this.layout;
    if (layout === undefined) return this.onHeader(values ?? text.split(this.options.delimiter), line, text);
    const position: Position = { file: this.file, line, record: ++this.recordNo };
    // Text with U+FFFD may stand for bytes not valid in the encoding, which the checks below reject.
    const digest = this.digests === undefined || text.includes('\uFFFD') ? undefined : this.digests.of(text);
    if (digest !== undefined) {
      const known = this.digests!.known(digest);
      if (known !== 0) {
        this.pending.push({ known, digest, position });
        return;
      }
    }
    values ??= text.split(this.options.delimiter);
    const countProblem = layout.checkCount(values.length);
    if (countProblem) return this.fail({ ...countProblem, position }, text);
    const b = this.built;
    layout.build(values, this.feed.suspect, b);
    if (b.quoteFirst) {
      const q = findQuoteProblem(text, line, this.syn);
      if (q?.kind === 'trailing') {
        const message =
          `unexpected ${JSON.stringify(q.char)} after the closing quote of field ${q.field}` +
          ` (line ${q.lastLine}); a quoted field must end at a delimiter or line end`;
        return this.fail({ code: 'record.quote', message, position, field: layout.names[q.field - 1] }, text);
      }
    }
    if (b.bad !== -1) {
      const field = layout.names[b.bad];
      const message = `bytes not valid in ${this.options.encoding} (shown as U+FFFD)`;
      return this.fail({ code: 'field.encoding', message, position, field, value: values[b.bad] }, text);
    }
    this.pending.push({ record: b.record, position, raw: text, digest });
  }

  private onHeader(names: string[], line: number, text: string): void {
    const problem = checkHeader(names, this.options.columns);
    if (problem) {
      const position: Position = { file: this.file, line, record: 0 };
      this.fail({ code: 'file.structure', message: problem, position }, text, true);
      return;
    }
    this.layout = new ColumnLayout(names, this.options);
    // Which column is which depends on the header: so does what a record's text maps to.
    this.digests?.dependOn(text);
  }

  /**
   * `raw`: the input from the end of the last record to the end of what was written, as text and
   * as `bytes`: past where csv-parse stopped, when it stopped before the end (maxRecordSize).
   */
  private onParserError(err: ParserError, raw: string, bytes: Buffer, quoteOpen: boolean): void {
    const { line, text, start } = this.locate(raw);
    const isHeader = this.layout === undefined;
    const position: Position = { file: this.file, line, record: isHeader ? 0 : ++this.recordNo };
    const tooLong = err.code === 'CSV_MAX_RECORD_SIZE';
    const readsOn = tooLong || err.code === 'CSV_QUOTE_NOT_CLOSED';
    // Past maxRecordSize the text goes on beyond where the parser stopped: only a quote it had open
    // there (in field `column`, 0-based) is one, whatever comes after it.
    const q = !tooLong
      ? findQuoteProblem(text, line, this.syn, readsOn)
      : quoteOpen && typeof err.column === 'number'
        ? findQuoteProblem(text, line, this.syn, true, err.column + 1)
        : undefined;
    const field = q === undefined ? undefined : this.layout?.names[q.field - 1];
    const where = { position, ...(field !== undefined ? { field } : {}) };
    if (!isHeader && readsOn && q?.kind === 'unclosed') {
      this.readOnAfter(q, where, raw.slice(start), bytes.subarray(byteOffsetAfterBreaks(raw, start, bytes)), tooLong);
      return;
    }
    const { detail, fatal } = describeParserError(err, q, this.options.maxRecordSize);
    // The text goes on past where the parser stopped, as far as the slices written happen to reach:
    // what is shown ends where the parser surely got to (the character after a closing quote, or
    // maxRecordSize bytes), or at the line's end before that.
    const shown = q?.kind === 'trailing' ? q.at! + 1 : Math.min(delimiterAfter(text, 0, this.delimiters).end, withinBytes(text, this.options.maxRecordSize));
    this.fail({ ...detail, ...where }, text.slice(0, shown), fatal || isHeader);
    this.stopped = true;
  }

  /**
   * A quote that is never closed took the rest of the file, or more than maxRecordSize of it, into
   * one field: the record is rejected with its lines up to the one where the quote opened, and a
   * new parser reads on from the line after it, so the records after a stray quote are read as the
   * records they are. `text`: the raw text from the record's first line on, and `bytes` the same
   * input as bytes, which are what is read again (the text may end in a character cut in two);
   * `where`: the record's position and the field; `tooLong`: the parser stopped at maxRecordSize,
   * before the end of the input.
   */
  private readOnAfter(q: QuoteProblem, where: { position: Position; field?: string }, text: string, bytes: Buffer, tooLong: boolean): void {
    const line = where.position.line!;
    // Past maxRecordSize, what was written may end inside the quote's line (or in a CR whose LF is
    // to come): the rest of it is dropped as it comes, from the line's start.
    const { end, next, found } = tooLong ? delimiterSoFar(text, q.openAt!, this.delimiters) : { ...delimiterAfter(text, q.openAt!, this.delimiters), found: true };
    this.skipping = !found;
    const from = found ? next : Math.max(text.lastIndexOf('\n', q.openAt!), text.lastIndexOf('\r', q.openAt!)) + 1;
    this.nextLine = line + countBreaks(text.slice(0, from));
    // Past maxRecordSize, whether a line follows is not known yet, nor what the rest of the line holds.
    const readOn = tooLong ? '; reading goes on after that line' : next < text.length ? `; reading goes on at line ${this.nextLine}` : '';
    const why = tooLong ? `is not closed within maxRecordSize (${this.options.maxRecordSize})` : 'is never closed';
    // Shown as far as the parser surely got, whatever the slices written: maxRecordSize bytes.
    const shown = tooLong ? Math.min(end, withinBytes(text, this.options.maxRecordSize)) : end;
    this.fail({ code: 'record.quote', message: `quote opened at line ${q.line} (field ${q.field}) ${why}${readOn}`, ...where }, text.slice(0, shown));
    this.parser?.destroy();
    this.parser = this.open();
    // Written before the rest of what was to be read again, if this came up while reading that.
    const rest = from === text.length ? NO_BYTES : bytes.subarray(byteOffsetAfterBreaks(text, from, bytes));
    if (rest.length) this.reread.unshift(rest);
  }

  private fail(error: DataErrorDetail, raw: string, fatal = false): void {
    const position = error.position as Position;
    this.pending.push(fatal ? { error, position, raw, fatal } : { error, position, raw });
    if (fatal) this.stopped = true;
  }
}
