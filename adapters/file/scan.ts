import { isUtf8 } from 'node:buffer';
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
  /**
   * Files the filters would take whose names are not valid UTF-8, escaped (`latin\xe9.csv`): the
   * paths the source works with are strings, which cannot name them, so they cannot be taken.
   */
  misnamed: string[];
}

/**
 * Lists the folder once. Only regular files are candidates (sub-folders such as processed/ and
 * symbolic links are not taken); a marker is never a data file, whatever the globs say.
 * A file that vanishes between listing and stat was just moved away: it is left out.
 */
export async function scanFolder(dir: string, accept: (name: string) => boolean): Promise<ScanResult> {
  // As bytes: a name that is not UTF-8 would come as a string with U+FFFD, naming no file.
  const entries = await readdir(dir, { withFileTypes: true, encoding: 'buffer' });
  const names: string[] = [];
  const markers = new Set<string>();
  const misnamed: string[] = [];
  for (const e of entries) {
    if (!e.isFile()) continue;
    const raw: Buffer = e.name;
    const name = raw.toString('utf8');
    const marker = name.endsWith(MARKER_SUFFIX);
    if (!isUtf8(raw)) {
      if (!marker && accept(name)) misnamed.push(escapedName(raw));
    } else if (marker) markers.add(name.slice(0, -MARKER_SUFFIX.length));
    else if (accept(name)) names.push(name);
  }
  const files: FileObservation[] = [];
  // A few stats in flight at once: a backlog of thousands of files is stat'ed every poll.
  for (let i = 0; i < names.length; i += STAT_BATCH) {
    const batch = names.slice(i, i + STAT_BATCH);
    const seen = await Promise.all(batch.map((name) => observe(join(dir, name), name)));
    for (const f of seen) if (f) files.push(f);
  }
  return { files, markers, misnamed };
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** A file name as an operator reads it: valid UTF-8 as it is, every other byte as `\xHH`. */
export function escapedName(raw: Buffer): string {
  let out = '';
  for (let i = 0; i < raw.length; ) {
    const lead = raw[i]!;
    const length = lead < 0x80 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
    const char = i + length <= raw.length ? decodedOrUndefined(raw.subarray(i, i + length)) : undefined;
    out += char ?? `\\x${lead.toString(16).padStart(2, '0')}`;
    i += char === undefined ? 1 : length;
  }
  return out;
}

function decodedOrUndefined(bytes: Buffer): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
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
