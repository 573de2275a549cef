import type { Readable } from 'node:stream';
import type { z } from 'zod';
import type { RecordDigests } from './record-digests.js';
import type { Decoded, DeliveryMeta, DigestedDecoded, LegacyRecord } from './records.js';

/** Bytes as a format reads them: a stream, any async iterable of chunks, or one buffer. */
export type ByteInput = Readable | AsyncIterable<Buffer | Uint8Array> | Buffer;

/**
 * The most a format decodes at once, so a batch of records never outgrows one slice. A batch's
 * records all live until the last is mapped: those of a file stream's MiB chunk (11,000 records
 * of 93 bytes) outlived the young generation's collections, which copied them and moved them to
 * the old one; in 64 KiB slices an unchanged fixed-width re-ingest's worker spent half the time
 * collecting and the process took 90 MB less.
 */
export const DECODE_SLICE_BYTES = 64 * 1024;

/**
 * Every shape of ByteInput as one async sequence of Buffers. A text chunk (from a stream someone
 * set an encoding on) becomes what `fromText` makes of it; by default it is refused, since the
 * bytes it was decoded from are gone and a format decodes bytes by its own encoding.
 */
export async function* byteChunks(input: ByteInput, fromText: (text: string) => Buffer = refuseText): AsyncIterable<Buffer> {
  if (Buffer.isBuffer(input)) {
    yield input;
    return;
  }
  for await (const c of input as AsyncIterable<Buffer | Uint8Array | string>) {
    if (typeof c === 'string') yield fromText(c);
    else yield Buffer.isBuffer(c) ? c : Buffer.from(c.buffer, c.byteOffset, c.byteLength);
  }
}

function refuseText(): never {
  throw new TypeError('a delivery must be read as bytes, not text (a stream with no encoding set)');
}

/** `chunk` in slices of at most DECODE_SLICE_BYTES; nothing for an empty one. */
export function* decodeSlices(chunk: Buffer): Iterable<Buffer> {
  for (let at = 0; at < chunk.length; at += DECODE_SLICE_BYTES) yield chunk.subarray(at, at + DECODE_SLICE_BYTES);
}

/**
 * A codec between bytes and legacy records, configured once (from a mapping file's `source`).
 * Streaming and pure: no I/O of its own, no clock. Records come in batches (one per input chunk
 * or so) because a per-record async step costs more than the mapping itself.
 */
export interface Format {
  /**
   * Decodes a delivery. Every record or failure is yielded in input order, each with its
   * position; a failure never stops the rest of the delivery unless it is `fatal`. Given
   * `digests`, a format whose records decode each on its own (nothing but the lines before the
   * first record changes how one decodes) digests each record's raw text or bytes, and yields a
   * record it recognises as a KnownRecord, without decoding it; other formats ignore it.
   */
  decode(input: ByteInput, meta: DeliveryMeta, start?: DecodeStart): AsyncIterable<Decoded[]>;
  decode(input: ByteInput, meta: DeliveryMeta, start: DecodeStart | undefined, digests: RecordDigests | undefined): AsyncIterable<DigestedDecoded[]>;
  /**
   * Encodes records back into bytes. A record that cannot be encoded (a value too long for its
   * field, a character the encoding lacks) throws a DataError naming the record and field.
   */
  encode(records: AsyncIterable<LegacyRecord> | Iterable<LegacyRecord>): AsyncIterable<Buffer>;
  /**
   * True when the format checks the delivery as a whole (trailer counts, control totals): such
   * a delivery is read twice, once to check it, once to apply it, so that nothing of a rejected
   * file is committed.
   */
  readonly checksWholeDelivery?: boolean;
  /** Present when a delivery may be decoded in pieces cut after line feeds (see LineSplit). */
  readonly lines?: LineSplit;
}

/**
 * Where a piece of a delivery starts, for `decode` of a piece (see LineSplit): its input is the
 * delivery's header lines followed by the piece's bytes.
 */
export interface DecodeStart {
  /** Byte offset of the piece's first byte within the delivery. */
  offset: number;
  /** Line number of the piece's first line. */
  line: number;
  /** Records before the piece. */
  record: number;
}

/**
 * What lets the runtime decode a delivery in pieces, one thread each, cut after a line feed
 * (byte 0x0A): given where a piece starts, the format decodes it alone into exactly the records,
 * failures and positions it would give decoding the whole delivery, as long as every line of the
 * piece is one record. The runtime checks that (one record or failure per line) and decodes a
 * piece that fails it, and everything after, in one go.
 */
export interface LineSplit {
  /** Lines at the start of a delivery that every piece needs in front of it (a CSV header). */
  headerLines: number;
  /**
   * False when something in these bytes (a whole piece) could make a record span lines or
   * decode differently after earlier bytes: a quote character, a comment mark, a byte sequence
   * that is not valid in the encoding.
   */
  accepts(piece: Buffer): boolean;
}

/** Context a format gets besides its options: where its options came from, for error messages. */
export interface FormatContext {
  /** The mapping (or config) file that declared the format, for ConfigError messages. */
  file: string;
  /** Path of the options inside that file, e.g. `source.fixed-width`. */
  path: string;
  /** Resolves a file named in options (lookup tables, copybooks) relative to the declaring file. */
  resolve(relative: string): string;
}

/**
 * A value in the canonical form of a model type already: a decimal as exact text with `scale`
 * decimals when given (`"-12.50"`), an integer as a JS number, a date as `YYYY-MM-DD`. The final
 * coercion to a field of that type would return it unchanged, so it is skipped.
 */
export interface CanonicalForm {
  readonly type: 'decimal' | 'integer' | 'date';
  readonly scale?: number;
}

/** The one declaration of a format adapter: name (= folder = the key used in mapping files). */
export interface FormatAdapter<Schema extends z.ZodType = z.ZodType> {
  kind: 'format';
  name: string;
  summary: string;
  options: Schema;
  /** Builds the codec; throws ConfigError for options that are valid in shape but not in sense. */
  create(options: z.output<Schema>, context: FormatContext): Format;
  /**
   * The legacy field names the format produces, when its options declare them (fixed-width
   * layouts, declared CSV columns); used to check a mapping's `from:` at load. Dotted paths name
   * fields inside groups and record types (`HEADER.ORDER-NO`).
   */
  fieldNames?(options: z.output<Schema>): string[] | undefined;
  /**
   * The legacy fields (named as by `fieldNames`) whose every non-null value the format yields in
   * a canonical form (typed fields of a layout): a mapping that takes one as it is skips the
   * final coercion of its value.
   */
  canonicalFields?(options: z.output<Schema>): ReadonlyMap<string, CanonicalForm>;
}
