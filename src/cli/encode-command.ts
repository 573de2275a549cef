import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DataError, formatDataError, type DataErrorDetail } from '../core/errors.js';
import type { LegacyRecord, Position } from '../core/records.js';
import { loadMapping, type Mapping } from '../mapping/index.js';
import { validateEntity } from '../model/index.js';
import { EXIT } from './exit.js';

/**
 * One input line's legacy record, or why it has none: not JSON, an entity of another type, data
 * the model refuses (every field error), or values the mapping cannot map back.
 */
function encodeLine(mapping: Mapping, text: string, position: Position): LegacyRecord | DataErrorDetail[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return [{ code: 'delivery.invalid', message: `not JSON: ${(e as Error).message}`, position }];
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return [{ code: 'delivery.invalid', message: 'not a JSON object', position }];
  const line = parsed as { entity?: unknown; data?: unknown };
  // `bridge map`'s lines wrap the data with its entity; a bare object is the data itself.
  const wrapped = line.data !== null && typeof line.data === 'object' && !Array.isArray(line.data);
  if (wrapped && line.entity !== undefined && line.entity !== mapping.entity) {
    return [{ code: 'delivery.invalid', field: 'entity', message: `an entity of type ${JSON.stringify(line.entity)}; the mapping encodes ${mapping.entity}`, position }];
  }
  const data = (wrapped ? line.data : parsed) as Record<string, unknown>;
  const invalid = validateEntity(mapping.model, mapping.entity, data);
  if (invalid.length) return invalid.map((d) => ({ ...d, position }));
  try {
    return mapping.fromCanonical(data);
  } catch (e) {
    if (!(e instanceof DataError)) throw e;
    return e.details.map((d) => ({ ...d, position: d.position ?? position }));
  }
}

/**
 * `bridge encode --mapping M < entities.ndjson > FILE`: canonical entities (as `bridge map` prints
 * them, or bare data objects) back to legacy bytes. A line that cannot be encoded is left out and
 * each of its errors printed on stderr with its line; exit 0 when every line was encoded, 1 when
 * some were left out.
 */
export async function encodeCommand(options: { mapping: string }): Promise<number> {
  const mapping = loadMapping(options.mapping);
  let rejected = 0;
  async function* records(): AsyncIterable<LegacyRecord> {
    let line = 0;
    for await (const text of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
      line++;
      if (!text.trim()) continue;
      const result = encodeLine(mapping, text, { file: 'stdin', line, record: line });
      if (!Array.isArray(result)) {
        yield result;
        continue;
      }
      rejected++;
      process.stderr.write(`${result.map(formatDataError).join('\n')}\n`);
    }
  }
  await pipeline(Readable.from(mapping.format.encode(records())), process.stdout);
  return rejected ? EXIT.rejected : EXIT.ok;
}
