import type { ByteInput } from './format.js';
import type { DeliveryMeta } from './records.js';

/**
 * One unit of legacy input that succeeds or fails as a whole: a file, a message, a SOAP call.
 * Exactly one of ack/nack is called, and only after the store committed what it produced.
 */
export interface Delivery {
  /** Stable across redelivery: a file's sha256, a message id, a page token. */
  id: string;
  /** Opens the body. May be called more than once (a delivery checked whole is read twice). */
  open(): ByteInput;
  /** Size in bytes when known, for progress. */
  size?: number;
  meta: DeliveryMeta;
  /** The delivery was applied (or skipped as already applied): settle it for good. */
  ack(): Promise<void>;
  /** The delivery was rejected as a whole: settle it as failed, with every error. */
  nack(error: Error): Promise<void>;
}

/** Inbound transport: yields deliveries until the signal aborts, then returns. */
export interface Source {
  read(signal: AbortSignal): AsyncIterable<Delivery>;
  close(): Promise<void>;
  /**
   * A file applied by hand (`bridge ingest FILE`) that lies where this source put a delivery it
   * refused (a drop folder's failed/): settles it as if applied now, and returns where it went;
   * undefined for a file that is not the source's. Throws when the move fails.
   */
  settleApplied?(path: string): Promise<string | undefined>;
}
