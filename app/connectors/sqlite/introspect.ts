import type Database from 'better-sqlite3';
import { quoteIdent } from '../../model/sql';
import type { ColumnInfo, ForeignKeyInfo, IndexInfo, TableDescription, TableInfo, TableRef } from '../types';
import { ConnectorError } from '../types';
import { logicalTypeOf } from './typemap';

/** Catalog queries: tables and views, columns, keys, indexes, row estimates (all via bound parameters). */

type Db = Database.Database;

export function refOf(t: string | TableRef): TableRef {
  return typeof t === 'string' ? { name: t } : t;
}

export function qualified(t: TableRef): string {
  return t.schema ? `${quoteIdent(t.schema, 'sqlite')}.${quoteIdent(t.name, 'sqlite')}` : quoteIdent(t.name, 'sqlite');
}

function schemaOf(t: TableRef): string {
  return t.schema ?? 'main';
}

interface CatalogRow {
  name: string;
  type: 'table' | 'view';
}

/** The table or view as the catalog spells it (names are case-insensitive in SQLite), or undefined. */
export function findTable(db: Db, t: TableRef): CatalogRow | undefined {
  const list = db
    .prepare(`SELECT name, type FROM ${quoteIdent(schemaOf(t), 'sqlite')}.sqlite_schema WHERE type IN ('table', 'view') AND name = ? COLLATE NOCASE`)
    .all(t.name) as CatalogRow[];
  return list.find((r) => r.name === t.name) ?? list[0];
}

function hasStat1(db: Db, schema: string): boolean {
  return db.prepare(`SELECT 1 FROM ${quoteIdent(schema, 'sqlite')}.sqlite_schema WHERE name = 'sqlite_stat1'`).get() !== undefined;
}

/**
 * A row count estimate that stays cheap on big tables: ANALYZE's sqlite_stat1 when
 * present, else max(rowid) (exact for append-only tables, high after deletes), else
 * count(*) for WITHOUT ROWID tables.
 */
export function rowEstimate(db: Db, t: TableRef): number | undefined {
  const schema = schemaOf(t);
  if (hasStat1(db, schema)) {
    const r = db.prepare(`SELECT stat FROM ${quoteIdent(schema, 'sqlite')}.sqlite_stat1 WHERE tbl = ? ORDER BY idx IS NOT NULL LIMIT 1`).get(t.name) as
      | { stat: string }
      | undefined;
    if (r) return Number(r.stat.split(' ')[0]);
  }
  try {
    const r = db.prepare(`SELECT max(rowid) AS n FROM ${qualified(t)}`).safeIntegers(true).get() as { n: bigint | null };
    return r.n === null ? 0 : Number(r.n);
  } catch {
    const r = db.prepare(`SELECT count(*) AS n FROM ${qualified(t)}`).safeIntegers(true).get() as { n: bigint };
    return Number(r.n);
  }
}

export function listTables(db: Db): TableInfo[] {
  const rows = db
    .prepare(`SELECT name, type FROM sqlite_schema WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name`)
    .all() as CatalogRow[];
  return rows.map((r) => ({ name: r.name, kind: r.type, rowEstimate: r.type === 'table' ? rowEstimate(db, { name: r.name }) : undefined }));
}

interface XInfo {
  cid: number;
  name: string;
  type: string;
  notnull: number;
  dflt_value: string | null;
  pk: number;
  hidden: number;
}

export function tableColumns(db: Db, t: TableRef): XInfo[] {
  return (db.prepare('SELECT * FROM pragma_table_xinfo(?, ?)').all(t.name, schemaOf(t)) as XInfo[]).filter((c) => c.hidden !== 1);
}

export function withoutRowid(db: Db, t: TableRef): boolean {
  const r = db.prepare('SELECT wr FROM pragma_table_list WHERE schema = ? AND name = ?').get(schemaOf(t), t.name) as { wr: number } | undefined;
  return r?.wr === 1;
}

export function describeTable(db: Db, ref: TableRef): TableDescription {
  const found = findTable(db, ref);
  if (!found) {
    const names = listTables(db).map((x) => x.name);
    throw new ConnectorError(`no table or view '${ref.name}' (tables: ${names.slice(0, 20).join(', ')}${names.length > 20 ? ', ...' : ''})`, {
      connector: 'sqlite',
      table: ref.name,
    });
  }
  const t: TableRef = { name: found.name, schema: ref.schema };
  const xinfo = tableColumns(db, t);
  const pk = xinfo
    .filter((c) => c.pk > 0)
    .sort((a, b) => a.pk - b.pk)
    .map((c) => c.name);
  // A single INTEGER PRIMARY KEY is the rowid: never NULL, assigned when not given.
  const rowidAlias = found.type === 'table' && pk.length === 1 && !withoutRowid(db, t) ? xinfo.find((c) => c.name === pk[0] && c.type.toUpperCase() === 'INTEGER') : undefined;
  const columns: ColumnInfo[] = xinfo.map((c) => {
    const info: ColumnInfo = {
      name: c.name,
      type: logicalTypeOf(c.type) ?? { kind: 'text' },
      nullable: c.notnull === 0 && c !== rowidAlias,
      nativeType: c.type,
    };
    if (c.dflt_value !== null) info.default = c.dflt_value;
    if (c === rowidAlias) info.autoIncrement = true;
    return info;
  });
  const uniques: { name?: string; columns: string[] }[] = [];
  const indexes: IndexInfo[] = [];
  if (found.type === 'table') {
    const list = db.prepare(`SELECT name, "unique" AS u, origin FROM pragma_index_list(?, ?)`).all(t.name, schemaOf(t)) as {
      name: string;
      u: number;
      origin: string;
    }[];
    for (const ix of list.reverse()) {
      const cols = (db.prepare('SELECT name FROM pragma_index_info(?, ?) ORDER BY seqno').all(ix.name, schemaOf(t)) as { name: string | null }[]).map(
        (c) => c.name ?? '(expression)',
      );
      if (ix.origin === 'u') uniques.push({ name: ix.name.startsWith('sqlite_autoindex_') ? undefined : ix.name, columns: cols });
      else if (ix.origin === 'c') indexes.push({ name: ix.name, columns: cols, unique: ix.u === 1 });
    }
  }
  const fkRows = (found.type === 'table' ? db.prepare('SELECT * FROM pragma_foreign_key_list(?, ?)').all(t.name, schemaOf(t)) : []) as {
    id: number;
    seq: number;
    table: string;
    from: string;
    to: string | null;
    on_update: string;
    on_delete: string;
  }[];
  const byId = new Map<number, typeof fkRows>();
  for (const r of fkRows) byId.set(r.id, [...(byId.get(r.id) ?? []), r]);
  const foreignKeys: ForeignKeyInfo[] = [...byId.keys()]
    .sort((a, b) => b - a)
    .map((id) => {
      const parts = byId.get(id)!.sort((a, b) => a.seq - b.seq);
      let refColumns = parts.map((p) => p.to);
      if (refColumns.some((c) => c === null)) {
        // REFERENCES parent without columns: the parent's primary key.
        refColumns = tableColumns(db, { name: parts[0].table, schema: t.schema })
          .filter((c) => c.pk > 0)
          .sort((a, b) => a.pk - b.pk)
          .map((c) => c.name);
      }
      const fk: ForeignKeyInfo = {
        columns: parts.map((p) => p.from),
        refTable: parts[0].table,
        refColumns: refColumns as string[],
        onDelete: parts[0].on_delete,
        onUpdate: parts[0].on_update,
      };
      return fk;
    });
  return {
    name: found.name,
    schema: ref.schema,
    kind: found.type,
    columns,
    primaryKey: pk.length > 0 ? pk : undefined,
    uniques,
    foreignKeys,
    indexes,
    rowEstimate: found.type === 'table' ? rowEstimate(db, t) : undefined,
  };
}
