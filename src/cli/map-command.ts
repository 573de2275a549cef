import { createReadStream, createWriteStream } from 'node:fs';
import { basename } from 'node:path';
import { formatDataError, type DataErrorDetail } from '../core/errors.js';
import { failureDetail, isDecodeFailure, type Position } from '../core/records.js';
import { loadMapping } from '../mapping/index.js';
import { EXIT } from './exit.js';
import { checkInputFile } from './file-delivery.js';
import { LineWriter } from './output.js';

export interface MapOptions {
  mapping: string;
  limit?: number;
  rejects?: string;
}

/** Where rejected records go: NDJSON to a file, or one readable line per error to stderr. */
function rejectWriter(path: string | undefined) {
  if (!path) {
    const out = new LineWriter(process.stderr);
    return {
      add: (_position: Position, _raw: string, errors: DataErrorDetail[]) => errors.forEach((e) => out.push(formatDataError(e))),
      flush: (force?: boolean) => out.flush(force),
      close: () => out.flush(true),
    };
  }
  const stream = createWriteStream(path);
  const out = new LineWriter(stream);
  return {
    add: (position: Position, raw: string, errors: DataErrorDetail[]) => out.push(JSON.stringify({ source: position, raw, errors })),
    flush: (force?: boolean) => out.flush(force),
    close: async () => {
      await out.flush(true);
      await new Promise<void>((resolve, reject) => stream.end((e?: Error | null) => (e ? reject(e) : resolve())));
    },
  };
}

/**
 * `bridge map FILE --mapping M`: decodes and maps, one canonical entity per line on stdout.
 * Nothing is stored. Exit 0 when every record mapped, 1 when some were rejected.
 */
export async function mapCommand(file: string, options: MapOptions): Promise<number> {
  const mapping = loadMapping(options.mapping);
  if (file !== '-') checkInputFile(file);
  const out = new LineWriter(process.stdout);
  const rejects = rejectWriter(options.rejects);
  const limit = options.limit ?? Infinity;
  let mapped = 0;
  let rejected = 0;
  const input = file === '-' ? process.stdin : createReadStream(file, { highWaterMark: 1 << 20 });
  const meta = { name: file === '-' ? 'stdin' : basename(file), 'file.path': file };
  decoding: for await (const batch of mapping.format.decode(input, meta)) {
    for (const item of batch) {
      if (mapped + rejected >= limit) break decoding;
      if (isDecodeFailure(item)) {
        rejected++;
        rejects.add(item.position, item.raw, [failureDetail(item)]);
        continue;
      }
      const result = mapping.toCanonical(item.record, item.position);
      if (Array.isArray(result)) {
        rejected++;
        rejects.add(item.position, item.raw ?? JSON.stringify(item.record), result);
      } else {
        mapped++;
        out.push(`{"entity":${JSON.stringify(result.entity)},"key":${JSON.stringify(result.key)},"data":${JSON.stringify(result.data)},"source":${JSON.stringify(item.position)}}`);
      }
    }
    await out.flush();
    await rejects.flush();
  }
  if (input !== process.stdin) (input as ReturnType<typeof createReadStream>).destroy();
  await out.flush(true);
  await rejects.close();
  if (process.stderr.isTTY) process.stderr.write(`${mapped} mapped, ${rejected} rejected\n`);
  return rejected ? EXIT.rejected : EXIT.ok;
}
