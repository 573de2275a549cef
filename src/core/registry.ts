import { csvFormat } from '../../adapters/csv/index.js';
import { fileSink, fileSource } from '../../adapters/file/index.js';
import { fixedWidthFormat } from '../../adapters/fixed-width/index.js';
import { jsonFormat } from '../../adapters/json/index.js';
import { webhookSink, webhookSource } from '../../adapters/webhook/index.js';
import type { FormatAdapter } from './format.js';
import type { SinkAdapter } from './sink.js';
import type { SourceAdapter } from './source.js';

/** Every adapter, listed explicitly: the runtime knows adapters only through these lists. */
export const formats: readonly FormatAdapter[] = [csvFormat, fixedWidthFormat, jsonFormat];
export const sources: readonly SourceAdapter[] = [fileSource, webhookSource];
export const sinks: readonly SinkAdapter[] = [fileSink, webhookSink];

export function findFormat(name: string): FormatAdapter | undefined {
  return formats.find((f) => f.name === name);
}

export function findSource(name: string): SourceAdapter | undefined {
  return sources.find((s) => s.name === name);
}

export function findSink(name: string): SinkAdapter | undefined {
  return sinks.find((s) => s.name === name);
}
