import { readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ConfigError, formatConfigProblem, type ConfigProblem } from '../core/errors.js';
import { loadConfig, missingFile, type LoadedConfig } from '../config/load.js';
import { readYamlFile, type YamlFile } from '../core/yaml-file.js';
import { validateMappingFiles } from '../mapping/index.js';
import { loadModel, type Model } from '../model/index.js';
import { checkServerConfig } from '../rest/server.js';
import { assemble } from '../runtime/assemble.js';
import { EXIT } from './exit.js';

function yamlFiles(path: string): string[] {
  if (!statSync(path, { throwIfNoEntry: false })?.isDirectory()) return [path];
  return readdirSync(path)
    .filter((n) => /\.ya?ml$/.test(n))
    .sort()
    .map((n) => join(path, n));
}

/** A model file (`entities:` at the top, no `entity:`) sits among the mappings, as in mappings/. */
function isModelFile(path: string): boolean {
  try {
    const value = readYamlFile(path).value;
    return Boolean(value && typeof value === 'object' && 'entities' in value && !('entity' in value));
  } catch {
    // Unreadable or not YAML: the mapping check reports it with its line.
    return false;
  }
}

function modelProblems(path: string): ConfigProblem[] {
  return problemsOf(() => loadModel(path));
}

function problemsOf(check: () => void): ConfigProblem[] {
  try {
    check();
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
}

/**
 * The config's problems, then those of every file it names. A config whose shape is wrong is not
 * assembled, but the model and mapping files it names are still checked: one run shows them all.
 */
function configProblems(file: string): ConfigProblem[] {
  let loaded: LoadedConfig | undefined;
  const shape = problemsOf(() => (loaded = loadConfig(file)));
  if (loaded !== undefined) {
    const config = loaded;
    return problemsOf(() => {
      assemble(config);
      checkServerConfig(config);
    });
  }
  let yaml: YamlFile;
  try {
    yaml = readYamlFile(resolve(file));
  } catch {
    return shape;
  }
  const top = isObject(yaml.value) ? yaml.value : {};
  const dir = dirname(resolve(file));
  const problems = [...shape];
  const modelFile = resolve(dir, typeof top.model === 'string' ? top.model : 'mappings/model.yaml');
  const missingModel = missingFile(yaml, ['model'], modelFile, 'model file');
  let model: Model | undefined;
  if (missingModel !== undefined) problems.push(missingModel);
  else problems.push(...problemsOf(() => (model = loadModel(modelFile))));
  const mappings = new Set<string>();
  for (const group of ['flows', 'outbound']) {
    const flows = top[group];
    if (!isObject(flows)) continue;
    for (const [name, flow] of Object.entries(flows)) {
      if (!isObject(flow) || typeof flow.mapping !== 'string' || flow.mapping === '') continue;
      const mapping = resolve(dir, flow.mapping);
      const missing = missingFile(yaml, [group, name, 'mapping'], mapping, 'mapping file');
      if (missing !== undefined) problems.push(missing);
      else mappings.add(mapping);
    }
  }
  // Without the config's model a mapping's field errors would be guesses: the model's problems say enough.
  if (model !== undefined) problems.push(...validateMappingFiles([...mappings], { model }));
  return problems;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * `bridge validate [paths…]`: every mapping file (and the models they name) under the paths
 * (default: mappings/), and with --config the bridge config and everything it names. Every problem
 * is printed, all of them in one run.
 */
export async function validateCommand(paths: string[], options: { config?: string }): Promise<number> {
  const files = (paths.length ? paths : options.config ? [] : ['mappings']).flatMap(yamlFiles);
  const models = files.filter(isModelFile);
  const problems: ConfigProblem[] = [...models.flatMap(modelProblems), ...validateMappingFiles(files.filter((f) => !models.includes(f)))];
  if (options.config) problems.push(...configProblems(options.config));
  const seen = new Set<string>();
  for (const p of problems) {
    const line = formatConfigProblem(p);
    if (seen.has(line)) continue;
    seen.add(line);
    process.stderr.write(`${line}\n`);
  }
  const checked = files.length + (options.config ? 1 : 0);
  process.stderr.write(problems.length ? `${seen.size} problem(s) in ${checked} file(s)\n` : `${checked} file(s) OK\n`);
  return problems.length ? EXIT.config : EXIT.ok;
}
