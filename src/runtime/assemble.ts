import { ConfigError, type ConfigProblem } from '../core/errors.js';
import { findSource } from '../core/registry.js';
import type { Source } from '../core/delivery.js';
import { zodProblems } from '../core/yaml-file.js';
import type { LoadedConfig } from '../config/load.js';
import { loadMapping } from '../mapping/index.js';
import { loadModel, type Model } from '../model/index.js';
import type { ConflictPolicy } from '../store/types.js';
import type { IngestFlow } from './ingest.js';

export interface AssembledFlow extends IngestFlow {
  enabled: boolean;
  /** Built on demand: a one-off `bridge ingest` needs the flow's mapping but not its source. */
  createSource(): Source;
}

export interface Assembled {
  model: Model;
  flows: Map<string, AssembledFlow>;
  conflicts: ConflictPolicy[];
}

/**
 * Builds the model, every flow's mapping and source options from a loaded config, collecting
 * every problem of every file before giving up, so that one run shows them all.
 */
export function assemble(loaded: LoadedConfig): Assembled {
  const { config, yaml } = loaded;
  const problems: ConfigProblem[] = [];
  const collect = (fn: () => void) => {
    try {
      fn();
    } catch (e) {
      if (e instanceof ConfigError) problems.push(...e.problems);
      else throw e;
    }
  };
  let model: Model | undefined;
  collect(() => {
    model = loadModel(loaded.resolve(config.model));
  });
  if (!model) throw new ConfigError(problems);

  const flows = new Map<string, AssembledFlow>();
  for (const [name, flow] of Object.entries(config.flows)) {
    const at = ['flows', name];
    const sourceKeys = Object.keys(flow.source);
    if (sourceKeys.length !== 1) {
      problems.push(yaml.problem([...at, 'source'], `expected exactly one source adapter, found ${sourceKeys.length ? sourceKeys.join(', ') : 'none'}`));
      continue;
    }
    const kind = sourceKeys[0];
    const adapter = findSource(kind);
    if (!adapter) {
      problems.push(yaml.problem([...at, 'source', kind], `unknown source adapter "${kind}"`));
      continue;
    }
    const parsed = adapter.options.safeParse(flow.source[kind]);
    if (!parsed.success) {
      problems.push(...zodProblems(yaml, parsed.error, [...at, 'source', kind]));
      continue;
    }
    collect(() => {
      const mapping = loadMapping(loaded.resolve(flow.mapping), { model });
      const context = { file: loaded.file, path: `flows.${name}.source.${kind}`, resolve: loaded.resolve };
      flows.set(name, {
        name,
        mapping,
        mode: flow.mode,
        maxDeleteShare: flow.maxDeleteShare,
        batchSize: flow.batchSize,
        enabled: flow.enabled,
        createSource: () => adapter.create(parsed.data, context),
      });
    });
  }
  const conflicts: ConflictPolicy[] = [];
  for (const [type, policy] of Object.entries(config.conflicts)) {
    if (!model.entities.has(type)) problems.push(yaml.problem(['conflicts', type], `no entity type "${type}" in the model`));
    const named = policy.policy === 'source-priority' ? policy.priority : policy.policy === 'field-ownership' ? Object.values(policy.owners) : [];
    for (const flowName of named) {
      if (!config.flows[flowName] && !flowName.startsWith('api:')) problems.push(yaml.problem(['conflicts', type], `no flow named "${flowName}" (name a flow, or api:<client> / api:* for REST writers)`));
    }
    conflicts.push({ type, ...policy });
  }
  if (problems.length) throw new ConfigError(problems);
  return { model, flows, conflicts };
}
