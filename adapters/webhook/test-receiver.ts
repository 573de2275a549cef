import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the receiver saw it. */
export interface Received {
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** performance.now() when the body was complete. */
  at: number;
}

/** What the receiver does with the n-th request (0-based): answer, or leave it hanging. */
export type Behaviour = (n: number, request: Received) => { status: number; headers?: Record<string, string>; body?: string } | 'hang';

/**
 * A real HTTP receiver on 127.0.0.1 that fails on demand, for webhook tests and the benchmark.
 * Hanging requests are ended when the receiver closes, so a test never waits on them.
 */
export class TestReceiver {
  readonly received: Received[] = [];
  private readonly hanging = new Set<ServerResponse>();
  private server?: Server;
  url = '';

  constructor(public behaviour: Behaviour = () => ({ status: 200 })) {}

  async start(path = '/hook'): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const request: Received = { headers: req.headers, body: Buffer.concat(chunks), at: performance.now() };
        this.received.push(request);
        const answer = this.behaviour(this.received.length - 1, request);
        if (answer === 'hang') {
          this.hanging.add(res);
          return;
        }
        res.writeHead(answer.status, answer.headers);
        res.end(answer.body ?? '');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
    return this;
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
