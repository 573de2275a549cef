/**
 * Generated artefacts must be what scripts/gen-schemas.ts would write now: the JSON Schemas under
 * schemas/ (mapping files, the model, bridge.yaml) and README.md's adapter table. A schema or an
 * adapter declaration changed without re-running the script fails here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { formats, sinks, sources } from '../src/core/registry.js';
import { ADAPTERS_END, ADAPTERS_START, adapterTable, bridgeFileSchema, generatedArtefacts, withAdapterTable } from '../src/generated/artefacts.js';
import { repoRoot } from './support/bridge-process.js';

const read = (path: string): string => readFileSync(join(repoRoot, path), 'utf8');
const artefacts = generatedArtefacts(read('README.md'));

describe('generated artefacts', () => {
  it('covers the three schemas and the README', () => {
    expect(Object.keys(artefacts).sort()).toEqual(['README.md', 'schemas/bridge.schema.json', 'schemas/mapping.schema.json', 'schemas/model.schema.json']);
  });

  it.each(Object.entries(artefacts))('%s is up to date (run: node --import tsx scripts/gen-schemas.ts)', (path, text) => {
    expect(read(path)).toBe(text);
  });

  it('bridge.schema.json lists every registered source adapter under a flow\'s source', () => {
    const schema = JSON.parse(artefacts['schemas/bridge.schema.json']) as {
      properties: { flows: { propertyNames: { pattern: string }; additionalProperties: { properties: { source: { anyOf: { properties: object; additionalProperties: boolean }[] } } } } };
    };
    const source = schema.properties.flows.additionalProperties.properties.source;
    expect(source.anyOf.map((s) => Object.keys(s.properties))).toEqual(sources.map((s) => [s.name]));
    expect(source.anyOf.every((s) => s.additionalProperties === false)).toBe(true);
    expect(schema.properties.flows.propertyNames.pattern).toBe('^[a-z][a-z0-9-]*$');
  });

  it('the bridge.yaml schema accepts the example config and refuses an unknown source adapter or option', () => {
    const schema = bridgeFileSchema(sources);
    const example = parse(read('bridge.example.yaml')) as { flows: Record<string, { source: unknown }> };
    expect(schema.safeParse(example).success).toBe(true);
    const bad = structuredClone(example);
    bad.flows.orders.source = { sftp: { host: 'x' } };
    bad.flows.prices.source = { file: { path: 'in', pollEvery: 5 } };
    const issues = schema.safeParse(bad).error?.issues.map((i) => `${i.path.join('.')}: ${i.code}${'keys' in i ? ` ${i.keys.join()}` : ''}`);
    // Several source adapters make `source` a union: an unknown adapter matches none of them.
    expect(issues).toEqual(['flows.orders.source: invalid_union', 'flows.prices.source.file: unrecognized_keys pollEvery']);
  });

  it('the README table has a row per adapter, formats then sources then sinks in registry order, with each declaration\'s summary', () => {
    const readme = artefacts['README.md'];
    const table = readme.slice(readme.indexOf(ADAPTERS_START) + ADAPTERS_START.length, readme.indexOf(ADAPTERS_END)).trim().split('\n');
    expect(table.slice(0, 2)).toEqual(['| adapter | kind | what it is |', '| --- | --- | --- |']);
    expect(table.slice(2)).toEqual([...formats, ...sources, ...sinks].map((a) => `| \`${a.name}\` | ${a.kind} | ${a.summary} |`));
  });

  it('rewrites only what is between the markers, escapes pipes, and refuses a README without markers', () => {
    const before = `# t\n\n${ADAPTERS_START}\nold\n${ADAPTERS_END}\n\nafter | this\n`;
    const table = adapterTable({ formats: [{ ...formats[0], name: 'x', summary: 'a | b' }], sources: [] });
    expect(withAdapterTable(before, table)).toBe(
      `# t\n\n${ADAPTERS_START}\n| adapter | kind | what it is |\n| --- | --- | --- |\n| \`x\` | format | a \\| b |\n${ADAPTERS_END}\n\nafter | this\n`,
    );
    expect(withAdapterTable(withAdapterTable(before, table), table)).toBe(withAdapterTable(before, table));
    expect(() => withAdapterTable('# no table\n', table)).toThrow('README.md lacks the <!-- adapters:start --> … <!-- adapters:end --> markers');
  });
});
