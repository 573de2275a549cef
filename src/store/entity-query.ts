import type Database from 'better-sqlite3';
import { CANONICAL_DECIMAL, compareDecimals } from '../model/values.js';
import type { EntityPage, EntityQuery, FieldFilter, QueriedEntity } from './types.js';

const SQL_OP: Record<Exclude<FieldFilter['op'], 'in'>, string> = { eq: '=', gt: '>', gte: '>=', lt: '<', lte: '<=' };
const FIELD = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * A stored decimal as canonical text: a string as written by this model, or a JSON number left
 * from when the field was a `number` (as its shortest text, when that is plain digits).
 */
function decimalText(v: unknown): string | undefined {
  const text = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'bigint' ? String(v) : undefined;
  return text !== undefined && CANONICAL_DECIMAL.test(text) ? text : undefined;
}

/** The SQL expression comparing field `f` of the current data as `compare` says. */
function fieldExpr(f: FieldFilter): string {
  if (!FIELD.test(f.field)) throw new RangeError(`field name ${JSON.stringify(f.field)} is not a plain top-level name`);
  const raw = `json_extract(d.data, '$."${f.field}"')`;
  if (f.compare === 'number') return `CAST(${raw} AS REAL)`;
  if (f.compare === 'datetime') return `julianday(${raw})`;
  return raw;
}

function param(f: FieldFilter, v: string | number | boolean): string | number {
  if (f.compare === 'boolean') return v === true || v === 'true' ? 1 : 0;
  if (f.compare === 'number') return Number(v);
  return typeof v === 'boolean' ? (v ? 1 : 0) : v;
}

/**
 * The REST list's query: live entities of one type, filtered on top-level fields of their
 * current data (json_extract), in key or update order, after a cursor. Keyset pagination: a page
 * starts strictly after the previous page's last key (or seq), so writes between pages never
 * duplicate or skip an entity in key order. Statements are cached by their SQL text.
 */
export class EntityQueries {
  private readonly cache = new Map<string, Database.Statement>();
  private readonly oneStatement: Database.Statement<[string, string], QueriedEntity>;

  constructor(private readonly db: Database.Database) {
    db.function('decimal_cmp', { deterministic: true }, (a: unknown, b: unknown) => {
      const x = decimalText(a);
      const y = decimalText(b);
      return x !== undefined && y !== undefined ? compareDecimals(x, y) : null;
    });
    this.oneStatement = db.prepare(`SELECT e.key, e.seq, e.version, d.at AS updatedAt, ${entityJsonSql('d.data')} AS json
      FROM entities e JOIN versions d ON d.seq = e.seq WHERE e.type = ? AND e.key = ? AND e.deleted = 0`);
  }

  /** One live entity as the list gives it (the REST GET: no parse, no re-serialisation). */
  one(type: string, key: string): QueriedEntity | undefined {
    return this.oneStatement.get(type, key);
  }

  run(type: string, q: EntityQuery): EntityPage {
    const sort = q.sort ?? 'key';
    const byKey = sort === 'key' || sort === '-key';
    const where = [byKey ? 'e.type = ?' : 'd.type = ?', 'e.deleted = 0'];
    const params: unknown[] = [type];
    for (const f of q.filters ?? []) {
      if (f.compare === 'decimal') {
        // Exact: a JS comparison of the canonical texts (decimal_cmp, registered below), not REAL.
        const raw = fieldExpr(f);
        const cmp = `decimal_cmp(${raw}, ?)`;
        where.push(f.op === 'in' ? `(${f.values.map(() => `${cmp} = 0`).join(' OR ')})` : `${cmp} ${SQL_OP[f.op]} 0`);
        for (const v of f.values) params.push(String(v));
        continue;
      }
      const expr = fieldExpr(f);
      const wrap = f.compare === 'datetime' ? (p: string) => `julianday(${p})` : (p: string) => p;
      if (f.op === 'in') {
        where.push(`${expr} IN (${f.values.map(() => wrap('?')).join(', ')})`);
      } else where.push(`${expr} ${SQL_OP[f.op]} ${wrap('?')}`);
      for (const v of f.values) params.push(param(f, v));
    }
    if (q.updatedSince !== undefined) {
      where.push('d.at >= ?');
      params.push(q.updatedSince);
    }
    const column = byKey ? 'e.key' : 'd.seq';
    const desc = sort.startsWith('-');
    if (q.after !== undefined) {
      where.push(`${column} ${desc ? '<' : '>'} ?`);
      params.push(q.after);
    }
    // One row past the page tells whether another page follows.
    params.push(q.limit + 1);
    const json = entityJsonSql(q.fields === undefined ? 'd.data' : sparse(q.fields));
    // In update order the feed itself is walked (versions by seq, keeping those still current),
    // so no index on entities(seq) slows every write down.
    const from = byKey
      ? 'entities e JOIN versions d ON d.seq = e.seq'
      : 'versions d CROSS JOIN entities e ON e.type = d.type AND e.key = d.key AND e.seq = d.seq';
    // Rows as arrays, json first: a page is a hundred of them and object rows cost more than the query.
    const sql = `SELECT ${json} AS json, e.key, e.seq FROM ${from}
      WHERE ${where.join(' AND ')} ORDER BY ${column} ${desc ? 'DESC' : 'ASC'} LIMIT ?`;
    let stmt = this.cache.get(sql);
    if (stmt === undefined) {
      if (this.cache.size > 500) this.cache.clear();
      this.cache.set(sql, (stmt = this.db.prepare(sql).raw(true)));
    }
    const rows = stmt.all(...params) as [string, string, number][];
    const more = rows.length > q.limit;
    if (more) rows.length = q.limit;
    const last = rows.at(-1);
    return { items: rows.map((r) => r[0]), last: last && { key: last[1], seq: last[2] }, more };
  }
}

/**
 * The API's Entity representation as JSON text, built in SQL from `data` (an expression over the
 * current version `d`). A live entity's data is its current version's (data_seq differs only for
 * tombstones). Must stay in step with entityJson in src/rest/entity-json.ts.
 */
function entityJsonSql(data: string): string {
  return `'{"type":' || json_quote(e.type) || ',"key":' || json_quote(e.key) || ',"version":' || e.version ||
      ',"createdAt":"' || e.created_at || '","updatedAt":"' || d.at || '","data":' || ${data} || '}'`;
}

/** Only the named top-level fields of the data, those present (json_each keeps nested values as JSON). */
function sparse(fields: string[]): string {
  for (const f of fields) if (!FIELD.test(f)) throw new RangeError(`field name ${JSON.stringify(f)} is not a plain top-level name`);
  const names = fields.map((f) => `'${f}'`).join(', ');
  return `coalesce((SELECT json_group_object(j.key, j.value) FROM json_each(d.data) j WHERE j.key IN (${names})), '{}')`;
}
