import { renameSync, writeFileSync } from 'node:fs';
import { request, type ClientRequest } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { updateCsv } from './rest-store.js';

export interface FeedRun {
  /** Changes missed, duplicated or out of order, summed over all clients (0 is the target). */
  lost: number;
  /** Changes the writer produced (the feed's head moved by this much). */
  changes: number;
  /** The rate the feed was actually written at, changes/s. */
  writtenPerSecond: number;
  /** Clients that had every change when the run ended. */
  complete: number;
}

/** One SSE client of /v1/changes/stream: counts events received in order, from `after` on. */
class Follower {
  last: number;
  inOrder = 0;
  wrong = 0;
  private req?: ClientRequest;
  private rest = '';

  constructor(after: number) {
    this.last = after;
  }

  open(base: string, headers: Record<string, string>): Promise<void> {
    return new Promise((resolve, reject) => {
      const req = request(`${base}/v1/changes/stream?after=${this.last}`, { headers: { ...headers, Accept: 'text/event-stream' } }, (res) => {
        if (res.statusCode !== 200) return reject(new Error(`SSE: HTTP ${res.statusCode}`));
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => this.feed(chunk));
        resolve();
      });
      req.on('error', (err) => (this.req ? undefined : reject(err)));
      req.end();
      this.req = req;
    });
  }

  // Only `id:` lines are read: the event id is the change's sequence number.
  private feed(chunk: string): void {
    const text = this.rest + chunk;
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; start = nl + 1, nl = text.indexOf('\n', start)) {
      if (text.startsWith('id:', start)) {
        const seq = Number(text.slice(start + 3, nl).trim());
        if (seq === this.last + 1) this.inOrder++;
        else this.wrong++;
        if (seq > this.last) this.last = seq;
      }
    }
    this.rest = text.slice(start);
  }

  close(): void {
    this.req?.destroy();
  }
}

async function head(base: string, headers: Record<string, string>): Promise<number> {
  const res = await fetch(`${base}/v1/changes?after=0&limit=1`, { headers });
  if (!res.ok) throw new Error(`GET /v1/changes: HTTP ${res.status}`);
  return ((await res.json()) as { head: number }).head;
}

/**
 * `clients` SSE clients follow the change feed while a legacy flow writes `perSecond` changes/s
 * for `seconds` (a CSV of updates dropped into `inbox` every 200 ms, each row's quantity set to a
 * new value so that every record is a change). Ends when every client has the head, or 20 s after
 * the writer stopped; what a client lacks then counts as lost.
 */
export async function followFeed(base: string, headers: Record<string, string>, inbox: string, clients: number, perSecond: number, seconds: number): Promise<FeedRun> {
  const start = await head(base, headers);
  const followers = Array.from({ length: clients }, () => new Follower(start));
  try {
    await Promise.all(followers.map((f) => f.open(base, headers)));
    // A file every 200 ms: the drop folder's cost per file (list, hash, move) stays small beside its records.
    const perTick = Math.round(perSecond / 5);
    const ticks = seconds * 5;
    const began = performance.now();
    for (let tick = 0; tick < ticks; tick++) {
      const from = (tick * perTick) % 900_000 + 1;
      const name = `feed-${String(tick).padStart(6, '0')}.csv`;
      writeFileSync(join(inbox, `${name}.tmp`), updateCsv(from, from + perTick - 1, 100_000 + tick), 'latin1');
      renameSync(join(inbox, `${name}.tmp`), join(inbox, name));
      const due = began + (tick + 1) * 200;
      await sleep(Math.max(0, due - performance.now()));
    }
    const expected = start + ticks * perTick;
    let now = start;
    const writeDeadline = performance.now() + 60_000;
    while ((now = await head(base, headers)) < expected && performance.now() < writeDeadline) await sleep(20);
    const writtenPerSecond = ((now - start) * 1000) / (performance.now() - began);
    const deadline = performance.now() + 20_000;
    while (followers.some((f) => f.last < now) && performance.now() < deadline) await sleep(50);
    const lost = followers.reduce((sum, f) => sum + (now - start - f.inOrder) + f.wrong, 0);
    return { lost, changes: now - start, writtenPerSecond, complete: followers.filter((f) => f.last >= now && f.wrong === 0).length };
  } finally {
    for (const f of followers) f.close();
  }
}
