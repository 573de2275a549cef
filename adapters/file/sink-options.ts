import { z } from 'zod';

/** Options of the file sink, as written under `sink: { file: … }` of an outbound flow. */
export const fileSinkOptions = z.strictObject({
  path: z.string().min(1).describe('Folder the batch files are written into (created when missing), relative to the config file.'),
  fileName: z
    .string()
    .min(1)
    .regex(/^[^/\\]+$/, 'a file name without "/" or "\\"')
    .default('{flow}-{seq}.dat')
    .describe(
      'File-name template: `{flow}` the outbound flow, `{seq}` the first change seq of the batch (12 digits), `{lastSeq}` the last, ' +
        '`{time}` the batch\'s commit time (UTC, `20261128T101500Z`). Names come from the batch, so a batch written again after a crash replaces its own file.',
    ),
  doneMarker: z.boolean().default(false).describe('Also write an empty `NAME.done` beside each file once it is in place (what drop-folder readers in `marker` mode wait for).'),
  fsync: z.boolean().default(true).describe('Flush the file and the folder to disk before the batch counts as delivered.'),
});

export type FileSinkOptions = z.output<typeof fileSinkOptions>;
