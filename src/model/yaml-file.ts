import { readFileSync } from 'node:fs';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import type { ConfigProblem } from '../core/errors.js';

/** A path inside a YAML document: map keys and sequence indices. */
export type DocPath = readonly (string | number)[];

/**
 * A parsed configuration file that can say on which line a path sits, so that every problem is
 * reported as `file:line (path): what was expected`.
 */
export interface YamlFile {
  file: string;
  /** The document as plain data; undefined when the text could not be parsed at all. */
  data: unknown;
  /** Syntax problems; the data is unusable when there are any. */
  problems: ConfigProblem[];
  /** The 1-based line of the node at `path`, or of its nearest existing ancestor. */
  lineOf(path: DocPath): number | undefined;
  /** A problem at `path`, with its line. */
  problem(path: DocPath, message: string): ConfigProblem;
}

type Tag = { tag: string; test?: RegExp; resolve: (s: string) => unknown; identify?: (v: unknown) => boolean; default?: boolean };

// The YAML core schema reads `0012` as 12 and `0x1A` as 26: legacy codes in lookup tables and
// layouts lose their digits. Here only plain decimal numbers without leading zeros are numbers.
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

function customTags(tags: unknown[]): unknown[] {
  const kept = tags.filter((t) => {
    const tag = (t as Tag).tag;
    return tag !== 'tag:yaml.org,2002:int' && tag !== 'tag:yaml.org,2002:float';
  });
  return [...kept, strictInt, strictFloat];
}

/** `fields.balance.transform[1]` */
export function formatPath(path: DocPath): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${seg}` : seg;
  return out;
}

/** The inverse of formatPath: `fields.balance.transform[1]` → ['fields', 'balance', 'transform', 1]. */
export function parsePath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const part of path.match(/[^.[\]]+|\[\d+\]/g) ?? []) out.push(part[0] === '[' ? Number(part.slice(1, -1)) : part);
  return out;
}

function nodeAt(doc: Document, path: DocPath): { offset: number } | undefined {
  let node: unknown = doc.contents;
  let found: number | undefined = (node as Node | null)?.range?.[0];
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && String(isScalar(p.key) ? p.key.value : p.key) === String(seg));
      if (!pair) break;
      const key = pair.key as Node | null;
      if (key?.range) found = key.range[0];
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as Node | undefined;
      if (!item?.range) break;
      found = item.range[0];
      node = item;
    } else break;
  }
  return found === undefined ? undefined : { offset: found };
}

/** Parses YAML text (mapping files, model files) with line tracking and the strict number rules. */
export function parseYamlText(file: string, text: string): YamlFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, customTags: customTags as never, uniqueKeys: true });
  const problems: ConfigProblem[] = doc.errors.map((e) => {
    const pos = lineCounter.linePos(e.pos[0]);
    return { file, line: pos.line, column: pos.col, message: `YAML syntax error: ${e.message.split('\n')[0]}` };
  });
  const lineOf = (path: DocPath): number | undefined => {
    const at = nodeAt(doc, path);
    return at === undefined ? undefined : lineCounter.linePos(at.offset).line;
  };
  return {
    file,
    data: problems.length ? undefined : doc.toJS({ maxAliasCount: 100 }),
    problems,
    lineOf,
    problem: (path, message) => ({ file, line: lineOf(path), path: formatPath(path) || undefined, message }),
  };
}

/** Reads and parses a YAML file; an unreadable file is one problem, not an exception. */
export function readYamlFile(file: string): YamlFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (err as Error).message;
    return { ...parseYamlText(file, ''), problems: [{ file, message: `cannot read: ${reason}` }] };
  }
  return parseYamlText(file, text);
}

type Issue = z.core.$ZodIssue;

function depth(issues: readonly Issue[]): number {
  return Math.max(...issues.map((i) => i.path.length + (i.code === 'invalid_type' && i.path.length === 0 ? -1 : 0)));
}

/**
 * Turns zod issues into problems with lines. A failed union reports the branch that got furthest
 * (the one whose problems are deepest), not "Invalid input". `explain` may replace a message.
 */
export function zodProblems(
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
      out.push(...zodProblems(yaml, best, path, explain));
    } else if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push(yaml.problem([...path, key], `unknown key "${key}"`));
    } else {
      out.push(yaml.problem(path, issue.message.replace(/^Invalid (?:input|option): /, '')));
    }
  }
  return out;
}
