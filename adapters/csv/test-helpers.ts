import type { ByteInput, Format } from '../../src/core/format.js';
import { formatDataError } from '../../src/core/errors.js';
import { isDecodeFailure, type Decoded, type LegacyRecord } from '../../src/core/records.js';
import { csvFormat } from './index.js';

/** A codec from raw (unparsed) options, as a mapping file would give them. */
export function csv(options: Record<string, unknown> = {}): Format {
  return csvFormat.create(csvFormat.options.parse(options), { file: 'test.yaml', path: 'source.csv', resolve: (s) => s });
}

/** Every decoded item, batches flattened, plus how many batches there were. */
export async function decodeAll(format: Format, input: ByteInput | string, name = 'in.csv'): Promise<{ items: Decoded[]; batches: number }> {
  const items: Decoded[] = [];
  let batches = 0;
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  for await (const batch of format.decode(bytes, { name })) {
    batches++;
    items.push(...batch);
  }
  return { items, batches };
}

/** Records only (throws when there was a failure, showing it). */
export async function records(format: Format, input: ByteInput | string): Promise<LegacyRecord[]> {
  const { items } = await decodeAll(format, input);
  const bad = items.filter(isDecodeFailure);
  if (bad.length) throw new Error(bad.map((f) => formatDataError(f.error)).join('\n'));
  return items.map((d) => (d as { record: LegacyRecord }).record);
}

/** Failures shown as operators read them, and the record values of the rest. */
export function summarize(items: Decoded[]): (string | LegacyRecord)[] {
  return items.map((d) => (isDecodeFailure(d) ? `${formatDataError(d.error)}${d.fatal ? ' (fatal)' : ''}` : d.record));
}

/** Bytes split into chunks of `size`, as a slow stream would hand them over. */
export async function* chunked(bytes: Buffer, size: number): AsyncIterable<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

export async function encodeAll(format: Format, recs: LegacyRecord[]): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const b of format.encode(recs)) out.push(b);
  return Buffer.concat(out);
}
