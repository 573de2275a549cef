import { readFileSync } from 'node:fs';
import { SourceFiles } from './source-files.js';
import { isMap, isNode, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ConfigProblem } from './errors.js';

/** A path inside a YAML document: map keys and sequence indices. */
export type DocPath = readonly (string | number)[];

/** How a YAML file is read; bridge.yaml takes the defaults, mapping and model files both options. */
export interface YamlReadOptions {
  /**
   * Numbers only as plain decimals without leading zeros, so that `0012` and `0x1A` stay text
   * (legacy codes in layouts and lookup tables). Default: the YAML 1.2 core schema.
   */
  strictNumbers?: boolean;
  /** Problems from `problem()` name the column too; default true. Syntax errors always do. */
  columns?: boolean;
}

/**
 * How mapping and model files are read: legacy codes keep their digits, and problems name the
 * line only (the analyst's view: `m.yaml:11 (fields.kind.tranform): unknown key "tranform"`).
 */
export const MAPPING_YAML: YamlReadOptions = Object.freeze({ strictNumbers: true, columns: false });

/**
 * A YAML file read with its line positions kept, so that a problem found later — by a zod schema
 * or by hand — names the line of the node it is about: `file:line (path): what was expected`.
 */
export interface YamlFile {
  file: string;
  doc: Document.Parsed;
  /** The document as plain data; undefined when there are syntax problems. */
  value: unknown;
  /** Syntax (or read) problems; the value is unusable when there are any. */
  problems: ConfigProblem[];
  /**
   * The 1-based line and column of `path`: where its entry is written (the key in a map, the item
   * in a list), or, when the path does not exist, the start of its nearest existing parent's value.
   */
  locate(path: DocPath): { line: number; column: number } | undefined;
  /** A problem at `path`, with its line and the path written as `flows.orders.source`. */
  problem(path: DocPath, message: string): ConfigProblem;
}

/** `fields.balance.transform[1]` */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

/** The inverse of formatPath: `fields.balance.transform[1]` → ['fields', 'balance', 'transform', 1]. */
export function parsePath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const part of path.match(/[^.[\]]+|\[\d+\]/g) ?? []) out.push(part[0] === '[' ? Number(part.slice(1, -1)) : part);
  return out;
}

/**
 * `problem` with the line (and column) of its path in `yaml`, when it is about that file and has
 * none: an adapter built from a section of the file knows only the path of what it refuses.
 */
export function located(yaml: YamlFile, problem: ConfigProblem): ConfigProblem {
  return problem.line === undefined && problem.path && problem.file === yaml.file ? yaml.problem(parsePath(problem.path), problem.message) : problem;
}

type Tag = { tag: string; test?: RegExp; resolve: (s: string) => unknown; identify?: (v: unknown) => boolean; default?: boolean };

// The YAML core schema reads `0012` as 12 and `0x1A` as 26: legacy codes lose their digits.
const strictInt: Tag = {
  identify: (v) => typeof v === 'number' && Number.isInteger(v),
  default: true,
  tag: 'tag:yaml.org,2002:int',
  test: /^-?(?:0|[1-9][0-9]*)$/,
  resolve: (s) => Number(s),
};
const strictFloat: Tag = {
  identify: (v) => typeof v === 'number',
  default: true,
  tag: 'tag:yaml.org,2002:float',
  test: /^-?(?:0|[1-9][0-9]*)\.[0-9]+$/,
  resolve: (s) => Number(s),
};

function strictTags(tags: unknown[]): unknown[] {
  const kept = tags.filter((t) => (t as Tag).tag !== 'tag:yaml.org,2002:int' && (t as Tag).tag !== 'tag:yaml.org,2002:float');
  return [...kept, strictInt, strictFloat];
}

/** The offset `path` is reported at (see YamlFile.locate). */
function offsetOf(doc: Document, path: DocPath): number | undefined {
  let node: unknown = doc.contents;
  let found: number | undefined = (node as Node | null)?.range?.[0];
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    let entry: Node | null | undefined;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && String(isScalar(p.key) ? p.key.value : p.key) === String(seg));
      if (!pair) return found;
      entry = pair.key as Node | null;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number' && node.items[seg] !== undefined) {
      entry = node.items[seg] as Node;
      node = entry;
    } else return found;
    // The path itself is reported where its entry is written; a missing deeper key belongs in
    // this value, so it is reported where the value starts.
    const at = i === path.length - 1 ? entry : isNode(node) ? node : entry;
    found = at?.range?.[0] ?? found;
  }
  return found;
}

/** Parses YAML text with line tracking. Never throws: syntax errors are in `problems`. */
export function parseYamlText(file: string, text: string, options: YamlReadOptions = {}): YamlFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
    ...(options.strictNumbers ? { customTags: strictTags as never } : {}),
  });
  const problems: ConfigProblem[] = doc.errors.map((e) => {
    const pos = lineCounter.linePos(e.pos[0]);
    return { file, line: pos.line, column: pos.col, message: `YAML syntax error: ${e.message.split('\n')[0]}` };
  });
  const locate = (path: DocPath) => {
    const offset = offsetOf(doc, path);
    if (offset === undefined) return undefined;
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const columns = options.columns ?? true;
  return {
    file,
    doc,
    value: problems.length ? undefined : doc.toJS({ maxAliasCount: 100 }),
    problems,
    locate,
    problem(path, message) {
      const at = locate(path);
      return { file, line: at?.line, ...(columns && at ? { column: at.column } : {}), path: formatPath(path) || undefined, message };
    },
  };
}

/**
 * Reads and parses a YAML file (bridge.yaml). Throws the fs error when the file cannot be read,
 * and a ConfigError with every syntax problem's line.
 */
export function readYamlFile(file: string, text = readFileSync(file, 'utf8'), options: YamlReadOptions = {}): YamlFile {
  const yaml = parseYamlText(file, text, options);
  if (yaml.problems.length) throw new ConfigError(yaml.problems);
  return yaml;
}

/** Reads and parses a YAML file (mapping, model); never throws: an unreadable file is one problem. */
export function tryReadYamlFile(file: string, options: YamlReadOptions = {}, files = new SourceFiles()): YamlFile {
  let text: string;
  try {
    text = files.bytes(file).toString('utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (err as Error).message;
    return { ...parseYamlText(file, '', options), value: undefined, problems: [{ file, message: `cannot read: ${reason}` }] };
  }
  return parseYamlText(file, text, options);
}

type Issue = z.core.$ZodIssue;

/**
 * Turns zod issues into problems located in the YAML file, prefixed by where the value sits, with
 * zod's own messages (bridge.yaml's contract). A record key that fails its schema is reported
 * with the key's own message.
 */
export function zodProblems(yaml: YamlFile, error: z.ZodError, prefix: DocPath = []): ConfigProblem[] {
  return error.issues.map((issue) => {
    const path = [...prefix, ...(issue.path as (string | number)[])];
    const inner = issue.code === 'invalid_key' ? issue.issues[0]?.message : undefined;
    return yaml.problem(path, inner ? `key "${String(path.at(-1))}": ${inner}` : issue.message);
  });
}

/**
 * Parses `value` with `schema`, or throws a ConfigError listing every problem with its line:
 * `found`, problems the caller found already, first, and the schema's.
 */
export function parseWith<S extends z.ZodType>(yaml: YamlFile, schema: S, value: unknown, prefix: DocPath = [], found: ConfigProblem[] = []): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success || found.length) throw new ConfigError([...found, ...(result.success ? [] : zodProblems(yaml, result.error, prefix))]);
  return result.data;
}

function depth(issues: readonly Issue[]): number {
  return Math.max(...issues.map((i) => i.path.length + (i.code === 'invalid_type' && i.path.length === 0 ? -1 : 0)));
}

/**
 * Turns zod issues into problems written for the analyst (mapping and model files): a failed
 * union reports the branch that got furthest (the one whose problems are deepest), not "Invalid
 * input"; each unknown key is its own problem at its own line. `explain` may replace a message.
 */
export function explainedZodProblems(
  yaml: YamlFile,
  issues: readonly Issue[],
  base: DocPath = [],
  explain?: (path: DocPath, issue: Issue) => string | ConfigProblem[] | undefined,
): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  for (const issue of issues) {
    const path = [...base, ...(issue.path as (string | number)[])];
    const custom = explain?.(path, issue);
    if (typeof custom === 'string') {
      out.push(yaml.problem(path, custom));
    } else if (custom !== undefined) {
      out.push(...custom);
    } else if (issue.code === 'invalid_union' && issue.errors.length) {
      const best = issue.errors.reduce((a, b) => (depth(b) > depth(a) ? b : a));
      out.push(...explainedZodProblems(yaml, best, path, explain));
    } else if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push(yaml.problem([...path, key], `unknown key "${key}"`));
    } else {
      out.push(yaml.problem(path, issue.message.replace(/^Invalid (?:input|option): /, '')));
    }
  }
  return out;
}
