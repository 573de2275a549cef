import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isDecodeFailure, type DecodedRecord } from '../../src/core/records.js';
import { csv, decodeAll, records, summarize } from './test-helpers.js';
import { corpus } from '../../test/support/corpus.js';

const CORPUS = corpus('csv');
const read = (...p: string[]) => readFileSync(join(CORPUS, ...p));

describe('csv-spectrum 2.0.0', () => {
  const dir = join(CORPUS, 'csv-spectrum-2.0.0');
  const cases = readdirSync(join(dir, 'csvs')).filter((f) => f.endsWith('.csv'));
  it('has every case', () => expect(cases).toHaveLength(12));
  for (const file of cases) {
    it(file, async () => {
      const json: unknown = JSON.parse(read('csv-spectrum-2.0.0', 'json', file.replace(/\.csv$/, '.json')).toString());
      const expected = (Array.isArray(json) ? json : [json]) as Record<string, string>[];
      // Upstream's JSON has an anonymised phone number the CSV does not: the CSV is the truth.
      if (file === 'location_coordinates.csv') expected[0]['Contact Phone Number'] = '2095257564';
      expect(await records(csv(), read('csv-spectrum-2.0.0', 'csvs', file))).toEqual(expected);
    });
  }
});

/**
 * Apache Commons CSV CSVFileParser control files: `file [IgnoreEmpty=…] [IgnoreSpaces=…]
 * [CommentStart=…] [CheckComments]`, then `n:[v1, v2, …]` per record. Every control file there
 * can be expressed, so all run. Read with declared columns as wide as the widest record and
 * columnCount pad: a record of n values is those n values then nulls.
 * By design, not checked: the comment texts (CheckComments; comments are skipped, not kept).
 * Deviation: Commons accepts blanks after a closing quote (`" l " ,`); without trim we report that
 * record as record.quote (as Go's encoding/csv does) rather than guess.
 */
describe('Apache Commons CSV control files', () => {
  const dir = join(CORPUS, 'apache-commons-csv', 'CSVFileParser');
  const controls = readdirSync(dir).filter((f) => /^test.*\.txt$/.test(f));
  it('runs every control file', () => expect(controls).toHaveLength(7));
  for (const control of controls) {
    it(control, async () => {
      const lines = readFileSync(join(dir, control), 'utf8').split(/\r?\n/);
      const [file, ...settings] = lines[0].split(' ');
      const set = (k: string) => settings.find((s) => s.startsWith(`${k}=`))?.slice(k.length + 1);
      const expected = lines
        .slice(2)
        .filter((l) => /^\d+:\[/.test(l))
        .map((l) => {
          const m = /^(\d+):\[(.*)\](#.*)?$/.exec(l) as RegExpExecArray;
          return Number(m[1]) === 1 ? [m[2]] : m[2].split(', ');
        });
      const width = Math.max(...expected.map((e) => e.length));
      const columns = Array.from({ length: width }, (_, i) => `c${i + 1}`);
      const trim = set('IgnoreSpaces') === 'true';
      const f = csv({
        header: false,
        columns,
        columnCount: 'pad',
        skipEmptyLines: set('IgnoreEmpty') === 'true',
        trim,
        comment: set('CommentStart') ?? null,
      });
      const { items } = await decodeAll(f, readFileSync(join(dir, file)));
      const want = expected.map((values) => {
        if (!trim && values.join(', ') === ' i ,  " j " ,  " k ",  l ') return 'record.quote';
        return Object.fromEntries(columns.map((c, i) => [c, i < values.length ? values[i] : null]));
      });
      expect(items.map((d) => ('error' in d ? d.error.code : (d as DecodedRecord).record))).toEqual(want);
    });
  }
});

describe('Apache Commons CSV issue files', () => {
  it('CSV-141 reads with quoting off; with quoting on, names the line of the open quote', async () => {
    const cols = ['t', 'cls', 'text', 'n', 'last'];
    const off = await records(csv({ header: false, columns: cols, quote: null, columnCount: 'pad' }), read('apache-commons-csv', 'CSV-141_csv-141.csv'));
    expect(off).toHaveLength(4);
    expect(off[1].last).toBe('"pass sem1 _84:\\"');
    expect(off[2]).toEqual({ t: '"1414770318327"', cls: '"android.widget.EditText"', text: '"pass sem1', n: null, last: null });
    const { items } = await decodeAll(csv({ header: false, columns: cols }), read('apache-commons-csv', 'CSV-141_csv-141.csv'), 'CSV-141.csv');
    expect(summarize(items).slice(1)).toEqual([
      { t: '1414770318470', cls: 'android.widget.EditText', text: 'pass sem1 _84:|', n: '0', last: 'pass sem1 _84:\\' },
      // Read as csv-parse reads it: field 3's quote closes at line 4, text follows, and field 7's never closes.
      'CSV-141.csv:3 (record 3): quote opened at line 4 (field 7) is never closed [record.quote]',
    ]);
    expect(isDecodeFailure(items[2]) && items[2].raw).toBe('"1414770318327","android.widget.EditText","pass sem1\n"1414770318628","android.widget.EditText","pass sem1 _84*|*","0","pass sem1');
  });

  it('CSV-196 emoji and Japanese decode whole', async () => {
    const emoji = await records(csv(), read('apache-commons-csv', 'CSV-196_emoji.csv'));
    expect(emoji.map((r) => r.id)).toEqual(['1', '2', '3', '4']);
    expect(emoji.every((r) => Object.keys(r).length === 16 && r.val15 === '😄'.repeat(10))).toBe(true);
    const ja = await records(csv(), read('apache-commons-csv', 'CSV-196_japanese.csv'));
    expect(ja).toHaveLength(3);
    expect(ja[2]).toMatchObject({ id: '00000000000003', date: '2017-01-01', val2: 'v2', val15: 'v15' });
    expect(ja[0].val1).toBe('きちんと節分近くには咲いてる。自然の力ってすごいな～');
  });

  it('CSV-213 semicolons; csv-167 comments before the header', async () => {
    expect(await records(csv({ delimiter: ';' }), read('apache-commons-csv', 'CSV-213_999751170.patch.csv'))).toEqual([{ CHANELID: '27', ADDRESS: '' }]);
    const books = await records(csv({ comment: '#' }), read('apache-commons-csv', 'csv-167_sample1.csv'));
    expect(books.map((b) => b.author)).toEqual(['Dan Simmons', 'Douglas Adams', 'Douglas John']);
  });

  it('CSV-290 psql csv and text (tsv) exports', async () => {
    const cols = ['id', 'name', 'text', 'n', 'e'];
    const fromCsv = await records(csv({ header: false, columns: cols, nullValues: [''] }), read('apache-commons-csv', 'CSV-290_psql.csv'));
    expect(fromCsv[0]).toEqual({ id: '1', name: 'abc', text: 'test line 1\ntest line 2', n: null, e: null });
    expect(fromCsv[1].text).toBe('\\b:\b \\t:\t \\n:\n \\r:\r');
    expect(fromCsv[2]).toEqual({ id: '3', name: 'a', text: 'b,c,d', n: '"quoted"', e: 'e' });
    const tsv = csv({ header: false, columns: cols, delimiter: '\t', quote: null, nullValues: ['\\N'] });
    const fromTsv = await records(tsv, read('apache-commons-csv', 'CSV-290_psql.tsv'));
    // psql text format escapes (\n, \t, \\) stay as written: unescaping them is the mapping's job.
    expect(fromTsv[0]).toEqual({ id: '1', name: 'abc', text: 'test line 1\\ntest line 2', n: null, e: '' });
    expect(fromTsv[2]).toEqual({ id: '3', name: 'a', text: 'b,c,d', n: '"quoted"', e: 'e' });
  });
});

describe('csvkit examples', () => {
  const kit = (f: string) => read('csvkit-examples', f);
  it('bad.csv: per-record errors with line numbers, good rows still out', async () => {
    expect(summarize((await decodeAll(csv(), kit('bad.csv'), 'bad.csv')).items)).toEqual([
      'bad.csv:2 (record 1): expected 3 fields (column_a, column_b, column_c), got 4 [record.columns]',
      'bad.csv:3 (record 2): expected 3 fields (column_a, column_b, column_c), got 2 [record.columns]',
      { column_a: '0', column_b: 'mixed types.... uh oh', column_c: '17' },
    ]);
  });
  it('mac_newlines.csv (CR only)', async () => {
    const { items } = await decodeAll(csv(), kit('mac_newlines.csv'));
    expect(summarize(items)).toEqual([{ a: '1', b: '2', c: '3' }, { a: 'Once upon\ra time', b: '5', c: '6' }]);
    expect(items.map((d) => d.position.line)).toEqual([2, 3]);
  });
  it('null_byte.csv keeps the NUL as a character', async () => {
    expect(await records(csv(), kit('null_byte.csv'))).toEqual([{ a: '\0', b: '2', c: '3' }]);
  });
  it('test_empty_columns_*_row.csv: column count errors, or pad / ignoreExtra', async () => {
    expect(summarize((await decodeAll(csv(), kit('test_empty_columns_short_row.csv'))).items)).toEqual([
      'in.csv:2 (record 1): expected 3 fields (a, b, c), got 2 [record.columns]',
    ]);
    expect(await records(csv({ columnCount: 'pad' }), kit('test_empty_columns_short_row.csv'))).toEqual([{ a: '', b: '', c: null }]);
    expect(summarize((await decodeAll(csv(), kit('test_empty_columns_long_row.csv'))).items)).toEqual([
      'in.csv:2 (record 1): expected 3 fields (a, b, c), got 4 [record.columns]',
    ]);
    expect(await records(csv({ columnCount: 'ignoreExtra' }), kit('test_empty_columns_long_row.csv'))).toEqual([{ a: '', b: '', c: '' }]);
  });
  it('UTF-16 big and little endian, and UTF-8, with BOM', async () => {
    const want = [{ a: '1', b: '2', c: '3' }, { a: '4', b: '5', c: 'ʤ' }];
    expect(await records(csv(), kit('test_utf16_big.csv'))).toEqual(want);
    expect(await records(csv({ encoding: 'utf-16' }), kit('test_utf16_little.csv'))).toEqual(want);
    expect(await records(csv(), kit('test_utf8_bom.csv'))).toEqual([{ foo: '1', bar: '2', baz: '3' }, { foo: '4', bar: '5', baz: 'ʤ' }]);
  });
  it('test_latin1.csv read as latin1', async () => {
    expect(await records(csv({ encoding: 'latin1' }), kit('test_latin1.csv'))).toEqual([{ a: '1', b: '2', c: '3' }, { a: '4', b: '5', c: '©' }]);
  });
  it('optional_quote_characters.csv, blanks.csv with nullValues', async () => {
    expect(await records(csv(), kit('optional_quote_characters.csv'))).toEqual([{ a: '1', b: '2', c: '3' }]);
    const blanks = await records(csv({ nullValues: ['', 'NA', 'N/A', 'NONE', 'NULL', '.'] }), kit('blanks.csv'));
    expect(blanks).toEqual([{ a: null, b: null, c: null, d: null, e: null, f: null }]);
  });
  it('test_header_newline.csv: a header name with line breaks; the record is on line 8', async () => {
    const { items } = await decodeAll(csv(), kit('test_header_newline.csv'));
    expect(summarize(items)).toEqual([{ '\t\n\v\f\r start \t\n\v\f\r end \t\n\v\f\r': 'd', b: 'e', c: 'f' }]);
    expect(items[0].position.line).toBe(8);
  });
  it('empty.csv (one line break): no records without a header; refused as a truncated file when a header is declared', async () => {
    // csvkit prints nothing for it; a delivery without the header its mapping declares is most
    // often a transfer cut short, which pandas too refuses ("No columns to parse from file").
    expect((await decodeAll(csv({ header: false, columns: ['a'] }), kit('empty.csv'))).items).toEqual([]);
    expect(summarize((await decodeAll(csv(), kit('empty.csv'))).items)).toEqual([
      'in.csv:1 (record 0): no header row: the file is empty or blank, and the mapping declares a header [file.structure] (fatal)',
    ]);
  });
});
