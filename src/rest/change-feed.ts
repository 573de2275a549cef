import type { Logger } from '../core/log.js';
import type { ChangeEvent, Store } from '../store/types.js';

const PAGE = 1000;

/** Something that follows the feed from `cursor` on: it is handed every page read after it. */
export interface FeedSubscriber {
  /** Called with consecutive pages of the feed, each starting right after the feed's previous head. */
  deliver(page: ChangeEvent[]): void;
}

/**
 * Follows the store's change feed for the change streams: reads new events after every local
 * write (`poke`) and on a short interval (writes by flows or other processes), one read at a
 * time, and hands each page to every subscriber; without subscribers it only follows the store's
 * head. `head` is the last seq handed out: a subscriber that has caught up to it (with its own
 * reads) and subscribes in the same tick misses nothing, since every later page starts right
 * after `head`. No read is held open across an await: each page is one synchronous query.
 */
export class ChangeFeed {
  private last = 0;
  private readonly subscribers = new Set<FeedSubscriber>();
  /** Open change streams (subscribed or catching up), ended by `close`. */
  readonly streams = new Set<{ end(): void }>();
  private polling = false;
  private again = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    private readonly pollMs = 100,
  ) {}

  async start(): Promise<void> {
    this.last = await this.store.head();
    this.timer = setInterval(() => this.poke(), this.pollMs);
    this.timer.unref();
  }

  get head(): number {
    return this.last;
  }

  subscribe(s: FeedSubscriber): void {
    this.subscribers.add(s);
  }

  unsubscribe(s: FeedSubscriber): void {
    this.subscribers.delete(s);
  }

  /** Reads what is new, now or (when a read is running) right after it. */
  poke(): void {
    if (this.polling) {
      this.again = true;
      return;
    }
    this.polling = true;
    void this.poll()
      .catch((e) => this.log.warn({ err: e }, 'change feed read failed; will retry'))
      .finally(() => {
        this.polling = false;
      });
  }

  private async poll(): Promise<void> {
    do {
      this.again = false;
      // Nobody to hand pages to: only the head moves (a bulk ingest would otherwise have every
      // event it writes read back for nobody). A stream catching up reads to the head itself.
      if (this.subscribers.size === 0) {
        const head = await this.store.head();
        // One may have subscribed meanwhile, at the old head: it gets the pages after it.
        if (this.subscribers.size === 0) {
          this.last = Math.max(this.last, head);
          continue;
        }
      }
      for (;;) {
        const page = await this.store.changes({ after: this.last, limit: PAGE });
        if (page.length === 0) break;
        this.last = page[page.length - 1].seq;
        for (const s of this.subscribers) s.deliver(page);
        if (page.length < PAGE) break;
      }
    } while (this.again);
  }

  /** Stops following and ends every open stream (its client reconnects with Last-Event-ID). */
  close(): void {
    clearInterval(this.timer);
    this.subscribers.clear();
    for (const s of [...this.streams]) s.end();
  }
}
