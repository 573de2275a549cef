import type { Clock } from './clock.js';

export type BreakerState = 'closed' | 'open' | 'half-open';

/**
 * Opens after `failures` consecutive failed attempts; while open no attempt is made; after
 * `coolDownMs` one probe is let through (half-open): its success closes the circuit, its failure
 * opens it for another cool-down. Shared by every flow using one connection.
 */
export class CircuitBreaker {
  private consecutive = 0;
  private openedAt = 0;
  private probing = false;
  state: BreakerState = 'closed';

  constructor(
    private readonly clock: Clock,
    private readonly failures: number,
    private readonly coolDownMs: number,
    private readonly onChange: (state: BreakerState) => void = () => {},
  ) {}

  private set(state: BreakerState): void {
    if (state === this.state) return;
    this.state = state;
    this.onChange(state);
  }

  /** Waits until an attempt may be made (at once when closed); rejects when the signal aborts. */
  async admit(signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (this.state === 'closed') return;
      const wait = this.openedAt + this.coolDownMs - this.clock.now();
      if (this.state === 'open' && wait <= 0) {
        this.set('half-open');
        this.probing = true;
        return;
      }
      // Half-open with its probe out, or open: wait for the probe's answer or the cool-down.
      await this.clock.sleep(Math.max(wait, 50), signal);
    }
  }

  success(): void {
    this.consecutive = 0;
    this.probing = false;
    this.set('closed');
  }

  failure(): void {
    this.consecutive++;
    if (this.probing || this.consecutive >= this.failures) {
      this.probing = false;
      this.openedAt = this.clock.now();
      this.set('open');
    }
  }
}
