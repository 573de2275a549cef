import { constants } from 'node:fs';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { SinkError, type OutboundMessage, type Sink } from '../../src/core/sink.js';
import { timeStamp } from './move.js';
import { MARKER_SUFFIX } from './scan.js';
import type { FileSinkOptions } from './sink-options.js';

/** The file name of a batch from the template; the same batch always gets the same name. */
export function batchFileName(template: string, flow: string, message: OutboundMessage): string {
  const first = message.changes[0]?.seq ?? 0;
  const last = message.changes[message.changes.length - 1]?.seq ?? first;
  return template
    .replaceAll('{flow}', flow)
    .replaceAll('{seq}', String(first).padStart(12, '0'))
    .replaceAll('{lastSeq}', String(last).padStart(12, '0'))
    .replaceAll('{time}', timeStamp(new Date(message.at)));
}

async function syncPath(path: string, flags: number): Promise<void> {
  const handle = await open(path, flags);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes each batch into a folder: to a temporary dot-name first (which drop-folder readers never
 * take), flushed, then renamed into place, then the optional `NAME.done` marker. A reader sees a
 * whole file or none. Failures are SinkError `io`, retried by the engine's policy.
 */
export class FileSink implements Sink {
  private ready = false;

  constructor(
    private readonly dir: string,
    private readonly flow: string,
    private readonly options: FileSinkOptions,
  ) {}

  async write(message: OutboundMessage, signal: AbortSignal): Promise<void> {
    const name = batchFileName(this.options.fileName, this.flow, message);
    const target = join(this.dir, name);
    const temp = join(this.dir, `.${name}.${process.pid}.tmp`);
    try {
      if (!this.ready) {
        await mkdir(this.dir, { recursive: true });
        this.ready = true;
      }
      signal.throwIfAborted();
      const handle = await open(temp, 'w');
      try {
        await handle.writeFile(message.body);
        if (this.options.fsync) await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, target);
      if (this.options.doneMarker) await (await open(target + MARKER_SUFFIX, 'w')).close();
      if (this.options.fsync) await syncPath(this.dir, constants.O_RDONLY);
    } catch (e) {
      await unlink(temp).catch(() => undefined);
      if (signal.aborted) throw e;
      throw new SinkError(`cannot write ${target}: ${(e as Error).message}`, { outcome: 'io', cause: e });
    }
  }

  async close(): Promise<void> {}
}
