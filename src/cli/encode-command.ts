import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DataError } from '../core/errors.js';
import type { LegacyRecord } from '../core/records.js';
import { loadMapping } from '../mapping/index.js';
import { EXIT } from './exit.js';

/** Reads canonical entities (NDJSON: `{"data": {...}}` lines as `bridge map` prints them, or bare data objects). */
async function* legacyRecords(mapping: ReturnType<typeof loadMapping>): AsyncIterable<LegacyRecord> {
  let line = 0;
  for await (const text of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    line++;
    if (!text.trim()) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      throw new DataError({ code: 'delivery.invalid', message: `not JSON: ${(e as Error).message}`, position: { file: 'stdin', line, record: line } });
    }
    const entity = parsed as { entity?: string; data?: Record<string, unknown> };
    const data = entity.data && typeof entity.data === 'object' ? entity.data : (parsed as Record<string, unknown>);
    try {
      yield mapping.fromCanonical(data);
    } catch (e) {
      if (e instanceof DataError) {
        throw new DataError(e.details.map((d) => ({ ...d, position: d.position ?? { file: 'stdin', line, record: line } })));
      }
      throw e;
    }
  }
}

/** `bridge encode --mapping M < entities.ndjson > FILE`: canonical entities back to legacy bytes. */
export async function encodeCommand(options: { mapping: string }): Promise<number> {
  const mapping = loadMapping(options.mapping);
  await pipeline(Readable.from(mapping.format.encode(legacyRecords(mapping))), process.stdout);
  return EXIT.ok;
}
