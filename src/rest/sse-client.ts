/** A minimal Server-Sent Events reader over fetch, for tests: events and comment lines as they arrive. */
export interface SseEvent {
  id?: string;
  event?: string;
  data: string;
}

export class SseReader {
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  private buffer = '';
  private readonly controller = new AbortController();
  readonly done: Promise<void>;
  status = 0;

  constructor(url: string, headers: Record<string, string> = {}) {
    this.done = this.run(url, headers);
  }

  private async run(url: string, headers: Record<string, string>): Promise<void> {
    try {
      const res = await fetch(url, { headers, signal: this.controller.signal });
      this.status = res.status;
      const decoder = new TextDecoder();
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        this.buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = this.buffer.indexOf('\n\n')) >= 0) {
          const block = this.buffer.slice(0, end);
          this.buffer = this.buffer.slice(end + 2);
          const event: SseEvent = { data: '' };
          let isEvent = false;
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
            else {
              const i = line.indexOf(':');
              const field = line.slice(0, i);
              const value = line.slice(i + 1).replace(/^ /, '');
              isEvent = true;
              if (field === 'data') event.data += value;
              else if (field === 'id') event.id = value;
              else if (field === 'event') event.event = value;
            }
          }
          if (isEvent) this.events.push(event);
        }
      }
    } catch (e) {
      if ((e as Error).name !== 'AbortError') throw e;
    }
  }

  /** Waits until `test` holds (polling), at most `ms`. */
  async until(test: () => boolean, ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!test()) {
      if (Date.now() > deadline) throw new Error(`SSE: condition not met within ${ms} ms (${this.events.length} events)`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Drops the connection, as a network failure would. */
  async drop(): Promise<void> {
    this.controller.abort();
    await this.done;
  }
}
