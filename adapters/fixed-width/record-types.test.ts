import { describe, expect, it } from 'vitest';
import { formatDataError } from '../../src/core/errors.js';
import { decodeAll, encodeAll, failures, formatOf, records } from './test-support.js';

const layout = (emit?: string, checks = true) => ({
  recordTypes: {
    discriminator: { start: 1, length: 1 },
    emit,
    types: [
      { code: '1', name: 'HEADER', fields: [{ name: 'TYPE', length: 1 }, { name: 'ORDER-NO', length: 4 }, { name: 'FILLER', length: 5 }] },
      { code: '6', name: 'DETAIL', parent: 'HEADER', fields: [{ name: 'TYPE', length: 1 }, { name: 'AMOUNT', length: 9, type: 'decimal', scale: 2 }] },
      {
        code: '9',
        name: 'TRAILER',
        checks: checks ? [{ count: 'DETAIL', equals: 'RECORD-COUNT' }, { sum: 'DETAIL.AMOUNT', equals: 'TOTAL-AMOUNT' }] : undefined,
        fields: [{ name: 'TYPE', length: 1 }, { name: 'RECORD-COUNT', length: 3, type: 'integer' }, { name: 'TOTAL-AMOUNT', length: 6, type: 'decimal', scale: 2 }],
      },
    ],
  },
});
const file = ['1A001     ', '6000000150', '6000000275', '1A002     ', '6000012345', '9003012770'].join('\n');

describe('multi-record files', () => {
  it('emit a parent: children as arrays under their type name', async () => {
    const decoded = await decodeAll(formatOf(layout('HEADER')), Buffer.from(file));
    expect(failures(decoded)).toEqual([]);
    expect(decoded.map((d) => [d.position.line, 'recordType' in d && d.recordType])).toEqual([[1, 'HEADER'], [4, 'HEADER']]);
    expect(records(decoded)).toEqual([
      { TYPE: '1', 'ORDER-NO': 'A001', DETAIL: [{ TYPE: '6', AMOUNT: '1.50' }, { TYPE: '6', AMOUNT: '2.75' }] },
      { TYPE: '1', 'ORDER-NO': 'A002', DETAIL: [{ TYPE: '6', AMOUNT: '123.45' }] },
    ]);
    expect('raw' in decoded[0] && decoded[0].raw).toBe('1A001     \n6000000150\n6000000275');
  });

  it('emit a child: each with its parent under the parent type name', async () => {
    const recs = records(await decodeAll(formatOf(layout('DETAIL')), Buffer.from(file)));
    expect(recs.map((r) => [(r.HEADER as { 'ORDER-NO': string })['ORDER-NO'], r.AMOUNT])).toEqual([['A001', '1.50'], ['A001', '2.75'], ['A002', '123.45']]);
  });

  it('no emit: every record as { TYPE: {...} }', async () => {
    const decoded = await decodeAll(formatOf(layout()), Buffer.from(file));
    expect(records(decoded)[5]).toEqual({ TRAILER: { TYPE: '9', 'RECORD-COUNT': '3', 'TOTAL-AMOUNT': '127.70' } });
  });

  it('a trailer check that does not hold is fatal and names expected and actual', async () => {
    const bad = file.replace('9003012770', '9004012771');
    const fails = failures(await decodeAll(formatOf(layout('HEADER')), Buffer.from(bad)));
    expect(fails.map((f) => f.fatal)).toEqual([true]);
    expect(fails[0].errors.map(formatDataError)).toEqual([
      'orders.txt:6 (record 6, byte 55): field RECORD-COUNT: check count DETAIL = RECORD-COUNT failed: trailer says 4, the records give 3 (value "4") [file.trailer]',
      'orders.txt:6 (record 6, byte 55): field TOTAL-AMOUNT: check sum DETAIL.AMOUNT = TOTAL-AMOUNT failed: trailer says 127.71, the records give 127.70 (value "127.71") [file.trailer]',
    ]);
  });

  it('a missing trailer is fatal; unknown types and orphans are per-record failures', async () => {
    const text = ['6000000150', '1A001     ', '7xxxxxxxxx', '6000000275'].join('\n');
    const fails = failures(await decodeAll(formatOf(layout('HEADER')), Buffer.from(text)));
    expect(fails.map((f) => formatDataError(f.error))).toEqual([
      'orders.txt:1 (record 1, byte 0): DETAIL record with no HEADER record before it [file.structure]',
      'orders.txt:3 (record 3, byte 22): unknown record type "7" (bytes 1-1) [record.type]',
      'orders.txt (record 4): no TRAILER record: the file is incomplete (its checks cannot be verified) [file.trailer]',
    ]);
    expect(fails.map((f) => f.fatal ?? false)).toEqual([false, false, true]);
  });

  it('a group with an undecodable child is rejected as a whole', async () => {
    const text = ['1A001     ', '60000001x0', '6000000275'].join('\n');
    const decoded = await decodeAll(formatOf(layout('HEADER', false)), Buffer.from(text));
    expect(records(decoded)).toEqual([]);
    expect(failures(decoded).map((f) => f.error.code)).toEqual(['field.number', 'file.structure']);
    expect(failures(decoded)[1].error.message).toBe('HEADER group has records that could not be decoded (record 2)');
  });

  it('encodes back: parents with children, children with parents, { TYPE } records', async () => {
    const noTrailer = file.split('\n').slice(0, 5).join('\n') + '\n';
    for (const emit of ['HEADER', 'DETAIL', undefined]) {
      const fmt = formatOf(layout(emit, false));
      const recs = records(await decodeAll(fmt, Buffer.from(noTrailer)));
      expect((await encodeAll(fmt, recs)).toString('latin1')).toBe(noTrailer);
    }
  });
});
