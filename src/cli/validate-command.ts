import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, formatConfigProblem, type ConfigProblem } from '../core/errors.js';
import { readYamlFile } from '../core/yaml-file.js';
import { validateMappingFiles } from '../mapping/index.js';
import { loadModel } from '../model/index.js';
import { checkServerConfig } from '../rest/server.js';
import { assemble, withConfig } from '../runtime/assemble.js';
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
 * assembled, but what it names is still checked (loadConfigChecked): one run shows them all.
 */
async function configProblems(file: string): Promise<ConfigProblem[]> {
  try {
    await withConfig(file, process.env, {}, (loaded) => {
      assemble(loaded);
      checkServerConfig(loaded);
    });
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
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
  if (options.config) problems.push(...(await configProblems(options.config)));
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
