import { once } from 'node:events';
import type { Writable } from 'node:stream';

/**
 * Collects lines and writes them in large chunks, waiting for drain: one write per line costs more
 * than mapping the record.
 */
export class LineWriter {
  private pending: string[] = [];
  private size = 0;
  constructor(private readonly out: Writable, private readonly chunkChars = 1 << 16) {}

  push(line: string): void {
    this.pending.push(line);
    this.size += line.length;
  }

  /** Writes what is pending when enough has gathered (or always, with `force`). */
  async flush(force = false): Promise<void> {
    if (!this.pending.length || (!force && this.size < this.chunkChars)) return;
    const text = this.pending.join('\n') + '\n';
    this.pending = [];
    this.size = 0;
    if (!this.out.write(text)) await once(this.out, 'drain');
  }
}
