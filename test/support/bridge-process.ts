import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { openSqliteStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';

export const repoRoot = resolve(import.meta.dirname, '..', '..');
export const benchMappings = join(repoRoot, 'bench', 'mappings');

export interface TestBridge {
  dir: string;
  configFile: string;
  dbPath: string;
  inbox(flow: string): string;
}

/** A temp folder with a bridge.yaml whose flows each watch their own inbox under it. */
export function makeBridge(flows: Record<string, Record<string, unknown> & { mapping: string; source?: Record<string, unknown> }>, extra: Record<string, unknown> = {}): TestBridge {
  const dir = mkdtempSync(join(tmpdir(), 'bridge-test-'));
  const inbox = (flow: string) => join(dir, 'inbox', flow);
  const config = {
    store: { sqlite: { path: join(dir, 'bridge.db'), busyTimeoutMs: 2000 } },
    model: join(benchMappings, 'model.yaml'),
    log: { level: 'info' },
    server: { listen: '127.0.0.1:0' },
    ...extra,
    flows: Object.fromEntries(
      Object.entries(flows).map(([name, f]) => {
        mkdirSync(inbox(name), { recursive: true });
        return [name, { ...f, source: f.source ?? { file: { path: inbox(name), stableMs: 50, pollMs: 20 } } }];
      }),
    ),
  };
  const configFile = join(dir, 'bridge.yaml');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  return { dir, configFile, dbPath: join(dir, 'bridge.db'), inbox };
}

export interface Daemon {
  child: ChildProcess;
  logs: Record<string, unknown>[];
  stderr: string[];
  /** Resolves with the first log line (JSON) that matches, waiting at most `timeoutMs`. */
  waitForLog(match: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `bridge run` as a real child process, collecting its JSON log lines. */
export function startDaemon(configFile: string, env: Record<string, string> = {}): Daemon {
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'bridge.js'), 'run', '--config', configFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  const logs: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  const waiters: { match: (l: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void }[] = [];
  createInterface({ input: child.stdout! }).on('line', (text) => {
    let line: Record<string, unknown>;
    try {
      line = JSON.parse(text);
    } catch {
      line = { msg: text };
    }
    logs.push(line);
    for (const w of [...waiters]) {
      if (w.match(line)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  createInterface({ input: child.stderr! }).on('line', (text) => stderr.push(text));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    child,
    logs,
    stderr,
    exited,
    waitForLog(match, timeoutMs = 30_000) {
      const found = logs.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching log line within ${timeoutMs} ms; stderr: ${stderr.join('\n')}\nlogs: ${logs.map((l) => JSON.stringify(l)).join('\n')}`)), timeoutMs);
        waiters.push({ match, resolve: (l) => (clearTimeout(timer), resolve(l)) });
        exited.then(({ code, signal }) => reject(new Error(`daemon exited (${code ?? signal}) before the log line; stderr: ${stderr.join('\n')}`)));
      });
    },
  };
}

/** Rows of the benchmark's 10-field CSV (bench/mappings/rows-csv.yaml), ids from `first`. */
export function csvRows(first: number, count: number, edit: (i: number, fields: string[]) => string[] = (_i, f) => f): string {
  let out = 'ID,NAME,CITY,QTY,PRICE,AMOUNT,DISCOUNT,ORDERED,SHIPPED,STATUS\n';
  for (let i = first; i < first + count; i++) {
    out += edit(i, [`ID${String(i).padStart(8, '0')}`, `Name ${i}`, 'Berlin', String(i % 1000), '12.50', '125.00', '0.00', '20261101', '20261201', 'A']).join(',') + '\n';
  }
  return out;
}

export interface CliResult {
  status: number | null;
  stdout: string;
  /** stdout as bytes, for round trips that must compare byte for byte. */
  stdoutBytes: Buffer;
  stderr: string;
}

/** Runs one `bridge …` command as a child process, with optional stdin; killed after `timeoutMs`. */
export function runCli(args: string[], options: { input?: string | Buffer; cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'bridge.js'), ...args], { cwd: options.cwd ?? repoRoot, stdio: ['pipe', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout!.on('data', (b: Buffer) => out.push(b));
  child.stderr!.on('data', (b: Buffer) => err.push(b));
  child.stdin!.on('error', () => undefined);
  child.stdin!.end(options.input ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      const stdoutBytes = Buffer.concat(out);
      resolve({ status, stdout: stdoutBytes.toString('utf8'), stdoutBytes, stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

/** Opens the store file as a second process would, runs `fn` on it, and closes it after. */
export async function withStore<T>(dbPath: string, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = openSqliteStore({ path: dbPath });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
