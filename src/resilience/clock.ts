import { setTimeout as sleepTimer } from 'node:timers/promises';

/**
 * Time as the resilience policies see it, injectable so that a retry schedule of hours is tested
 * without waiting. `sleep` rejects with the signal's reason when the signal aborts.
 */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => sleepTimer(ms, undefined, { signal }),
};

/**
 * A clock that only moves when told: `advance(ms)` wakes every sleeper whose time has come, in
 * order. For tests.
 */
export class ManualClock implements Clock {
  private t: number;
  private sleepers: { until: number; resolve: () => void }[] = [];
  /** Every sleep asked for, in order: what a test asserts a schedule by. */
  readonly sleeps: number[] = [];

  constructor(start = Date.UTC(2026, 10, 28, 12)) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const sleeper = { until: this.t + ms, resolve };
      this.sleepers.push(sleeper);
      signal?.addEventListener('abort', () => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        reject(signal.reason);
      }, { once: true });
    });
  }

  /** Moves time forward, waking sleepers due by then (each gets a turn of the event loop). */
  async advance(ms: number): Promise<void> {
    const target = this.t + ms;
    for (;;) {
      const due = this.sleepers.filter((s) => s.until <= target).sort((a, b) => a.until - b.until)[0];
      if (!due) break;
      this.sleepers = this.sleepers.filter((s) => s !== due);
      this.t = Math.max(this.t, due.until);
      due.resolve();
      await new Promise((r) => setImmediate(r));
    }
    this.t = target;
  }

  /** Sleepers waiting now. */
  get waiting(): number {
    return this.sleepers.length;
  }
}
