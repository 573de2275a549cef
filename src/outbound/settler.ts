import type { OutboundMessage } from '../core/sink.js';
import type { OutboundMetrics } from '../resilience/metrics.js';
import type { DeliveryAttempt, Store } from '../store/types.js';
import type { OutboundState } from './flow-state.js';
import type { Watermark } from './watermark.js';

type DeadLetterInput = { message: OutboundMessage; attempts: DeliveryAttempt[] };

interface Pending {
  done: number[];
  messageId?: string;
  deadLetter?: DeadLetterInput;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/**
 * Records what an outbound flow settled: the low-water mark, seqs settled above it, in-flight
 * rows removed, dead letters added. Settlements made in the same turn of the event loop
 * (messages of several keys completing together) commit in one transaction.
 */
export class Settler {
  private pending: Pending[] = [];
  /** The position last committed to the store. */
  persisted: number;

  constructor(
    private readonly flow: string,
    private readonly store: Store,
    private readonly wm: Watermark,
    private readonly metrics: OutboundMetrics,
    private readonly state: OutboundState,
  ) {
    this.persisted = wm.position;
    state.position = wm.position;
  }

  /** Settles the seqs in the mark and records them; resolves once committed. Returns the new position. */
  async settle(seqs: number[], messageId: string | undefined, deadLetter?: DeadLetterInput): Promise<number> {
    const position = this.wm.settle(seqs);
    await this.record(seqs, messageId, deadLetter);
    return position;
  }

  /** With nothing pending, moves the stored position up to the read head (past changes not the flow's). */
  async advanceIdle(): Promise<void> {
    if (this.wm.inFlight === 0 && this.wm.advance() > this.persisted) await this.record([], undefined);
  }

  private record(done: number[], messageId: string | undefined, deadLetter?: DeadLetterInput): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ done, messageId, deadLetter, resolve, reject });
      if (this.pending.length === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    // Every seq the mark has passed was handed to record() before now (settle() records right
    // after the mark moved), so this position never covers a change not yet recorded.
    const position = this.wm.position;
    this.store
      .outboundSettle(this.flow, {
        position,
        done: batch.flatMap((b) => b.done),
        messageIds: batch.flatMap((b) => (b.messageId === undefined ? [] : [b.messageId])),
        deadLetters: batch.flatMap((b) => (b.deadLetter ? [b.deadLetter] : [])),
      })
      .then(
        () => {
          this.persisted = Math.max(this.persisted, position);
          this.state.position = this.persisted;
          this.metrics.position.set({ flow: this.flow }, this.persisted);
          for (const b of batch) b.resolve();
        },
        (e: unknown) => {
          for (const b of batch) b.reject(e);
        },
      );
  }
}
