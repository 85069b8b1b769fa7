/**
 * Table transfers between the local databases through the connectors alone (read one,
 * write the other, batch by batch), beside each target's own bulk tool loading the same
 * rows (not a test; the migration job's `npm run bench` is the full measure):
 *   SQLite -> PostgreSQL   vs psql \copy FROM a CSV file
 *   PostgreSQL -> SQLite   vs the sqlite3 CLI's .import of that CSV
 *   SQLite -> MariaDB      vs the mariadb client's LOAD DATA LOCAL INFILE (tab-separated)
 *   npx tsx app/connectors/sql/transfer-bench.ts [rows]
 * Needs the local servers, psql, sqlite3 and the mariadb client.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshDatabase, MY, MY_URL } from '../mysql/test-db';
import { freshSchema, PG, PG_URL } from '../postgres/test-db';
import { openConnection } from '../registry';
import type { Connection } from '../types';
import { benchBatch, benchSchema, cpuSince } from './bench-data';

const n = Number(process.argv[2] ?? 1_000_000);
const dir = mkdtempSync(join(tmpdir(), 'sluice-transfer-bench-'));
const pgSchema = await freshSchema();
const myDb = await freshDatabase();

function timed(cmd: string, args: string[], input?: string): number {
  const t = performance.now();
  execFileSync(cmd, args, { stdio: input === undefined ? 'pipe' : ['pipe', 'pipe', 'pipe'], input, maxBuffer: 1 << 30 });
  return Math.round(performance.now() - t);
}

async function transfer(from: Connection, to: Connection, table: string): Promise<{ ms: number; cpuMs: number; rowsPerSec: number }> {
  const t = performance.now();
  const c = process.cpuUsage();
  const src = await from.read({ table });
  const w = await to.write({ table, schema: src.schema, mode: 'replace', key: ['id'] });
  let count = 0;
  try {
    for await (const b of src.batches) {
      await w.write(b);
      count += b.length;
    }
    await w.commit();
  } catch (e) {
    await w.abort();
    throw e;
  }
  const ms = Math.round(performance.now() - t);
  return { ms, cpuMs: cpuSince(c), rowsPerSec: Math.round((count / ms) * 1000) };
}

try {
  const dbFile = join(dir, 'src.db');
  const sqlite = await openConnection({ url: `sqlite:${dbFile}` }, { baseDir: dir });
  const w = await sqlite.write({ table: 't', schema: benchSchema, mode: 'insert', key: ['id'] });
  for (let s = 0; s < n; s += 4096) await w.write(benchBatch(s, Math.min(4096, n - s)));
  await w.commit();
  const csv = join(dir, 't.csv');
  const tsv = join(dir, 't.tsv');
  execFileSync('sqlite3', ['-csv', dbFile, `.output ${csv}`, 'SELECT * FROM t']);
  execFileSync('sqlite3', ['-separator', '\t', '-nullvalue', '\\N', dbFile, `.output ${tsv}`, 'SELECT * FROM t']);
  const pg = await openConnection({ url: `${PG_URL}?schema=${pgSchema.schema}` }, { baseDir: dir });
  const my = await openConnection({ url: `${MY_URL}/${myDb.database}` }, { baseDir: dir });
  const toPg = await transfer(sqlite, pg, 't');
  const psqlArgs = ['-q', '-h', PG.host, '-p', String(PG.port), '-U', PG.user, '-d', PG.database, '-c'];
  execFileSync('psql', [...psqlArgs, `CREATE TABLE ${pgSchema.schema}.ref (LIKE ${pgSchema.schema}.t INCLUDING ALL)`]);
  const psqlCopy = timed('psql', [...psqlArgs, `\\copy ${pgSchema.schema}.ref FROM '${csv}' csv`]);

  const outFile = join(dir, 'out.db');
  const out = await openConnection({ url: `sqlite:${outFile}` }, { baseDir: dir });
  const toSqlite = await transfer(pg, out, 't');
  const refFile = join(dir, 'ref.db');
  execFileSync('sqlite3', [refFile, 'CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, email TEXT, city TEXT, amount DECIMAL TEXT(12,2), qty INT, created DATE, updated_at TIMESTAMP, active BOOLEAN, note TEXT)']);
  const sqliteImport = timed('sqlite3', [refFile], `.mode csv\n.import ${csv} t\n`);

  const toMy = await transfer(sqlite, my, 't');
  const myArgs = ['--local-infile=1', '-h', MY.host, '-P', String(MY.port), '-u', MY.user, myDb.database, '-e'];
  execFileSync('mariadb', [...myArgs, 'CREATE TABLE ref LIKE t']);
  const loadData = timed('mariadb', [...myArgs, `LOAD DATA LOCAL INFILE '${tsv}' INTO TABLE ref`]);
  for (const c of [sqlite, pg, my, out]) await c.close();
  console.log(
    JSON.stringify(
      {
        rows: n,
        'sqlite->postgres': { ...toPg, psqlCopyMs: psqlCopy, ratio: +(toPg.ms / psqlCopy).toFixed(2) },
        'postgres->sqlite': { ...toSqlite, sqliteImportMs: sqliteImport, ratio: +(toSqlite.ms / sqliteImport).toFixed(2) },
        'sqlite->mariadb': { ...toMy, loadDataMs: loadData, ratio: +(toMy.ms / loadData).toFixed(2) },
        maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
      },
      null,
      1,
    ),
  );
} finally {
  await pgSchema.drop();
  await myDb.drop();
  rmSync(dir, { recursive: true, force: true });
}
