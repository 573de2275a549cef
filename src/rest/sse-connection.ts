import type { Response } from 'express';
import type { ChangeEvent, Store } from '../store/types.js';
import type { ChangeFeed, FeedSubscriber } from './change-feed.js';

const CATCH_UP_PAGE = 500;

// The feed hands the same page (the same event objects) to every stream: each event is framed
// once, and a whole page once for the streams that take all of it.
const frames = new WeakMap<ChangeEvent, string>();
const pages = new WeakMap<ChangeEvent[], string>();

function frame(e: ChangeEvent): string {
  let text = frames.get(e);
  if (text === undefined) frames.set(e, (text = `id: ${e.seq}\nevent: change\ndata: ${JSON.stringify(e)}\n\n`));
  return text;
}

function pageFrames(events: ChangeEvent[]): string {
  let text = pages.get(events);
  if (text === undefined) pages.set(events, (text = events.map(frame).join('')));
  return text;
}

/**
 * One client of /v1/changes/stream. It catches up from its cursor with its own reads (waiting
 * for the socket to drain between pages), then subscribes to the shared feed in the same tick
 * it finds itself at the feed's head. A client too slow for the live pages (its socket buffer
 * full) is unsubscribed and catches up again once drained: slow clients cost memory bounded by
 * one page, and never lose or reorder an event.
 */
export class SseConnection implements FeedSubscriber {
  private closed = false;
  private catchingUp = false;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly res: Response,
    private readonly store: Store,
    private readonly feed: ChangeFeed,
    private cursor: number,
    private readonly types: string[] | undefined,
    heartbeatMs: number,
  ) {
    this.heartbeat = setInterval(() => res.write(': heartbeat\n\n'), heartbeatMs);
    feed.streams.add(this);
    res.on('close', () => this.close());
    res.on('drain', () => {
      if (!this.closed && !this.catchingUp && this.res.writableNeedDrain === false) void this.catchUp();
    });
  }

  private send(events: ChangeEvent[]): boolean {
    let text = '';
    if (this.types === undefined && events.length > 0 && events[0].seq > this.cursor) {
      text = pageFrames(events);
      this.cursor = events[events.length - 1].seq;
    } else {
      for (const e of events) {
        if (e.seq <= this.cursor) continue;
        this.cursor = e.seq;
        if (this.types !== undefined && !this.types.includes(e.type)) continue;
        text += frame(e);
      }
    }
    return text === '' ? !this.res.writableNeedDrain : this.res.write(text);
  }

  deliver(page: ChangeEvent[]): void {
    if (this.closed) return;
    const last = page[page.length - 1].seq;
    const ok = this.send(page);
    if (last > this.cursor) this.cursor = last;
    if (!ok) this.feed.unsubscribe(this);
  }

  /** Reads pages from the store until at the feed's head, then subscribes. */
  async catchUp(): Promise<void> {
    this.catchingUp = true;
    try {
      while (!this.closed) {
        if (this.cursor >= this.feed.head) {
          this.feed.subscribe(this);
          return;
        }
        const head = this.feed.head;
        const page = await this.store.changes({ after: this.cursor, limit: CATCH_UP_PAGE, types: this.types });
        if (this.closed) return;
        const ok = this.send(page);
        // Fewer than a page: nothing (of these types) after the cursor up to at least `head`.
        if (page.length < CATCH_UP_PAGE && head > this.cursor) this.cursor = head;
        if (!ok) {
          await new Promise<void>((resolve) => {
            const done = () => {
              this.res.off('drain', done);
              this.res.off('close', done);
              resolve();
            };
            this.res.on('drain', done);
            this.res.on('close', done);
          });
        }
      }
    } finally {
      this.catchingUp = false;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    this.feed.unsubscribe(this);
    this.feed.streams.delete(this);
  }

  /** Ends the stream (server shutdown). */
  end(): void {
    this.close();
    this.res.end();
  }
}
