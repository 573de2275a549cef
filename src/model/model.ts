import { dirname, resolve } from 'node:path';
import { ConfigError, type ConfigProblem } from '../core/errors.js';
import { SourceFiles, type SourceTexts } from '../core/source-files.js';
import { modelFileSchema, type FieldModel } from './model-schema.js';
import { explainedZodProblems, MAPPING_YAML, tryReadYamlFile, type DocPath, type YamlFile } from '../core/yaml-file.js';

/** One entity type of the canonical model. */
export interface EntityModel {
  name: string;
  description?: string;
  /** Fields whose values identify an entity, in order; never empty. */
  key: string[];
  /** The source timestamp field (date or datetime) used for last-write-wins, when declared. */
  timestamp?: string;
  fields: Record<string, FieldModel>;
}

/** The canonical model (mappings/model.yaml): every entity type that flows map into. */
export interface Model {
  /** Absolute path of the model file. */
  file: string;
  entities: Map<string, EntityModel>;
  /** The model file's bytes as loaded. */
  sources: SourceTexts;
}

function checkFields(yaml: YamlFile, fields: Record<string, FieldModel>, at: DocPath, out: ConfigProblem[]): void {
  for (const [name, f] of Object.entries(fields)) {
    const path = [...at, name];
    if (name.includes('.')) out.push(yaml.problem(path, 'field names cannot contain "."; nest objects with type: object'));
    const textual = f.type === 'string';
    const numeric = f.type === 'integer' || f.type === 'number';
    for (const [opt, ok] of [
      ['minLength', textual], ['maxLength', textual], ['pattern', textual],
      ['minimum', numeric], ['maximum', numeric],
      ['scale', f.type === 'decimal'], ['precision', f.type === 'decimal'],
      ['fields', f.type === 'object'], ['items', f.type === 'array'],
    ] as const) {
      if (f[opt] !== undefined && !ok) out.push(yaml.problem([...path, opt], `"${opt}" does not apply to type ${f.type}`));
    }
    if (f.pattern !== undefined) {
      try {
        new RegExp(f.pattern, 'u');
      } catch (err) {
        out.push(yaml.problem([...path, 'pattern'], `not a valid regular expression: ${(err as Error).message}`));
      }
    }
    if (f.type === 'array' && !f.items) out.push(yaml.problem(path, 'an array needs "items" (the type of each element)'));
    if (f.type === 'object' && !f.fields) out.push(yaml.problem(path, 'an object needs "fields"'));
    if (f.fields) checkFields(yaml, f.fields, [...path, 'fields'], out);
    if (f.items) checkFields(yaml, { items: f.items }, path, out);
  }
}

/**
 * Loads and checks the canonical model. Throws ConfigError listing every problem (file:line and
 * path): schema violations, key or timestamp fields that do not exist, invalid patterns.
 */
export function loadModel(file: string, files = new SourceFiles()): Model {
  const abs = resolve(file);
  const yaml = tryReadYamlFile(abs, MAPPING_YAML, files);
  if (yaml.problems.length) throw new ConfigError(yaml.problems);
  const parsed = modelFileSchema.safeParse(yaml.value);
  if (!parsed.success) throw new ConfigError(explainedZodProblems(yaml, parsed.error.issues));
  const problems: ConfigProblem[] = [];
  const entities = new Map<string, EntityModel>();
  for (const [name, e] of Object.entries(parsed.data.entities)) {
    const at = ['entities', name];
    checkFields(yaml, e.fields, [...at, 'fields'], problems);
    e.key.forEach((k, i) => {
      const f = e.fields[k];
      if (!f) problems.push(yaml.problem([...at, 'key', i], `key field "${k}" is not a field of ${name}`));
      else if (f.type === 'object' || f.type === 'array') problems.push(yaml.problem([...at, 'key', i], `key field "${k}" must be a scalar, not ${f.type}`));
    });
    if (e.timestamp !== undefined) {
      const t = e.fields[e.timestamp];
      if (!t) problems.push(yaml.problem([...at, 'timestamp'], `timestamp field "${e.timestamp}" is not a field of ${name}`));
      else if (t.type !== 'datetime' && t.type !== 'date') problems.push(yaml.problem([...at, 'timestamp'], `timestamp field "${e.timestamp}" must be of type datetime or date, not ${t.type}`));
    }
    entities.set(name, { name, description: e.description, key: e.key, timestamp: e.timestamp, fields: e.fields });
  }
  if (problems.length) throw new ConfigError(problems);
  return { file: abs, entities, sources: files.texts };
}

/** Where model files are looked for when a mapping names none: beside the mapping file. */
export function defaultModelFile(mappingFile: string): string {
  return resolve(dirname(mappingFile), 'model.yaml');
}
