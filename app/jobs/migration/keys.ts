import type { Dialect } from '../../connectors/types';
import { Decimal } from '../../model/decimal';
import { quoteIdent, quoteTable } from '../../model/sql';
import type { LogicalType } from '../../model/types';
import { compareValues, formatValue, type Row, type Value } from '../../model/values';

/**
 * Primary keys as the migration uses them: the key of a row, key order, the SQL that
 * reads a table in key order after a key (resume) or within a key range (verify), and a
 * JSON form of key values for the checkpoint store that restores them exactly (bigint,
 * Decimal and bytes included).
 */

export type Key = Value[];

export function keyIndexes(columns: readonly { name: string }[], key: readonly string[]): number[] {
  return key.map((k) => {
    const i = columns.findIndex((c) => c.name === k);
    if (i < 0) throw new Error(`key column '${k}' is not among the columns`);
    return i;
  });
}

export function keyOf(row: Row, idx: readonly number[]): Key {
  return idx.map((i) => row[i]);
}

/** Lexicographic over the key's columns with the engine's total order (numbers numerically, text by code point). */
export function compareKeys(a: Key, b: Key): number {
  for (let i = 0; i < a.length; i++) {
    const c = compareValues(a[i], b[i]);
    if (c !== 0) return c;
  }
  return 0;
}

export function formatKey(names: readonly string[], key: Key): string {
  return names.map((n, i) => `${n}=${formatValue(key[i], 40)}`).join(', ');
}

// --- the checkpoint form -------------------------------------------------------------

/** One value tagged with its run-time form: ['n', 1], ['b', '9007199254740993'], ['d', '1.50'], ['x', base64] ... */
export type EncodedValue = ['z'] | ['t', boolean] | ['n', number | string] | ['b', string] | ['d', string] | ['s', string] | ['x', string];

export function encodeKey(key: Key): EncodedValue[] {
  return key.map((v): EncodedValue => {
    if (v === null) return ['z'];
    if (typeof v === 'boolean') return ['t', v];
    if (typeof v === 'number') return ['n', Number.isFinite(v) ? v : String(v)];
    if (typeof v === 'bigint') return ['b', v.toString()];
    if (typeof v === 'string') return ['s', v];
    if (v instanceof Decimal) return ['d', v.toString()];
    return ['x', Buffer.from(v).toString('base64')];
  });
}

export function decodeKey(json: unknown): Key {
  if (!Array.isArray(json)) throw new Error(`a stored key is not a list: ${JSON.stringify(json)}`);
  return (json as EncodedValue[]).map((e) => {
    switch (e[0]) {
      case 'z':
        return null;
      case 't':
        return e[1];
      case 'n':
        return Number(e[1]);
      case 'b':
        return BigInt(e[1]);
      case 'd':
        return Decimal.parse(e[1])!;
      case 's':
        return e[1];
      case 'x':
        return new Uint8Array(Buffer.from(e[1], 'base64'));
      default:
        throw new Error(`a stored key value has an unknown tag: ${JSON.stringify(e)}`);
    }
  });
}

// --- SQL ---------------------------------------------------------------------------

export interface TableSql {
  name: string;
  schema?: string;
}

/** Text types whose order depends on a collation (binary order is asked for explicitly). */
function collatable(t: LogicalType, native: string | undefined): boolean {
  if (t.kind !== 'text') return false;
  if (native === undefined) return true;
  return /char|text|clob|string|name|enum|set/i.test(native);
}

/**
 * A key column in binary (code point) order, the order compareKeys uses: SQLite BINARY,
 * PostgreSQL's "C" collation, MySQL's BINARY (byte order, no trailing-space padding).
 */
function binaryOrdered(name: string, t: LogicalType, native: string | undefined, dialect: Dialect): string {
  const c = quoteIdent(name, dialect);
  if (!collatable(t, native)) return c;
  switch (dialect) {
    case 'sqlite':
      return `${c} COLLATE BINARY`;
    case 'postgres':
      return `${c} COLLATE "C"`;
    case 'mysql':
      return `BINARY ${c}`;
  }
}

export interface KeyColumn {
  name: string;
  type: LogicalType;
  native?: string;
}

export interface OrderedSelect {
  table: TableSql;
  columns: readonly string[];
  key: readonly KeyColumn[];
  dialect: Dialect;
  /** Rows after this key (exclusive). */
  after?: Key;
  /** Rows from this key (inclusive) ... */
  from?: Key;
  /** ... up to this key (exclusive). */
  to?: Key;
  /** ... up to this key (inclusive). */
  through?: Key;
  /** Order (and compare) text keys by code point instead of the column's collation. */
  binary?: boolean;
}

/**
 * SELECT columns FROM table [WHERE key-range] ORDER BY key, with `?` parameters. Key
 * ranges use row values, `(a, b) > (?, ?)`, which SQLite (3.15+), PostgreSQL and MySQL
 * all understand.
 */
export function orderedSelect(s: OrderedSelect): { sql: string; params: Value[] } {
  const d = s.dialect;
  const keyExpr = s.key.map((k) => (s.binary ? binaryOrdered(k.name, k.type, k.native, d) : quoteIdent(k.name, d)));
  const tuple = (exprs: string[]) => (exprs.length === 1 ? exprs[0] : `(${exprs.join(', ')})`);
  const marks = (n: number) => tuple(Array.from({ length: n }, () => '?'));
  const where: string[] = [];
  const params: Value[] = [];
  if (s.after) {
    where.push(`${tuple(keyExpr)} > ${marks(s.key.length)}`);
    params.push(...s.after);
  }
  if (s.from) {
    where.push(`${tuple(keyExpr)} >= ${marks(s.key.length)}`);
    params.push(...s.from);
  }
  if (s.to) {
    where.push(`${tuple(keyExpr)} < ${marks(s.key.length)}`);
    params.push(...s.to);
  }
  if (s.through) {
    where.push(`${tuple(keyExpr)} <= ${marks(s.key.length)}`);
    params.push(...s.through);
  }
  const table = d === 'postgres' && s.table.schema ? quoteTable(s.table, d) : quoteIdent(s.table.name, d);
  const sql =
    `SELECT ${s.columns.map((c) => quoteIdent(c, d)).join(', ')} FROM ${table}` +
    (where.length ? ` WHERE ${where.join(' AND ')}` : '') +
    (s.key.length ? ` ORDER BY ${keyExpr.join(', ')}` : '');
  return { sql, params };
}

export function countSql(table: TableSql, dialect: Dialect): string {
  const t = dialect === 'postgres' && table.schema ? quoteTable(table, dialect) : quoteIdent(table.name, dialect);
  return `SELECT count(*) AS n FROM ${t}`;
}
