import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileObservation } from './readiness.js';

/** Suffix of the marker a producer writes beside a finished file in `marker` mode. */
export const MARKER_SUFFIX = '.done';

const STAT_BATCH = 32;

/** One listing of the drop folder: the candidate data files, and the markers beside them. */
export interface ScanResult {
  files: FileObservation[];
  /** Names of data files whose `NAME.done` marker exists. */
  markers: Set<string>;
}

/**
 * Lists the folder once. Only regular files are candidates (sub-folders such as processed/ and
 * symbolic links are not taken); a marker is never a data file, whatever the globs say.
 * A file that vanishes between listing and stat was just moved away: it is left out.
 */
export async function scanFolder(dir: string, accept: (name: string) => boolean): Promise<ScanResult> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names: string[] = [];
  const markers = new Set<string>();
  for (const e of entries) {
    if (!e.isFile()) continue;
    if (e.name.endsWith(MARKER_SUFFIX)) markers.add(e.name.slice(0, -MARKER_SUFFIX.length));
    else if (accept(e.name)) names.push(e.name);
  }
  const files: FileObservation[] = [];
  // A few stats in flight at once: a backlog of thousands of files is stat'ed every poll.
  for (let i = 0; i < names.length; i += STAT_BATCH) {
    const batch = names.slice(i, i + STAT_BATCH);
    const seen = await Promise.all(batch.map((name) => observe(join(dir, name), name)));
    for (const f of seen) if (f) files.push(f);
  }
  return { files, markers };
}

/** A fresh look at one file; undefined when it is gone (or no longer a regular file). */
export async function observe(path: string, name: string): Promise<FileObservation | undefined> {
  try {
    const s = await stat(path);
    if (!s.isFile()) return undefined;
    return { name, size: s.size, mtimeMs: s.mtimeMs, ino: s.ino };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Orders ready files: by name (code-unit order, as `ls` in the C locale), or oldest first. */
export function orderFiles(files: FileObservation[], order: 'name' | 'mtime'): FileObservation[] {
  return files.sort(order === 'name' ? byName : byMtime);
}

function byName(a: FileObservation, b: FileObservation): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function byMtime(a: FileObservation, b: FileObservation): number {
  return a.mtimeMs - b.mtimeMs || byName(a, b);
}
