import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchDir } from './generate.js';

export interface Run {
  ms: number;
  peakRssMb: number;
  exitCode: number | null;
  stderr: string;
}

/** Runs `bridge ARGS` as its own process (stdout to /dev/null) and reports its wall time and peak RSS. */
export async function runBridge(args: string[], cwd = join(benchDir, '..')): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-'));
  const rssFile = join(dir, 'rss');
  const started = performance.now();
  const child = spawn(process.execPath, ['bin/bridge.js', ...args], {
    cwd,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, BRIDGE_PEAK_RSS_FILE: rssFile },
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const ms = performance.now() - started;
  let peakRssMb = NaN;
  try {
    peakRssMb = Number(readFileSync(rssFile, 'utf8')) / 1024;
  } catch {
    /* the process died before writing it: NaN says so */
  }
  rmSync(dir, { recursive: true, force: true });
  return { ms, peakRssMb, exitCode, stderr };
}
