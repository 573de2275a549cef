/** A one-line progress display on a terminal: records/s and bytes done. Silent elsewhere. */
export class Progress {
  private bytes = 0;
  private records = 0;
  private last = 0;
  private readonly started = performance.now();
  private readonly enabled = Boolean(process.stderr.isTTY);

  constructor(private readonly total?: number) {}

  addBytes(n: number): void {
    this.bytes += n;
    this.draw();
  }

  setRecords(n: number): void {
    this.records = n;
    this.draw();
  }

  private draw(force = false): void {
    if (!this.enabled) return;
    const now = performance.now();
    if (!force && now - this.last < 100) return;
    this.last = now;
    const seconds = (now - this.started) / 1000;
    const rate = seconds > 0 ? Math.round(this.records / seconds) : 0;
    const share = this.total ? ` ${Math.min(100, (100 * this.bytes) / this.total).toFixed(1)}%` : '';
    const width = 30;
    const filled = this.total ? Math.round((width * Math.min(this.bytes, this.total)) / this.total) : 0;
    const bar = this.total ? `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]` : '';
    process.stderr.write(`\r${bar}${share} ${formatBytes(this.bytes)}${this.total ? `/${formatBytes(this.total)}` : ''} ${this.records} records ${rate}/s   `);
  }

  done(): void {
    if (!this.enabled) return;
    this.draw(true);
    process.stderr.write('\n');
  }
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1 << 20) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1 << 30) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  return `${(n / (1 << 30)).toFixed(2)} GiB`;
}
