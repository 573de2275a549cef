import { watch, type FSWatcher } from 'node:fs';

/** Least time between a file-system event and the listing it prompts: bursts of events coalesce. */
const HINT_DELAY_MS = 50;

/**
 * Paces the scans of one folder: `wait()` ends after `pollMs`, sooner when fs.watch reports a
 * change (only a hint: it misses events on network mounts and is absent on some), and at once
 * when `stop` aborts. Closes its watcher and timer on abort or `close()`.
 */
export class Waker {
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private deadline = 0;
  private wake: (() => void) | undefined;
  private hinted = false;
  private readonly hintDelayMs: number;

  constructor(
    dir: string,
    private readonly pollMs: number,
    private readonly stop: AbortSignal,
  ) {
    this.hintDelayMs = Math.min(pollMs, HINT_DELAY_MS);
    try {
      this.watcher = watch(dir, { persistent: false }, this.onHint);
      this.watcher.on('error', this.unwatch);
    } catch {
      // No events here (a missing folder, an unsupported mount): polling alone still works.
      this.watcher = undefined;
    }
    stop.addEventListener('abort', this.close, { once: true });
  }

  /**
   * Resolves at the next poll (or after `soonerMs`, when less), shortly after a change is
   * hinted, or on abort; never rejects.
   */
  wait(soonerMs = Infinity): Promise<void> {
    if (this.stop.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      this.wake = resolve;
      this.schedule(this.hinted ? this.hintDelayMs : Math.max(0, Math.min(this.pollMs, soonerMs)));
      this.hinted = false;
    });
  }

  readonly close = (): void => {
    this.stop.removeEventListener('abort', this.close);
    this.unwatch();
    this.fire();
  };

  private schedule(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.deadline = Date.now() + delayMs;
    this.timer = setTimeout(this.fire, delayMs);
  }

  private readonly fire = (): void => {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  };

  private readonly onHint = (): void => {
    if (!this.wake) this.hinted = true;
    else if (this.deadline > Date.now() + this.hintDelayMs) this.schedule(this.hintDelayMs);
  };

  private readonly unwatch = (): void => {
    this.watcher?.close();
    this.watcher = undefined;
  };
}
