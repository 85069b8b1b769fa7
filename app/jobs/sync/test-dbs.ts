// Test helpers: a fresh database of each kind for a test file (SQLite file, PostgreSQL
// schema, MariaDB database, random names, dropped after), DDL per dialect, and the rows of
// a table read back in a form that compares across dialects.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openConnection } from '../../connectors/registry';
import { freshDatabase, myExec, myReachable, MY_URL } from '../../connectors/mysql/test-db';
import { freshSchema, pgExec, pgReachable, PG_URL } from '../../connectors/postgres/test-db';
import type { Dialect } from '../../connectors/types';
import type { LogicalType } from '../../model/types';
import type { Row } from '../../model/values';
import { canonicalValue } from './canonical';

export type DbKind = Dialect;
export const KINDS: readonly DbKind[] = ['sqlite', 'postgres', 'mysql'];

export interface TestDb {
  kind: DbKind;
  url: string;
  exec(sql: string): Promise<void>;
  drop(): Promise<void>;
}

export async function reachable(kind: DbKind): Promise<{ ok: true } | { ok: false; why: string }> {
  if (kind === 'sqlite') return { ok: true };
  return kind === 'postgres' ? pgReachable() : myReachable();
}

export async function freshDb(kind: DbKind): Promise<TestDb> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'sluice-sync-db-'));
    const file = path.join(dir, 'db.sqlite');
    return {
      kind,
      url: `sqlite:${file}`,
      async exec(sql) {
        const db = new Database(file);
        try {
          db.exec(sql);
        } finally {
          db.close();
        }
      },
      async drop() {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  if (kind === 'postgres') {
    const { schema, drop } = await freshSchema();
    return { kind, url: `${PG_URL}?schema=${schema}`, exec: (sql) => pgExec(sql, schema), drop };
  }
  const { database, drop } = await freshDatabase();
  return {
    kind,
    url: `${MY_URL}/${database}`,
    async exec(sql) {
      // One statement per call: the test scripts separate them with ';\n'.
      for (const s of sql.split(/;\s*\n/).map((x) => x.trim()).filter(Boolean)) await myExec(s, database);
    },
    drop,
  };
}

/** Column types in each dialect's DDL, for the test tables. */
export const DDL: Record<string, Record<DbKind, string>> = {
  int: { sqlite: 'INTEGER', postgres: 'integer', mysql: 'int' },
  text: { sqlite: 'TEXT', postgres: 'text', mysql: 'varchar(200)' },
  key: { sqlite: 'TEXT', postgres: 'text', mysql: 'varchar(100)' },
  decimal: { sqlite: 'DECIMAL(10,2)', postgres: 'numeric(10,2)', mysql: 'decimal(10,2)' },
  boolean: { sqlite: 'BOOLEAN', postgres: 'boolean', mysql: 'tinyint(1)' },
  timestamp: { sqlite: 'TIMESTAMP', postgres: 'timestamp', mysql: 'datetime(6)' },
};

/** A SQL literal for a test value (only for test fixtures: numbers, booleans, plain strings). */
export function literal(v: string | number | boolean | null, kind: DbKind): string {
  if (v === null) return 'NULL';
  if (typeof v === 'boolean') return kind === 'postgres' ? String(v) : v ? '1' : '0';
  if (typeof v === 'number') return String(v);
  return `'${v.replaceAll("'", "''")}'`;
}

/** Every row of a table through its connector, ordered by `key`, as canonical texts per column. */
export async function tableRows(url: string, table: string, columns: readonly string[], types: readonly LogicalType[], key: string): Promise<string[][]> {
  const conn = await openConnection({ url }, { baseDir: process.cwd() });
  try {
    const stream = await conn.read({ table, columns: [...columns], orderBy: [key] });
    const out: Row[] = [];
    for await (const rows of stream.batches) out.push(...rows);
    return out.map((r) => r.map((v, i) => canonicalValue(v, types[i])));
  } finally {
    await conn.close();
  }
}

/** Registers a suite per reachable kind; a missing server is skipped with a message, or fails under CI. */
export async function reachableKinds(): Promise<{ kinds: DbKind[]; missing: Array<{ kind: DbKind; why: string }> }> {
  const kinds: DbKind[] = [];
  const missing: Array<{ kind: DbKind; why: string }> = [];
  for (const k of KINDS) {
    const r = await reachable(k);
    if (r.ok) kinds.push(k);
    else missing.push({ kind: k, why: r.why });
  }
  return { kinds, missing };
}
