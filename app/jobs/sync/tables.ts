import type { Connection, Dialect } from '../../connectors/types';
import type { Column, Schema } from '../../model/schema';
import type { Row, Value } from '../../model/values';
import { coercer } from './canonical';
import { incrementalSelect, isTextual, keyParams, keysPerStatement, orderedSelect, selectByKeys, type TableName } from './sql';

/** One side of a sync: a table of a SQL database. */
export interface TableSide {
  conn: Connection;
  dialect: Dialect;
  table: TableName;
  /** For messages: `target table customers (postgres://…)`. */
  label: string;
}

export function sideOf(conn: Connection, table: TableName, label: string): TableSide {
  if (!conn.dialect) throw new Error(`${label}: a sync works between SQL databases (SQLite, PostgreSQL, MySQL/MariaDB), not files`);
  return { conn, dialect: conn.dialect, table, label };
}

function tableRequest(t: TableName): { name: string; schema?: string } {
  return t.schema ? { name: t.name, schema: t.schema } : { name: t.name };
}

/** The table's columns as its connector types them (a read of no rows). */
export async function tableSchema(side: TableSide, columns?: readonly string[]): Promise<Schema> {
  const s = await side.conn.read({ table: tableRequest(side.table), columns: columns ? [...columns] : undefined, limit: 0 });
  await s.batches[Symbol.asyncIterator]().return?.();
  return s.schema;
}

export async function tableExists(side: TableSide): Promise<boolean> {
  const tables = await side.conn.listTables();
  return tables.some((t) => t.name === side.table.name && (side.table.schema === undefined || t.schema === undefined || t.schema === side.table.schema));
}

export interface ReadOpts {
  signal?: AbortSignal;
  batchSize?: number;
}

async function* coerced(batches: AsyncIterable<Row[]>, columns: readonly Column[]): AsyncGenerator<Row[]> {
  const coerce = coercer(columns.map((c) => c.type));
  for await (const rows of batches) {
    for (const r of rows) coerce(r);
    yield rows;
  }
}

/**
 * Every row of `columns`, in key order, typed as `columns` says. Keys that sort alike
 * everywhere (numbers, dates, bytes) use the connector's table read (PostgreSQL's COPY,
 * the fastest path); text keys need the pinned collation of sql.ts, so a query.
 */
export async function orderedRows(side: TableSide, columns: readonly Column[], key: readonly Column[], opts: ReadOpts = {}): Promise<AsyncIterable<Row[]>> {
  const read = { signal: opts.signal, batchSize: opts.batchSize };
  const stream = key.some(isTextual)
    ? await side.conn.read({ query: orderedSelect(side.table, columns, key, side.dialect) }, read)
    : await side.conn.read({ table: tableRequest(side.table), columns: columns.map((c) => c.name), orderBy: key.map((k) => k.name) }, read);
  return coerced(stream.batches, columns);
}

/** Rows whose cursor is at or past `mark` (every row with a cursor when there is none), in cursor, then key order. */
export async function rowsSince(
  side: TableSide,
  columns: readonly Column[],
  cursor: Column,
  key: readonly Column[],
  mark: Value | undefined,
  opts: ReadOpts = {},
): Promise<AsyncIterable<Row[]>> {
  const sql = incrementalSelect(side.table, columns, cursor, key, side.dialect, mark !== undefined);
  const stream = await side.conn.read({ query: sql, params: mark === undefined ? [] : [mark] }, { signal: opts.signal, batchSize: opts.batchSize });
  return coerced(stream.batches, columns);
}

/** The rows with these keys (any order; missing keys are simply absent). */
export async function rowsByKeys(side: TableSide, columns: readonly Column[], key: readonly Column[], keys: readonly Row[], opts: ReadOpts = {}): Promise<Row[]> {
  const out: Row[] = [];
  const per = keysPerStatement(key.length);
  const coerce = coercer(columns.map((c) => c.type));
  for (let i = 0; i < keys.length; i += per) {
    const part = keys.slice(i, i + per);
    const stream = await side.conn.read({ query: selectByKeys(side.table, columns, key, part.length, side.dialect), params: keyParams(part) }, { signal: opts.signal });
    for await (const rows of stream.batches) for (const r of rows) out.push(coerce(r));
  }
  return out;
}
