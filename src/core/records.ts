/**
 * What formats produce and consume: legacy records, with where each came from.
 *
 * Values in a legacy record are text as the legacy system meant it: numbers of every kind travel
 * as canonical decimal strings (`"-123.45"`, `"42"`), never as floats, so that no digit is lost;
 * dates as ISO strings (`"2024-01-31"`, `"13:45:00"`) or null for the legacy "no date" values.
 * Groups are nested records, repeating groups arrays.
 */
export type LegacyValue = string | null | LegacyRecord | LegacyValue[];
export interface LegacyRecord {
  [field: string]: LegacyValue;
}

/** Where a record is in its delivery. Numbers are 1-based, as an operator counts. */
export interface Position {
  /** File name (or delivery name) as the operator knows it. */
  file?: string;
  /** Line number, for line-oriented files. */
  line?: number;
  /** Record number within the delivery. */
  record: number;
  /** Byte offset of the record's first byte within the delivery (0-based, as tools show it). */
  offset?: number;
  messageId?: string;
}

export interface DecodedRecord {
  record: LegacyRecord;
  position: Position;
  /** The record type that selected the layout, in multi-record-type files. */
  recordType?: string;
  /** The record's raw text, kept so that a rejected record can be shown and replayed. */
  raw?: string;
  /** Its digest, when the decoder was given RecordDigests (see core/record-digests.ts). */
  digest?: string;
}

/**
 * A record whose digest a delivery of the same mapping brought before: not decoded nor mapped.
 * `known` is the seq of the version it wrote or confirmed then; the store checks that version is
 * still the entity's current one before it counts the record unchanged.
 */
export interface KnownRecord {
  known: number;
  digest: string;
  position: Position;
  /** Not kept: a known record is neither rejected nor shown. */
  raw?: undefined;
}

export interface DecodeFailure {
  error: import('./errors.js').DataErrorDetail;
  position: Position;
  /** The raw text (or hex of undecodable bytes) of what could not be decoded. */
  raw: string;
  /**
   * True when the failure condemns the whole delivery (a trailer count or control total that does
   * not hold, a file cut short): the runtime rejects the delivery as a whole, not just this record.
   */
  fatal?: boolean;
}

export type Decoded = DecodedRecord | DecodeFailure;

/** What a decoder given RecordDigests yields. */
export type DigestedDecoded = Decoded | KnownRecord;

export function isKnownRecord(d: DigestedDecoded): d is KnownRecord {
  return (d as KnownRecord).known !== undefined;
}

export function isDecodeFailure(d: Decoded): d is DecodeFailure {
  return (d as DecodeFailure).error !== undefined;
}

/** A failure's error, placed at the failure's position when the error does not say where it is. */
export function failureDetail(failure: DecodeFailure): import('./errors.js').DataErrorDetail {
  return failure.error.position ? failure.error : { ...failure.error, position: failure.position };
}

/** What a transport says about a delivery, handed to the format (`file.name`, `amqp.messageId`). */
export interface DeliveryMeta {
  /** Name shown in positions and errors (file name, message id). */
  name?: string;
  [key: string]: unknown;
}
