import type { Parser } from 'csv-parse';

/**
 * A parser's input since the end of the last record taken, kept as the slices written, and where
 * each record it gave ends: a record's raw text is the bytes it came from. (csv-parse's own `raw`
 * keeps only the first byte of each delimiter, quote and record delimiter it matches: a blank CRLF
 * line then a blank LF line read there as one CRLF, a delimiter of several UTF-8 bytes as U+FFFD.)
 */
export class InputWindow {
  private readonly chunks: Buffer[] = [];
  private held = 0;
  /** Where in the parser's input the first byte held is. */
  private at = 0;
  /** Where each record the parser gave ends in its input, from `endsTaken` on not taken yet. */
  private readonly ends: number[] = [];
  private endsTaken = 0;

  /** Watches `parser`, which csv-parse sets `info.bytes` of to just past a record's terminator before it pushes the record. */
  constructor(parser: Parser) {
    const push = parser.push;
    parser.push = (chunk: unknown, encoding?: BufferEncoding) => {
      if (chunk !== null) this.ends.push(parser.info.bytes);
      return push.call(parser, chunk, encoding);
    };
  }

  /** Holds a slice as it is written to the parser. */
  append(slice: Buffer): void {
    if (slice.length === 0) return;
    this.chunks.push(slice);
    this.held += slice.length;
  }

  /** The bytes of the next record the parser gave (they are read in order), lines it skipped before it included. */
  nextRecord(): Buffer {
    const end = this.ends[this.endsTaken++];
    if (this.endsTaken === this.ends.length) {
      this.ends.length = 0;
      this.endsTaken = 0;
    }
    return this.take(end - this.at);
  }

  /** Everything held: once the parser stopped, the record it was reading and what was written after it. */
  rest(): Buffer {
    return this.take(this.held);
  }

  private take(n: number): Buffer {
    this.at += n;
    this.held -= n;
    const first = this.chunks[0];
    if (first !== undefined && n <= first.length) {
      if (n === first.length) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    // A record across slices, or after a run of skipped lines: only then are bytes copied.
    const parts: Buffer[] = [];
    for (let left = n; left > 0; ) {
      const c = this.chunks[0];
      if (c.length <= left) {
        parts.push(c);
        this.chunks.shift();
        left -= c.length;
      } else {
        parts.push(c.subarray(0, left));
        this.chunks[0] = c.subarray(left);
        left = 0;
      }
    }
    return Buffer.concat(parts);
  }
}
