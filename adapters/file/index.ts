import { basename, dirname, resolve } from 'node:path';
import { ConfigError, type ConfigProblem } from '../../src/core/errors.js';
import type { SinkAdapter } from '../../src/core/sink.js';
import type { SourceAdapter, SourceContext } from '../../src/core/source.js';
import { DropFolderSource } from './drop-folder.js';
import { compileGlobs, isNamePattern } from './glob.js';
import { fileSourceOptions, type FileSourceOptions } from './options.js';
import { FileSink } from './sink.js';
import { fileSinkOptions } from './sink-options.js';

export { fileSourceOptions, type FileSourceOptions } from './options.js';
export { DropFolderSource } from './drop-folder.js';
export { FileSink, batchFileName } from './sink.js';
export { fileSinkOptions, type FileSinkOptions } from './sink-options.js';

/**
 * The drop-folder source: takes complete files from a local folder, one delivery per file
 * (id = sha256 of the content); commit moves the file to processed/, rollback to failed/ with
 * its errors beside it.
 */
export const fileSource: SourceAdapter<typeof fileSourceOptions> = {
  kind: 'source',
  name: 'file',
  summary: 'Takes complete files from a local drop folder; moves each to processed/ or failed/ once settled.',
  options: fileSourceOptions,
  deliversFiles: true,
  create(options, context) {
    return createFileSource(options, context);
  },
};

/** Builds the source; `now` is the clock for stamped names, replaceable in tests. */
export function createFileSource(
  options: FileSourceOptions,
  context: SourceContext,
  now: () => Date = () => new Date(),
): DropFolderSource {
  const include = typeof options.include === 'string' ? [options.include] : options.include;
  const exclude = typeof options.exclude === 'string' ? [options.exclude] : options.exclude;
  const dir = context.resolve(options.path);
  const processedDir = resolve(dir, options.processedDir);
  const failedDir = resolve(dir, options.failedDir);
  const problems: ConfigProblem[] = [];
  const problem = (at: string, message: string): void => {
    problems.push({ file: context.file, path: `${context.path}.${at}`, message });
  };
  if (include.length === 0) problem('include', 'expected at least one glob');
  include.forEach((g, i) => {
    if (!isNamePattern(g)) problem(`include[${i}]`, `expected a file-name glob without "/", got ${JSON.stringify(g)}`);
  });
  exclude.forEach((g, i) => {
    if (!isNamePattern(g)) problem(`exclude[${i}]`, `expected a file-name glob without "/", got ${JSON.stringify(g)}`);
  });
  // Moving a file into the folder it is taken from would take it again, for ever.
  if (processedDir === dir) problem('processedDir', `must not be the watched folder itself (${dir})`);
  if (failedDir === dir) problem('failedDir', `must not be the watched folder itself (${dir})`);
  if (problems.length > 0) throw new ConfigError(problems);

  const included = compileGlobs(include);
  const excluded = compileGlobs(exclude);
  // The settle folders sit in the watched folder; something there under their names (a stray
  // regular file that keeps them from being created) is never data.
  const settleNames = new Set([processedDir, failedDir].filter((d) => dirname(d) === dir).map((d) => basename(d)));
  return new DropFolderSource({
    dir,
    accept: (name) => included(name) && !excluded(name) && !settleNames.has(name),
    readiness: options.readiness,
    stableMs: options.stableMs,
    pollMs: options.pollMs,
    settleRetryMs: options.settleRetryMs,
    order: options.order,
    plan: { dir, processedDir, failedDir, removeMarker: options.readiness === 'marker', now, log: context.log },
    log: context.log,
  });
}

/**
 * The file sink: each batch of an outbound flow becomes one file in a folder, written under a
 * temporary name and renamed into place, optionally with a `NAME.done` marker.
 */
export const fileSink: SinkAdapter<typeof fileSinkOptions> = {
  kind: 'sink',
  name: 'file',
  summary: 'Writes each batch of changes as one file into a local folder (temp name, fsync, rename; optional NAME.done marker).',
  options: fileSinkOptions,
  grouping: 'batch',
  create(options, context) {
    // The flow's name is the last-but-one part of `outbound.<flow>.sink.file`.
    const flow = context.path.split('.').at(-3) ?? 'outbound';
    return new FileSink(context.resolve(options.path), flow, options);
  },
};
