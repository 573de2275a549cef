import { z } from 'zod';
import { outboundFlowSchema } from '../config/outbound-schema.js';
import { configSchema, flowSchema } from '../config/schema.js';
import type { FormatAdapter } from '../core/format.js';
import { formats as registeredFormats, sinks as registeredSinks, sources as registeredSources } from '../core/registry.js';
import type { SinkAdapter } from '../core/sink.js';
import type { SourceAdapter } from '../core/source.js';
import { jsonSchemas, renderJsonSchema } from '../mapping/json-schemas.js';

/** The adapters the artefacts are generated from; default: the registry. */
export interface Adapters {
  formats: readonly FormatAdapter[];
  sources: readonly SourceAdapter[];
  /** Default: none (tables and schemas from before sinks existed keep their shape). */
  sinks?: readonly SinkAdapter[];
}

/**
 * bridge.yaml's schema for editors: configSchema, with each flow's `source` as exactly one of the
 * registered source adapters and its options (the way mapping files list the formats).
 */
export function bridgeFileSchema(sources: readonly SourceAdapter[], sinks: readonly SinkAdapter[] = []) {
  const source = z
    .union(sources.map((s) => z.object({ [s.name]: s.options.describe(s.summary) }).strict()) as unknown as [z.ZodType, z.ZodType])
    .describe(flowSchema.shape.source.description ?? 'Exactly one key: the source adapter and its options.');
  const flows = configSchema.shape.flows;
  const record = flows.unwrap();
  const extended = configSchema.extend({
    flows: z.record(record.keyType, flowSchema.extend({ source })).default({}).describe(flows.description ?? 'Inbound flows by name.'),
  });
  if (!sinks.length) return extended;
  const sinkOptions = sinks.map((s) => z.object({ [s.name]: s.options.describe(s.summary) }).strict());
  const sink = (sinkOptions.length === 1 ? sinkOptions[0] : z.union(sinkOptions as unknown as [z.ZodType, z.ZodType])).describe(
    outboundFlowSchema.shape.sink.description ?? 'Exactly one key: the sink adapter and its options.',
  );
  const outbound = configSchema.shape.outbound;
  return extended.extend({
    outbound: z.record(outbound.unwrap().keyType, outboundFlowSchema.extend({ sink })).default({}).describe(outbound.description ?? 'Outbound flows by name.'),
  });
}

export const ADAPTERS_START = '<!-- adapters:start -->';
export const ADAPTERS_END = '<!-- adapters:end -->';

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');

/** The README's adapter table: a row per adapter, formats then sources then sinks, in registry order. */
export function adapterTable({ formats, sources, sinks = [] }: Adapters): string {
  const rows = [...formats, ...sources, ...sinks].map((a) => `| \`${a.name}\` | ${a.kind} | ${cell(a.summary)} |`);
  return ['| adapter | kind | what it is |', '| --- | --- | --- |', ...rows].join('\n');
}

/** The README with the text between the adapter markers replaced by `table`; throws without markers. */
export function withAdapterTable(readme: string, table: string): string {
  const start = readme.indexOf(ADAPTERS_START);
  const end = readme.indexOf(ADAPTERS_END);
  if (start < 0 || end < start) throw new Error(`README.md lacks the ${ADAPTERS_START} … ${ADAPTERS_END} markers`);
  return `${readme.slice(0, start + ADAPTERS_START.length)}\n${table}\n${readme.slice(end)}`;
}

/**
 * Every generated artefact by its path from the repository root, given the README as it is now:
 * the JSON Schemas under schemas/ and the README with its adapter table rewritten.
 */
export function generatedArtefacts(readme: string, adapters: Adapters = { formats: registeredFormats, sources: registeredSources, sinks: registeredSinks }): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, text] of Object.entries(jsonSchemas(adapters.formats))) out[`schemas/${name}`] = text;
  out['schemas/bridge.schema.json'] = renderJsonSchema(bridgeFileSchema(adapters.sources, adapters.sinks), 'https://legacy-bridge.dev/schemas/bridge.schema.json', 'legacy-bridge configuration (bridge.yaml)');
  out['README.md'] = withAdapterTable(readme, adapterTable(adapters));
  return out;
}
