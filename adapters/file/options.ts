import { z } from 'zod';

// One glob or a list; kept free of transforms so that the JSON Schema can be generated from it.
const globs = z.union([z.string(), z.array(z.string())]);

/** Options of the drop-folder source, as written under `file:` in bridge.yaml. */
export const fileSourceOptions = z.strictObject({
  path: z.string().min(1).describe('Folder watched for incoming files, relative to the config file.'),
  include: globs
    .default('*')
    .describe('Glob(s) of the file names taken (`*` any run of characters, `?` one character), e.g. `*.txt`.'),
  exclude: globs
    .default(['*.tmp', '.*'])
    .describe(
      'Glob(s) of file names never taken, even when included: files uploaded under a temporary name, dot-files. ' +
        '`NAME.done` markers are never taken either.',
    ),
  readiness: z
    .enum(['stable', 'marker'])
    .default('stable')
    .describe(
      'When a file is complete: `stable` once its size and mtime stayed unchanged for `stableMs`; ' +
        '`marker` once `NAME.done` exists beside it (the marker is removed after the file is settled).',
    ),
  stableMs: z
    .number()
    .int()
    .min(0)
    .default(1000)
    .describe('How long (ms) a file must stay unchanged before it is taken, in `stable` mode.'),
  pollMs: z
    .number()
    .int()
    .min(10)
    .default(500)
    .describe('How often (ms) the folder is listed; file-system events only make the next listing come sooner.'),
  settleRetryMs: z
    .number()
    .int()
    .min(10)
    .default(60_000)
    .describe('A file that could not be moved (processed/ or failed/ not writable) is taken again after this long (ms), or sooner when it changes.'),
  order: z
    .enum(['name', 'mtime'])
    .default('name')
    .describe('Order in which ready files are taken: by file name, or oldest modification time first.'),
  processedDir: z
    .string()
    .min(1)
    .default('processed')
    .describe('Folder (relative to `path`) that applied files are moved into, as `20261128T101500Z_NAME`.'),
  failedDir: z
    .string()
    .min(1)
    .default('failed')
    .describe('Folder (relative to `path`) that rejected files are moved into, with `NAME.errors.json` beside them.'),
});

export type FileSourceOptions = z.output<typeof fileSourceOptions>;
