/**
 * The `rest` benchmark's baselines: a bare express 5 app (the baseline), or with `node` a
 * plain node:http server (how far below the platform the bridge is), answering GET /v1/Row/{key}
 * with the JSON (and ETag / Last-Modified) that the bridge returned for the same keys, from memory.
 * Run as its own process, like the bridge:  node --import tsx bench/rest-bare.ts BODIES_JSON [node]
 * Prints `listening <port>` once it accepts connections on 127.0.0.1.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';

type Answer = { body: string; etag: string; lastModified: string };
const answers = new Map<string, Answer>(Object.entries(JSON.parse(readFileSync(process.argv[2], 'utf8')) as Record<string, Answer>));
const PREFIX = '/v1/Row/';

function expressServer(): Server {
  const app = express();
  app.get('/v1/Row/:key', (req, res) => {
    const a = answers.get(req.params.key);
    if (!a) return void res.status(404).json({ status: 404 });
    res.set({ 'Content-Type': 'application/json; charset=utf-8', ETag: a.etag, 'Last-Modified': a.lastModified }).send(a.body);
  });
  return createServer(app);
}

function nodeServer(): Server {
  return createServer((req, res) => {
    const a = req.url?.startsWith(PREFIX) ? answers.get(decodeURIComponent(req.url.slice(PREFIX.length))) : undefined;
    if (!a) return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', ETag: a.etag, 'Last-Modified': a.lastModified, 'Content-Length': Buffer.byteLength(a.body) }).end(a.body);
  });
}

const server = process.argv[3] === 'node' ? nodeServer() : expressServer();
server.listen(0, '127.0.0.1', () => console.log(`listening ${(server.address() as AddressInfo).port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
