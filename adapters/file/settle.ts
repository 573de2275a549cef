import { existsSync } from 'node:fs';
import { mkdir, realpath, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { DataError, RetryableError } from '../../src/core/errors.js';
import type { SourceLog } from '../../src/core/source.js';
import { moveInto, stampedName } from './move.js';
import { MARKER_SUFFIX } from './scan.js';

/** Where a drop folder's files go once settled, and how. Resolved once, shared by every file. */
export interface SettlePlan {
  /** The watched folder. */
  dir: string;
  processedDir: string;
  failedDir: string;
  /** Marker mode: remove `NAME.done` once the file is settled. */
  removeMarker: boolean;
  now: () => Date;
  log?: SourceLog;
}

/** What the errors report beside a failed file is named after it: `NAME.errors.json`. */
const REPORT_SUFFIX = '.errors.json';

/** The `NAME.errors.json` written beside a failed file. */
export interface FailureReport {
  file: string;
  sha256: string;
  failedAt: string;
  /** A DataError's details as they are (with their codes), else `{ error, message }`. */
  errors: unknown[];
}

/** Every error the delivery failed with, as an operator reads them. */
export function errorEntries(error: Error): unknown[] {
  if (error instanceof DataError) return error.details;
  return [{ error: error.name, message: error.message }];
}

/** Commit: moves the file into processed/ as `STAMP_NAME`; returns where it went. */
export async function commitFile(plan: SettlePlan, name: string): Promise<string> {
  const to = await moveInto(join(plan.dir, name), plan.processedDir, stampedName(plan.now(), name));
  await dropMarker(plan, name);
  return to;
}

/**
 * For a file of failed/ given by hand to be applied again (`--force`, or after a fix): an ack that
 * moves it into processed/ under the name it has there and removes its errors report, saying so.
 * Undefined for a file elsewhere (symbolic links followed), for an errors report, and when
 * processed/ is failed/.
 */
export async function ackFailedFile(plan: SettlePlan, path: string): Promise<(() => Promise<string>) | undefined> {
  const real = (p: string) => realpath(p).catch(() => resolve(p));
  const [folder, failed, processed] = await Promise.all([real(dirname(resolve(path))), real(plan.failedDir), real(plan.processedDir)]);
  if (folder !== failed || failed === processed) return undefined;
  if (path.endsWith(REPORT_SUFFIX) && existsSync(path.slice(0, -REPORT_SUFFIX.length))) return undefined;
  return async () => {
    const to = await moveInto(path, plan.processedDir, basename(path));
    const report = `${path}${REPORT_SUFFIX}`;
    if (!existsSync(report)) return `moved to ${to}`;
    try {
      await rm(report);
      return `moved to ${to}, its errors report removed`;
    } catch (err) {
      return `moved to ${to}; its errors report could not be removed: ${(err as Error).message}`;
    }
  };
}

/**
 * Rollback: moves the file into failed/ as `STAMP_NAME`, with `STAMP_NAME.errors.json` beside it.
 * The report is written first under a temporary dot-name, so that a failed/ folder that cannot
 * be written to is found before the file moves, and a report never appears half-written.
 */
export async function rollbackFile(plan: SettlePlan, name: string, sha256: string, error: Error): Promise<string> {
  const at = plan.now();
  const report: FailureReport = { file: name, sha256, failedAt: at.toISOString(), errors: errorEntries(error) };
  const stamped = stampedName(at, name);
  const temp = join(plan.failedDir, `.${stamped}${REPORT_SUFFIX}.tmp`);
  try {
    await mkdir(plan.failedDir, { recursive: true });
    await writeFile(temp, `${JSON.stringify(report, null, 2)}\n`);
  } catch (err) {
    throw new RetryableError(`cannot move ${name} to ${plan.failedDir}: ${(err as Error).message}`, { cause: err });
  }
  let to: string;
  try {
    to = await moveInto(join(plan.dir, name), plan.failedDir, stamped);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
  try {
    await rename(temp, `${to}${REPORT_SUFFIX}`);
  } catch (err) {
    plan.log?.warn({ file: name, to, error: (err as Error).message }, `cannot write the errors of ${basename(to)}`);
  }
  await dropMarker(plan, name);
  return to;
}

async function dropMarker(plan: SettlePlan, name: string): Promise<void> {
  if (!plan.removeMarker) return;
  try {
    await unlink(join(plan.dir, `${name}${MARKER_SUFFIX}`));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    // Left behind, the marker would make a later file of the same name look complete at once.
    plan.log?.warn({ file: name, error: (err as Error).message }, `cannot remove the marker of ${name}`);
  }
}
