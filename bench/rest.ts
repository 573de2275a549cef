import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { benchDir } from './generate.js';
import { followFeed } from './rest-feed.js';
import { steadyLoad } from './rest-steady.js';
import { buildRowStore, rowKey } from './rest-store.js';
import type { Benchmark, Figure } from './types.js';

const root = join(benchDir, '..');
const ENTITIES = 1_000_000;
const SAMPLE = 10_000;
const SECONDS = 8;
const CONNECTIONS = 32;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts a child process and waits until its /healthz answers (or it dies: its stderr in the error).
 * Without `base`, the child prints `listening <port>` once it listens on 127.0.0.1.
 */
async function startServer(args: string[], base?: string, env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  child.stdout!.on('data', (d: Buffer) => {
    const m = /listening (\d+)/.exec(d.toString());
    if (m && !base) base = `http://127.0.0.1:${m[1]}`;
  });
  const deadline = Date.now() + 60_000;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited ${child.exitCode}: ${stderr}`);
      if (Date.now() > deadline) throw new Error(`${args.join(' ')} not ready after 60 s: ${stderr}`);
      if (base && (await fetch(`${base}/healthz`).then((r) => r.status, () => 0)) !== 0) return { child, base };
      await sleep(100);
    }
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  child.kill('SIGTERM');
  const exited = new Promise((resolve) => child.once('close', resolve));
  if ((await Promise.race([exited, sleep(10_000).then(() => 'timeout')])) === 'timeout') child.kill('SIGKILL');
}

/**
 * A list page's `next` link, read from the end of its body, where the page puts it: parsing the
 * whole page (32 KB of a hundred entities) would cost the load generator, on the same two cores,
 * about as much as the server spends building it.
 */
function nextLink(body: string): string | null {
  const at = body.lastIndexOf(',"next":');
  if (at === -1 || !body.endsWith('}')) throw new Error(`a list page without a next link at its end: …${body.slice(-200)}`);
  return JSON.parse(body.slice(at + ',"next":'.length, -1)) as string | null;
}

type Load = { url: string; headers: Record<string, string>; paths?: string[]; follow?: string };

/** One autocannon run; throws unless every answer was 2xx. Requests/s (mean) and p99 latency (ms). */
export async function load({ url, headers, paths, follow }: Load, seconds = SECONDS): Promise<{ perSecond: number; p99: number }> {
  let i = 0;
  // Pages: every answer's `next` link goes into one queue that the next request takes from (autocannon
  // answers before it builds a connection's next request), so each connection walks keyset pages.
  const nexts: string[] = [];
  const request = paths
    ? { setupRequest: (req: autocannon.Request) => ({ ...req, path: paths[i++ % paths.length] }) }
    : {
        setupRequest: (req: autocannon.Request) => ({ ...req, path: nexts.pop() ?? follow }),
        onResponse: (_status: number, body: string) => {
          const next = nextLink(body);
          if (next) nexts.push(next);
        },
      };
  const result = await autocannon({ url, headers, connections: CONNECTIONS, duration: seconds, requests: [request as autocannon.Request] });
  const bad = result.non2xx + result.errors + result.timeouts;
  if (bad) throw new Error(`${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors, ${result.timeouts} timeouts`);
  return { perSecond: result.requests.average, p99: result.latency.p99 };
}

export const restBench: Benchmark = {
  name: 'rest',
  description: `\`bridge run\` REST server on a store of ${ENTITIES.toLocaleString('en')} entities, autocannon (${CONNECTIONS} connections, ${SECONDS} s a run) against a bare express 5 app serving the same JSON from memory`,
  async *run(): AsyncIterable<Figure> {
    const dir = mkdtempSync(join(tmpdir(), 'bench-rest-'));
    const token = randomBytes(24).toString('hex');
    const headers = { authorization: `Bearer ${token}` };
    let bridge: ChildProcess | undefined;
    let bare: ChildProcess | undefined;
    let plain: ChildProcess | undefined;
    try {
      const started = performance.now();
      await buildRowStore(join(dir, 'bridge.db'), ENTITIES);
      const buildSeconds = (performance.now() - started) / 1000;
      const inbox = join(dir, 'inbox');
      mkdirSync(inbox);
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      const config = {
        store: { sqlite: { path: join(dir, 'bridge.db') } },
        model: join(benchDir, 'mappings', 'model.yaml'),
        flows: { feed: { source: { file: { path: inbox, stableMs: 0, pollMs: 10 } }, mapping: join(benchDir, 'mappings', 'rows-csv.yaml'), batchSize: 5000 } },
        server: {
          listen: `127.0.0.1:${port}`,
          clients: { bench: { token: '${env:BRIDGE_BENCH_TOKEN}', scopes: ['admin'] } },
        },
        log: { level: 'warn' },
      };
      writeFileSync(join(dir, 'bridge.yaml'), JSON.stringify(config));
      ({ child: bridge } = await startServer(['bin/bridge.js', 'run', '--config', join(dir, 'bridge.yaml')], base, { BRIDGE_BENCH_TOKEN: token }));

      // The same keys for both servers, spread over the whole store; the bare app gets the bridge's answers.
      let seed = 42;
      const paths = Array.from({ length: SAMPLE }, () => `/v1/Row/${rowKey(((seed = (seed * 48271) % 2147483647) % ENTITIES) + 1)}`);
      const answers: Record<string, { body: string; etag: string; lastModified: string }> = {};
      for (const path of paths) {
        const res = await fetch(base + path, { headers });
        if (res.status !== 200) throw new Error(`GET ${path}: HTTP ${res.status} ${await res.text()}`);
        answers[path.slice('/v1/Row/'.length)] = { body: await res.text(), etag: res.headers.get('etag') ?? '', lastModified: res.headers.get('last-modified') ?? '' };
      }
      writeFileSync(join(dir, 'bodies.json'), JSON.stringify(answers));
      let bareBase: string;
      ({ child: bare, base: bareBase } = await startServer(['--import', 'tsx', join(benchDir, 'rest-bare.ts'), join(dir, 'bodies.json')]));

      // Both servers warm up first (JIT, SQLite and OS page caches over the sampled keys).
      await load({ url: bareBase, headers, paths }, 2);
      await load({ url: base, headers, paths }, 2);
      const bareFull = await load({ url: bareBase, headers, paths });
      const bridgeFull = await load({ url: base, headers, paths });
      yield { metric: 'get_requests_per_s', value: bridgeFull.perSecond, unit: 'req/s', baseline: bareFull.perSecond, baselineLabel: 'bare express 5, same JSON from memory', note: `target >= 0.7x; store built in ${buildSeconds.toFixed(1)} s` };
      // Not a target: GET of one entity is answered before express dispatch (src/rest/fast-read.ts),
      // so the bridge's own cost shows against plain node:http serving the same answers.
      let plainBase: string;
      ({ child: plain, base: plainBase } = await startServer(['--import', 'tsx', join(benchDir, 'rest-bare.ts'), join(dir, 'bodies.json'), 'node']));
      await load({ url: plainBase, headers, paths }, 2);
      const plainFull = await load({ url: plainBase, headers, paths });
      await stop(plain);
      yield { metric: 'get_requests_per_s_vs_node', value: bridgeFull.perSecond, unit: 'req/s', baseline: plainFull.perSecond, baselineLabel: 'plain node:http, same JSON from memory', note: 'no target: what the store read, auth, logging and metrics cost' };
      const half = Math.round(bareFull.perSecond / 2);
      const bareHalf = await steadyLoad(bareBase, headers, paths, half, SECONDS);
      const bridgeHalf = await steadyLoad(base, headers, paths, half, SECONDS);
      yield { metric: 'get_p99_ms', value: bridgeHalf.p99, unit: 'ms', baseline: bareHalf.p99, baselineLabel: `bare express at the same ${half} req/s`, note: `${half} req/s at even intervals, ${Math.round(bridgeHalf.perSecond)} served, p50 ${bridgeHalf.p50.toFixed(1)} ms, the generator itself sent late by ${bridgeHalf.lateP99.toFixed(1)} ms at p99 (bare run: ${bareHalf.lateP99.toFixed(1)}); target < 10 ms` };
      // Not a target: the same at half the bridge's own rate, to tell queueing from per-request cost.
      const own = Math.round(bridgeFull.perSecond / 2);
      const bareOwn = await steadyLoad(bareBase, headers, paths, own, SECONDS);
      const bridgeOwn = await steadyLoad(base, headers, paths, own, SECONDS);
      yield { metric: 'get_p99_ms_half_own_rate', value: bridgeOwn.p99, unit: 'ms', baseline: bareOwn.p99, baselineLabel: `bare express at the same ${own} req/s`, note: `half the bridge's own req/s, p50 ${bridgeOwn.p50.toFixed(1)} ms, generator late p99 ${bridgeOwn.lateP99.toFixed(1)} ms` };
      await stop(bare);

      // Warmed up like the GETs: the first seconds of a list walk are JIT and cache warm-up.
      const walk = { url: base, headers, follow: '/v1/Row?limit=100' };
      await load(walk, 2);
      const pages = await load(walk);
      yield { metric: 'list_pages_per_s', value: pages.perSecond, unit: 'pages/s', note: `pages of 100 following next links, p99 ${pages.p99} ms; target >= 2000` };

      const feed = await followFeed(base, headers, inbox, 100, 5000, 5);
      yield {
        metric: 'sse_changes_lost', value: feed.lost, unit: 'changes',
        note: `100 SSE clients, ${feed.changes} changes written by a file flow at ${Math.round(feed.writtenPerSecond)}/s; ${feed.complete}/100 clients complete; target 0`,
      };
    } finally {
      await stop(plain);
      await stop(bare);
      await stop(bridge);
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
