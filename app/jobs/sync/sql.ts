import type { Dialect } from '../../connectors/types';
import type { Column } from '../../model/schema';
import { quoteIdent, quoteTable } from '../../model/sql';
import type { Row, Value } from '../../model/values';

/**
 * The SQL a sync sends, per dialect. Rows are compared in key order on both sides, so both
 * databases must sort keys the same way — Sluice's order (compareValues): numbers by
 * value, text by code point. Databases sort text by their collation unless told: so text
 * keys are ordered with PostgreSQL's "C" collation (byte order of UTF-8 = code point
 * order), SQLite's BINARY, and on MySQL/MariaDB by the key's bytes (a _bin collation would
 * still treat 'a ' and 'a' as equal: PAD SPACE). The merge checks the order it is given
 * and stops with an error naming the key rather than diffing wrongly.
 */

export interface TableName {
  name: string;
  schema?: string;
}

export function qualified(t: TableName, d: Dialect): string {
  return quoteTable(t, d);
}

/** Types whose order in SQL differs from Sluice's unless the collation is pinned. */
export function isTextual(c: Column): boolean {
  return c.type.kind === 'text' || c.type.kind === 'uuid' || c.type.kind === 'json';
}

/** An ORDER BY term for a key column that sorts as compareValues does. */
export function orderTerm(c: Column, d: Dialect): string {
  const q = quoteIdent(c.name, d);
  if (!isTextual(c)) return q;
  switch (d) {
    case 'postgres':
      return c.type.kind === 'uuid' ? q : `${q} COLLATE "C"`;
    case 'sqlite':
      return `${q} COLLATE BINARY`;
    case 'mysql':
      // CHAR first: MariaDB's UUID type stores its bytes in another order than its text.
      return c.type.kind === 'uuid' ? `CAST(CAST(${q} AS CHAR) AS BINARY)` : `CAST(${q} AS BINARY)`;
  }
}

export function selectList(columns: readonly Column[], d: Dialect): string {
  return columns.map((c) => quoteIdent(c.name, d)).join(', ');
}

/** All rows in key order. */
export function orderedSelect(t: TableName, columns: readonly Column[], key: readonly Column[], d: Dialect): string {
  return `SELECT ${selectList(columns, d)} FROM ${qualified(t, d)} ORDER BY ${key.map((k) => orderTerm(k, d)).join(', ')}`;
}

/**
 * Rows whose cursor is at or past the high-water mark (at: rows sharing the mark are read
 * again and told apart by the keys kept with it), in cursor then key order. Without a mark
 * (the first run), every row with a cursor value.
 */
export function incrementalSelect(t: TableName, columns: readonly Column[], cursor: Column, key: readonly Column[], d: Dialect, fromMark: boolean): string {
  const c = quoteIdent(cursor.name, d);
  const where = fromMark ? `${c} >= ?` : `${c} IS NOT NULL`;
  return `SELECT ${selectList(columns, d)} FROM ${qualified(t, d)} WHERE ${where} ORDER BY ${orderTerm(cursor, d)}, ${key.map((k) => orderTerm(k, d)).join(', ')}`;
}

/** `key IN (…)` for `count` keys: one column plainly; several as row values (SQLite wants VALUES). */
export function keyInList(key: readonly Column[], count: number, d: Dialect): string {
  if (key.length === 1) return `${quoteIdent(key[0].name, d)} IN (${Array(count).fill('?').join(', ')})`;
  const tuple = `(${key.map(() => '?').join(', ')})`;
  const lhs = `(${key.map((k) => quoteIdent(k.name, d)).join(', ')})`;
  const list = Array(count).fill(tuple).join(', ');
  return d === 'sqlite' ? `${lhs} IN (VALUES ${list})` : `${lhs} IN (${list})`;
}

export function selectByKeys(t: TableName, columns: readonly Column[], key: readonly Column[], count: number, d: Dialect): string {
  return `SELECT ${selectList(columns, d)} FROM ${qualified(t, d)} WHERE ${keyInList(key, count, d)}`;
}

export function deleteByKeys(t: TableName, key: readonly Column[], count: number, d: Dialect): string {
  return `DELETE FROM ${qualified(t, d)} WHERE ${keyInList(key, count, d)}`;
}

/** The key values of rows, flattened in the order keyInList's placeholders expect. */
export function keyParams(keys: readonly Row[]): Value[] {
  const out: Value[] = [];
  for (const k of keys) for (const v of k) out.push(v);
  return out;
}

/** Keys per statement: well under every dialect's placeholder limit (SQLite: 32766; MySQL literals). */
export function keysPerStatement(keyWidth: number): number {
  return Math.max(1, Math.floor(900 / keyWidth));
}
