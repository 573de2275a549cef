import type Database from 'better-sqlite3';

/**
 * Buffers rows for one INSERT and writes them `rows` at a time with a single multi-row
 * statement: one statement step per 64 rows instead of one per row is what makes the store's
 * insert path close to a plain insert. Rows are written in the order they were added.
 *
 * The caller asks for a row's slot with `next()` and writes the row's `width` values into
 * `values` from that offset (no per-row array or closure). A value the same for every row until
 * the buffer is cleared (a batch's time or origin) is a named parameter (`@at`) in the row,
 * bound once per statement from `shared`: each bound string costs a copy, and bound per row a
 * batch's four constants took about a fifth of better-sqlite3's time in a first ingest. Rows
 * stay in memory until the buffer is full or `flush()` is called: whoever reads the table, or
 * updates a row that may still be buffered, flushes first. `clear()` drops what a rolled-back
 * transaction left behind.
 */
export class MultiRowInsert {
  /** The buffered rows' values, `width` per row. */
  readonly values: unknown[];
  /** The named parameters' values, for every buffered row; set them before adding rows, after `clear()`. */
  shared: Record<string, unknown> = {};
  private readonly one: Database.Statement;
  private readonly many: Database.Statement;
  private count = 0;

  /**
   * @param head `INSERT INTO t (a, b, …) VALUES`
   * @param row one row's value list, `(?, ?, …)`, with `width` anonymous parameters and maybe named ones
   * @param tail what follows the values (an `ON CONFLICT` clause), applied to every row
   */
  constructor(
    db: Database.Database,
    head: string,
    row: string,
    private readonly width: number,
    tail = '',
    private readonly rows = 64,
  ) {
    this.one = db.prepare(`${head} ${row} ${tail}`);
    this.many = db.prepare(`${head} ${new Array<string>(rows).fill(row).join(', ')} ${tail}`);
    this.values = new Array<unknown>(width * rows);
  }

  /** The offset in `values` of a new row's first value; flushes first when the buffer is full. */
  next(): number {
    if (this.count === this.rows) this.flush();
    return this.count++ * this.width;
  }

  get pending(): number {
    return this.count;
  }

  flush(): void {
    const n = this.count;
    if (n === 0) return;
    this.count = 0;
    if (n === this.rows) {
      this.many.run(this.values, this.shared);
      return;
    }
    for (let i = 0; i < n; i++) this.one.run(this.values.slice(i * this.width, (i + 1) * this.width), this.shared);
  }

  clear(): void {
    this.count = 0;
  }
}
