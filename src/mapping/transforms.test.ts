import { describe, expect, it } from 'vitest';
import type { ConfigProblem } from '../core/errors.js';
import { SourceFiles } from '../core/source-files.js';
import { formatPath } from '../core/yaml-file.js';
import type { TransformSpec } from './mapping-schema.js';
import { isStepFailure, type CompileContext, type Step } from './steps.js';
import { compileTransform } from './transforms.js';
import { writeFiles } from './testing.js';

function ctx(dir = '/nowhere', reverse = false): CompileContext {
  const problems: ConfigProblem[] = [];
  return { file: 'm.yaml', resolve: (r) => `${dir}/${r}`, files: new SourceFiles(), problem: (path, message) => ({ file: 'm.yaml', path: formatPath(path), message }), problems, reverse };
}

function step(spec: unknown, c = ctx()): Step {
  const s = compileTransform(spec as TransformSpec, c, ['t']);
  expect(c.problems).toEqual([]);
  return s!;
}

function failure(f: () => unknown): { code: string; message: string; value?: string } {
  try {
    f();
  } catch (e) {
    if (isStepFailure(e)) return { code: e.code, message: e.message, value: e.value };
    throw e;
  }
  throw new Error('expected a failure');
}

function problems(spec: unknown): string[] {
  const c = ctx();
  compileTransform(spec as TransformSpec, c, ['t']);
  return c.problems.map((p) => p.message);
}

describe('text transforms', () => {
  it.each([
    ['trim', '  a b  ', 'a b'],
    ['trimStart', '  a ', 'a '],
    ['trimEnd', '  a ', '  a'],
    ['upper', 'straße', 'STRASSE'],
    ['lower', 'ABC', 'abc'],
    ['collapseSpaces', 'a   b \t c', 'a b c'],
  ])('%s maps forward and keeps the value back', (name, input, output) => {
    const s = step(name);
    expect(s.fwd(input)).toBe(output);
    expect(s.fwd(null)).toBeNull();
    expect(s.back!(output)).toBe(output);
  });

  it('pad pads forward and strips back', () => {
    const s = step({ pad: { length: 5, char: '0' } });
    expect(s.fwd('42')).toBe('00042');
    expect(s.back!('00042')).toBe('42');
    expect(s.back!('00000')).toBe('0');
    const r = step({ pad: { length: 4, side: 'right' } });
    expect(r.fwd('ab')).toBe('ab  ');
    expect(r.back!('ab  ')).toBe('ab');
  });

  it('required rejects null and empty text', () => {
    expect(failure(() => step('required').fwd(''))).toEqual({ code: 'field.required', message: 'required but empty', value: '' });
    expect(step('required').fwd('x')).toBe('x');
  });

  it('default fills null and empty, and keeps the value back', () => {
    const s = step({ default: 'n/a' });
    expect([s.fwd(null), s.fwd(''), s.fwd('x')]).toEqual(['n/a', 'n/a', 'x']);
    expect(s.back!('n/a')).toBe('n/a');
  });

  it('nullIf maps listed values to null and null back to the first', () => {
    const s = step({ nullIf: ['00000000', '99999999'] });
    expect([s.fwd('00000000'), s.fwd('99999999'), s.fwd('20240101')]).toEqual([null, null, '20240101']);
    expect(s.back!(null)).toBe('00000000');
  });

  it('replace, extract and template have no inverse', () => {
    const r = step({ replace: { pattern: '[^0-9+]', with: '' } });
    expect(r.fwd('+49 (30) 12-34')).toBe('+49301234');
    expect(r.back).toBeUndefined();
    expect(r.noInverse).toBe('replace has no inverse');
    const e = step({ extract: '^ORD-(\\d+)' });
    expect(e.fwd('ORD-0042x')).toBe('0042');
    expect(failure(() => e.fwd('INV-1'))).toEqual({ code: 'field.pattern', message: 'does not match ^ORD-(\\d+)', value: 'INV-1' });
    expect(step({ extract: { pattern: '(a)(b)', group: 2 } }).fwd('ab')).toBe('b');
    expect(step({ extract: 'x+' }).fwd('axxb')).toBe('xx');
    const t = step({ template: 'ORD-{}/{}' });
    expect(t.fwd('7')).toBe('ORD-7/7');
    expect(t.back).toBeUndefined();
  });

  it('split makes a list, joins back, and later steps apply per element', () => {
    const s = step({ split: ';' });
    expect(s.fwd('a; b')).toEqual(['a', ' b']);
    expect(s.back!(['a', 'b'])).toBe('a;b');
    expect(s.whole && s.makesList).toBe(true);
  });

  it('reports bad regular expressions and groups', () => {
    expect(problems({ extract: '(' })[0]).toMatch(/^not a valid regular expression: /);
    expect(problems({ replace: { pattern: '[', with: '' } })[0]).toMatch(/^not a valid regular expression/);
    expect(problems({ extract: { pattern: '(a)', group: 2 } })).toEqual(['group 2 does not exist in (a)']);
  });
});

describe('number transforms', () => {
  it('integer parses safe integers only', () => {
    const s = step('integer');
    expect(s.fwd('-0042')).toBe(-42);
    expect(s.back!(-42)).toBe('-42');
    expect(failure(() => s.fwd('4.2'))).toEqual({ code: 'field.number', message: 'not an integer', value: '4.2' });
    expect(failure(() => s.fwd('9007199254740993')).message).toBe('not a safe integer (beyond ±2^53)');
  });

  it('number parses with separators', () => {
    expect(step('number').fwd('-1.5e3')).toBe(-1500);
    const s = step({ number: { separator: ',', thousands: '.' } });
    expect(s.fwd('1.234,5')).toBe(1234.5);
    expect(s.back!(1234.5)).toBe('1234,5');
    expect(failure(() => s.fwd('12a'))).toEqual({ code: 'field.number', message: 'not a number (separator ",", thousands ".")', value: '12a' });
  });

  it('decimal is exact: implied decimals, separators, trailing signs, no rounding', () => {
    const implied = step({ decimal: { scale: 2 } });
    expect(implied.fwd('0000004000')).toBe('40.00');
    expect(implied.fwd('5')).toBe('0.05');
    expect(implied.fwd('1234-')).toBe('-12.34');
    expect(implied.back!('40.00')).toBe('4000');
    expect(implied.back!('-0.05')).toBe('-5');
    expect(failure(() => implied.fwd('40.00'))).toEqual({ code: 'field.number', message: 'not a decimal (2 implied decimals)', value: '40.00' });
    const eu = step({ decimal: { separator: ',', thousands: '.', scale: 2 } });
    expect(eu.fwd('1.234,5')).toBe('1234.50');
    expect(eu.back!('1234.50')).toBe('1234,50');
    expect(failure(() => eu.fwd('1,234'))).toEqual({ code: 'field.number', message: 'more than 2 decimal places', value: '1,234' });
    const plain = step('decimal');
    expect(plain.fwd('+0012.340')).toBe('12.340');
    expect(plain.fwd('-0.0')).toBe('0.0');
    expect(plain.fwd('12345678901234567890.123456789')).toBe('12345678901234567890.123456789');
  });
});

describe('date transforms', () => {
  it('date parses, rejects impossible dates, and formats back', () => {
    const s = step({ date: 'yyyyMMdd' });
    expect(s.fwd('20240229')).toBe('2024-02-29');
    expect(s.back!('2024-02-29')).toBe('20240229');
    expect(failure(() => s.fwd('20230231'))).toEqual({ code: 'field.date', message: 'not a date of pattern yyyyMMdd', value: '20230231' });
    expect(failure(() => s.fwd('2023023'))).toMatchObject({ code: 'field.date' });
    expect(failure(() => s.fwd('2023-2-01'))).toMatchObject({ code: 'field.date' });
  });

  it('date with two-digit years uses the pivot and nullIf', () => {
    const s = step({ date: 'ddMMyy', pivot: 70, nullIf: ['000000'] });
    expect(s.fwd('311299')).toBe('1999-12-31');
    expect(s.fwd('010169')).toBe('2069-01-01');
    expect(s.fwd('010170')).toBe('1970-01-01');
    expect(s.fwd('000000')).toBeNull();
    expect(s.back!(null)).toBe('000000');
    expect(s.back!('1999-12-31')).toBe('311299');
    expect(failure(() => s.back!('1850-01-01'))).toEqual({ code: 'field.date', message: 'year does not fit pattern ddMMyy', value: '1850-01-01' });
  });

  it('time parses and formats', () => {
    const s = step({ time: 'HHmmss' });
    expect(s.fwd('134500')).toBe('13:45:00');
    expect(s.back!('13:45:00')).toBe('134500');
    expect(failure(() => s.fwd('246000'))).toEqual({ code: 'field.date', message: 'not a time of pattern HHmmss', value: '246000' });
    expect(step({ time: 'HH:mm:ss.SSS' }).fwd('01:02:03.045')).toBe('01:02:03.045');
  });

  it('datetime applies the IANA zone, including clock changes', () => {
    const s = step({ datetime: 'yyyyMMddHHmmss', zone: 'Europe/Berlin' });
    expect(s.fwd('20230615134500')).toBe('2023-06-15T13:45:00+02:00');
    expect(s.fwd('20230115134500')).toBe('2023-01-15T13:45:00+01:00');
    expect(s.fwd('20231029023000')).toBe('2023-10-29T02:30:00+02:00');
    expect(failure(() => s.fwd('20230326023000'))).toEqual({ code: 'field.date', message: 'does not exist in Europe/Berlin (clocks were set forward)', value: '20230326023000' });
    expect(s.back!('2023-06-15T11:45:00Z')).toBe('20230615134500');
    const withOffset = step({ datetime: "yyyy-MM-dd'T'HH:mm:ssXXX" });
    expect(withOffset.fwd('2023-06-15T13:45:00-05:30')).toBe('2023-06-15T13:45:00-05:30');
    expect(withOffset.back!('2023-06-15T13:45:00-05:30')).toBe('2023-06-15T13:45:00-05:30');
  });

  it('reports bad patterns and zones', () => {
    expect(problems({ date: 'yyyyMMdq' })).toEqual(['"d" in date pattern "yyyyMMdq" is not one of yyyy, yy, MM, dd, HH, mm, ss, SSS, XXX (quote literal letters: \'T\')']);
    expect(problems({ date: 'yyyyMM' })).toEqual(['date pattern "yyyyMM" needs a year (yyyy or yy), MM and dd']);
    expect(problems({ datetime: 'yyyyMMddHHmm' })).toEqual(['datetime pattern "yyyyMMddHHmm" has no offset (XXX): give zone (an IANA zone such as Europe/Berlin, or UTC)']);
    expect(problems({ datetime: 'yyyyMMddHHmm', zone: 'Mars/Olympus' })).toEqual(['unknown time zone "Mars/Olympus" (expected an IANA name such as Europe/Berlin)']);
  });

  it('formats in reverse entries', () => {
    const s = step({ datetime: 'HHmm', zone: 'Europe/Berlin' }, ctx('/x', true));
    expect(s.fwd('2023-06-15T11:45:00Z')).toBe('1345');
  });
});

describe('lookup', () => {
  it('maps inline codes, inverts, and fails on unknown codes', () => {
    const s = step({ lookup: { A: 'active', C: 'closed' } });
    expect(s.fwd('A')).toBe('active');
    expect(s.back!('closed')).toBe('C');
    expect(failure(() => s.fwd('X'))).toEqual({ code: 'field.lookup', message: 'no entry for "X" in the lookup table', value: 'X' });
    expect(failure(() => s.back!('gone'))).toEqual({ code: 'field.lookup', message: 'no legacy code maps to "gone"', value: 'gone' });
  });

  it('uses the default for misses, case-insensitive codes, and refuses ambiguous inverses', () => {
    const s = step({ lookup: { map: { y: true, n: false }, default: false, case: 'insensitive' } });
    expect([s.fwd('Y'), s.fwd('n'), s.fwd('?'), s.fwd(null)]).toEqual([true, false, false, false]);
    const a = step({ lookup: { A: 'x', B: 'x' } });
    expect(a.back).toBeUndefined();
    expect(a.noInverse).toBe('the lookup cannot be inverted: "A" and "B" both map to "x"');
  });

  it('reads CSV tables and reports missing files and columns', () => {
    const dir = writeFiles({ 'regions.csv': '\ufeffzip,region\n10115,Berlin\n80331,Bayern\n' });
    const s = step({ lookup: { file: 'regions.csv', key: 'zip', value: 'region' } }, ctx(dir));
    expect(s.fwd('80331')).toBe('Bayern');
    expect(s.back!('Berlin')).toBe('10115');
    const c = ctx(dir);
    compileTransform({ lookup: { file: 'nope.csv', key: 'zip', value: 'region' } } as TransformSpec, c, ['t']);
    expect(c.problems[0]).toMatchObject({ path: 't.lookup.file', message: `lookup file ${dir}/nope.csv: file not found` });
    const c2 = ctx(dir);
    compileTransform({ lookup: { file: 'regions.csv', key: 'plz', value: 'region' } } as TransformSpec, c2, ['t']);
    expect(c2.problems[0].message).toBe(`lookup file ${dir}/regions.csv has no column "plz" (columns: zip, region)`);
  });
});
