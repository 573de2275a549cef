import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../core/errors.js';
import type { LoadedConfig } from '../config/load.js';
import { createRequestListener } from './app.js';
import { ChangeFeed } from './change-feed.js';
import type { RestContext } from './context.js';

/** How long requests in flight may take to finish when the server closes. */
const CLOSE_GRACE_MS = 2_000;

/** `host:port` of server.listen; IPv6 hosts in brackets. */
export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(listen);
  if (!m) throw new RangeError(`listen address ${JSON.stringify(listen)} is not host:port`);
  return { host: m[1] ?? m[2], port: Number(m[3]) };
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * Refuses a server that would listen beyond loopback without any client configured (anyone on
 * the network would have every scope), and a port out of range. ConfigError at server.listen.
 */
export function checkServerConfig(loaded: LoadedConfig): void {
  const server = loaded.config.server;
  if (!server.enabled) return;
  const { host, port } = parseListen(server.listen);
  const at = loaded.yaml.problem(['server', 'listen'], '');
  if (port > 65535) throw new ConfigError({ ...at, message: `port ${port} is out of range` });
  if (!isLoopback(host) && Object.keys(server.clients).length === 0) {
    throw new ConfigError({
      ...at,
      message: `listening on ${server.listen} (not loopback) without any client configured would give anyone every scope: add server.clients or listen on 127.0.0.1`,
    });
  }
}

/** A listening REST server. `close()` ends the change streams and waits for the socket to close. */
export interface RestServer {
  /** `http://host:port` actually bound (port 0 resolved). */
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

/**
 * Builds the app, starts following the change feed and listens; resolves once listening.
 * A port in use (or any listen error) is a ConfigError naming the address.
 */
export async function startServer(context: Omit<RestContext, 'feed'>, file = 'bridge.yaml'): Promise<RestServer> {
  const feed = new ChangeFeed(context.store, context.logger);
  await feed.start();
  const { listener } = createRequestListener({ ...context, feed });
  const { host, port } = parseListen(context.server.listen);
  const server = createServer(listener);
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = 10_000;
  server.requestTimeout = Math.max(context.server.requestTimeoutMs, 10_000);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    feed.close();
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError({ file, path: 'server.listen', message: `cannot listen on ${context.server.listen}: ${code}` });
  }
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shown}:${address.port}`,
    port: address.port,
    server,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Change streams never end on their own; requests in flight get a moment to finish.
      feed.close();
      server.closeIdleConnections();
      const grace = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
      await closed;
      clearTimeout(grace);
    },
  };
}
