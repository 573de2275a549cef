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
  /**
   * Settling leaves it where it is (a file named on the command line, not a source's). Skipped as
   * known, it is not marked settled in the store: that would tell a source still holding the same
   * bytes, its move failed, that they were moved (and a snapshot it holds would be applied over
   * newer ones). Applied or refused by this run, it is: there is nothing to move.
   */
  settlesInPlace?: boolean;
}

/** Inbound transport: yields deliveries until the signal aborts, then returns. */
export interface Source {
  read(signal: AbortSignal): AsyncIterable<Delivery>;
  close(): Promise<void>;
  /**
   * For a file given by hand (`bridge ingest FILE`) that lies where this source put a delivery it
   * refused (a drop folder's failed/): the delivery's ack, which settles it as an applied one
   * (moved where those go) and says what it did; undefined for a file that is not the source's.
   * The ack throws a RetryableError when the file cannot be moved; it is then where it was.
   */
  ackByHand?(path: string): Promise<(() => Promise<string>) | undefined>;
}
