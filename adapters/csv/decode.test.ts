import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { isDecodeFailure, type Decoded, type DecodedRecord } from '../../src/core/records.js';
import { chunked, csv, decodeAll, records, summarize } from './test-helpers.js';

describe('csv decode: values and positions', () => {
  it('reads quoted fields, escaped quotes and line breaks, and gives each record its first line', async () => {
    const text = 'id,note\n1,"a ""b"" c"\n2,"two\nlines"\n\n# comment\n3,x\n';
    const { items } = await decodeAll(csv({ comment: '#' }), text);
    expect(items).toEqual([
      { record: { id: '1', note: 'a "b" c' }, position: { file: 'in.csv', line: 2, record: 1 }, raw: '1,"a ""b"" c"' },
      { record: { id: '2', note: 'two\nlines' }, position: { file: 'in.csv', line: 3, record: 2 }, raw: '2,"two\nlines"' },
      { record: { id: '3', note: 'x' }, position: { file: 'in.csv', line: 7, record: 3 }, raw: '3,x' },
    ]);
  });

  it('accepts LF, CRLF and CR, even mixed, under auto; counts CRLF as one line', async () => {
    const { items } = await decodeAll(csv(), 'a,b\r\n1,2\r3,4\n5,6');
    expect(items.map((d) => [(d as DecodedRecord).record.a, d.position.line])).toEqual([
      ['1', 2],
      ['3', 3],
      ['5', 4],
    ]);
  });

  it('numbers lines exactly when blank lines of different terminators follow each other', async () => {
    // csv-parse's own raw text keeps one character of each record delimiter, so a blank CRLF line
    // then a blank LF line read as a single CRLF there.
    for (const [text, line] of [
      ['a,b\r\n\r\n\n1,2\n3,4\n', 4],
      ['a,b\n\r\n\n1,2\n3,4\n', 4],
      ['a,b\r\n\r\n\r\n1,2\r\n3,4\r\n', 4],
      ['a,b\r\r\n\n1,2\n3,4\n', 4],
      ['a,b\n# c\r\n\n1,2\n3,4\n', 4],
    ] as const) {
      const { items } = await decodeAll(csv({ comment: '#' }), text);
      expect(items.map((d) => [d.position.line, d.raw]), JSON.stringify(text)).toEqual([
        [line, '1,2'],
        [line + 1, '3,4'],
      ]);
    }
  });

  it('keeps the raw text whole with a delimiter, quote and escape of several UTF-8 bytes', async () => {
    const text = 'a¦b¦c\n1¦þx§þy¦zþ¦3\n4¦5\n';
    const { items } = await decodeAll(csv({ delimiter: '¦', quote: 'þ', escape: '§' }), text);
    expect(items.map((d) => d.raw)).toEqual(['1¦þx§þy¦zþ¦3', '4¦5']);
    expect(summarize(items)).toEqual([{ a: '1', b: 'xþy¦z', c: '3' }, 'in.csv:3 (record 2): expected 3 fields (a, b, c), got 2 [record.columns]']);
    const latin1 = await decodeAll(csv({ delimiter: '¦', quote: 'þ', encoding: 'latin1' }), Buffer.from('a¦b\nþ1\n2þ¦3\n', 'latin1'));
    expect(latin1.items.map((d) => [d.position.line, d.raw])).toEqual([[2, 'þ1\n2þ¦3']]);
  });

  it('keeps a CR inside values when the record delimiter is lf', async () => {
    expect(await records(csv({ recordDelimiter: 'lf' }), 'a,b\n1,2\r\n')).toEqual([{ a: '1', b: '2\r' }]);
  });

  it('uses declared columns when there is no header', async () => {
    expect(await records(csv({ header: false, columns: ['SKU', 'DESC'], delimiter: ';' }), 'A1;Bolt\nA2;Nut\n')).toEqual([
      { SKU: 'A1', DESC: 'Bolt' },
      { SKU: 'A2', DESC: 'Nut' },
    ]);
  });

  it('keeps extra header columns and accepts declared ones in any order', async () => {
    expect(await records(csv({ columns: ['B', 'A'] }), 'A,B,C\n1,2,3\n')).toEqual([{ A: '1', B: '2', C: '3' }]);
  });

  it('turns nullValues into null, and trims only when asked', async () => {
    const text = 'a,b,c\n, NULL ,\\N\n';
    expect(await records(csv({ nullValues: ['', 'NULL', '\\N'] }), text)).toEqual([{ a: null, b: ' NULL ', c: null }]);
    expect(await records(csv({ nullValues: ['', 'NULL', '\\N'], trim: true }), text)).toEqual([{ a: null, b: null, c: null }]);
    expect(await records(csv({ nullValues: [''] }), 'a,b\n,""\n')).toEqual([{ a: null, b: null }]);
  });

  it('reads backslash-escaped quotes (psql style) and no quoting at all', async () => {
    expect(await records(csv({ escape: '\\' }), 'a,b\n"say \\"hi\\"",x\n')).toEqual([{ a: 'say "hi"', b: 'x' }]);
    expect(await records(csv({ quote: null, delimiter: '\t' }), 'a\tb\n"x"\ty\n')).toEqual([{ a: '"x"', b: 'y' }]);
  });

  it('reads empty lines as one-empty-field records when skipEmptyLines is false', async () => {
    const { items } = await decodeAll(csv({ skipEmptyLines: false, columns: ['a'], header: false }), 'x\n\ny\n');
    expect(summarize(items)).toEqual([{ a: 'x' }, { a: '' }, { a: 'y' }]);
  });

  it('gives the same records however the input is chunked, as Buffer, Readable or iterable', async () => {
    const text = 'h1,h2\r\n"multi\r\nline ✓",ü\r\n# c\r\n\r\nz,"q""q"\r\n';
    const opts = { comment: '#' };
    const whole = await decodeAll(csv(opts), text);
    for (const size of [1, 2, 3, 7]) {
      expect((await decodeAll(csv(opts), chunked(Buffer.from(text), size))).items).toEqual(whole.items);
    }
    expect((await decodeAll(csv(opts), Readable.from([Buffer.from(text)]))).items).toEqual(whole.items);
    expect(whole.items.map((d) => d.position.line)).toEqual([2, 6]);
  });

  it('yields a large buffer in several bounded batches', async () => {
    const text = 'a,b\n' + 'x,y\n'.repeat(100_000);
    const { items, batches } = await decodeAll(csv(), text);
    expect(items.length).toBe(100_000);
    expect(batches).toBeGreaterThan(4);
    expect(items[99_999].position).toEqual({ file: 'in.csv', line: 100_001, record: 100_000 });
  });
});

describe('csv decode: column counts', () => {
  const text = 'a,b,c\n1,2\n1,2,3,4\n1,2,3\n';
  it('strict rejects short and long records, naming the line, and goes on', async () => {
    expect(summarize((await decodeAll(csv(), text)).items)).toEqual([
      'in.csv:2 (record 1): expected 3 fields (a, b, c), got 2 [record.columns]',
      'in.csv:3 (record 2): expected 3 fields (a, b, c), got 4 [record.columns]',
      { a: '1', b: '2', c: '3' },
    ]);
  });
  it('pad fills short records with null', async () => {
    expect(summarize((await decodeAll(csv({ columnCount: 'pad' }), text)).items)).toEqual([
      { a: '1', b: '2', c: null },
      'in.csv:3 (record 2): expected 3 fields (a, b, c), got 4 [record.columns]',
      { a: '1', b: '2', c: '3' },
    ]);
  });
  it('ignoreExtra drops fields past the last column', async () => {
    expect(summarize((await decodeAll(csv({ columnCount: 'ignoreExtra' }), text)).items)).toEqual([
      'in.csv:2 (record 1): expected 3 fields (a, b, c), got 2 [record.columns]',
      { a: '1', b: '2', c: '3' },
      { a: '1', b: '2', c: '3' },
    ]);
  });
});

describe('csv decode: broken input', () => {
  it('reports junk after a closing quote as record.quote and keeps going', async () => {
    const { items } = await decodeAll(csv(), 'a,b\n"x"y,2\n"ok ""q""",3\n');
    expect(summarize(items)).toEqual([
      'in.csv:2 (record 1): field a: unexpected "y" after the closing quote of field 1 (line 2); a quoted field must end at a delimiter or line end [record.quote]',
      { a: 'ok "q"', b: '3' },
    ]);
    expect(isDecodeFailure(items[0]) && items[0].raw).toBe('"x"y,2');
  });

  it('rejects the line where a never-closed quote opened and reads the lines after it as records', async () => {
    const { items } = await decodeAll(csv(), 'a,b\n1,2\n3,"open\n4,5\n6,7\n');
    expect(summarize(items)).toEqual([
      { a: '1', b: '2' },
      'in.csv:3 (record 2): field b: quote opened at line 3 (field 2) is never closed; reading goes on at line 4 [record.quote]',
      { a: '4', b: '5' },
      { a: '6', b: '7' },
    ]);
    expect(isDecodeFailure(items[1]) && items[1].raw).toBe('3,"open');
    expect(items.map((i) => i.position)).toEqual([2, 3, 4, 5].map((line, n) => ({ file: 'in.csv', line, record: n + 1 })));
  });

  it('reads on after a never-closed quote that opened on a later line of its record, with CRLF and a blank line', async () => {
    const text = 'a,b,c\r\n1,"two\r\nlines",x\r\n3,"multi\r\nline","open\r\n\r\n5,6,7\r\n8,9,10';
    const { items } = await decodeAll(csv({ skipEmptyLines: true }), text);
    expect(summarize(items)).toEqual([
      { a: '1', b: 'two\r\nlines', c: 'x' },
      'in.csv:4 (record 2): field c: quote opened at line 5 (field 3) is never closed; reading goes on at line 6 [record.quote]',
      { a: '5', b: '6', c: '7' },
      { a: '8', b: '9', c: '10' },
    ]);
    expect(isDecodeFailure(items[1]) && items[1].raw).toBe('3,"multi\r\nline","open');
    expect(items.map((i) => [i.position!.line, i.position!.record])).toEqual([[2, 1], [4, 2], [7, 3], [8, 4]]);
  });

  it('finds the quote left open after text that followed a closing quote, as csv-parse reads it', async () => {
    const { items } = await decodeAll(csv(), 'a,b,c\n3,"x\n4,"y,"z\n6,7,8\n9,10,11\n');
    expect(summarize(items)).toEqual([
      'in.csv:2 (record 1): field c: quote opened at line 3 (field 3) is never closed; reading goes on at line 4 [record.quote]',
      { a: '6', b: '7', c: '8' },
      { a: '9', b: '10', c: '11' },
    ]);
  });

  it('ends at a quote left open on a last line without a terminator, as the only line after the header or not', async () => {
    for (const text of ['a,b\n1,"x', 'a,b\n"é', 'a,b\n,"😀', 'a,b\n1,2\n3,"x']) {
      // Read with a bound: the failure this guards against went on for ever.
      const items: Decoded[] = [];
      for await (const batch of csv().decode(Buffer.from(text), { name: 'in.csv' })) if (items.push(...batch) > 10) break;
      expect(summarize(items).at(-1), JSON.stringify(text)).toMatch(/quote opened at line \d \(field \d\) is never closed \[record\.quote\]$/);
      expect(items.filter(isDecodeFailure)).toHaveLength(1);
    }
  });

  it('reads on after the record delimiter that is configured, not after any line break', async () => {
    const { items } = await decodeAll(csv({ recordDelimiter: 'cr' }), 'a,b\r1,2\r3,"open\nx,y\r5,6\r');
    expect(summarize(items).map((i) => (typeof i === 'string' ? i.replace(/ \[.*$/, '') : i))).toEqual([
      { a: '1', b: '2' },
      'in.csv:3 (record 2): field b: quote opened at line 3 (field 2) is never closed; reading goes on at line 5',
      { a: '5', b: '6' },
    ]);
    expect(isDecodeFailure(items[1]) && items[1].raw).toBe('3,"open\nx,y');
  });

  it('reads on the same whatever the chunks, and yields the rest in batches of a slice, not as one', async () => {
    const text = 'a,b\n1,"open\n' + '1,2\n'.repeat(60_000);
    const whole = await decodeAll(csv(), text);
    expect(whole.items).toHaveLength(60_001);
    expect(whole.batches).toBeGreaterThan(3);
    for (const size of [1, 2, 3, 7]) {
      const small = 'a,b\r\n1,"ä\r\n2,ö\r\n3,4';
      const one = await decodeAll(csv(), small);
      const parts = await decodeAll(csv(), chunked(Buffer.from(small, 'utf8'), size));
      expect(parts.items).toEqual(one.items);
    }
    const one = await decodeAll(csv(), 'a,b\r\n1,"ä\r\n2,ö\r\n3,4');
    expect(summarize(one.items)).toEqual([
      'in.csv:2 (record 1): field b: quote opened at line 2 (field 2) is never closed; reading goes on at line 3 [record.quote]',
      { a: '2', b: 'ö' },
      { a: '3', b: '4' },
    ]);
  });

  it('reads on after an open quote that outgrows maxRecordSize, from the bytes past where the parser stopped, whatever the chunks', async () => {
    const lines = (from: number, n: number) => Array.from({ length: n }, (_, i) => `${from + i},ä${i}\n`).join('');
    const text = 'a,b\n1,2\n3,"open\n' + lines(4, 400) + '404,"again\n' + lines(405, 400);
    const expected = [
      { a: '1', b: '2' },
      'in.csv:3 (record 2): field b: quote opened at line 3 (field 2) is not closed within maxRecordSize (1024); reading goes on after that line [record.quote]',
      ...Array.from({ length: 400 }, (_, i) => ({ a: String(4 + i), b: `ä${i}` })),
      'in.csv:404 (record 403): field b: quote opened at line 404 (field 2) is not closed within maxRecordSize (1024); reading goes on after that line [record.quote]',
      ...Array.from({ length: 400 }, (_, i) => ({ a: String(405 + i), b: `ä${i}` })),
    ];
    const whole = await decodeAll(csv({ maxRecordSize: 1024 }), text);
    expect(summarize(whole.items)).toEqual(expected);
    expect(whole.items.map((d) => d.position.line)).toEqual([2, 3, ...Array.from({ length: 801 }, (_, i) => i + 4)]);
    expect(whole.items[1].raw).toBe('3,"open');
    for (const size of [3, 7, 1000]) {
      const parts = await decodeAll(csv({ maxRecordSize: 1024 }), chunked(Buffer.from(text, 'utf8'), size));
      expect(parts.items, `chunks of ${size}`).toEqual(whole.items);
    }
  });

  it('reads on in order after a second open quote past maxRecordSize met while reading on after the first', async () => {
    const rows = (from: number, until: number) => {
      let text = '';
      for (let n = from; text.length < until; n++) text += `${n},v${n}\n`;
      return text;
    };
    // The first quote opens in the first slice of the input (64 KiB) and outgrows maxRecordSize in
    // the second, so what is read again spans two slices, and the second quote is in the first.
    const head = 'a,b\n' + rows(1, 45_700);
    const middle = rows(100_000, 20_200);
    const text = head + 'X,"open1\n' + middle + 'Y,"open2\n' + rows(200_000, 330_000);
    const { items } = await decodeAll(csv({ maxRecordSize: 20_000 }), text);
    const lines = text.split('\n');
    const bad = items.filter(isDecodeFailure);
    expect(bad.map((f) => [f.position.line, f.raw])).toEqual([
      [lines.indexOf('X,"open1') + 1, 'X,"open1'],
      [lines.indexOf('Y,"open2') + 1, 'Y,"open2'],
    ]);
    // Every other line once, in order, on its own line number.
    const good = items.filter((d) => !isDecodeFailure(d)) as DecodedRecord[];
    expect(good.map((d) => `${d.position.line}:${d.raw}`)).toEqual(
      lines.flatMap((l, i) => (i === 0 || l === '' || l.includes('"') ? [] : [`${i + 1}:${l}`])),
    );
  });

  it('drops the rest of a line an open quote makes longer than maxRecordSize, however it is cut into chunks', async () => {
    const text = 'a,b\r\n1,2\r\n3,"' + 'x'.repeat(1100) + ',tail\r\n4,5\r\n';
    const expected = [
      { a: '1', b: '2' },
      'in.csv:3 (record 2): field b: quote opened at line 3 (field 2) is not closed within maxRecordSize (1024); reading goes on after that line [record.quote]',
      { a: '4', b: '5' },
    ];
    const crAt = text.indexOf(',tail') + 5;
    for (const recordDelimiter of ['auto', 'lf', 'crlf']) {
      const whole = await decodeAll(csv({ maxRecordSize: 1024, recordDelimiter }), text);
      // With lf, the CR is the last character of the header's and the records' last values.
      if (recordDelimiter === 'lf') expect(summarize(whole.items)[1]).toEqual((expected[1] as string).replace('field b:', 'field b\r:'));
      else expect(summarize(whole.items)).toEqual(expected);
      for (const size of [1, 7, 1040, 1100, crAt + 1, crAt]) {
        const { items } = await decodeAll(csv({ maxRecordSize: 1024, recordDelimiter }), chunked(Buffer.from(text), size));
        expect(items, `${recordDelimiter}, chunks of ${size}`).toEqual(whole.items);
      }
    }
    // The line longer than what one slice of the input holds.
    const long = 'a,b\n' + '1,2\n'.repeat(16_000) + 'N,"' + 'x'.repeat(3000) + '\n7,8\n';
    const { items } = await decodeAll(csv({ maxRecordSize: 1024 }), long);
    expect(summarize(items).slice(-2)).toEqual([
      'in.csv:16002 (record 16001): field b: quote opened at line 16002 (field 2) is not closed within maxRecordSize (1024); reading goes on after that line [record.quote]',
      { a: '7', b: '8' },
    ]);
  });

  it('reads on at the right byte after bytes that are not UTF-8 in front of the quote', async () => {
    const latin1 = await decodeAll(csv(), Buffer.from('a,b\nCafé,"open\n4,5\n6,7\n', 'latin1'));
    expect(latin1.items.map((d) => [d.position.line, isDecodeFailure(d) ? d.error.code : (d as DecodedRecord).record])).toEqual([
      [2, 'record.quote'],
      [3, { a: '4', b: '5' }],
      [4, { a: '6', b: '7' }],
    ]);
    const comment = await decodeAll(csv({ comment: '#' }), Buffer.from('a,b\n# déjà vu\n1,"open\n4,5\n6,7\n', 'latin1'));
    expect(comment.items.map((d) => [d.position.line, isDecodeFailure(d) ? d.error.code : (d as DecodedRecord).record])).toEqual([
      [3, 'record.quote'],
      [4, { a: '4', b: '5' }],
      [5, { a: '6', b: '7' }],
    ]);
  });

  it('reads on past maxRecordSize only when csv-parse stopped inside an open quote, whatever the text after it', async () => {
    const open = 'a,b,c\n' + 'ä'.repeat(300) + ',' + 'ä'.repeat(300) + ',"open\n4,5,6\n' + '7,8,9\n'.repeat(400);
    const readOn = await decodeAll(csv({ maxRecordSize: 1024 }), open);
    expect(readOn.items).toHaveLength(402);
    expect(summarize(readOn.items)[0]).toMatch(/^in\.csv:2 \(record 1\): field c: quote opened at line 2 \(field 3\) is not closed within maxRecordSize/);
    const closed = 'a,b,c\n' + 'ä'.repeat(400) + ',"' + 'x'.repeat(300) + '",' + 'y'.repeat(2000) + '\n4,5,6\n';
    const fatal = await decodeAll(csv({ maxRecordSize: 1024 }), closed);
    expect(summarize(fatal.items)).toEqual([expect.stringMatching(/record is longer than maxRecordSize \(1024\): the rest of the file cannot be read \[record\.decode\] \(fatal\)$/)]);
    const raw = fatal.items[0].raw!;
    expect(closed.split('\n')[1].startsWith(raw) && Buffer.byteLength(raw) <= 1024 && Buffer.byteLength(raw) > 1000).toBe(true);
    // Where a count of the text would go wrong: trimmed spaces, undecodable bytes, text after a
    // closing quote; each time csv-parse stops outside a quote, so the lines of the closed quoted
    // field after it are not read as records.
    const closedQuote = [
      { options: { trim: true }, input: 'a,b,c\n' + 'x' + ' '.repeat(600) + ',"' + 'y'.repeat(450) + '\n1,2,3\nzzz",' + 'w'.repeat(2000) + '\n4,5,6\n' },
      { options: {}, input: Buffer.concat([Buffer.from('a,b,c\n1,"'), Buffer.alloc(400, 0xff), Buffer.from('\n7,8,9\nq",' + 'w'.repeat(2000) + '\n4,5,6\n')]) },
      { options: {}, input: 'a,b,c\n"' + 'y'.repeat(1023) + '"x,"multi\n1,2,3\nend",q\n4,5,6\n' },
    ];
    for (const { options, input } of closedQuote) {
      const { items } = await decodeAll(csv({ maxRecordSize: 1024, ...options }), input);
      expect(summarize(items)).toEqual([expect.stringMatching(/^in\.csv:2 \(record 1\): record is longer than maxRecordSize \(1024\): the rest of the file cannot be read \[record\.decode\] \(fatal\)$/)]);
    }
    // And the other way: stopped inside the quote, on a byte of a character of several.
    const { items } = await decodeAll(csv({ maxRecordSize: 1024 }), 'a,b\n"' + 'a'.repeat(1023) + '€",zzzzzzzzzz\n4,5\n');
    expect(summarize(items)).toEqual([
      'in.csv:2 (record 1): field a: quote opened at line 2 (field 1) is not closed within maxRecordSize (1024); reading goes on after that line [record.quote]',
      { a: '4', b: '5' },
    ]);
  });

  it('shows a record that stops the parser as far as the parser surely read it, whatever the chunks, not the lines after it', async () => {
    const { items } = await decodeAll(csv({ trim: true }), 'a,b\n"x" y,1\n2,3\n4,5\n');
    expect(items.map((d) => [d.position.line, d.raw, isDecodeFailure(d) && d.fatal])).toEqual([[2, '"x" y', true]]);
    const long = 'a,b\n1,' + 'é'.repeat(600) + '\n' + 'i,x\n'.repeat(300);
    for (const size of [7, 1000, long.length]) {
      const { items: one } = await decodeAll(csv({ maxRecordSize: 1024 }), chunked(Buffer.from(long), size));
      expect(one.map((d) => [d.position.line, d.raw])).toEqual([[2, '1,' + 'é'.repeat(511)]]);
    }
  });

  it('stops with a fatal failure at a record longer than maxRecordSize without an open quote', async () => {
    const { items } = await decodeAll(csv({ maxRecordSize: 1024 }), `a,b\n1,2\n3,${'x'.repeat(2000)}\n4,5\n`);
    expect(summarize(items)).toEqual([
      { a: '1', b: '2' },
      'in.csv:3 (record 2): record is longer than maxRecordSize (1024): the rest of the file cannot be read [record.decode] (fatal)',
    ]);
  });

  it('fails the delivery when the header lacks declared columns, listing them', async () => {
    const { items } = await decodeAll(csv({ columns: ['SKU', 'PRICE', 'DESC'] }), 'SKU,DESCR\n1,x\n');
    expect(summarize(items)).toEqual([
      'in.csv:1 (record 0): header lacks declared columns PRICE, DESC (header has "SKU", "DESCR") [file.structure] (fatal)',
    ]);
  });

  it('refuses a file declared in a legacy code page that starts with a UTF-8 byte-order mark, with or without a header', async () => {
    const marked = (text: string) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
    const refusal = (encoding: string) =>
      `in.csv:1 (record 0): the file starts with a UTF-8 byte-order mark (EF BB BF), so it is UTF-8, not ${encoding} as the mapping declares [file.encoding] (fatal)`;
    const withHeader = await decodeAll(csv({ columns: ['SKU', 'PRICE'], encoding: 'cp1252' }), marked('SKU,PRICE\n1,2\n'));
    expect(summarize(withHeader.items)).toEqual([refusal('cp1252')]);
    // Without a header nothing else would notice: the first value would start with "ï»¿".
    const headerless = await decodeAll(csv({ header: false, columns: ['NAME', 'CITY'], encoding: 'latin1' }), marked('Zoë,Köln\n'));
    expect(summarize(headerless.items)).toEqual([refusal('latin1')]);
    // Declared UTF-8 (or none, or by another of its names), the mark is dropped as before.
    for (const encoding of ['utf-8', 'unicode-1-1-utf-8']) {
      const items = (await decodeAll(csv({ header: false, columns: ['NAME', 'CITY'], encoding }), marked('Zoë,Köln\n'))).items;
      expect(summarize(items)).toEqual([{ NAME: 'Zoë', CITY: 'Köln' }]);
    }
  });

  it('refuses a file declared in a legacy code page that starts with a UTF-16 byte-order mark, naming its byte order', async () => {
    const le = Buffer.from('\ufeffSKU,PRICE\n1,2\n', 'utf16le');
    const be = Buffer.from(le).swap16();
    const refusal = (mark: string, hex: string) =>
      `in.csv:1 (record 0): the file starts with a ${mark} byte-order mark (${hex}), so it is ${mark}, not windows-1252 as the mapping declares [file.encoding] (fatal)`;
    // Read as Windows-1252, the header would be "ÿþS\0K\0U\0…" and fail as a wrong header.
    expect(summarize((await decodeAll(csv({ columns: ['SKU', 'PRICE'], encoding: 'windows-1252' }), le)).items)).toEqual([refusal('UTF-16LE', 'FF FE')]);
    expect(summarize((await decodeAll(csv({ columns: ['SKU', 'PRICE'], encoding: 'windows-1252' }), be)).items)).toEqual([refusal('UTF-16BE', 'FE FF')]);
    // Declared UTF-16, or UTF-8 (whose decoder honours a UTF-16 mark), it is read.
    for (const encoding of ['utf-16', 'utf-8']) {
      expect(summarize((await decodeAll(csv({ columns: ['SKU', 'PRICE'], encoding }), be)).items)).toEqual([{ SKU: '1', PRICE: '2' }]);
    }
  });

  it('fails the delivery on a repeated header name', async () => {
    const { items } = await decodeAll(csv(), 'a,b,a\n1,2,3\n');
    expect(summarize(items)).toEqual(['in.csv:1 (record 0): header repeats column "a" (fields 1 and 3) [file.structure] (fatal)']);
  });

  it('reads a character cut short at the very end of the file once, as one U+FFFD, whatever the chunks', async () => {
    const cut = Buffer.concat([Buffer.from('a,b\n1,'), Buffer.from([0xe2, 0x82])]);
    for (const input of [cut, chunked(cut, 1), chunked(cut, 3)]) {
      expect(summarize((await decodeAll(csv(), input)).items)).toEqual([
        'in.csv:2 (record 1): field b: bytes not valid in utf-8 (shown as U+FFFD) (value "\ufffd") [field.encoding]',
      ]);
    }
  });

  it('reports bytes invalid in UTF-8 per field, but not a literal U+FFFD in valid input', async () => {
    const bad = Buffer.concat([Buffer.from('a,b\n1,ok\n2,x'), Buffer.from([0xff]), Buffer.from('y\n3,z\n')]);
    expect(summarize((await decodeAll(csv(), bad)).items)).toEqual([
      { a: '1', b: 'ok' },
      'in.csv:3 (record 2): field b: bytes not valid in utf-8 (shown as U+FFFD) (value "x\ufffdy") [field.encoding]',
      { a: '3', b: 'z' },
    ]);
    expect(await records(csv(), 'a\n\ufffd\n')).toEqual([{ a: '\ufffd' }]);
  });

  it('reports bytes a legacy code page leaves undefined', async () => {
    const bytes = Buffer.from([0x61, 0x0a, 0x80, 0x0a, 0x81, 0x0a]); // cp1252: 0x80 €, 0x81 undefined
    expect(summarize((await decodeAll(csv({ encoding: 'windows-1252' }), bytes)).items)).toEqual([
      { a: '€' },
      'in.csv:3 (record 2): field a: bytes not valid in windows-1252 (shown as U+FFFD) (value "\ufffd") [field.encoding]',
    ]);
  });

  it('honours UTF-16 byte-order marks even when utf-8 is declared', async () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a,b\n1,ü\n', 'utf16le')]);
    const be = Buffer.from(le).swap16();
    expect(await records(csv(), le)).toEqual([{ a: '1', b: 'ü' }]);
    expect(await records(csv(), be)).toEqual([{ a: '1', b: 'ü' }]);
    expect((await decodeAll(csv(), chunked(be, 3))).items.map((d) => d.position.line)).toEqual([2]);
  });

  it('reads UTF-16 whatever the chunks: a pair cut between them whole; an odd last byte or a lone surrogate as U+FFFD, reported', async () => {
    const text = (t: string) => Buffer.from(t, 'utf16le');
    const invalid = (value: string, encoding: string) => `in.csv:2 (record 1): field b: bytes not valid in ${encoding} (shown as U+FFFD) (value "${value}") [field.encoding]`;
    const cases: [string, Buffer, (string | object)[]][] = [
      ['utf-16le', text('a,b\n1,😀\n'), [{ a: '1', b: '😀' }]],
      ['utf-16le', Buffer.concat([text('a,b\n1,x'), Buffer.from([0x41])]), [invalid('x\ufffd', 'utf-16le')]],
      ['utf-16be', Buffer.concat([text('a,b\n1,x').swap16(), Buffer.from([0x41])]), [invalid('x\ufffd', 'utf-16be')]],
      ['utf-16le', Buffer.concat([text('a,b\n1,x'), Buffer.from([0x3d, 0xd8]), text('y\n2,ok\n')]), [invalid('x\ufffdy', 'utf-16le'), { a: '2', b: 'ok' }]],
    ];
    for (const [encoding, bytes, want] of cases) {
      for (const input of [bytes, chunked(bytes, 1), chunked(bytes, 3)]) expect(summarize((await decodeAll(csv({ encoding }), input)).items)).toEqual(want);
    }
  });
});

describe('csv decode: random broken input', () => {
  /** Items of a decode, read with a bound so that a decoder going round in circles fails instead of hanging. */
  async function bounded(options: Record<string, unknown>, input: Buffer, size: number): Promise<Decoded[]> {
    const items: Decoded[] = [];
    for await (const batch of csv(options).decode(chunked(input, size), { name: 'in.csv' })) {
      items.push(...batch);
      if (items.length > 20_000) throw new Error(`more items than lines: ${JSON.stringify(options)}, chunks of ${size}`);
    }
    return items;
  }

  it('reads stray quotes, long lines, CRs and undecodable bytes the same however the input is cut, and ends', async () => {
    let x = 7;
    const next = (n: number) => {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      return x % n;
    };
    const pieces = ['a', 'é', '😀', ',', ',', '"', '""', '\n', '\n', '\r\n', '\r', 'x'.repeat(300), 'y'.repeat(700)];
    for (let round = 0; round < 120; round++) {
      // Plain lines first, some rounds past a slice (64 KiB): split by hand, then csv-parse from the slice that is not.
      const parts = [Buffer.from('h1,h2,h3\n' + 'p,l,ain\n'.repeat([0, 3, 9000][next(3)]))];
      for (let i = 0; i < 60; i++) parts.push(next(40) === 0 ? Buffer.from([0xff]) : Buffer.from(pieces[next(pieces.length)]));
      const input = Buffer.concat(parts);
      const options = [{ maxRecordSize: 1024 }, { maxRecordSize: 1024, recordDelimiter: 'lf' }, { maxRecordSize: 1024, trim: true }, { maxRecordSize: 1024, recordDelimiter: 'cr' }][round % 4];
      // What stops the file is said and shown from what had come in when it stopped, which may end
      // inside the character after the one it stopped at: its code and place are compared.
      const comparable = (items: Decoded[]) => items.map((d) => (isDecodeFailure(d) && d.fatal ? { fatal: d.error.code, position: d.position } : d));
      const whole = comparable(await bounded(options, input, input.length));
      // And the same as csv-parse alone, without plain lines split by hand.
      process.env.BRIDGE_CSV_PLAIN = 'never';
      try {
        expect(comparable(await bounded(options, input, input.length)), `round ${round}, csv-parse alone`).toEqual(whole);
      } finally {
        delete process.env.BRIDGE_CSV_PLAIN;
      }
      for (const size of input.length > 10_000 ? [1000, 4096] : [1, 5, 64]) expect(comparable(await bounded(options, input, size)), `round ${round}, chunks of ${size}`).toEqual(whole);
    }
  });
});
