import { constants } from 'node:fs';
import { copyFile, lstat, mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { RetryableError } from '../../src/core/errors.js';

/** Past this many taken names the folder is surely wrong, not just busy. */
const MAX_SUFFIX = 1000;

/** `20261128T101500Z`: UTC, second precision, sorts as text. */
export function timeStamp(at: Date): string {
  return at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** The most bytes of a file name on the file systems we run on (ext4, xfs, tmpfs). */
const NAME_MAX = 255;
/** What may be added to a settled name: `.1000` before its extension, `.errors.json.tmp` and a leading dot. */
const NAME_EXTRAS = '.1000'.length + '..errors.json.tmp'.length;

/**
 * `STAMP_NAME`, the name a settled file gets, short enough that it and every name derived from it
 * (a taken-name suffix, the errors report and its temporary) fit in NAME_MAX bytes: a legal but
 * long name loses the end of its stem (marked `~`), never its extension; the report keeps the
 * name as it was.
 */
export function stampedName(at: Date, name: string): string {
  const full = `${timeStamp(at)}_${name}`;
  const budget = NAME_MAX - NAME_EXTRAS;
  if (Buffer.byteLength(full) <= budget) return full;
  const ext = extname(name).length <= 16 ? extname(name) : '';
  const room = budget - Buffer.byteLength(`~${ext}`);
  // Whole characters only (for..of walks code points), so no UTF-8 sequence is cut.
  let stem = '';
  let bytes = 0;
  for (const ch of full.slice(0, full.length - ext.length)) {
    bytes += Buffer.byteLength(ch);
    if (bytes > room) break;
    stem += ch;
  }
  return `${stem}~${ext}`;
}

/** `orders.txt` taken → `orders.1.txt`, then `orders.2.txt`; the extension stays last. */
export function withSuffix(name: string, n: number): string {
  const ext = extname(name);
  return ext === '' || ext === name ? `${name}.${n}` : `${name.slice(0, -ext.length)}.${n}${ext}`;
}

/**
 * Moves a file into `dir` (created if missing) as `name`, or a suffixed variant of it when that
 * name is taken: a moved file never replaces another. Atomic on one file system (rename); across
 * file systems (EXDEV) the file is copied and synced under a temporary dot-name, renamed into
 * place, and only then removed from where it was, so a crash at any point leaves it whole in one
 * place at least. Returns the path it now has.
 * Fails with a RetryableError `cannot move NAME to DIR: <cause>`; the file is then where it was.
 * Assumes one mover per folder (checking a name and renaming onto it is not one atomic step).
 */
export async function moveInto(from: string, dir: string, name: string): Promise<string> {
  try {
    await mkdir(dir, { recursive: true });
    const to = await freePath(dir, name);
    try {
      await rename(from, to);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
      await copyAcross(from, to);
    }
    return to;
  } catch (err) {
    throw new RetryableError(`cannot move ${basename(from)} to ${dir}: ${(err as Error).message}`, { cause: err });
  }
}

async function freePath(dir: string, name: string): Promise<string> {
  for (let n = 0; n <= MAX_SUFFIX; n++) {
    const candidate = join(dir, n === 0 ? name : withSuffix(name, n));
    if (!(await exists(candidate))) return candidate;
  }
  throw new Error(`${MAX_SUFFIX} files named like ${name} are already there`);
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

async function copyAcross(from: string, to: string): Promise<void> {
  const temp = join(to, '..', `.${basename(to)}.partial`);
  try {
    await copyFile(from, temp, constants.COPYFILE_EXCL);
    const handle = await open(temp, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, to);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
  try {
    await unlink(from);
  } catch (err) {
    // The original could not be removed: take the copy back, so the file is in one place only.
    await unlink(to).catch(() => undefined);
    throw err;
  }
}
