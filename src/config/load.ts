import { dirname, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { ConfigError, type ConfigProblem } from '../core/errors.js';
import { parseWith, readYamlFile, type DocPath, type YamlFile } from '../core/yaml-file.js';
import { configSchema, type BridgeConfig } from './schema.js';
import { resolveSecrets, SecretValues } from './secrets.js';

export interface LoadedConfig {
  file: string;
  yaml: YamlFile;
  config: BridgeConfig;
  secrets: SecretValues;
  /** Resolves a path written in bridge.yaml against the file's folder. */
  resolve(path: string): string;
  /** The API clients left out of `config.server.clients` (LoadOptions.withoutServer): writers all the same. */
  clientsLeftOut: ReadonlySet<string>;
}

/** What checking the parts of a config needs, even of one that failed to load: its text, secrets and folder. */
export type ConfigBasis = Pick<LoadedConfig, 'file' | 'yaml' | 'secrets' | 'resolve'>;

/**
 * The config's own problems (secret references, shape). `basis` lets what it names (model,
 * mappings, adapters) be checked still, so that one run shows every problem (problemsBeyond);
 * `unresolved`, the references among them that did not resolve, whose paths hold empty strings.
 */
export class ConfigLoadError extends ConfigError {
  constructor(
    problems: ConfigProblem[],
    readonly basis: ConfigBasis,
    readonly unresolved: readonly ConfigProblem[],
  ) {
    super(problems);
  }
}

export interface LoadOptions {
  /**
   * For the commands that serve no API (status, rejects, ingest…): a client whose token reference
   * does not resolve is left out instead of failing the load, so that an operator's shell needs
   * only the secrets the command uses.
   */
  withoutServer?: boolean;
}

/** `server.clients.NAME.token` */
const isClientToken = (path: (string | number)[]) => path.length === 4 && path[0] === 'server' && path[1] === 'clients' && path[3] === 'token';

/**
 * Reads bridge.yaml: syntax, secret references, then the schema. Every problem found is reported
 * at once, each with the file, the line and the path inside the file: a ConfigLoadError.
 */
export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env, options: LoadOptions = {}): LoadedConfig {
  const absolute = resolve(file);
  let yaml: YamlFile;
  try {
    yaml = readYamlFile(absolute);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new ConfigError({ file: absolute, message: 'config file not found' });
    throw e;
  }
  const secrets = new SecretValues();
  const unusedClients = new Set<string>();
  const secretProblems = resolveSecrets(yaml, secrets, env, (path) => {
    if (!options.withoutServer || !isClientToken(path)) return false;
    unusedClients.add(String(path[2]));
    return true;
  });
  const clients = (yaml.value as { server?: { clients?: Record<string, unknown> } } | null)?.server?.clients;
  for (const name of unusedClients) delete clients?.[name];
  // Tokens written into the file are named with the schema's problems, not in a later run.
  const tokens = Object.entries(clients && typeof clients === 'object' ? clients : {}).flatMap(([name, c]) =>
    secrets.literalsAt(yaml, ['server', 'clients', name, 'token'], (c as { token?: unknown } | null)?.token),
  );
  const dir = dirname(absolute);
  const basis: ConfigBasis = { file: absolute, yaml, secrets, resolve: (p) => resolve(dir, p) };
  let config: BridgeConfig;
  try {
    config = parseWith(yaml, configSchema, yaml.value ?? {}, [], [...secretProblems, ...tokens]);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    throw new ConfigLoadError(withoutEchoes(e.problems, secretProblems), basis, secretProblems);
  }
  return { ...basis, config, clientsLeftOut: unusedClients };
}

/**
 * A reference that did not resolve leaves an empty string behind: another problem at its path
 * (the schema's, an adapter's) only repeats it.
 */
export function withoutEchoes(problems: ConfigProblem[], secretProblems: readonly ConfigProblem[]): ConfigProblem[] {
  const unresolved = secretProblems.map((p) => p.path).filter((p) => p !== undefined);
  const under = (p: ConfigProblem) => p.path !== undefined && unresolved.some((u) => p.path === u || p.path!.startsWith(`${u}.`) || p.path!.startsWith(`${u}[`));
  return problems.filter((p) => secretProblems.includes(p) || !under(p));
}

/** A file named in the config that is not there: the problem is the config's line, not the file's. */
export function missingFile(yaml: YamlFile, at: DocPath, file: string, what: 'model file' | 'mapping file'): ConfigProblem | undefined {
  return existsSync(file) ? undefined : yaml.problem(at, `${what} ${file} not found`);
}
