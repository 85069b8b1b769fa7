import { parseTypeRule } from '../../connectors/sql/typerules';
import * as mysqlTypes from '../../connectors/mysql/typemap';
import * as pgTypes from '../../connectors/postgres/typemap';
import * as sqliteTypes from '../../connectors/sqlite/typemap';
import type { ColumnInfo, Connection, Dialect, TableDescription, TableInfo } from '../../connectors/types';
import type { LogicalType } from '../../model/types';
import type { Row } from '../../model/values';

/**
 * A database for planning tests: tables described as a connector would describe them,
 * answers to the few queries the planner asks (counts, PostgreSQL's schema and type
 * checks), and the statements it would run recorded instead.
 */
export class FakeDatabase implements Connection {
  readonly connectorId: string;
  readonly executed: string[] = [];

  constructor(
    readonly dialect: Dialect,
    private readonly tables: TableDescription[] = [],
    private readonly counts: Record<string, number> = {},
  ) {
    this.connectorId = dialect;
  }

  async test(): Promise<void> {}

  async listTables(): Promise<TableInfo[]> {
    return this.tables.map((t) => ({ name: t.name, kind: t.kind }));
  }

  async describeTable(table: string | { name: string }): Promise<TableDescription> {
    const name = typeof table === 'string' ? table : table.name;
    const t = this.tables.find((x) => x.name === name);
    if (!t) throw new Error(`no table ${name}`);
    return structuredClone(t);
  }

  async read(request: Parameters<Connection['read']>[0]): Promise<Awaited<ReturnType<Connection['read']>>> {
    let rows: Row[] = [];
    if ('query' in request) {
      const count = /FROM\s+(?:"[^"]*"\.)?[`"]([^`"]+)[`"]/.exec(request.query);
      if (/count\(\*\)/.test(request.query) && count) rows = [[this.counts[count[1]] ?? 0]];
      else if (/current_schema/.test(request.query)) rows = [['public', 'public']];
      else if (/to_regtype/.test(request.query)) rows = [[/^(numeric|integer|bigint|text|varchar|character varying|date|timestamp|jsonb?|double precision)\b/i.test(String(request.params && (request.params as unknown[])[0])) ? 'ok' : null]];
    }
    return {
      schema: { columns: [{ name: 'x', type: { kind: 'bigint' }, nullable: true }] },
      batches: (async function* () {
        yield rows;
      })(),
    };
  }

  async write(): Promise<never> {
    throw new Error('the fake database takes no writes');
  }

  async execute(sql: string): Promise<number> {
    this.executed.push(sql);
    return 0;
  }

  async close(): Promise<void> {}
}

/** A column as the dialect's connector would describe a declared native type. */
export function column(dialect: Dialect, name: string, native: string, o: { nullable?: boolean; default?: string; autoIncrement?: boolean } = {}): ColumnInfo {
  let type: LogicalType;
  if (dialect === 'postgres') type = pgTypes.logicalTypeOfNative(native);
  else if (dialect === 'mysql') type = mysqlTypes.logicalTypeOfNative(native);
  else type = sqliteTypes.logicalTypeOf(native) ?? { kind: 'text' };
  const c: ColumnInfo = { name, nativeType: native, type, nullable: o.nullable ?? true };
  if (o.default !== undefined) c.default = o.default;
  if (o.autoIncrement) c.autoIncrement = true;
  return c;
}

export function table(name: string, columns: ColumnInfo[], o: Partial<Omit<TableDescription, 'name' | 'columns'>> = {}): TableDescription {
  return { name, kind: 'table', columns, uniques: [], foreignKeys: [], indexes: [], ...o };
}

/** Checks that the fake's rules parse (a typo in a test is a test bug, not a planner finding). */
export function rules(...texts: string[]): string[] {
  for (const t of texts) parseTypeRule(t);
  return texts;
}
