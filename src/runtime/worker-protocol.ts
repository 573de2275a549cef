import { ConfigError, DataError, RetryableError, type ConfigProblem, type DataErrorDetail } from '../core/errors.js';
import type { DecodeStart } from '../core/format.js';
import type { BatchDigests, RecordDigestsInit } from '../core/record-digests.js';
import type { SourceTexts } from '../core/source-files.js';
import type { PreparedWriteValues } from '../store/prepared-write.js';
import type { RejectInput } from '../store/types.js';

/** What the ingest worker needs to decode and map one delivery as `ingest` would. */
export interface WorkerJob {
  mappingFile: string;
  modelFile: string;
  /** The bytes of the mapping's and model's files as the daemon loaded them: the worker compiles from these, not from disk. */
  sources: SourceTexts;
  meta: Record<string, unknown>;
  flow: string;
  deliveryId: string;
  deliveryName?: string;
  skip: number;
  batchSize: number;
  /** Set for a piece of the delivery (see LineSplit): where it starts; its bytes come after the header lines. */
  start?: DecodeStart;
  /** Batches the worker may post before the first of them is committed. */
  ahead: number;
  /** Digest the records, and recognise those known (see core/record-digests.ts). */
  digests?: RecordDigestsInit;
}

export type ToWorker =
  | { kind: 'job'; job: WorkerJob }
  /** Delivery bytes, in order; the worker answers each with `pull` once it takes it. */
  | { kind: 'chunk'; chunk: Uint8Array }
  | { kind: 'end' }
  /** The oldest batch posted is committed. */
  | { kind: 'committed' };

export type ToMain =
  | { kind: 'pull' }
  /** Writes of the batch being cut, posted ahead of it; the batch's own values follow them. */
  | { kind: 'part'; values: PreparedWriteValues }
  | { kind: 'batch'; seen: number; values: PreparedWriteValues; rejects: RejectInput[]; fatal?: DataErrorDetail[]; last: boolean; digests?: BatchDigests }
  | { kind: 'error'; error: SerializedError };

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  problems?: ConfigProblem[];
  details?: DataErrorDetail[];
  retryAfterMs?: number;
}

/** An error as it crosses the thread boundary: the class and what its message is made of. */
export function serializeError(e: unknown): SerializedError {
  if (!(e instanceof Error)) return { name: 'Error', message: String(e) };
  const out: SerializedError = { name: e.name, message: e.message, stack: e.stack };
  if (e instanceof ConfigError) out.problems = e.problems;
  if (e instanceof DataError) out.details = e.details;
  if (e instanceof RetryableError) out.retryAfterMs = e.retryAfterMs;
  return out;
}

/** The error the worker threw, rebuilt as the same class with the same message. */
export function deserializeError(s: SerializedError): Error {
  let e: Error;
  if (s.problems) e = new ConfigError(s.problems);
  else if (s.details) e = new DataError(s.details);
  else if (s.name === 'RetryableError') e = new RetryableError(s.message, { retryAfterMs: s.retryAfterMs });
  else {
    e = new Error(s.message);
    if (s.name !== 'Error') e.name = s.name;
  }
  if (s.stack) e.stack = s.stack;
  return e;
}
