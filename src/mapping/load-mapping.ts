import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError, DataError, type ConfigProblem, type DataErrorDetail } from '../core/errors.js';
import type { Format, FormatAdapter } from '../core/format.js';
import type { LegacyRecord, Position } from '../core/records.js';
import { formats as registeredFormats } from '../core/registry.js';
import { SourceFiles, type SourceTexts } from '../core/source-files.js';
import { defaultModelFile, loadModel, type EntityModel, type Model } from '../model/model.js';
import { MAPPING_YAML, tryReadYamlFile, type DocPath, type YamlFile } from '../core/yaml-file.js';
import { compileField, type CompiledField, type FieldContext } from './compile-fields.js';
import { fieldSpecSchema, mappingFileSchema, type FieldSpec } from './mapping-schema.js';
import { explainedProblems } from './problems.js';
import { compileToCanonical } from './record-mapper.js';
import { compileReverse, type ReverseFailure } from './reverse.js';
import { compileSource } from './source.js';

/** A mapped record: the canonical entity, its store key and its source timestamp when declared. */
export interface MappedEntity {
  entity: string;
  key: string;
  data: Record<string, unknown>;
  sourceTimestamp?: string;
}

/**
 * A record `toCanonical` refused: its errors and, when its key fields mapped and passed the model
 * (some other field did not), the store key it names, so that a full sync knows the entity is in
 * the delivery. `key` is absent when a key field failed or has no value.
 */
export type MappingFailure = DataErrorDetail[] & { key?: string };

/**
 * A loaded mapping file, compiled both ways. `toCanonical` never throws for bad data: it returns
 * every field error of the record (codes field.*, then model.invalid), each naming the mapping
 * file, the canonical field, the legacy field, the position and the value.
 */
export interface Mapping {
  file: string;
  entity: string;
  model: Model;
  /** The key fields used for MappedEntity.key (the mapping's `key:` or the model's). */
  key: string[];
  format: Format;
  formatName: string;
  timestampField?: string;
  /** True for `reverse: none`: the mapping only maps inbound. */
  inboundOnly: boolean;
  /** The files it was compiled from (mapping file, lookup tables) with their bytes as read. */
  sources: SourceTexts;
  /** Why the mapping cannot map back (empty when it can); fromCanonical throws them. */
  reverseProblems: ConfigProblem[];
  toCanonical(record: LegacyRecord, position: Position): MappedEntity | MappingFailure;
  /**
   * `toCanonical` for a legacy record kept since an earlier decode (a reject being replayed):
   * it assumes nothing the format's codec guarantees of what it decodes now (canonicalFields),
   * since the record may have been decoded by another layout, before a fix.
   */
  toCanonicalRechecked(record: LegacyRecord, position: Position): MappedEntity | MappingFailure;
  /** Canonical → legacy. Throws DataError for values that cannot map back, ConfigError when the mapping has no reverse. */
  fromCanonical(data: Record<string, unknown>): LegacyRecord;
}

export interface LoadMappingOptions {
  /** The model to map into; default: the file's `model:` or model.yaml beside the mapping. */
  model?: Model;
  /** Format adapters to find `source:` in; default: the registry (src/core/registry.ts). */
  formats?: readonly FormatAdapter[];
  /** Where the mapping's files are read from; default: the disk. */
  files?: SourceFiles;
}

const topSchema = mappingFileSchema().extend({ fields: z.record(z.string(), z.unknown()), reverse: z.unknown().optional() });

function groupsOf(names: readonly string[]): Set<string> {
  const groups = new Set<string>();
  for (const n of names) for (let i = n.indexOf('.'); i > 0; i = n.indexOf('.', i + 1)) groups.add(n.slice(0, i));
  return groups;
}

function parseSpecs(yaml: YamlFile, raw: Record<string, unknown>, base: DocPath, problems: ConfigProblem[]): [string, FieldSpec | string][] {
  const out: [string, FieldSpec | string][] = [];
  for (const [k, v] of Object.entries(raw)) {
    const r = z.union([z.string(), fieldSpecSchema]).safeParse(v);
    if (r.success) out.push([k, r.data]);
    else problems.push(...explainedProblems(yaml, r.error.issues, [...base, k]));
  }
  return out;
}

function compile(file: string, options: LoadMappingOptions, models = new Map<string, Model | ConfigError>()): { mapping?: Mapping; problems: ConfigProblem[] } {
  const abs = resolve(file);
  const files = options.files ?? new SourceFiles();
  const yaml = tryReadYamlFile(abs, MAPPING_YAML, files);
  if (yaml.problems.length) return { problems: yaml.problems };
  const top = topSchema.safeParse(yaml.value);
  if (!top.success) return { problems: explainedProblems(yaml, top.error.issues) };
  const doc = top.data;
  const problems: ConfigProblem[] = [];
  const source = compileSource(yaml, doc.source, options.formats ?? registeredFormats, problems);

  let model = options.model;
  if (!model) {
    const modelFile = doc.model ? resolve(dirname(abs), doc.model) : defaultModelFile(abs);
    let loaded = models.get(modelFile);
    if (!loaded) {
      try {
        loaded = loadModel(modelFile, files);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        loaded = err;
      }
      models.set(modelFile, loaded);
    }
    if (loaded instanceof ConfigError) {
      const reason = loaded.problems.length === 1 && !loaded.problems[0].line ? `: ${loaded.problems[0].message}` : ' (its problems are listed with it)';
      problems.push(yaml.problem(doc.model ? ['model'] : ['entity'], `the model ${modelFile} could not be loaded${reason}`));
      if (!reason.startsWith(':')) problems.push(...loaded.problems);
      return { problems };
    }
    model = loaded;
  }
  const entity: EntityModel | undefined = model.entities.get(doc.entity);
  if (!entity) {
    problems.push(yaml.problem(['entity'], `unknown entity "${doc.entity}" (the model has: ${[...model.entities.keys()].join(', ')})`));
    return { problems };
  }
  const key = doc.key ?? entity.key;
  key.forEach((k, i) => {
    if (!entity.fields[k]) problems.push(yaml.problem(['key', i], `key field "${k}" is not a field of ${entity.name}`));
  });

  const ctx: FieldContext = {
    file: abs,
    resolve: (rel) => resolve(dirname(abs), rel),
    files,
    problem: yaml.problem,
    problems,
    legacyNames: source?.fieldNames ? new Set(source.fieldNames) : undefined,
    legacyGroups: source?.fieldNames ? groupsOf(source.fieldNames) : undefined,
    legacyCanonical: source?.canonicalFields,
    legacyPrefix: '',
    owner: entity.name,
  };
  const specs = parseSpecs(yaml, doc.fields, ['fields'], problems);
  const compileFields = (c: FieldContext): CompiledField[] => specs.flatMap(([canon, spec]) => compileField(canon, spec, entity.fields, c, ['fields', canon]) ?? []);
  const fields = compileFields(ctx);
  // The same fields trusting nothing of the format's codec, for records kept since an earlier
  // decode (`toCanonicalRechecked`); compiled without problems, since the first time had none.
  const recheckedFields = () => compileFields({ ...ctx, legacyCanonical: undefined, problems: [] });
  const inboundOnly = doc.reverse === 'none';
  let reverseSpec: Record<string, FieldSpec | string> | undefined;
  if (doc.reverse !== undefined && !inboundOnly) {
    if (doc.reverse === null || typeof doc.reverse !== 'object' || Array.isArray(doc.reverse)) {
      problems.push(yaml.problem(['reverse'], 'expected legacy field → mapping entries, or none'));
    } else reverseSpec = Object.fromEntries(parseSpecs(yaml, doc.reverse as Record<string, unknown>, ['reverse'], problems));
  }
  const reverse = compileReverse(fields, reverseSpec, entity.fields, ctx);
  if (problems.length || !source) return { problems };
  const reverseProblems = inboundOnly ? [] : reverse.problems;
  return { mapping: assemble(abs, entity, model, key, source.format, source.name, fields, recheckedFields, reverse, inboundOnly, reverseProblems, files.texts), problems };
}

function assemble(
  file: string, entity: EntityModel, model: Model, key: string[], format: Format, formatName: string,
  fields: CompiledField[], recheckedFields: () => CompiledField[], reverse: ReturnType<typeof compileReverse>, inboundOnly: boolean, reverseProblems: ConfigProblem[], sources: SourceTexts,
): Mapping {
  const toCanonical = compileToCanonical({ file, entity, key, fields });
  let rechecked: Mapping['toCanonical'] | undefined;
  const ts = entity.timestamp;
  return {
    file, entity: entity.name, model, key, format, formatName, timestampField: ts, inboundOnly, sources, reverseProblems, toCanonical,
    toCanonicalRechecked(record, position) {
      rechecked ??= compileToCanonical({ file, entity, key, fields: recheckedFields() });
      return rechecked(record, position);
    },
    fromCanonical(data) {
      if (inboundOnly) throw new ConfigError({ file, path: 'reverse', message: 'the mapping is inbound-only (reverse: none)' });
      if (reverseProblems.length) throw new ConfigError(reverseProblems);
      const failures: ReverseFailure[] = [];
      const rec = reverse.build(data, failures);
      if (failures.length) {
        throw new DataError(failures.map(({ canon, failure: f }) => ({
          code: f.code, field: canon, message: `${f.label}: ${f.message}`, ...(f.value !== undefined ? { value: f.value } : {}), mapping: file,
        })));
      }
      return rec;
    },
  };
}

/**
 * Loads a mapping file and compiles it both ways. Throws ConfigError listing every problem
 * (file:line, path, what was expected). Reverse problems do not throw here: they are in
 * `reverseProblems`, and fromCanonical throws them.
 */
export function loadMapping(file: string, options: LoadMappingOptions = {}): Mapping {
  const { mapping, problems } = compile(file, options);
  if (!mapping) throw new ConfigError(problems);
  return mapping;
}

/**
 * Checks mapping files in one run: every problem of every file, including reverse problems
 * (except for `reverse: none` mappings). Empty when all are valid.
 */
export function validateMappingFiles(paths: string[], options: LoadMappingOptions = {}): ConfigProblem[] {
  const models = new Map<string, Model | ConfigError>();
  const out: ConfigProblem[] = [];
  for (const p of paths) {
    const { mapping, problems } = compile(p, options, models);
    out.push(...problems);
    if (mapping) out.push(...mapping.reverseProblems);
  }
  return out;
}
