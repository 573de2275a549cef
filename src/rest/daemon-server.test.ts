import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import { ConfigError } from '../core/errors.js';
import { createLogger } from '../core/log.js';
import { startBridge } from '../runtime/daemon.js';
import { modelFile } from './test-server.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function config(server: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'lb-rest-daemon-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'bridge.yaml'), `model: ${modelFile}\nstore: { sqlite: { path: ${join(dir, 'b.db')} } }\n${server}`);
  return join(dir, 'bridge.yaml');
}
const quiet = () => createLogger({ destination: new Writable({ write: (_c, _e, done) => done() }) as unknown as pino.DestinationStream, pretty: false });

describe('startBridge and the REST server', () => {
  it('serves on the configured address until stop(), and not at all with enabled: false', async () => {
    const bridge = await startBridge(loadConfig(config('server: { listen: "127.0.0.1:0" }\n')), quiet());
    const url = bridge.server!.url;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    await bridge.stop();
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    const off = await startBridge(loadConfig(config('server: { enabled: false, listen: "0.0.0.0:0" }\n')), quiet());
    expect(off.server).toBeUndefined();
    await off.stop();
  });

  it('refuses a non-loopback address without clients and a port in use, with ConfigErrors at server.listen', async () => {
    await expect(startBridge(loadConfig(config('server: { listen: "0.0.0.0:0" }\n')), quiet())).rejects.toThrow(/server\.listen.*not loopback/);
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const port = (busy.address() as { port: number }).port;
    try {
      const error = await startBridge(loadConfig(config(`server: { listen: "127.0.0.1:${port}" }\n`)), quiet()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toContain(`cannot listen on 127.0.0.1:${port}: EADDRINUSE`);
    } finally {
      busy.close();
    }
  });

  it('runs one bridge per store: a second is refused naming the first, and the claim dies with its process (kill -9)', async () => {
    const file = config('server: { listen: "127.0.0.1:0" }\n');
    const store = join(file, '..', 'b.db');
    const first = await startBridge(loadConfig(file), quiet());
    const refused = await startBridge(loadConfig(file), quiet()).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ConfigError);
    expect((refused as Error).message).toContain(`another bridge run (pid ${process.pid}) uses the store ${store}`);
    await first.stop();
    expect(existsSync(`${store}.bridge-pid`)).toBe(false);
    // Another process holds it, then is killed: its claim goes with it, whatever file it left.
    const claimer = new URL('../store/store-claim.ts', import.meta.url).pathname;
    const holder = spawn(process.execPath, ['--import', 'tsx', '-e', `import(${JSON.stringify(claimer)}).then((m) => { m.claimStore(${JSON.stringify(store)}); console.log('held'); setInterval(() => {}, 1000); })`], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise((resolve) => holder.stdout.once('data', resolve));
      const held = await startBridge(loadConfig(file), quiet()).catch((e: unknown) => e);
      expect((held as Error).message).toContain(`another bridge run (pid ${holder.pid}) uses the store`);
      holder.kill('SIGKILL');
      await new Promise((resolve) => holder.once('close', resolve));
      expect(readFileSync(`${store}.bridge-pid`, 'utf8')).toBe(`${holder.pid}\n`);
      const next = await startBridge(loadConfig(file), quiet());
      expect(readFileSync(`${store}.bridge-pid`, 'utf8')).toBe(`${process.pid}\n`);
      await next.stop();
    } finally {
      holder.kill('SIGKILL');
    }
  });
});
