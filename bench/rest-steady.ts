import { connect, type Socket } from 'node:net';

type Pending = { due: number; path: string };

/** Bytes every connection's socket reads into (one thread: one read at a time). */
const READ_BUFFER = Buffer.alloc(256 * 1024);

/**
 * A keep-alive HTTP/1.1 connection that sends one GET at a time and reads answers with a
 * Content-Length (what both servers of the bench give): a few string operations an answer instead
 * of node:http's client, so that the load generator's own work does not delay what it sends.
 * Sockets read into one shared buffer (`onread`): a buffer per read made the generator collect
 * young garbage every quarter second, pauses of 1-11 ms on the two busy cores, which its latency
 * figures charged to the server.
 */
class Connection {
  /** The part of an answer that came in an earlier read (rare: answers are a few hundred bytes). */
  private partial: Buffer | undefined;
  private current: Pending | undefined;
  private readonly socket: Socket;

  constructor(host: string, port: number, private readonly head: string, private readonly done: (p: Pending, status: number) => void, private readonly failed: (message: string) => void) {
    this.socket = connect({ host, port, noDelay: true, onread: { buffer: READ_BUFFER, callback: (n: number, buf: Uint8Array) => (this.read(buf as Buffer, n), true) } });
    this.socket.on('error', (err) => failed(err.message));
    this.socket.on('close', () => {
      this.closed = true;
      if (this.current) failed('connection closed with a request in flight');
    });
  }

  /** The server may close a keep-alive connection left idle (and say 408 first). */
  closed = false;

  get idle(): boolean {
    return this.current === undefined;
  }

  send(p: Pending): void {
    this.current = p;
    this.socket.write(`GET ${p.path} HTTP/1.1\r\n${this.head}\r\n`);
  }

  private read(buffer: Buffer, length: number): void {
    if (this.current === undefined) return;
    // Only what is kept past this call is copied: the shared buffer is read into again.
    const bytes = this.partial === undefined ? buffer.subarray(0, length) : Buffer.concat([this.partial, buffer.subarray(0, length)]);
    this.partial = undefined;
    const end = bytes.indexOf('\r\n\r\n');
    if (end < 0) return void (this.partial = Buffer.from(bytes));
    const head = bytes.toString('latin1', 0, end);
    const contentLength = /\r\ncontent-length: *(\d+)/i.exec(head);
    if (!contentLength) return this.failed(`an answer without Content-Length: ${head.split('\r\n')[0]}`);
    const total = end + 4 + Number(contentLength[1]);
    if (bytes.length < total) return void (this.partial = Buffer.from(bytes));
    if (bytes.length > total) return this.failed('more bytes than one answer');
    const p = this.current!;
    this.current = undefined;
    this.done(p, Number(head.slice(9, 12)));
  }

  close(): void {
    this.current = undefined;
    this.closed = true;
    this.socket.destroy();
  }
}

/**
 * Open-loop load: `rate` GETs a second at evenly spaced times for `seconds`, whatever the answers
 * take, over `connections` keep-alive connections; a request due while all are busy waits for the
 * first free one. Latency runs from when a request was due, so a server that falls behind is
 * charged for the wait (autocannon's rate limit sends each second's quota in a burst, which
 * measures the burst rather than the server at that rate). The first `warmUpSeconds` are sent but
 * not counted. `lateP99` is how late the generator itself sent (its own timer and event loop), to
 * tell its noise from the server's. Throws on any non-2xx.
 */
export async function steadyLoad(base: string, headers: Record<string, string>, paths: string[], rate: number, seconds: number, warmUpSeconds = 1, connections = 32): Promise<{ p99: number; p50: number; perSecond: number; lateP99: number }> {
  const url = new URL(base);
  const head = [`Host: ${url.host}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), ''].join('\r\n');
  const latencies: number[] = [];
  const lateness: number[] = [];
  const total = Math.round(rate * seconds);
  const interval = 1000 / rate;
  const began = performance.now();
  const counted = (due: number) => due - began >= warmUpSeconds * 1000;
  const waiting: Pending[] = [];
  let failure = '';
  let finished = 0;
  let sent = 0;
  const pool: Connection[] = [];
  let timer: NodeJS.Timeout | undefined;
  await new Promise<void>((resolve) => {
    const fail = (message: string) => {
      failure ||= message;
      clearInterval(timer);
      resolve();
    };
    const done = (p: Pending, status: number) => {
      if (status < 200 || status > 299) failure ||= `${status} for ${p.path}`;
      if (counted(p.due)) latencies.push(performance.now() - p.due);
      if (++finished === total) return resolve();
      const next = waiting.shift();
      if (next) start(next);
    };
    const start = (p: Pending) => {
      const free = pool.findIndex((c) => c.idle);
      if (free >= 0 && pool[free].closed) pool[free] = connection();
      if (free >= 0) pool[free].send(p);
      else waiting.push(p);
    };
    const connection = () => new Connection(url.hostname, Number(url.port), head, done, fail);
    for (let i = 0; i < connections; i++) pool.push(connection());
    // A 1 ms timer sends everything that has come due since: timers are coarse, the schedule is not.
    timer = setInterval(() => {
      const now = performance.now();
      while (sent < total && began + sent * interval <= now) {
        const due = began + sent * interval;
        // Measured here only: a request that then waits for a free connection waits for the server.
        if (counted(due)) lateness.push(now - due);
        start({ due, path: paths[sent++ % paths.length] });
      }
      if (sent === total) clearInterval(timer);
    }, 1);
  });
  const elapsed = (performance.now() - began) / 1000;
  for (const c of pool) c.close();
  if (failure) throw new Error(`${base}: ${failure}`);
  latencies.sort((a, b) => a - b);
  lateness.sort((a, b) => a - b);
  const at = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { p99: at(latencies, 0.99), p50: at(latencies, 0.5), perSecond: total / elapsed, lateP99: at(lateness, 0.99) };
}
