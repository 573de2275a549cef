import type { z } from 'zod';
import type { ChangeOp } from '../store/types.js';
import type { ConnectorAdapter } from './connector.js';

/** One outbound message: one change (per-change sinks) or one batch (file-like sinks). */
export interface OutboundMessage {
  /** Stable across retries and restarts (e.g. `<flow>:<first seq>-<last seq>`): receivers drop duplicates by it. */
  id: string;
  body: Buffer;
  contentType: string;
  changes: { seq: number; type: string; key: string; op: ChangeOp; version: number }[];
  /** When the change(s) were committed, ISO 8601. */
  at: string;
}

/**
 * Outbound transport. `write` resolves only once the peer durably accepted the message.
 * Errors: `SinkError` with an `outcome` class the resilience rules match on:
 *   'timeout' | 'network' | 'http:<status>' (e.g. 'http:503', 'http:429') | 'io';
 *   `retryAfterMs` from a Retry-After header; `permanent: true` when retrying cannot help
 *   (e.g. 4xx other than 408/429); `gone: true` (HTTP 410) disables the endpoint.
 */
export interface Sink {
  write(message: OutboundMessage, signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

export class SinkError extends Error {
  readonly outcome: string;
  readonly retryAfterMs?: number;
  readonly permanent: boolean;
  readonly gone: boolean;
  constructor(message: string, options: { outcome: string; retryAfterMs?: number; permanent?: boolean; gone?: boolean; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = 'SinkError';
    this.outcome = options.outcome;
    this.retryAfterMs = options.retryAfterMs;
    this.permanent = options.permanent ?? false;
    this.gone = options.gone ?? false;
  }
}

export interface SinkContext {
  file: string;            // config file, for ConfigError messages
  path: string;            // path of the options inside it
  resolve(relative: string): string;
}

/** The one declaration of a sink adapter; listed in src/core/registry.ts `sinks`. */
export interface SinkAdapter<Schema extends z.ZodType = z.ZodType> extends ConnectorAdapter<Schema> {
  kind: 'sink';
  /** 'change': one message per change; 'batch': the engine groups changes (maxRecords, maxWaitMs) into one message. */
  grouping: 'change' | 'batch';
  /**
   * The option that maps HTTP header names to values, if any: the values of the headers that carry
   * credentials (Authorization, Cookie, anything named with token, secret, key, password) are
   * secrets as well.
   */
  headersOption?: string;
  create(options: z.output<Schema>, context: SinkContext): Sink;
}
