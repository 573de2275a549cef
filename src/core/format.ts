import type { Readable } from 'node:stream';
import type { z } from 'zod';
import type { Decoded, DeliveryMeta, LegacyRecord } from './records.js';

/** Bytes as a format reads them: a stream, any async iterable of chunks, or one buffer. */
export type ByteInput = Readable | AsyncIterable<Buffer | Uint8Array> | Buffer;

/**
 * A codec between bytes and legacy records, configured once (from a mapping file's `source`).
 * Streaming and pure: no I/O of its own, no clock. Records come in batches (one per input chunk
 * or so) because a per-record async step costs more than the mapping itself.
 */
export interface Format {
  /**
   * Decodes a delivery. Every record or failure is yielded in input order, each with its
   * position; a failure never stops the rest of the delivery unless it is `fatal`.
   */
  decode(input: ByteInput, meta: DeliveryMeta): AsyncIterable<Decoded[]>;
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
}
