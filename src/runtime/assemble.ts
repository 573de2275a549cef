import { ConfigError, type ConfigProblem } from '../core/errors.js';
import { findSource } from '../core/registry.js';
import type { Source } from '../core/delivery.js';
import type { SourceLog } from '../core/source.js';
import { checkAdapter } from '../config/adapter-options.js';
import { ConfigLoadError, loadConfig, missingFile, withoutEchoes, type ConfigBasis, type LoadedConfig, type LoadOptions } from '../config/load.js';
import { configSchema } from '../config/schema.js';
import { loadMapping, validateMappingFiles } from '../mapping/index.js';
import { loadModel, type EntityModel, type Model } from '../model/index.js';
import type { ConflictPolicy } from '../store/types.js';
import type { IngestFlow } from './ingest.js';
import { assembleOutbound, sinkOf } from '../outbound/assemble-outbound.js';
import type { AssembledOutbound } from '../outbound/outbound-flow.js';

export interface AssembledFlow extends IngestFlow {
  enabled: boolean;
  /** The source's deliveries are files (see SourceAdapter.deliversFiles). */
  deliversFiles: boolean;
  /**
   * Built on demand: a one-off `bridge ingest` needs the flow's mapping but not its source. `log`
   * hears what the source handles on its own (a file it could not move and keeps in place).
   */
  createSource(log?: SourceLog): Source;
}

export interface Assembled {
  model: Model;
  flows: Map<string, AssembledFlow>;
  /** Outbound flows by name. */
  outbound: Map<string, AssembledOutbound>;
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
  const present = (path: (string | number)[], file: string, what: 'model file' | 'mapping file'): boolean => {
    const missing = missingFile(yaml, path, file, what);
    if (missing !== undefined) problems.push(missing);
    return missing === undefined;
  };
  let model: Model | undefined;
  const modelFile = loaded.resolve(config.model);
  if (present(['model'], modelFile, 'model file')) {
    collect(() => {
      model = loadModel(modelFile);
    });
  }
  if (!model) throw new ConfigError(problems);

  const flows = new Map<string, AssembledFlow>();
  for (const [name, flow] of Object.entries(config.flows)) {
    const at = ['flows', name];
    // The source and the mapping are checked independently, so that one run shows the problems of both.
    const source = sourceOf(loaded, name, flow.source, problems);
    const mappingFile = loaded.resolve(flow.mapping);
    if (!present([...at, 'mapping'], mappingFile, 'mapping file')) continue;
    collect(() => {
      const mapping = loadMapping(mappingFile, { model });
      if (!source) return;
      flows.set(name, { name, mapping, mode: flow.mode, maxDeleteShare: flow.maxDeleteShare, batchSize: flow.batchSize, enabled: flow.enabled, ...source });
    });
  }
  const conflicts = conflictPolicies(loaded, model, problems);
  const outbound = assembleOutbound(loaded, model, problems);
  if (problems.length) throw new ConfigError(problems);
  return { model, flows, outbound, conflicts };
}

/**
 * The conflict policies, checked against the model and the writers the config has: each names a
 * type of the model; its sources are flows, `api:*` or `api:<client>` of server.clients; its owned
 * fields are top-level fields of the type, not of its key. Problems are added to `problems`.
 */
function conflictPolicies(loaded: LoadedConfig, model: Model, problems: ConfigProblem[]): ConflictPolicy[] {
  const { config, yaml } = loaded;
  const clients = [...Object.keys(config.server.clients), ...loaded.clientsLeftOut];
  const sourceProblem = (name: string): string | undefined => {
    if (Object.hasOwn(config.flows, name) || name === 'api:*') return undefined;
    if (!name.startsWith('api:')) return `no flow named "${name}" (name a flow, or api:<client> / api:* for REST writers)`;
    const client = name.slice('api:'.length);
    // Without clients every API caller writes as api:anonymous (src/rest/auth.ts).
    if (clients.length === 0) return client === 'anonymous' ? undefined : `no API client named "${client}": server.clients names none, so every API write is api:anonymous (or name api:*)`;
    return clients.includes(client) ? undefined : `no API client named "${client}" under server.clients (${clients.map((c) => `api:${c}`).join(', ')}, or api:* for every client)`;
  };
  const conflicts: ConflictPolicy[] = [];
  for (const [type, policy] of Object.entries(config.conflicts)) {
    const entity = model.entities.get(type);
    if (!entity) problems.push(yaml.problem(['conflicts', type], `no entity type "${type}" in the model`));
    const check = (at: (string | number)[], message: string | undefined) => {
      if (message !== undefined) problems.push(yaml.problem(['conflicts', type, ...at], message));
    };
    if (policy.policy === 'source-priority') policy.priority.forEach((name, i) => check(['priority', i], sourceProblem(name)));
    if (policy.policy === 'field-ownership') {
      for (const [field, owner] of Object.entries(policy.owners)) {
        check(['owners', field], sourceProblem(owner));
        if (entity) check(['owners', field], ownedFieldProblem(entity, field));
      }
    }
    conflicts.push({ type, ...policy });
  }
  return conflicts;
}

/** Why `field` cannot be owned under field-ownership, or undefined when it can. */
function ownedFieldProblem(entity: EntityModel, field: string): string | undefined {
  if (entity.key.includes(field)) {
    return `"${field}" is the key of ${entity.name} and cannot be owned: the key identifies the entity, so every write must carry it, and ownership would strip it from the writes of the other sources`;
  }
  if (Object.hasOwn(entity.fields, field)) return undefined;
  const ownable = Object.keys(entity.fields).filter((f) => !entity.key.includes(f));
  return `"${field}" is not a field of ${entity.name} (owners name its top-level fields other than the key: ${ownable.join(', ')})`;
}

/** The flow's name on every line a source logs. */
function flowLog(log: SourceLog, flow: string): SourceLog {
  return { info: (fields, message) => log.info({ flow, ...fields }, message), warn: (fields, message) => log.warn({ flow, ...fields }, message) };
}

/**
 * The flow's source factory, once its options are checked — in shape by the adapter's schema, in
 * sense by building the source once (which touches nothing outside); undefined after a problem.
 */
export function sourceOf(
  loaded: ConfigBasis,
  name: string,
  options: Record<string, unknown>,
  problems: ConfigProblem[],
): Pick<AssembledFlow, 'createSource' | 'deliversFiles'> | undefined {
  const checked = checkAdapter(loaded, ['flows', name, 'source'], 'source', options, findSource, (c) => c.adapter.create(c.options, c.context), problems);
  if (!checked) return undefined;
  const { adapter, options: parsed, context } = checked;
  return {
    createSource: (log) => adapter.create(parsed, log ? { ...context, log: flowLog(log, name) } : context),
    deliversFiles: adapter.deliversFiles === true,
  };
}

/**
 * `loadConfig`, whose failure lists also the problems of what the config names (problemsBeyond):
 * a config with a wrong shape cannot be assembled, but one run still shows every problem. They
 * are scrubbed of the secret values that did resolve, as withConfig's are.
 */
export function loadConfigChecked(file: string, env: NodeJS.ProcessEnv = process.env, options: LoadOptions = {}): LoadedConfig {
  try {
    return loadConfig(file, env, options);
  } catch (e) {
    if (!(e instanceof ConfigLoadError)) throw e;
    throw new ConfigError(e.basis.secrets.scrubProblems([...e.problems, ...problemsBeyond(e)]));
  }
}

/**
 * What a command does with its config: loads it (loadConfigChecked) and runs `use`, through which
 * every check of what the config names passes (assemble, the server's, the store's). A problem
 * names paths and values built from secrets (`mapping: mappings/${env:…}.yaml`) like any other,
 * so every ConfigError leaving here is scrubbed of the config's secret values.
 */
export async function withConfig<T>(file: string, env: NodeJS.ProcessEnv, options: LoadOptions, use: (loaded: LoadedConfig) => Promise<T> | T): Promise<T> {
  const loaded = loadConfigChecked(file, env, options);
  try {
    return await use(loaded);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    throw new ConfigError(loaded.secrets.scrubProblems(e.problems));
  }
}

/**
 * What a config that failed to load still lets us check, from its raw text: the model and the
 * mapping files it names, each flow's source and each outbound flow's sink (their options and
 * the secrets written into them). Problems at a secret reference that did not resolve are left
 * out: they would only repeat it.
 */
function problemsBeyond(failed: ConfigLoadError): ConfigProblem[] {
  const { basis } = failed;
  const { yaml } = basis;
  const top = isObject(yaml.value) ? yaml.value : {};
  const problems: ConfigProblem[] = [];
  // The schema's default stands in for a model not given. One given but not as text (a number, or
  // the empty string an unset secret leaves) is the schema's or the secret's problem already.
  const modelGiven = configSchema.shape.model.safeParse(top.model);
  const modelFile = modelGiven.success && modelGiven.data !== '' ? basis.resolve(modelGiven.data) : undefined;
  const missingModel = modelFile === undefined ? undefined : missingFile(yaml, ['model'], modelFile, 'model file');
  let model: Model | undefined;
  if (missingModel !== undefined) problems.push(missingModel);
  else if (modelFile !== undefined) {
    try {
      model = loadModel(modelFile);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      problems.push(...e.problems);
    }
  }
  const mappings = new Set<string>();
  for (const group of ['flows', 'outbound'] as const) {
    const flows = top[group];
    if (!isObject(flows)) continue;
    for (const [name, flow] of Object.entries(flows)) {
      if (!isObject(flow)) continue;
      const adapter = group === 'flows' ? flow.source : flow.sink;
      if (isObject(adapter)) {
        if (group === 'flows') sourceOf(basis, name, adapter, problems);
        else sinkOf(basis, name, adapter, problems);
      }
      if (typeof flow.mapping !== 'string' || flow.mapping === '') continue;
      const mapping = basis.resolve(flow.mapping);
      const missing = missingFile(yaml, [group, name, 'mapping'], mapping, 'mapping file');
      if (missing !== undefined) problems.push(missing);
      else mappings.add(mapping);
    }
  }
  // Without the config's model a mapping's field errors would be guesses: the model's problems say enough.
  if (model !== undefined) problems.push(...validateMappingFiles([...mappings], { model }));
  return withoutEchoes(problems, failed.unresolved);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
