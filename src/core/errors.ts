import type { Position } from './records.js';

/**
 * The three error classes answer the operator's three questions.
 * - ConfigError: the configuration is wrong; refuse to start and list every problem.
 * - DataError: the data is wrong; never retried, the record is rejected or the delivery dead-lettered.
 * - RetryableError: the network, a lock, a timeout; retried with backoff.
 * Anything else is treated as retryable and logged as a bug, so that no data is lost.
 */

/** One problem in a configuration or mapping file: where it is and what was expected. */
export interface ConfigProblem {
  file: string;
  line?: number;
  column?: number;
  /** Path inside the document, e.g. `fields.balance.transform[1]`. */
  path?: string;
  message: string;
}

export function formatConfigProblem(p: ConfigProblem): string {
  return `${problemPlace(p)}${p.path ? ` (${p.path})` : ''}: ${p.message}`;
}

/** Where a config problem is: file, and line and column when known (`file:line:col`). */
export function problemPlace(p: ConfigProblem): string {
  return p.line === undefined ? p.file : `${p.file}:${p.line}${p.column === undefined ? '' : `:${p.column}`}`;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly problems: ConfigProblem[];
  constructor(problems: ConfigProblem[] | ConfigProblem) {
    const list = Array.isArray(problems) ? problems : [problems];
    super(list.map(formatConfigProblem).join('\n'));
    this.problems = list;
  }
}

/** Stable codes for data errors: part of the contract, shown to operators and kept in rejects. */
export type DataErrorCode =
  | 'record.length'
  | 'record.type'
  | 'record.decode'
  | 'record.columns'
  | 'record.quote'
  | 'field.encoding'
  | 'field.packed'
  | 'field.zoned'
  | 'field.number'
  | 'field.date'
  | 'field.required'
  | 'field.lookup'
  | 'field.pattern'
  | 'field.transform'
  | 'field.encode'
  | 'model.invalid'
  | 'file.trailer'
  | 'file.structure'
  | 'file.encoding'
  | 'delivery.invalid';

export interface DataErrorDetail {
  code: DataErrorCode;
  message: string;
  position?: Position;
  /** Legacy field name (`CUST-NO`) or canonical field path (`address.city`). */
  field?: string;
  /** The offending value, as text (raw bytes shown as hex when not decodable). */
  value?: string;
  /** The mapping or layout file involved, when any. */
  mapping?: string;
}

/** Where a position is, as an operator reads it: `orders.txt:12 (record 12, byte 1320)`. */
export function formatPosition(p: Position | undefined): string {
  if (!p) return '';
  const parts: string[] = [];
  const head = p.file ? (p.line !== undefined ? `${p.file}:${p.line}` : p.file) : p.line !== undefined ? `line ${p.line}` : '';
  if (head) parts.push(head);
  const extra: string[] = [];
  if (p.messageId) extra.push(`message ${p.messageId}`);
  if (p.record !== undefined) extra.push(`record ${p.record}`);
  if (p.offset !== undefined) extra.push(`byte ${p.offset}`);
  if (extra.length) parts.push(`(${extra.join(', ')})`);
  return parts.join(' ');
}

export function formatDataError(d: DataErrorDetail): string {
  const where = formatPosition(d.position);
  const field = d.field ? ` field ${d.field}` : '';
  const value = d.value !== undefined ? ` (value ${JSON.stringify(d.value)})` : '';
  return `${where ? `${where}:` : ''}${field}${field ? ':' : ''} ${d.message}${value} [${d.code}]`.trim();
}

export class DataError extends Error {
  override readonly name = 'DataError';
  readonly details: DataErrorDetail[];
  constructor(details: DataErrorDetail[] | DataErrorDetail) {
    const list = Array.isArray(details) ? details : [details];
    super(list.map(formatDataError).join('\n'));
    this.details = list;
  }
}

export class RetryableError extends Error {
  override readonly name = 'RetryableError';
  readonly retryAfterMs?: number;
  constructor(message: string, options: { cause?: unknown; retryAfterMs?: number } = {}) {
    super(message, { cause: options.cause });
    this.retryAfterMs = options.retryAfterMs;
  }
}

/**
 * A delivery's bytes are not those it was taken with: its file was written to while it was read.
 * Nothing of it may count as that delivery; the source offers the file again once it is stable.
 */
export class DeliveryChangedError extends Error {
  override readonly name = 'DeliveryChangedError';
  /** Set by `ingest` once it forgot the delivery's progress: the open rejects of this read it discarded. */
  discardedRejects?: number;
}
