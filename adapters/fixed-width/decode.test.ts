import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { formatDataError } from '../../src/core/errors.js';
import { chunked, decodeAll, failures, formatOf, records } from './test-support.js';

const orders = {
  fields: [
    { name: 'ORDER-NO', start: 1, length: 6 },
    { name: 'QTY', length: 5, type: 'integer' },
    { name: 'AMOUNT', length: 13, type: 'decimal', scale: 2 },
    { name: 'OPENED', length: 8, type: 'date' },
  ],
};
const line = (no: string, qty: string, amount: string, date: string) => `${no}${qty}${amount}${date}`;
const good = [line('A00001', '00042', '0000000004000', '20240131'), line('A00002', '   -7', '0000000000005', '00000000')];

describe('decode', () => {
  it('yields records with canonical values and positions', async () => {
    const decoded = await decodeAll(formatOf(orders), Buffer.from(good.join('\n') + '\n'));
    expect(decoded).toEqual([
      { record: { 'ORDER-NO': 'A00001', QTY: '42', AMOUNT: '40.00', OPENED: '2024-01-31' }, position: { file: 'orders.txt', line: 1, record: 1, offset: 0 }, raw: good[0] },
      { record: { 'ORDER-NO': 'A00002', QTY: '-7', AMOUNT: '0.05', OPENED: null }, position: { file: 'orders.txt', line: 2, record: 2, offset: 33 }, raw: good[1] },
    ]);
  });

  it('gives the same result whatever the chunking (1-byte chunks, a Readable, CRLF)', async () => {
    const bytes = Buffer.from(good.join('\r\n'));
    const whole = await decodeAll(formatOf(orders), bytes);
    expect(await decodeAll(formatOf(orders), chunked(bytes, 1))).toEqual(whole);
    expect(await decodeAll(formatOf(orders), Readable.from(chunked(bytes, 7)))).toEqual(whole);
    expect(records(whole)).toHaveLength(2);
  });

  it('reports every bad field of a record in one failure, with the contract message', async () => {
    const text = [good[0], line('A00003', '00x42', '00A0000004000', '20230231')].join('\n');
    const [f] = failures(await decodeAll(formatOf(orders), Buffer.from(text)));
    expect(f.errors.map(formatDataError)).toEqual([
      'orders.txt:2 (record 2, byte 33): field QTY: bytes 7-11: not a number (value "00x42") [field.number]',
      'orders.txt:2 (record 2, byte 33): field AMOUNT: bytes 12-24: not a number (value "00A0000004000") [field.number]',
      'orders.txt:2 (record 2, byte 33): field OPENED: bytes 25-32: impossible date (value "20230231") [field.date]',
    ]);
    expect(f.error.message).toBe(
      'bytes 7-11: not a number (and 2 more: field AMOUNT: bytes 12-24: not a number (value "00A0000004000") [field.number]; field OPENED: bytes 25-32: impossible date (value "20230231") [field.date])',
    );
    expect(f.raw).toBe(line('A00003', '00x42', '00A0000004000', '20230231'));
    expect(f.fatal).toBeUndefined();
  });

  it('checks line lengths: exact, pad, atLeast', async () => {
    const short = good[0].slice(0, 30);
    const exact = failures(await decodeAll(formatOf(orders), Buffer.from(`${short}\n${good[1]}`)));
    expect(exact.map((f) => formatDataError(f.error))).toEqual(['orders.txt:1 (record 1, byte 0): record is 30 bytes, expected 32 [record.length]']);
    const padded = await decodeAll(formatOf({ ...orders, lineLength: 'pad', fields: orders.fields.slice(0, 3) }), Buffer.from(good[0].slice(0, 20)));
    expect(records(padded)).toEqual([{ 'ORDER-NO': 'A00001', QTY: '42', AMOUNT: '0.00' }]);
    const longer = await decodeAll(formatOf({ ...orders, lineLength: 'atLeast' }), Buffer.from(`${good[0]}EXTRA`));
    expect(records(longer)).toHaveLength(1);
  });

  it('splits by record length with separator none; a cut-short file is fatal', async () => {
    const fmt = formatOf({ ...orders, separator: 'none' });
    const decoded = await decodeAll(fmt, chunked(Buffer.from(good.join('') + 'A0000'), 3));
    expect(records(decoded)).toHaveLength(2);
    const [f] = failures(decoded);
    expect(f.fatal).toBe(true);
    expect(formatDataError(f.error)).toBe('orders.txt (record 3, byte 64): file ends inside a record (5 bytes left, a record is 32) [record.length]');
  });

  it('reports bytes the code page cannot decode (field.encoding, hex value)', async () => {
    const bytes = Buffer.concat([Buffer.from('AB'), Buffer.from([0xe9]), Buffer.from('00042')]);
    const [f] = failures(await decodeAll(formatOf({ encoding: 'ascii', fields: [{ name: 'NAME', length: 3 }, { name: 'QTY', length: 5, type: 'integer' }] }), bytes));
    expect(formatDataError(f.error)).toBe('orders.txt:1 (record 1, byte 0): field NAME: bytes 1-3: bytes not valid in ascii (value "4142E9") [field.encoding]');
  });

  it('decodes EBCDIC zoned, packed and binary fields; errors show hex for binary fields', async () => {
    const layout = {
      encoding: 'cp037',
      separator: 'none',
      fields: [
        { name: 'BAL', length: 4, type: 'zoned', scale: 2 },
        { name: 'PK', length: 3, type: 'packed', scale: 1 },
        { name: 'BIN', length: 8, type: 'binary', signed: true },
      ],
    };
    const rec = Buffer.from('F1F2F3D4' + '12345D' + 'FFFFFFFFFFFFFFFE', 'hex');
    expect(records(await decodeAll(formatOf(layout), rec))).toEqual([{ BAL: '-12.34', PK: '-1234.5', BIN: '-2' }]);
    const big = Buffer.from('F0F0F0C0' + '00000C' + '7FFFFFFFFFFFFFFF', 'hex');
    expect(records(await decodeAll(formatOf(layout), big))).toEqual([{ BAL: '0.00', PK: '0.0', BIN: '9223372036854775807' }]);
    const bad = Buffer.from('F1C1F3D4' + '1A345D' + '0000000000000000', 'hex');
    const [f] = failures(await decodeAll(formatOf(layout), bad));
    expect(f.errors.map((e) => [e.code, e.field, e.value])).toEqual([
      ['field.zoned', 'BAL', '1A3M'],
      ['field.packed', 'PK', '1A345D'],
    ]);
    expect(f.raw).toBe('F1C1F3D41A345D0000000000000000');
  });

  it('REDEFINES: both views without when; one view with when', async () => {
    const layout = {
      fields: [
        { name: 'KIND', length: 1 },
        { name: 'NUM', length: 3, type: 'integer' },
        { name: 'TXT', redefines: 'NUM', length: 3, when: { field: 'KIND', equals: 'X' } },
        { name: 'ALT', redefines: 'NUM', length: 3 },
      ],
    };
    expect(records(await decodeAll(formatOf(layout), Buffer.from('N042\nXabc')))).toEqual([
      { KIND: 'N', NUM: '42', ALT: '042' },
      { KIND: 'X', TXT: 'abc', ALT: 'abc' },
    ]);
  });

  it('OCCURS DEPENDING ON at full length: the array has the counted occurrences; a count over max fails', async () => {
    const layout = { fields: [{ name: 'N', length: 1, type: 'integer' }, { name: 'ITEM', length: 2, occurs: { max: 3, dependingOn: 'N' } }] };
    const decoded = await decodeAll(formatOf(layout), Buffer.from('2aabbcc\n0      \n9aabbcc'));
    expect(records(decoded)).toEqual([{ N: '2', ITEM: ['aa', 'bb'] }, { N: '0', ITEM: [] }]);
    expect(formatDataError(failures(decoded)[0].error)).toBe('orders.txt:3 (record 3, byte 16): field N: OCCURS count of ITEM outside 0-3 (value "9") [field.number]');
  });

  it('keeps a line without terminator at the end and skips blank lines', async () => {
    const decoded = await decodeAll(formatOf(orders), chunked(Buffer.from(`${good[0]}\n\n${good[1]}`), 5));
    expect(decoded.map((d) => d.position.line)).toEqual([1, 3]);
  });

  it('gives up on input that has no line end within bounds (wrong separator), fatally', async () => {
    const decoded = await decodeAll(formatOf(orders), chunked(Buffer.alloc(200_000, 0x41), 65536));
    expect(decoded).toHaveLength(1);
    expect(failures(decoded)[0].fatal).toBe(true);
    expect(failures(decoded)[0].error.message).toBe('no line end within 65536 bytes (separator auto)');
  });

  describe('a UTF-8 byte-order mark at the start', () => {
    const mark = Buffer.from([0xef, 0xbb, 0xbf]);
    const marked = Buffer.concat([mark, Buffer.from(good.join('\n') + '\n')]);

    it('is dropped when the layout is UTF-8: the first record is read, at byte 3, whatever the chunking', async () => {
      const utf8 = formatOf({ ...orders, encoding: 'utf-8' });
      for (const input of [marked, chunked(marked, 1)]) {
        const decoded = await decodeAll(utf8, input);
        expect(records(decoded).map((r) => r['ORDER-NO'])).toEqual(['A00001', 'A00002']);
        expect(decoded[0].position).toEqual({ file: 'orders.txt', line: 1, record: 1, offset: 3 });
      }
    });

    it('refuses a file of lines declared in another ASCII-based code page whole, at line 1', async () => {
      for (const input of [marked, chunked(marked, 2)]) {
        const decoded = await decodeAll(formatOf({ ...orders, encoding: 'windows-1252' }), input);
        expect(decoded).toHaveLength(1);
        expect(failures(decoded)[0].fatal).toBe(true);
        expect(failures(decoded)[0].errors.map(formatDataError)).toEqual([
          'orders.txt:1 (record 0, byte 0): the file starts with a UTF-8 byte-order mark (EF BB BF), so it is UTF-8, not windows-1252 as the layout declares [file.encoding]',
        ]);
      }
    });

    it('refuses, as a UTF-16 mark, a file of lines declared in a single-byte code page that is UTF-16', async () => {
      const utf16 = Buffer.from('\ufeff' + good.join('\n') + '\n', 'utf16le');
      const decoded = await decodeAll(formatOf({ ...orders, encoding: 'windows-1252' }), utf16);
      expect(failures(decoded).map((f) => [f.fatal, f.errors.map(formatDataError)])).toEqual([
        [true, ['orders.txt:1 (record 0, byte 0): the file starts with a UTF-16LE byte-order mark (FF FE), so it is UTF-16LE, not windows-1252 as the layout declares [file.encoding]']],
      ]);
    });

    it('is left to the layout in a file without separators (binary fields may start so) and in EBCDIC', async () => {
      const binary = { fields: [{ name: 'N', length: 4, type: 'binary' }], separator: 'none' };
      expect(records(await decodeAll(formatOf(binary), Buffer.from([0xef, 0xbb, 0xbf, 0x01])))).toEqual([{ N: String(0xefbbbf01) }]);
      const ebcdic = { fields: [{ name: 'T', length: 3 }], encoding: 'cp037' };
      expect(failures(await decodeAll(formatOf(ebcdic), Buffer.from([0xef, 0xbb, 0xbf, 0x0a])))).toEqual([]);
    });
  });
});
