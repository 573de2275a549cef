/**
 * The real-world corpus at the mapping level: each case in fixtures/corpus/<case>/ is a mapping
 * file (with its own model.yaml) over a file of ../shared/corpus/, and what `toCanonical` makes of
 * every record must deep-equal upstream's expected values. The format-level versions of these
 * cases are in adapters/fixed-width/corpus.test.ts.
 *
 * Normalisations, all of them here: cobrix's expected lines come from Spark's JSON writer, which
 * leaves null fields out, so null fields are dropped from our data before comparing; test19's
 * lines carry cobrix's bookkeeping fields File_Id and Record_Id, which are dropped from upstream's
 * side; test21's model needs a scalar key that upstream's records lack (COPYBOOK, a constant),
 * dropped from ours.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { DataErrorDetail } from '../src/core/errors.js';
import { isDecodeFailure, type DecodeFailure, type Position } from '../src/core/records.js';
import { loadMapping, type MappedEntity } from '../src/mapping/index.js';
import { repoRoot } from './support/bridge-process.js';
import { corpus } from './support/corpus.js';

const COBRIX = corpus('fixed-width', 'cobol-ebcdic', 'cobrix');
const BRCOBRANCA = corpus('fixed-width', 'cnab-brazil-bank', 'brcobranca');

type Data = Record<string, unknown>;
interface Mapped { entities: MappedEntity[]; rejects: DataErrorDetail[][]; failures: DecodeFailure[]; positions: Position[] }

/** Decodes `input` with the case's mapping and maps every record. */
async function mapCase(name: string, input: string): Promise<Mapped> {
  const mapping = loadMapping(join(repoRoot, 'fixtures/corpus', name, 'mapping.yaml'));
  const out: Mapped = { entities: [], rejects: [], failures: [], positions: [] };
  for await (const batch of mapping.format.decode(Readable.from([readFileSync(input)]), { name: input })) {
    for (const item of batch) {
      if (isDecodeFailure(item)) {
        out.failures.push(item);
        continue;
      }
      const mapped = mapping.toCanonical(item.record, item.position);
      if (Array.isArray(mapped)) out.rejects.push(mapped);
      else {
        out.entities.push(mapped);
        out.positions.push(item.position);
      }
    }
  }
  return out;
}

const jsonLines = (path: string): Data[] => readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Data);

/** Spark's JSON writer leaves nulls out: the same view of our data, at any depth. */
function withoutNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutNulls);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null).map(([k, x]) => [k, withoutNulls(x)]));
}

function without(o: Data, ...keys: string[]): Data {
  const copy = { ...o };
  for (const k of keys) delete copy[k];
  return copy;
}

describe('cobrix copybooks mapped to upstream\'s JSON names', () => {
  it('test1: COMP, COMP-3, REDEFINES, OCCURS DEPENDING ON → nested objects and arrays equal to every expected line', async () => {
    const { entities, rejects, failures } = await mapCase('cobrix-test1', `${COBRIX}/test1_data/example.bin`);
    expect([failures, rejects]).toEqual([[], []]);
    const expected = jsonLines(`${COBRIX}/test1_expected/test1.txt`);
    expect(expected).toHaveLength(10);
    expect(entities.map((e) => withoutNulls(e.data))).toEqual(expected);
    // The comparison is exact: no null was dropped, types included (integers, trimmed texts).
    expect(entities.map((e) => e.data)).toEqual(expected);
    expect(entities.map((e) => e.key)).toEqual(expected.map((x) => String(x.ID)));
    expect((entities[3].data.METADATA as Data).ACCOUNT).toEqual({
      ACCOUNT_DETAIL: [
        { ACCOUNT_NUMBER: '000000000000009876543210', ACCOUNT_TYPE_N: 0, ACCOUNT_TYPE_X: '' },
        { ACCOUNT_NUMBER: '000000000000001234555561', ACCOUNT_TYPE_N: 1, ACCOUNT_TYPE_X: '' },
      ],
    });
  });

  it('test19: DISPLAY numerics as integers and numbers; the two records that differ by design differ only as documented', async () => {
    const { entities, rejects, failures } = await mapCase('cobrix-test19', `${COBRIX}/test19_display_num/data.dat`);
    const expected = jsonLines(`${COBRIX}/test19_display_num_expected/test19.txt`).map((x) => without(x, 'File_Id', 'Record_Id'));
    expect(expected).toHaveLength(7);
    expect(rejects).toEqual([]);
    expect(entities).toHaveLength(6);
    expect(entities.slice(0, 5).map((e) => e.data)).toEqual(expected.slice(0, 5));
    expect(entities[0].data).toMatchObject({ WS_DATE_NUM: 20191115, WS_AMOUNT_FRACTION: 12134568.76, WS_AMOUNT_FRACTION2: 789.09 });

    // Record 6: a blank PIC 9(8)V9(2) is null here; cobrix's addDecimalPoint turns "" into 0.00.
    const sixth = entities[5].data;
    expect(sixth.WS_AMOUNT_FRACTION).toBeNull();
    expect(expected[5].WS_AMOUNT_FRACTION).toBe(0);
    expect(withoutNulls(sixth)).toEqual(without(expected[5], 'WS_AMOUNT_FRACTION'));

    // Record 7 has letters in numeric fields: cobrix yields nulls, the format rejects the record.
    expect(failures).toHaveLength(1);
    const [bad] = failures;
    expect(bad.position).toMatchObject({ record: 7, offset: 480 });
    expect(bad.error.code).toBe('field.number');
    expect(bad.error.field).toBe('WS-DATE-NUM');
    expect(bad.error.message).toContain('field WS-AMOUNT-NUMERIC: bytes 30-39: not a number (value "EFGH      ")');
    expect(bad.error.message).toContain('field WS-AMOUNT-FRACTION: bytes 41-50: not a number (value "CITI      ")');
    expect(Object.keys(expected[6])).toEqual(['WS_DATE_ALPHA', 'WS_ACCT_ALPHA', 'WS_NAME_ALPHABET', 'WS_AMOUNT_FRACTION2']);
  });

  it('test21: nested OCCURS DEPENDING ON → nested arrays (empty ones included) equal to every expected line', async () => {
    const { entities, rejects, failures, positions } = await mapCase('cobrix-test21', `${COBRIX}/test21_data/data.dat`);
    expect([failures, rejects]).toEqual([[], []]);
    const expected = jsonLines(`${COBRIX}/test21_expected/test21.txt`);
    expect(entities.map((e) => without(e.data, 'COPYBOOK'))).toEqual(expected);
    expect(entities.every((e) => e.data.COPYBOOK === 'test21_copybook.cob')).toBe(true);
    expect(positions.map((p) => p.offset)).toEqual([0, 1, 3, 7, 13]);
  });
});

interface Transcribed {
  detailRecordCount: number;
  firstDetail: Record<string, string>;
}

/** CNAB amounts are 13 digits of implied cents: "0000000004000" → "40.00", exactly. */
function cents(raw: string): string {
  const digits = raw.replace(/^0+(?=\d{3})/, '');
  return `${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

/** CNAB dates are DDMMYY; "000000" means none. */
const ddmmyy = (raw: string): string | null => (/^0+$/.test(raw) ? null : `20${raw.slice(4)}-${raw.slice(2, 4)}-${raw.slice(0, 2)}`);

describe('CNAB 400 Itaú return file mapped to Payment', () => {
  it('the first detail has every value brcobranca\'s test asserts, typed (integers, exact decimal strings, ISO dates)', async () => {
    const { entities, rejects, failures } = await mapCase('cnab400-itau', `${BRCOBRANCA}/CNAB400ITAU.RET`);
    expect([failures, rejects]).toEqual([[], []]);
    const t = JSON.parse(readFileSync(`${BRCOBRANCA}/CNAB400ITAU.expected-first-detail.transcribed.json`, 'utf8')) as Transcribed;
    // brcobranca skips only the header line and reads the trailer as one more "payment": 52 + 1.
    expect(entities.length + 1).toBe(t.detailRecordCount);
    const e = t.firstDetail;
    const [first] = entities;
    expect(first.entity).toBe('Payment');
    expect(first.key).toBe('0730,035110,00000011');
    expect(first.data).toEqual({
      ...e,
      sequencial: Number(e.sequencial),
      data_vencimento: ddmmyy(e.data_vencimento),
      valor_titulo: cents(e.valor_titulo),
      valor_tarifa: cents(e.valor_tarifa),
      iof: cents(e.iof),
      valor_abatimento: cents(e.valor_abatimento),
      desconto: cents(e.desconto),
      valor_recebido: cents(e.valor_recebido),
      juros_mora: cents(e.juros_mora),
      outros_recebimento: cents(e.outros_recebimento),
      data_ocorrencia: ddmmyy(e.data_ocorrencia),
      data_credito: ddmmyy(e.data_credito),
      empresa: 'PLUTO ALTO ELENTAS LTDA ME',
    });
    // The conversions above, spelt out once, so that a wrong helper cannot hide a wrong value.
    expect(first.data).toMatchObject({
      sequencial: 2, data_vencimento: null, valor_titulo: '40.00', valor_tarifa: '2.10', valor_recebido: '37.90',
      iof: '0.00', data_ocorrencia: '2013-05-20', data_credito: '2013-05-21', especie_documento: '',
    });
  });

  it('maps back: the account and the collecting agency are split from their check digits', async () => {
    const mapping = loadMapping(join(repoRoot, 'fixtures/corpus/cnab400-itau/mapping.yaml'));
    const { entities } = await mapCase('cnab400-itau', `${BRCOBRANCA}/CNAB400ITAU.RET`);
    expect(mapping.fromCanonical(entities[0].data)).toMatchObject({
      CONTA: '03511', DAC: '0', 'AGENCIA-COBRADORA': '1873', 'DAC-AGENCIA-COBRADORA': '9', 'VALOR-TITULO': '40.00', VENCIMENTO: null,
    });
  });
});
