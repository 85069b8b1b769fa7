/**
 * Test support: the differential table (see differential.gen.ts COLUMNS) in SQLite (memory),
 * PostgreSQL (a schema of its own) and MariaDB (a database of its own), dropped on close.
 */
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { Dialect } from '../connectors/types';
import { Decimal } from '../model/decimal';
import type { LogicalType } from '../model/types';
import type { Row } from '../model/values';
import { castValue } from './cast';
import { registerSqliteFunctions } from './sqlite-functions';

const RUN_ID = `sluice_expr_${process.pid}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;

export interface Db {
  dialect: Dialect;
  /** The expression's value for every row, in row order; throws when the query fails. */
  all(expr: string): Promise<unknown[]>;
  one(expr: string, id: number): Promise<unknown>;
  /** A constant expression's value (SELECT without FROM). */
  scalar(expr: string): Promise<unknown>;
  close(): Promise<void>;
}

// ------------------------------------------------------------------ databases

export function sqliteDb(ROWS: Row[]): Db {
  const db = new Database(':memory:');
  registerSqliteFunctions(db);
  db.exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, i INTEGER, b INTEGER, f REAL, n REAL, s TEXT, s2 TEXT, d TEXT, ts TEXT, tz TEXT, ok INTEGER, "sub total" INTEGER)`);
  const ins = db.prepare('INSERT INTO t VALUES (?,?,?,?,?,?,?,?,?,?,?,?)');
  for (const r of ROWS) ins.run(...r.map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v instanceof Decimal ? v.toNumber() : typeof v === 'number' && Number.isInteger(v) ? BigInt(v) : v)));
  return {
    dialect: 'sqlite',
    all: async (expr) => db.prepare(`SELECT ${expr} AS v FROM t ORDER BY id`).safeIntegers(true).all().map((r) => (r as { v: unknown }).v),
    one: async (expr, id) => (db.prepare(`SELECT ${expr} AS v FROM t WHERE id = ?`).safeIntegers(true).get(id) as { v: unknown }).v,
    scalar: async (expr) => (db.prepare(`SELECT ${expr} AS v`).safeIntegers(true).get() as { v: unknown }).v,
    close: async () => void db.close(),
  };
}

export async function postgresDb(ROWS: Row[]): Promise<Db> {
  let client: pg.Client | undefined;
  let lastError: unknown;
  for (const database of ['test', 'postgres']) {
    const c = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database, connectionTimeoutMillis: 3000, types: { getTypeParser: () => (v: string) => v } });
    try {
      await c.connect();
      client = c;
      break;
    } catch (e) {
      lastError = e;
      await c.end().catch(() => undefined);
    }
  }
  if (!client) throw lastError;
  const c = client;
  await c.query(`SET TIME ZONE 'UTC'`);
  await c.query(`CREATE SCHEMA ${RUN_ID}`);
  await c.query(`SET search_path TO ${RUN_ID}`);
  await c.query(`CREATE TABLE t (id int PRIMARY KEY, i int, b bigint, f double precision, n numeric(38,10), s text, s2 text, d date, ts timestamp, tz timestamptz, ok boolean, "sub total" int)`);
  for (const r of ROWS) {
    await c.query(
      'INSERT INTO t VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)',
      r.map((v) => (v === null ? null : v instanceof Decimal ? v.toString() : typeof v === 'number' ? String(v) : typeof v === 'bigint' ? v.toString() : v)),
    );
  }
  return {
    dialect: 'postgres',
    all: async (expr) => (await c.query(`SELECT ${expr} AS v FROM t ORDER BY id`)).rows.map((r: { v: unknown }) => r.v),
    one: async (expr, id) => (await c.query(`SELECT ${expr} AS v FROM t WHERE id = $1`, [id])).rows[0].v,
    scalar: async (expr) => (await c.query(`SELECT ${expr} AS v`)).rows[0].v,
    close: async () => {
      await c.query(`DROP SCHEMA ${RUN_ID} CASCADE`);
      await c.end();
    },
  };
}

export async function mysqlDb(ROWS: Row[]): Promise<Db> {
  const c = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', password: '', connectTimeout: 3000, supportBigNumbers: true, bigNumberStrings: true, dateStrings: true, charset: 'utf8mb4_unicode_ci' });
  await c.query(`SET time_zone = '+00:00'`);
  await c.query(`CREATE DATABASE ${RUN_ID} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await c.query(`USE ${RUN_ID}`);
  // A case-insensitive, PAD SPACE collation on purpose: the rendered SQL must not depend on it.
  await c.query(
    'CREATE TABLE t (id INT PRIMARY KEY, i INT, b BIGINT, f DOUBLE, n DECIMAL(38,10), s VARCHAR(200), s2 VARCHAR(200), d DATE, ts DATETIME(6), tz DATETIME(6), ok BOOLEAN, `sub total` INT)',
  );
  for (const r of ROWS) {
    await c.query(
      'INSERT INTO t VALUES (?,?,?,?,?,?,?,?,?,?,?,?)',
      r.map((v, i) => (v === null ? null : v instanceof Decimal ? v.toString() : typeof v === 'bigint' ? v.toString() : typeof v === 'boolean' ? (v ? 1 : 0) : i === 9 ? (v as string).slice(0, -6) : v)),
    );
  }
  return {
    dialect: 'mysql',
    all: async (expr) => ((await c.query(`SELECT ${expr} AS v FROM t ORDER BY id`))[0] as { v: unknown }[]).map((r) => r.v),
    one: async (expr, id) => ((await c.query(`SELECT ${expr} AS v FROM t WHERE id = ?`, [id]))[0] as { v: unknown }[])[0].v,
    scalar: async (expr) => ((await c.query(`SELECT ${expr} AS v`))[0] as { v: unknown }[])[0].v,
    close: async () => {
      await c.query(`DROP DATABASE ${RUN_ID}`);
      await c.end();
    },
  };
}

// ------------------------------------------------------------------ normalisation

/** A database result as the Sluice value it stands for, in a form that compares with ===. */
export function normalize(v: unknown, t: LogicalType, dialect: Dialect): string {
  if (v === null || v === undefined) return 'NULL';
  if (v instanceof Uint8Array && t.kind !== 'bytes') v = Buffer.from(v).toString('utf8');
  switch (t.kind) {
    case 'boolean':
      return v === true || v === 't' || v === 1 || v === 1n || v === '1' ? 'true' : v === false || v === 'f' || v === 0 || v === 0n || v === '0' ? 'false' : `?${String(v)}`;
    case 'int':
    case 'bigint':
      return typeof v === 'number' && !Number.isInteger(v) ? `float:${v}` : BigInt(v as string | number | bigint).toString();
    case 'decimal': {
      const d = v instanceof Decimal ? v : Decimal.parse(String(v));
      return d ? 'dec:' + d.normalize().toString() : `?${String(v)}`;
    }
    case 'float':
      return 'float:' + String(Number(v));
    case 'timestamp':
    case 'timestamptz':
      if (dialect === 'sqlite') return String(v);
      return String(castValue(dialect === 'mysql' && t.kind === 'timestamptz' ? `${String(v)}+00:00` : String(v), t));
    case 'time':
      return dialect === 'sqlite' ? String(v) : String(castValue(String(v), t));
    default:
      return typeof v === 'string' ? v : String(v);
  }
}

export function sameResult(a: string, b: string): boolean {
  if (a === b) return true;
  if (a.startsWith('float:') && b.startsWith('float:')) {
    const x = Number(a.slice(6));
    const y = Number(b.slice(6));
    if (Number.isNaN(x) && Number.isNaN(y)) return true;
    const scale = Math.max(Math.abs(x), Math.abs(y));
    return Math.abs(x - y) <= 1e-12 * scale || scale < 1e-300;
  }
  return false;
}

/** Opens a database, or says why it cannot. */
export async function reachable(name: string, open: () => Promise<Db>): Promise<Db | string> {
  try {
    return await open();
  } catch (e) {
    return `${name} is not reachable (${(e as Error).message})`;
  }
}
