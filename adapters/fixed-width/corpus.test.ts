import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { LegacyRecord, LegacyValue } from '../../src/core/records.js';
import type { FieldOptions } from './options.js';
import { chunked, decodeAll, failures, formatOf, layoutFile, records } from './test-support.js';
import { corpus } from '../../test/support/corpus.js';

const COBRIX = corpus('fixed-width', 'cobol-ebcdic', 'cobrix');
const BRCOBRANCA = corpus('fixed-width', 'cnab-brazil-bank', 'brcobranca');
const NUMERIC = new Set(['integer', 'decimal', 'zoned', 'packed', 'binary']);

/**
 * A record as cobrix's Spark JSON writes it: names with `_` for `-`, numbers bare, text with
 * control characters as spaces and trimmed (cobrix's EBCDIC table and default trimming), nulls
 * left out. Numbers are written from our canonical text, so that every digit is compared.
 */
function cobrixJson(fields: FieldOptions[], rec: LegacyRecord): string {
  const parts: string[] = [];
  for (const f of fields) {
    const v = rec[f.name];
    if (v === undefined || v === null) continue;
    parts.push(`${JSON.stringify(f.name.replaceAll('-', '_'))}:${cobrixValue(f, v)}`);
  }
  return `{${parts.join(',')}}`;
}

function cobrixValue(f: FieldOptions, v: LegacyValue): string {
  if (Array.isArray(v)) return `[${v.map((x) => cobrixValue({ ...f, occurs: undefined }, x)).join(',')}]`;
  if (f.fields) return cobrixJson(f.fields, v as LegacyRecord);
  if (NUMERIC.has(f.type ?? 'text')) return v as string;
  return JSON.stringify((v as string).replace(/[\u0000-\u001f]/g, ' ').trim());
}

const lines = (path: string) => readFileSync(path, 'utf8').trim().split('\n');

describe('cobrix corpus', () => {
  it('test1: EBCDIC, binary, packed, REDEFINES, OCCURS DEPENDING ON at full length — every record matches', async () => {
    const layout = layoutFile('cobrix-test1.yaml') as { fields: FieldOptions[] };
    const bytes = readFileSync(`${COBRIX}/test1_data/example.bin`);
    const decoded = await decodeAll(formatOf(layout), chunked(bytes, 1000), 'example.bin');
    expect(failures(decoded)).toEqual([]);
    const got = records(decoded).map((r) => cobrixJson(layout.fields, r));
    expect(got).toEqual(lines(`${COBRIX}/test1_expected/test1.txt`));
  });

  it('test19: EBCDIC DISPLAY numbers, implied and explicit point', async () => {
    const layout = layoutFile('cobrix-test19.yaml') as { fields: FieldOptions[] };
    const decoded = await decodeAll(formatOf(layout), readFileSync(`${COBRIX}/test19_display_num/data.dat`), 'data.dat');
    const expected = lines(`${COBRIX}/test19_display_num_expected/test19.txt`);
    expect(decoded).toHaveLength(7);
    const recs = records(decoded);
    expect(recs).toHaveLength(6);
    recs.slice(0, 5).forEach((r, i) => {
      expect(`{"File_Id":0,"Record_Id":${i},${cobrixJson(layout.fields, r).slice(1)}`).toBe(expected[i]);
    });
    // Record 6: a blank PIC 9(8)V9(2) is null here; cobrix's addDecimalPoint turns "" into 0.00.
    expect(recs[5]['WS-AMOUNT-FRACTION']).toBeNull();
    expect(`{"File_Id":0,"Record_Id":5,${cobrixJson(layout.fields, recs[5]).slice(1)}`).toBe(expected[5].replace('"WS_AMOUNT_FRACTION":0.00,', ''));
    // Record 7 has letters in numeric fields: cobrix yields null, we reject the record naming each.
    const [bad] = failures(decoded);
    expect(bad.errors.map((e) => [e.code, e.field, e.value])).toEqual([
      ['field.number', 'WS-DATE-NUM', 'ABCDE   '],
      ['field.number', 'WS-AMOUNT-NUMERIC', 'EFGH      '],
      ['field.number', 'WS-AMOUNT-FRACTION', 'CITI      '],
    ]);
    expect(expected[6]).not.toMatch(/WS_DATE_NUM|WS_AMOUNT_NUMERIC|WS_AMOUNT_FRACTION"/);
    expect(bad.position).toEqual({ file: 'data.dat', record: 7, offset: 480 });
  });

  it('test21: nested OCCURS DEPENDING ON, variable-size records, split by parsing (1-byte chunks)', async () => {
    const layout = layoutFile('cobrix-test21.yaml') as { fields: FieldOptions[] };
    const bytes = readFileSync(`${COBRIX}/test21_data/data.dat`);
    const decoded = await decodeAll(formatOf(layout), chunked(bytes, 1), 'data.dat');
    expect(failures(decoded)).toEqual([]);
    expect(records(decoded).map((r) => cobrixJson(layout.fields, r))).toEqual(lines(`${COBRIX}/test21_expected/test21.txt`));
    expect(decoded.map((d) => d.position.offset)).toEqual([0, 1, 3, 7, 13]);
  });
});

interface Expected {
  detailRecordCount: number;
  firstDetail: Record<string, string>;
}

describe('brcobranca corpus', () => {
  it('CNAB 400 Itaú: 52 details with their header, trailer count and control total hold', async () => {
    const format = formatOf(layoutFile('cnab400-itau.yaml'));
    expect(format.checksWholeDelivery).toBe(true);
    const decoded = await decodeAll(format, chunked(readFileSync(`${BRCOBRANCA}/CNAB400ITAU.RET`), 4096), 'CNAB400ITAU.RET');
    expect(failures(decoded)).toEqual([]);
    const details = records(decoded);
    const exp = JSON.parse(readFileSync(`${BRCOBRANCA}/CNAB400ITAU.expected-first-detail.transcribed.json`, 'utf8')) as Expected;
    // brcobranca skips only the header line and reads the trailer as one more "payment": 52 + 1.
    expect(details.length + 1).toBe(exp.detailRecordCount);
    const d = details[0];
    const text = (...names: string[]) => names.map((n) => d[n] as string).join('').trim();
    const money = (raw: string) => (Number(raw) / 100).toFixed(2);
    const date = (raw: string) => (/^0+$/.test(raw) ? null : `20${raw.slice(4)}-${raw.slice(2, 4)}-${raw.slice(0, 2)}`);
    const e = exp.firstDetail;
    expect({
      sequencial: d['NUMERO-SEQUENCIAL'],
      agencia_com_dv: text('AGENCIA'),
      cedente_com_dv: text('CONTA', 'DAC'),
      nosso_numero: text('NOSSO-NUMERO'),
      carteira_variacao: text('CARTEIRA'),
      carteira: text('CODIGO-CARTEIRA'),
      data_vencimento: d.VENCIMENTO,
      valor_titulo: d['VALOR-TITULO'],
      banco_recebedor: text('CODIGO-BANCO'),
      agencia_recebedora_com_dv: text('AGENCIA-COBRADORA', 'DAC-AGENCIA-COBRADORA'),
      especie_documento: text('ESPECIE'),
      valor_tarifa: d['TARIFA-COBRANCA'],
      iof: d['VALOR-IOF'],
      valor_abatimento: d['VALOR-ABATIMENTO'],
      desconto: d['VALOR-DESCONTOS'],
      valor_recebido: d['VALOR-PRINCIPAL'],
      juros_mora: d['JUROS-MORA-MULTA'],
      outros_recebimento: d['OUTROS-CREDITOS'],
      codigo_ocorrencia: text('CODIGO-OCORRENCIA'),
      data_ocorrencia: d['DATA-OCORRENCIA'],
      data_credito: d['DATA-CREDITO'],
    }).toEqual({
      ...e,
      sequencial: String(Number(e.sequencial)),
      data_vencimento: date(e.data_vencimento),
      valor_titulo: money(e.valor_titulo),
      valor_tarifa: money(e.valor_tarifa),
      iof: money(e.iof),
      valor_abatimento: money(e.valor_abatimento),
      desconto: money(e.desconto),
      valor_recebido: money(e.valor_recebido),
      juros_mora: money(e.juros_mora),
      outros_recebimento: money(e.outros_recebimento),
      data_ocorrencia: date(e.data_ocorrencia),
      data_credito: date(e.data_credito),
    });
    expect((d.HEADER as LegacyRecord)['NOME-EMPRESA']).toBe('PLUTO ALTO ELENTAS LTDA ME    ');
    expect((d.HEADER as LegacyRecord)['DATA-GERACAO']).toBe('2013-05-20');
  });

  it('CNAB 400 Itaú: a tampered control total fails the delivery, naming the check', async () => {
    const bytes = Buffer.from(readFileSync(`${BRCOBRANCA}/CNAB400ITAU.RET`, 'latin1').replace('00000000268896', '00000000268897'), 'latin1');
    const fails = failures(await decodeAll(formatOf(layoutFile('cnab400-itau.yaml')), bytes, 'CNAB400ITAU.RET'));
    expect(fails).toHaveLength(1);
    expect(fails[0].fatal).toBe(true);
    expect(fails[0].error.code).toBe('file.trailer');
    expect(fails[0].error.message).toBe('check sum DETAIL.VALOR-TITULO = VALOR-TOTAL-INFORMADO failed: trailer says 2688.97, the records give 2688.96');
  });

  it('CNAB 400 Bradesco (CRLF) splits and decodes without errors', async () => {
    const decoded = await decodeAll(formatOf(layoutFile('cnab400-bradesco.yaml')), readFileSync(`${BRCOBRANCA}/CNAB400BRADESCO.RET`), 'CNAB400BRADESCO.RET');
    expect(failures(decoded)).toEqual([]);
    expect(decoded.map((d) => ('recordType' in d ? d.recordType : '?'))).toEqual(['HEADER', ...Array(6).fill('DETAIL'), 'TRAILER']);
    expect((records(decoded)[1].DETAIL as LegacyRecord)['VALOR-TITULO']).toBe('1450.00');
  });

  it('CNAB240.RET splits and decodes with lineLength pad; segments T/U by REDEFINES … when; lot and file counts hold', async () => {
    const decoded = await decodeAll(formatOf(layoutFile('cnab240.yaml')), readFileSync(`${BRCOBRANCA}/CNAB240.RET`), 'CNAB240.RET');
    expect(failures(decoded)).toEqual([]);
    const types = decoded.map((d) => ('recordType' in d ? d.recordType : '?'));
    expect(types).toEqual(['FILE-HEADER', 'LOT-HEADER', ...Array(70).fill('DETAIL'), 'LOT-TRAILER', 'FILE-TRAILER']);
    const [t, u] = records(decoded).slice(2, 4).map((r) => r.DETAIL as LegacyRecord);
    expect(Object.keys(t)).toContain('T');
    expect(Object.keys(t)).not.toContain('U');
    expect((t.T as LegacyRecord)['VALOR-TITULO']).toBe('344.00');
    expect((u.U as LegacyRecord)['DATA-OCORRENCIA']).toBe('2011-12-29');
  });

  it('CNAB240SANTANDER.RET (CRLF) splits and decodes with the generic record types', async () => {
    // Santander's segment T puts the due date elsewhere and its lot trailer counts details only:
    // the FEBRABAN views and checks do not apply, the record types and lengths do.
    const layout = layoutFile('cnab240.yaml') as { recordTypes: { types: { name: string; checks?: unknown; fields: FieldOptions[] }[] } };
    for (const t of layout.recordTypes.types) {
      delete t.checks;
      t.fields = t.fields.filter((f) => !f.redefines);
    }
    const decoded = await decodeAll(formatOf(layout), readFileSync(`${BRCOBRANCA}/CNAB240SANTANDER.RET`), 'CNAB240SANTANDER.RET');
    expect(failures(decoded)).toEqual([]);
    expect(decoded.map((d) => ('recordType' in d ? d.recordType : '?'))).toEqual(['FILE-HEADER', 'LOT-HEADER', 'DETAIL', 'DETAIL', 'DETAIL', 'DETAIL', 'LOT-TRAILER', 'FILE-TRAILER']);
  });
});
