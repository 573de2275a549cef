/**
 * The low-water mark of an outbound flow: every change up to `position` is settled (delivered,
 * dead-lettered, or not the flow's). Changes of different keys settle out of order; those above
 * the mark are kept in `done` (and in the store) until the mark passes them.
 */
export class Watermark {
  private readonly pending = new Set<number>();
  readonly done: Set<number>;
  /** The last seq read from the feed. */
  readHead: number;

  constructor(
    public position: number,
    done: number[],
  ) {
    this.readHead = position;
    this.done = new Set(done);
  }

  /** A change read and handed on for delivery. */
  add(seq: number): void {
    this.pending.add(seq);
  }

  /** True when the change was settled before (a restart re-reads what is above the mark). */
  settledBefore(seq: number): boolean {
    return this.done.has(seq);
  }

  /** Seqs settled now; returns the new position (the lowest pending seq − 1, or the read head). */
  settle(seqs: readonly number[]): number {
    for (const s of seqs) {
      this.pending.delete(s);
      this.done.add(s);
    }
    return this.advance();
  }

  /** Moves the mark as far as nothing pending holds it back. */
  advance(): number {
    let low = this.readHead;
    for (const s of this.pending) if (s - 1 < low) low = s - 1;
    if (low > this.position) this.position = low;
    for (const s of this.done) if (s <= this.position) this.done.delete(s);
    return this.position;
  }

  get inFlight(): number {
    return this.pending.size;
  }
}
