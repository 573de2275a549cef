import { ConfigError, type ConfigProblem } from '../core/errors.js';
import { findSink } from '../core/registry.js';
import { checkAdapter } from '../config/adapter-options.js';
import { missingFile, type ConfigBasis, type LoadedConfig } from '../config/load.js';
import { loadMapping } from '../mapping/index.js';
import type { Model } from '../model/index.js';
import type { AssembledOutbound } from './assembled-outbound.js';

/**
 * Builds every outbound flow of the config: its sink (checked by the adapter's schema and built
 * once), its mapping (which must map back), its connection and echo settings. Problems are added
 * to `problems`; a flow with one is left out.
 */
export function assembleOutbound(loaded: LoadedConfig, model: Model, problems: ConfigProblem[]): Map<string, AssembledOutbound> {
  const { config, yaml } = loaded;
  const out = new Map<string, AssembledOutbound>();
  for (const [name, flow] of Object.entries(config.outbound)) {
    const at = ['outbound', name];
    const before = problems.length;
    for (const [i, type] of flow.types.entries()) if (!model.entities.has(type)) problems.push(yaml.problem([...at, 'types', i], `no entity type "${type}" in the model`));
    if (flow.connection !== undefined && !config.connections[flow.connection]) problems.push(yaml.problem([...at, 'connection'], `no connection named "${flow.connection}" under connections`));
    for (const [i, f] of flow.echo.suppress.entries()) if (!config.flows[f]) problems.push(yaml.problem([...at, 'echo', 'suppress', i], `no inbound flow named "${f}"`));
    let mapping: AssembledOutbound['mapping'];
    if (flow.mapping !== undefined) {
      const file = loaded.resolve(flow.mapping);
      const missing = missingFile(yaml, [...at, 'mapping'], file, 'mapping file');
      if (missing !== undefined) problems.push(missing);
      else {
        try {
          mapping = loadMapping(file, { model });
          if (mapping.inboundOnly || mapping.reverseProblems.length) problems.push(yaml.problem([...at, 'mapping'], `mapping ${file} cannot map back (reverse: none, or fields without a reverse)`));
          if (!flow.types.includes(mapping.entity)) problems.push(yaml.problem([...at, 'mapping'], `mapping ${file} maps ${mapping.entity}, which is not among types`));
        } catch (e) {
          if (!(e instanceof ConfigError)) throw e;
          problems.push(...e.problems);
        }
      }
    }
    const sink = sinkOf(loaded, name, flow.sink, problems);
    if (!sink || problems.length > before) continue;
    out.set(name, {
      name,
      types: flow.types,
      ops: flow.ops,
      suppress: new Set(flow.echo.suppress),
      mapping,
      grouping: sink.grouping,
      concurrency: flow.concurrency,
      batch: flow.batch,
      pollMs: flow.pollMs,
      enabled: flow.enabled,
      connection: flow.connection ?? '',
      sink: sink.name,
      createSink: sink.create,
    });
  }
  return out;
}

/** The outbound flow's sink, once its options are checked (see checkAdapter); undefined after a problem. */
export function sinkOf(loaded: ConfigBasis, name: string, options: Record<string, unknown>, problems: ConfigProblem[]): { name: string; grouping: 'change' | 'batch'; create: AssembledOutbound['createSink'] } | undefined {
  const checked = checkAdapter(loaded, ['outbound', name, 'sink'], 'sink', options, findSink, (c) => void c.adapter.create(c.options, c.context).close(), problems);
  if (!checked) return undefined;
  const { adapter, options: parsed, context } = checked;
  return { name: adapter.name, grouping: adapter.grouping, create: () => adapter.create(parsed, context) };
}
