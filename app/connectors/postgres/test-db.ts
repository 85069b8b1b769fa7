import pg from 'pg';
import { randomName } from '../sql/test-servers';

/** The PostgreSQL server of this machine (ENVIRONMENT.md): trust auth for postgres, database test. */
export const PG = {
  host: process.env.SLUICE_TEST_PGHOST ?? '127.0.0.1',
  port: Number(process.env.SLUICE_TEST_PGPORT ?? 5432),
  user: process.env.SLUICE_TEST_PGUSER ?? 'postgres',
  database: process.env.SLUICE_TEST_PGDATABASE ?? 'test',
};

export const PG_URL = `postgres://${PG.user}@${PG.host}:${PG.port}/${PG.database}`;

export async function pgReachable(): Promise<{ ok: true } | { ok: false; why: string }> {
  const c = new pg.Client({ ...PG, connectionTimeoutMillis: 3000 });
  c.on('error', () => {});
  try {
    await c.connect();
    await c.query('SELECT 1');
    return { ok: true };
  } catch (e) {
    return { ok: false, why: `${PG.host}:${PG.port}: ${(e as Error).message}` };
  } finally {
    await c.end().catch(() => {});
  }
}

/** Runs SQL as the test superuser, with search_path set to a schema when given. */
export async function pgExec(sql: string, schema?: string): Promise<void> {
  const c = new pg.Client({ ...PG, ...(schema ? { options: `-c search_path=${schema}` } : {}) });
  c.on('error', () => {});
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** A fresh schema (random name); drop it with the returned function. */
export async function freshSchema(): Promise<{ schema: string; drop: () => Promise<void> }> {
  const schema = randomName('sluice_t');
  await pgExec(`CREATE SCHEMA ${schema}`);
  return { schema, drop: () => pgExec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`) };
}
