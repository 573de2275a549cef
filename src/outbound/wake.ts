/** A wait that ends after `ms`, on `notify()`, or when the signal aborts; notifies before a wait are kept. */
export class Wake {
  private resolve: (() => void) | undefined;
  private pending = false;

  notify = (): void => {
    if (this.resolve) this.resolve();
    else this.pending = true;
  };

  wait(ms: number, signal: AbortSignal): Promise<void> {
    if (this.pending || signal.aborted) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.resolve = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      this.resolve = done;
    });
  }
}
