import Database from 'better-sqlite3';
import type { ColumnInfo, Connection, ReadRequest, RowStream, TableDescription, TableRef } from '../../connectors/types';
import { Decimal } from '../../model/decimal';
import type { Schema } from '../../model/schema';
import { parseType, T, type LogicalType } from '../../model/types';
import { normalizeInt, type Row, type Value } from '../../model/values';
import type { ConnectionProvider } from '../types';

/**
 * Test doubles for nodes that open connections (map's target, lookup's source): an in-memory
 * SQLite database behind the Connection interface, and a file-like connection over rows. Only
 * what those nodes use is implemented; every query is recorded for assertions.
 */
function typeOf(declared: string): LogicalType {
  const t = parseType(declared);
  if (t) return t.kind === 'int' ? T.bigint : t;
  return T.text;
}

function fromSqlite(v: unknown, t: LogicalType): Value {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return t.kind === 'decimal' ? Decimal.fromBigInt(v) : normalizeInt(v);
  if (typeof v === 'number' && t.kind === 'decimal') return Decimal.fromNumber(v)!;
  if (Buffer.isBuffer(v)) return new Uint8Array(v);
  return v as Value;
}

function toSqlite(v: Value): unknown {
  if (v instanceof Decimal) return v.toString();
  if (typeof v === 'boolean') return v ? 1 : 0;
  return v;
}

export class SqliteTestConnection implements Connection {
  readonly connectorId = 'sqlite-test';
  readonly dialect = 'sqlite' as const;
  readonly queries: string[] = [];

  constructor(readonly db: Database.Database) {}

  static create(sql: string): SqliteTestConnection {
    const db = new Database(':memory:');
    db.defaultSafeIntegers(true);
    db.exec(sql);
    return new SqliteTestConnection(db);
  }

  async test(): Promise<void> {}
  async listTables() {
    const names = this.db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as Array<{ name: string }>;
    return names.map((n) => ({ name: n.name, kind: 'table' as const }));
  }

  async describeTable(table: string | TableRef): Promise<TableDescription> {
    const name = typeof table === 'string' ? table : table.name;
    const info = this.db.prepare(`SELECT * FROM pragma_table_info(?)`).all(name) as Array<{
      name: string;
      type: string;
      notnull: bigint;
      dflt_value: string | null;
      pk: bigint;
    }>;
    if (info.length === 0) throw new Error(`no table '${name}'`);
    const columns: ColumnInfo[] = info.map((c) => ({
      name: c.name,
      type: typeOf(c.type),
      nullable: c.notnull === 0n && c.pk === 0n,
      nativeType: c.type,
      ...(c.dflt_value !== null ? { default: c.dflt_value } : {}),
      ...(c.pk === 1n && /int/i.test(c.type) ? { autoIncrement: true } : {}),
    }));
    const pk = info.filter((c) => c.pk > 0n).map((c) => c.name);
    return { name, kind: 'table', columns, primaryKey: pk.length ? pk : undefined, uniques: [], foreignKeys: [], indexes: [] };
  }

  async read(request: ReadRequest): Promise<RowStream> {
    let sql: string;
    let params: Record<string, unknown> = {};
    let schema: Schema;
    if ('query' in request) {
      sql = request.query;
      params = Object.fromEntries(Object.entries(request.params ?? {}).map(([k, v]) => [k, toSqlite(v as Value)]));
      const stmt = this.db.prepare(sql);
      schema = { columns: stmt.columns().map((c) => ({ name: c.name, type: typeOf(c.type ?? 'text'), nullable: true })) };
    } else {
      const d = await this.describeTable(request.table);
      sql = `SELECT * FROM "${d.name}"`;
      schema = { columns: d.columns };
    }
    this.queries.push(sql);
    const raw = this.db.prepare(sql).raw(true).all(params) as unknown[][];
    const rows: Row[] = raw.map((r) => r.map((v, i) => fromSqlite(v, schema.columns[i].type)));
    return {
      schema,
      batches: (async function* () {
        for (let i = 0; i < rows.length; i += 2) yield rows.slice(i, i + 2);
      })(),
    };
  }

  async write(): Promise<never> {
    throw new Error('not in tests');
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

/** A file-like connection (no dialect) holding one table of rows. */
export class RowsTestConnection implements Connection {
  readonly connectorId = 'rows-test';
  reads = 0;

  constructor(
    readonly table: string,
    readonly schema: Schema,
    readonly rows: Row[],
  ) {}

  async test(): Promise<void> {}
  async listTables() {
    return [{ name: this.table, kind: 'file' as const }];
  }
  async describeTable(): Promise<TableDescription> {
    return {
      name: this.table,
      kind: 'file',
      columns: this.schema.columns.map((c) => ({ ...c, nativeType: c.type.kind })),
      uniques: [],
      foreignKeys: [],
      indexes: [],
    };
  }
  async read(): Promise<RowStream> {
    this.reads++;
    const rows = this.rows;
    return {
      schema: this.schema,
      batches: (async function* () {
        for (let i = 0; i < rows.length; i += 2) yield rows.slice(i, i + 2);
      })(),
    };
  }
  async write(): Promise<never> {
    throw new Error('not in tests');
  }
  async close(): Promise<void> {}
}

export function provider(connections: Record<string, Connection>): ConnectionProvider {
  return {
    open: async (name) => {
      const c = connections[name];
      if (!c) throw new Error(`no connection '${name}'`);
      return c;
    },
    describe: (name) => `test:${name}`,
  };
}
