import mysql from 'mysql2';
import { randomName } from '../sql/test-servers';

/** The MariaDB server of this machine (ENVIRONMENT.md): root with an empty password, database test. */
export const MY = {
  host: process.env.SLUICE_TEST_MYHOST ?? '127.0.0.1',
  port: Number(process.env.SLUICE_TEST_MYPORT ?? 3306),
  user: process.env.SLUICE_TEST_MYUSER ?? 'root',
  database: process.env.SLUICE_TEST_MYDATABASE ?? 'test',
};

export const MY_URL = `mysql://${MY.user}@${MY.host}:${MY.port}`;

/** Runs statements as the test user (one connection, closed after). */
export async function myExec(sql: string | string[], database?: string): Promise<unknown[]> {
  const c = mysql.createConnection({ host: MY.host, port: MY.port, user: MY.user, database, connectTimeout: 3000, multipleStatements: false });
  c.on('error', () => {});
  try {
    const out: unknown[] = [];
    for (const s of Array.isArray(sql) ? sql : [sql]) {
      out.push(await new Promise((resolve, reject) => c.query(s, (err, rows) => (err ? reject(err) : resolve(rows)))));
    }
    return out;
  } finally {
    await new Promise<void>((resolve) => c.end(() => resolve()));
  }
}

export async function myReachable(): Promise<{ ok: true } | { ok: false; why: string }> {
  try {
    await myExec('SELECT 1');
    await ensureLocalInfile();
    return { ok: true };
  } catch (e) {
    return { ok: false, why: `${MY.host}:${MY.port}: ${(e as Error).message}` };
  }
}

/** A fresh database (random name); drop it with the returned function. */
export async function freshDatabase(): Promise<{ database: string; drop: () => Promise<void> }> {
  const database = randomName('sluice_t');
  await myExec(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  return { database, drop: async () => void (await myExec(`DROP DATABASE IF EXISTS \`${database}\``)) };
}

/**
 * Tests and CI only: LOAD DATA LOCAL INFILE needs the server's local_infile. When it is
 * OFF, try to switch it on (needs SUPER); if that is refused the connector's `auto` load
 * path uses INSERTs and the infile-only tests say they cannot run.
 */
export async function ensureLocalInfile(): Promise<boolean> {
  const [rows] = (await myExec('SELECT @@local_infile AS li')) as { li: number | string }[][];
  if (Number(rows[0].li) === 1) return true;
  try {
    await myExec('SET GLOBAL local_infile = 1');
    return true;
  } catch {
    return false;
  }
}
