import { mkdir, rename, rm, unlink, writeFile } from 'node:fs/promises';
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
 * A file of failed/ applied since (by hand, with `--force` or after a fix): moves it into
 * processed/ under the name it has, and removes its errors report. Returns where it went, or
 * undefined when `path` is not in failed/ (or is the report itself).
 */
export async function commitFailedFile(plan: SettlePlan, path: string): Promise<string | undefined> {
  if (dirname(resolve(path)) !== resolve(plan.failedDir) || path.endsWith('.errors.json')) return undefined;
  const to = await moveInto(path, plan.processedDir, basename(path));
  await rm(`${path}.errors.json`, { force: true });
  return to;
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
  const temp = join(plan.failedDir, `.${stamped}.errors.json.tmp`);
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
    await rename(temp, `${to}.errors.json`);
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
