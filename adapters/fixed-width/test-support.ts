import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { Format } from '../../src/core/format.js';
import { type Decoded, type DecodedRecord, isDecodeFailure, type LegacyRecord } from '../../src/core/records.js';
import { fixedWidthFormat } from './index.js';
import type { FixedWidthFailure } from './failure.js';

/** Test helpers: build a format from plain options or a layout file, and collect what it yields. */
export const context = { file: 'orders.mapping.yaml', path: 'source.fixed-width', resolve: (s: string) => s };

export function formatOf(options: unknown): Format {
  return fixedWidthFormat.create(fixedWidthFormat.options.parse(options), context);
}

export function layoutFile(name: string): unknown {
  return parse(readFileSync(new URL(`./corpus/${name}`, import.meta.url), 'utf8'));
}

export async function decodeAll(format: Format, input: Parameters<Format['decode']>[0], name = 'orders.txt'): Promise<Decoded[]> {
  const out: Decoded[] = [];
  for await (const batch of format.decode(input, { name })) out.push(...batch);
  return out;
}

export function records(decoded: Decoded[]): LegacyRecord[] {
  return decoded.filter((d): d is DecodedRecord => !isDecodeFailure(d)).map((d) => d.record);
}

export function failures(decoded: Decoded[]): FixedWidthFailure[] {
  return decoded.filter(isDecodeFailure) as FixedWidthFailure[];
}

export async function encodeAll(format: Format, recs: LegacyRecord[]): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const b of format.encode(recs)) parts.push(b);
  return Buffer.concat(parts);
}

/** The bytes as a stream of chunks of `size` bytes. */
export async function* chunked(bytes: Buffer, size: number): AsyncIterable<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}
