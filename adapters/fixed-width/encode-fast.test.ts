import { describe, expect, it } from 'vitest';
import { textCodec } from '../../src/encoding/index.js';
import { decodeAll, encodeAll, failures, formatOf, records } from './test-support.js';

/** The encoder's byte-by-byte paths (dates, text tables) against what the fields must hold. */
describe('encoding dates and text without intermediate strings', () => {
  const fields = [
    { name: 'D', type: 'date', pattern: 'dd/MM/yyyy' },
    { name: 'T', type: 'time', pattern: 'HH.mm.ss' },
    { name: 'DT', type: 'datetime', pattern: 'yyyy-MM-dd HH:mm:ss' },
    { name: 'Y', type: 'date', pattern: 'yyMMdd' },
    { name: 'NAME', length: 6 },
  ];

  for (const encoding of ['latin1', 'cp037']) {
    it(`patterns with literals, null, two-digit years, ${encoding}`, async () => {
      const fmt = formatOf({ encoding, separator: 'none', fields });
      const recs = [
        { D: '2024-02-29', T: '23:59:07', DT: '0001-01-01T00:00:01', Y: '1950-12-31', NAME: 'Zoë' },
        { D: null, T: null, DT: null, Y: null, NAME: '' },
        { D: '2024-02-29T10:00', T: '2024-01-01T08:30', DT: '2024-01-31 13:45', Y: '2049-01-01', NAME: 'ABCDEF' },
      ];
      const bytes = await encodeAll(fmt, recs);
      const text = [
        '29/02/202423.59.070001-01-01 00:00:01501231Zoë   ',
        '00/00/0000  .  .  0000-00-00 00:00:00000000      ',
        '29/02/202408.30.002024-01-31 13:45:00490101ABCDEF',
      ].join('');
      expect(bytes.toString('hex')).toBe(textCodec(encoding).encode(text).bytes.toString('hex'));
      const decoded = await decodeAll(fmt, bytes);
      expect(failures(decoded)).toEqual([]);
      expect(records(decoded)).toEqual([
        { ...recs[0], NAME: 'Zoë   ' },
        { D: null, T: null, DT: null, Y: null, NAME: '      ' },
        { D: '2024-02-29', T: '08:30:00', DT: '2024-01-31T13:45:00', Y: '2049-01-01', NAME: 'ABCDEF' },
      ]);
    });
  }

  it('a year outside the two-digit window and a character the code page lacks still fail', async () => {
    const fmt = formatOf({ encoding: 'cp037', separator: 'none', fields });
    const err = await encodeAll(fmt, [{ D: null, T: null, DT: null, Y: '2050-01-01', NAME: 'a€' }]).catch((e: Error) => e.message);
    expect(err).toContain('field Y: cannot write: year 2050 outside 1950–2049');
    expect(err).toContain('field NAME: cannot write: character "€" has no cp037 byte');
  });
});
