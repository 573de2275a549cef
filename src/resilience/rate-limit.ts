import type { Clock } from './clock.js';

/**
 * A token bucket: `limit` tokens per `intervalMs`, at most `burst` saved up. Shared by every flow
 * using one connection; callers take a token in turn (FIFO), so no flow starves another.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();
  private readonly perMs: number;

  constructor(
    private readonly clock: Clock,
    limit: number,
    intervalMs: number,
    private readonly burst = limit,
  ) {
    this.perMs = limit / intervalMs;
    this.tokens = burst;
    this.last = clock.now();
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + (now - this.last) * this.perMs);
    this.last = now;
  }

  /** Resolves with the time waited (ms) once a token is taken; rejects when the signal aborts. */
  take(signal?: AbortSignal): Promise<number> {
    const turn = this.queue.then(async () => {
      let waited = 0;
      for (;;) {
        this.refill();
        if (this.tokens >= 1) {
          this.tokens -= 1;
          return waited;
        }
        const ms = Math.ceil((1 - this.tokens) / this.perMs);
        waited += ms;
        await this.clock.sleep(ms, signal);
      }
    });
    this.queue = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  }
}
