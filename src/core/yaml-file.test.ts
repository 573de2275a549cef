import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError } from './errors.js';
import { explainedZodProblems, formatPath, MAPPING_YAML, parsePath, parseYamlText, readYamlFile, tryReadYamlFile, zodProblems } from './yaml-file.js';

const text = ['flows:', '  orders:', '    source:', '      file: { path: in }', '    mode: full', 'list:', '  - a', '  - b', ''].join('\n');

describe('YAML files with lines', () => {
  it('locates an entry where it is written, and a missing one where its parent\'s value starts', () => {
    const y = parseYamlText('b.yaml', text);
    expect(y.locate(['flows', 'orders', 'source'])).toEqual({ line: 3, column: 5 });
    expect(y.locate(['flows', 'orders', 'mode'])).toEqual({ line: 5, column: 5 });
    expect(y.locate(['list', 1])).toEqual({ line: 8, column: 5 });
    expect(y.locate(['flows', 'orders', 'batchSize'])).toEqual({ line: 3, column: 5 });
    expect(y.locate(['flows', 'orders', 'source', 'file', 'include'])).toEqual({ line: 4, column: 13 });
    expect(y.locate([])).toEqual({ line: 1, column: 1 });
  });

  it('names the column for bridge.yaml, the line only for mapping files', () => {
    expect(parseYamlText('b.yaml', text).problem(['flows', 'orders', 'mode'], 'bad')).toEqual({ file: 'b.yaml', line: 5, column: 5, path: 'flows.orders.mode', message: 'bad' });
    expect(parseYamlText('m.yaml', text, MAPPING_YAML).problem(['list', 0], 'bad')).toEqual({ file: 'm.yaml', line: 7, path: 'list[0]', message: 'bad' });
  });

  it('keeps legacy codes as text only when asked', () => {
    expect(parseYamlText('x', 'a: 0012\nb: 0x1A\nc: 12\n').value).toEqual({ a: 12, b: 26, c: 12 });
    expect(parseYamlText('x', 'a: 0012\nb: 0x1A\nc: 12\n', MAPPING_YAML).value).toEqual({ a: '0012', b: '0x1A', c: 12 });
  });

  it('readYamlFile throws syntax errors and fs errors; tryReadYamlFile returns them as problems', () => {
    expect(() => readYamlFile('b.yaml', 'a: [1, 2\n')).toThrow(ConfigError);
    expect(() => readYamlFile('b.yaml', 'a: [1, 2\n')).toThrow(/^b\.yaml:\d+:\d+: YAML syntax error: /);
    expect(() => readYamlFile('/nonexistent/b.yaml')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(tryReadYamlFile('/nonexistent/m.yaml').problems).toEqual([{ file: '/nonexistent/m.yaml', message: 'cannot read: file not found' }]);
  });

  it('turns zod issues into located problems: zod\'s words, or explained for the analyst', () => {
    const y = parseYamlText('b.yaml', text, MAPPING_YAML);
    const schema = z.object({ flows: z.object({ orders: z.object({ mode: z.enum(['incremental']) }).strict() }) }).passthrough();
    const issues = schema.safeParse(y.value).error!;
    expect(zodProblems(y, issues).map((p) => `${p.line} ${p.path} ${p.message}`)).toEqual([
      '5 flows.orders.mode Invalid input: expected "incremental"',
      '2 flows.orders Unrecognized key: "source"',
    ]);
    expect(explainedZodProblems(y, issues.issues).map((p) => `${p.line} ${p.path} ${p.message}`)).toEqual([
      '5 flows.orders.mode expected "incremental"',
      '3 flows.orders.source unknown key "source"',
    ]);
  });

  it('writes and reads paths', () => {
    expect(formatPath(['fields', 'balance', 'transform', 1])).toBe('fields.balance.transform[1]');
    expect(parsePath('fields.balance.transform[1]')).toEqual(['fields', 'balance', 'transform', 1]);
  });
});
