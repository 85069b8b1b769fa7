import type { PoolConnection } from 'mysql2';
import type { LogicalType } from '../../model/types';
import { ConnectorError, type ColumnInfo, type ForeignKeyInfo, type IndexInfo, type TableDescription, type TableInfo, type TableRef } from '../types';
import { query } from './session';
import { logicalTypeOfNative } from './typemap';

/**
 * Catalog queries through information_schema, names as bound parameters. information_schema
 * compares names case-insensitively, while table names are case-sensitive on Linux:
 * relations are looked up case-insensitively and then matched exactly in code, and the
 * per-table queries compare names as binary strings.
 */

export interface Relation {
  name: string;
  database: string;
  kind: 'table' | 'view';
  rows?: number;
}

function kindOf(type: string): 'table' | 'view' | undefined {
  if (type === 'VIEW') return 'view';
  if (type === 'BASE TABLE' || type === 'SYSTEM VERSIONED') return 'table';
  return undefined;
}

interface TableRow {
  name: string;
  type: string;
  rows_: string | number | null;
}

export async function listTables(conn: PoolConnection, database: string): Promise<TableInfo[]> {
  const { rows } = await query<TableRow[]>(
    conn,
    'SELECT TABLE_NAME AS name, TABLE_TYPE AS type, TABLE_ROWS AS rows_ FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME',
    [database],
  );
  const out: TableInfo[] = [];
  for (const r of rows) {
    const kind = kindOf(r.type);
    if (!kind) continue;
    const info: TableInfo = { name: r.name, kind };
    if (kind === 'table') info.rowEstimate = Number(r.rows_ ?? 0);
    out.push(info);
  }
  return out;
}

export async function findRelation(conn: PoolConnection, t: TableRef, database: string): Promise<Relation | undefined> {
  const db = t.schema ?? database;
  const { rows } = await query<TableRow[]>(
    conn,
    'SELECT TABLE_NAME AS name, TABLE_TYPE AS type, TABLE_ROWS AS rows_ FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
    [db, t.name],
  );
  const known = rows.filter((r) => kindOf(r.type) !== undefined);
  const r = known.find((x) => x.name === t.name) ?? (known.length === 1 ? known[0] : undefined);
  if (!r) return undefined;
  const rel: Relation = { name: r.name, database: db, kind: kindOf(r.type)! };
  if (rel.kind === 'table') rel.rows = Number(r.rows_ ?? 0);
  return rel;
}

export async function relationNames(conn: PoolConnection, database: string): Promise<string[]> {
  return (await listTables(conn, database)).map((t) => t.name);
}

export function missingRelation(t: TableRef, database: string, names: string[]): ConnectorError {
  return new ConnectorError(
    `no table or view '${t.name}' in database '${t.schema ?? database}'${names.length > 0 ? ` (tables: ${names.slice(0, 20).join(', ')}${names.length > 20 ? ', ...' : ''})` : ' (it has no tables)'}`,
    { connector: 'mysql', table: t.name },
  );
}

export interface CatalogColumn {
  name: string;
  nativeType: string;
  type: LogicalType;
  notNull: boolean;
  default: string | undefined;
  autoIncrement: boolean;
  comment: string;
}

/** Columns that have MariaDB's JSON check: `json_valid(`col`)` in CHECK_CONSTRAINTS. */
async function jsonColumns(conn: PoolConnection, rel: Relation): Promise<Set<string>> {
  try {
    const { rows } = await query<{ clause: string }[]>(
      conn,
      'SELECT CHECK_CLAUSE AS clause FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ? AND BINARY TABLE_NAME = ?',
      [rel.database, rel.name],
    );
    const out = new Set<string>();
    for (const r of rows) {
      const m = /^json_valid\(`((?:[^`]|``)+)`\)$/i.exec(String(r.clause).trim());
      if (m) out.add(m[1].replaceAll('``', '`'));
    }
    return out;
  } catch {
    // MySQL's CHECK_CONSTRAINTS has no TABLE_NAME; MySQL has a real JSON type anyway.
    return new Set();
  }
}

export async function relationColumns(conn: PoolConnection, rel: Relation, mariadb: boolean): Promise<CatalogColumn[]> {
  const { rows } = await query<{ name: string; ctype: string; nullable: string; dflt: string | null; extra: string; comment: string }[]>(
    conn,
    `SELECT COLUMN_NAME AS name, COLUMN_TYPE AS ctype, IS_NULLABLE AS nullable, COLUMN_DEFAULT AS dflt, EXTRA AS extra, COLUMN_COMMENT AS comment
     FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND BINARY TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
    [rel.database, rel.name],
  );
  const json = await jsonColumns(conn, rel);
  return rows.map((r) => {
    // MariaDB prints defaults as SQL ('n/a' quoted, NULL for none); MySQL prints the bare value.
    const dflt = r.dflt === null || (mariadb && r.dflt === 'NULL') ? undefined : r.dflt;
    return {
      name: r.name,
      nativeType: r.ctype,
      type: logicalTypeOfNative(r.ctype, { comment: r.comment, jsonCheck: json.has(r.name) }),
      notNull: r.nullable === 'NO',
      default: dflt,
      autoIncrement: /auto_increment/i.test(r.extra),
      comment: r.comment,
    };
  });
}

interface ConstraintRow {
  name: string;
  type: string;
  col: string;
  refSchema: string | null;
  refTable: string | null;
  refCol: string | null;
  updateRule: string | null;
  deleteRule: string | null;
}

async function constraintRows(conn: PoolConnection, rel: Relation): Promise<ConstraintRow[]> {
  const { rows } = await query<ConstraintRow[]>(
    conn,
    `SELECT tc.CONSTRAINT_NAME AS name, tc.CONSTRAINT_TYPE AS type, k.COLUMN_NAME AS col,
            k.REFERENCED_TABLE_SCHEMA AS refSchema, k.REFERENCED_TABLE_NAME AS refTable, k.REFERENCED_COLUMN_NAME AS refCol,
            rc.UPDATE_RULE AS updateRule, rc.DELETE_RULE AS deleteRule
     FROM information_schema.TABLE_CONSTRAINTS tc
     JOIN information_schema.KEY_COLUMN_USAGE k
       ON k.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA AND k.TABLE_NAME = tc.TABLE_NAME AND k.CONSTRAINT_NAME = tc.CONSTRAINT_NAME
     LEFT JOIN information_schema.REFERENTIAL_CONSTRAINTS rc
       ON rc.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA AND rc.TABLE_NAME = tc.TABLE_NAME AND rc.CONSTRAINT_NAME = tc.CONSTRAINT_NAME
     WHERE tc.TABLE_SCHEMA = ? AND BINARY tc.TABLE_NAME = ? AND tc.CONSTRAINT_TYPE IN ('PRIMARY KEY', 'UNIQUE', 'FOREIGN KEY')
     ORDER BY tc.CONSTRAINT_NAME, k.ORDINAL_POSITION`,
    [rel.database, rel.name],
  );
  return rows;
}

export async function primaryKeyOf(conn: PoolConnection, rel: Relation): Promise<string[]> {
  return (await constraintRows(conn, rel)).filter((r) => r.type === 'PRIMARY KEY').map((r) => r.col);
}

/** Unique keys (primary first) as column lists: what ON DUPLICATE KEY UPDATE will match. */
export async function uniqueKeysOf(conn: PoolConnection, rel: Relation): Promise<string[][]> {
  const rows = await constraintRows(conn, rel);
  const by = new Map<string, string[]>();
  for (const r of rows.filter((x) => x.type === 'PRIMARY KEY' || x.type === 'UNIQUE')) by.set(r.name, [...(by.get(r.name) ?? []), r.col]);
  return [...by.values()];
}

export async function describeRelation(conn: PoolConnection, rel: Relation, mariadb: boolean): Promise<TableDescription> {
  const cols = await relationColumns(conn, rel, mariadb);
  const columns: ColumnInfo[] = cols.map((c) => {
    const info: ColumnInfo = { name: c.name, type: c.type, nullable: !c.notNull, nativeType: c.nativeType };
    if (c.default !== undefined) info.default = c.default;
    if (c.autoIncrement) info.autoIncrement = true;
    return info;
  });
  const d: TableDescription = { name: rel.name, kind: rel.kind, columns, uniques: [], foreignKeys: [], indexes: [] };
  if (rel.kind === 'view') return d;
  const cons = await constraintRows(conn, rel);
  const groups = new Map<string, ConstraintRow[]>();
  for (const r of cons) groups.set(`${r.type}\u0000${r.name}`, [...(groups.get(`${r.type}\u0000${r.name}`) ?? []), r]);
  const constraintIndexes = new Set<string>();
  for (const parts of groups.values()) {
    const first = parts[0];
    const columnsOf = parts.map((p) => p.col);
    if (first.type === 'PRIMARY KEY') {
      d.primaryKey = columnsOf;
      constraintIndexes.add('PRIMARY');
    } else if (first.type === 'UNIQUE') {
      d.uniques.push({ name: first.name, columns: columnsOf });
      constraintIndexes.add(first.name);
    } else {
      const fk: ForeignKeyInfo = {
        name: first.name,
        columns: columnsOf,
        refTable: first.refTable ?? '',
        refColumns: parts.map((p) => p.refCol ?? ''),
        onDelete: first.deleteRule ?? undefined,
        onUpdate: first.updateRule ?? undefined,
      };
      if (first.refSchema && first.refSchema !== rel.database) fk.refSchema = first.refSchema;
      d.foreignKeys.push(fk);
    }
  }
  const { rows: stats } = await query<{ name: string; nonUnique: number | string; col: string | null }[]>(
    conn,
    `SELECT INDEX_NAME AS name, NON_UNIQUE AS nonUnique, COLUMN_NAME AS col FROM information_schema.STATISTICS
     WHERE TABLE_SCHEMA = ? AND BINARY TABLE_NAME = ? ORDER BY INDEX_NAME, SEQ_IN_INDEX`,
    [rel.database, rel.name],
  );
  const indexes = new Map<string, IndexInfo>();
  for (const s of stats) {
    if (constraintIndexes.has(s.name)) continue;
    const ix = indexes.get(s.name) ?? { name: s.name, columns: [], unique: Number(s.nonUnique) === 0 };
    ix.columns.push(s.col ?? '(expression)');
    indexes.set(s.name, ix);
  }
  d.indexes = [...indexes.values()];
  d.rowEstimate = rel.rows ?? 0;
  return d;
}
