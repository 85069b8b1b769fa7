import type { LogicalType } from '../../model/types';
import { ConnectorError, type ColumnInfo, type ForeignKeyInfo, type IndexInfo, type TableDescription, type TableInfo, type TableRef } from '../types';
import { logicalTypeOfOid } from './typemap';

/**
 * Catalog queries through pg_catalog (information_schema hides what the current role does
 * not own and is slower). All names travel as bound parameters; OIDs identify relations
 * once found, so names with quotes, spaces or unicode need no care here.
 */

/** What introspection needs from a pg client or pool. */
export interface Queryable {
  query<R extends object>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
}

export interface Relation {
  oid: number;
  name: string;
  schema: string;
  kind: 'table' | 'view';
}

const REL_KINDS = `('r','p','v','m','f')`;

function kindOf(relkind: string): 'table' | 'view' {
  return relkind === 'v' || relkind === 'm' ? 'view' : 'table';
}

/** The relation a name refers to: the exact name first, else the only case-insensitive match. */
export async function findRelation(db: Queryable, t: TableRef, defaultSchema: string): Promise<Relation | undefined> {
  const schema = t.schema ?? defaultSchema;
  const { rows } = await db.query<{ oid: number; relname: string; relkind: string; nspname: string }>(
    `SELECT c.oid::int8::float8 AS oid, c.relname, c.relkind, n.nspname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND lower(c.relname) = lower($2) AND c.relkind IN ${REL_KINDS}`,
    [schema, t.name],
  );
  const r = rows.find((x) => x.relname === t.name) ?? (rows.length === 1 ? rows[0] : undefined);
  return r ? { oid: Number(r.oid), name: r.relname, schema: r.nspname, kind: kindOf(r.relkind) } : undefined;
}

export function missingRelation(t: TableRef, defaultSchema: string, names: string[]): ConnectorError {
  const schema = t.schema ?? defaultSchema;
  return new ConnectorError(
    `no table or view '${t.name}' in schema '${schema}'${names.length > 0 ? ` (tables: ${names.slice(0, 20).join(', ')}${names.length > 20 ? ', ...' : ''})` : ' (it has no tables)'}`,
    { connector: 'postgres', table: t.name },
  );
}

/** Pages of 8 KiB: PostgreSQL's default block size (pg_relation_size is in bytes). */
const BLOCK = 8192;
/** Below this size a never-analyzed table is counted exactly (a few ms). */
const COUNT_BELOW_BYTES = 32 * 1024 * 1024;

interface SizeRow {
  oid: number;
  reltuples: number;
  relpages: number;
  bytes: number;
  live: number;
}

/**
 * A cheap row estimate. Analyzed tables: reltuples scaled to the current size (what the
 * planner does). Never analyzed (reltuples -1, e.g. just loaded): small tables are
 * counted, large ones use the statistics collector's live-tuple count.
 */
async function estimate(db: Queryable, r: SizeRow, qualified: string): Promise<number> {
  const pages = Math.ceil(Number(r.bytes) / BLOCK);
  if (r.reltuples >= 0 && r.relpages > 0) return Math.round((r.reltuples / r.relpages) * pages);
  if (r.reltuples >= 0 && pages === 0) return Math.round(r.reltuples);
  if (Number(r.bytes) <= COUNT_BELOW_BYTES) {
    const c = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${qualified}`);
    return Number(c.rows[0].n);
  }
  return Number(r.live);
}

const SIZE_COLUMNS = `c.reltuples::float8 AS reltuples, c.relpages, pg_catalog.pg_relation_size(c.oid)::float8 AS bytes, pg_catalog.pg_stat_get_live_tuples(c.oid)::float8 AS live`;

function qualify(schema: string, name: string): string {
  return `"${schema.replaceAll('"', '""')}"."${name.replaceAll('"', '""')}"`;
}

export async function listTables(db: Queryable, schema: string): Promise<TableInfo[]> {
  const { rows } = await db.query<{ oid: number; relname: string; relkind: string } & SizeRow>(
    `SELECT c.oid::int8::float8 AS oid, c.relname, c.relkind, ${SIZE_COLUMNS}
     FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relkind IN ${REL_KINDS} AND NOT c.relispartition
     ORDER BY c.relname`,
    [schema],
  );
  const out: TableInfo[] = [];
  for (const r of rows) {
    const kind = kindOf(r.relkind);
    const info: TableInfo = { name: r.relname, schema, kind };
    if (kind === 'table' && r.relkind !== 'f') info.rowEstimate = await estimate(db, r, qualify(schema, r.relname));
    out.push(info);
  }
  return out;
}

export interface CatalogColumn {
  name: string;
  nativeType: string;
  type: LogicalType;
  notNull: boolean;
  default: string | null;
  identity: boolean;
  generated: boolean;
}

/** Columns of a relation in order, with their logical types (domains resolved to their base type). */
export async function relationColumns(db: Queryable, oid: number): Promise<CatalogColumn[]> {
  const { rows } = await db.query<{
    attname: string;
    native: string;
    attnotnull: boolean;
    dflt: string | null;
    attidentity: string;
    attgenerated: string;
    base_oid: number;
    base_typmod: number;
    typcategory: string;
  }>(
    `SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) AS native, a.attnotnull,
            pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS dflt, a.attidentity::text AS attidentity, a.attgenerated::text AS attgenerated,
            (CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END)::int8::float8 AS base_oid,
            CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END AS base_typmod,
            (CASE WHEN t.typtype = 'd' THEN bt.typcategory ELSE t.typcategory END)::text AS typcategory
     FROM pg_catalog.pg_attribute a
     JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
     LEFT JOIN pg_catalog.pg_type bt ON bt.oid = t.typbasetype
     LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped
     ORDER BY a.attnum`,
    [oid],
  );
  return rows.map((r) => ({
    name: r.attname,
    nativeType: r.native,
    // Arrays ('A') travel as their text form.
    type: r.typcategory === 'A' ? { kind: 'text' } : logicalTypeOfOid(Number(r.base_oid), r.base_typmod),
    notNull: r.attnotnull,
    default: r.dflt,
    identity: r.attidentity === 'a' || r.attidentity === 'd' || /^nextval\(/i.test(r.dflt ?? ''),
    generated: r.attgenerated === 's',
  }));
}

const FK_ACTIONS: Record<string, string> = { a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };

export async function primaryKeyOf(db: Queryable, oid: number): Promise<string[]> {
  const { rows } = await db.query<{ cols: string[] }>(
    `SELECT ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(num, ord) JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num ORDER BY k.ord) AS cols
     FROM pg_catalog.pg_constraint con WHERE con.conrelid = $1 AND con.contype = 'p'`,
    [oid],
  );
  return rows[0]?.cols ?? [];
}

export async function describeRelation(db: Queryable, rel: Relation): Promise<TableDescription> {
  const cols = await relationColumns(db, rel.oid);
  const columns: ColumnInfo[] = cols.map((c) => {
    const info: ColumnInfo = { name: c.name, type: c.type, nullable: !c.notNull, nativeType: c.nativeType };
    if (c.default !== null) info.default = c.default;
    if (c.identity) info.autoIncrement = true;
    return info;
  });
  const { rows: cons } = await db.query<{
    conname: string;
    contype: string;
    confupdtype: string;
    confdeltype: string;
    ref_table: string | null;
    ref_schema: string | null;
    cols: string[];
    refcols: string[] | null;
  }>(
    `SELECT con.conname, con.contype::text AS contype, con.confupdtype::text AS confupdtype, con.confdeltype::text AS confdeltype,
            fc.relname AS ref_table, fn.nspname AS ref_schema,
            ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(num, ord) JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num ORDER BY k.ord) AS cols,
            CASE WHEN con.contype = 'f' THEN ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(num, ord) JOIN pg_catalog.pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num ORDER BY k.ord) END AS refcols
     FROM pg_catalog.pg_constraint con
     LEFT JOIN pg_catalog.pg_class fc ON fc.oid = con.confrelid
     LEFT JOIN pg_catalog.pg_namespace fn ON fn.oid = fc.relnamespace
     WHERE con.conrelid = $1 AND con.contype IN ('p', 'u', 'f')
     ORDER BY con.conname`,
    [rel.oid],
  );
  const pk = cons.find((c) => c.contype === 'p');
  const uniques = cons.filter((c) => c.contype === 'u').map((c) => ({ name: c.conname, columns: c.cols }));
  const foreignKeys: ForeignKeyInfo[] = cons
    .filter((c) => c.contype === 'f')
    .map((c) => {
      const fk: ForeignKeyInfo = {
        name: c.conname,
        columns: c.cols,
        refTable: c.ref_table ?? '',
        refColumns: c.refcols ?? [],
        onDelete: FK_ACTIONS[c.confdeltype] ?? c.confdeltype,
        onUpdate: FK_ACTIONS[c.confupdtype] ?? c.confupdtype,
      };
      if (c.ref_schema !== null && c.ref_schema !== rel.schema) fk.refSchema = c.ref_schema;
      return fk;
    });
  // Indexes created on their own (those behind a primary key or unique constraint are
  // reported as the constraint). Expression parts show as '(expression)'.
  const { rows: idx } = await db.query<{ name: string; unique: boolean; cols: string[] }>(
    `SELECT i.relname AS name, ix.indisunique AS unique,
            ARRAY(SELECT COALESCE(a.attname::text, '(expression)') FROM unnest(ix.indkey::int2[]) WITH ORDINALITY k(num, ord)
                  LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.num
                  WHERE k.ord <= ix.indnkeyatts ORDER BY k.ord) AS cols
     FROM pg_catalog.pg_index ix JOIN pg_catalog.pg_class i ON i.oid = ix.indexrelid
     WHERE ix.indrelid = $1 AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint c WHERE c.conindid = ix.indexrelid AND c.conrelid = ix.indrelid)
     ORDER BY i.relname`,
    [rel.oid],
  );
  const indexes: IndexInfo[] = idx.map((r) => ({ name: r.name, columns: r.cols, unique: r.unique }));
  const d: TableDescription = {
    name: rel.name,
    schema: rel.schema,
    kind: rel.kind,
    columns,
    uniques,
    foreignKeys,
    indexes,
  };
  if (pk) d.primaryKey = pk.cols;
  if (rel.kind === 'table') {
    const { rows } = await db.query<SizeRow>(`SELECT c.oid, ${SIZE_COLUMNS} FROM pg_catalog.pg_class c WHERE c.oid = $1`, [rel.oid]);
    d.rowEstimate = await estimate(db, rows[0], qualify(rel.schema, rel.name));
  }
  return d;
}

export async function relationNames(db: Queryable, schema: string): Promise<string[]> {
  const { rows } = await db.query<{ relname: string }>(
    `SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ${REL_KINDS} ORDER BY 1`,
    [schema],
  );
  return rows.map((r) => r.relname);
}
