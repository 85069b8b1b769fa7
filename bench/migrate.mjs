// Issue 3's migration benchmarks (`npm run bench -- migrate [--runs N] [--quick]`), side by side
// in one run on a generated 1M-row, 10-column SQLite table (mixed types, ~20% NULLs in `note`):
//   SQLite -> PostgreSQL  sluice migrate  vs pgloader (goal: >= 2x faster) and psql \copy of the
//                                          same rows from a CSV file (goal: within 1.3x)
//   PostgreSQL -> SQLite  sluice migrate  vs the sqlite3 CLI's .import of that CSV (within 1.5x)
//   SQLite -> MariaDB     sluice migrate  vs mariadb LOAD DATA LOCAL INFILE (within 1.5x)
// and peak memory (goal: under 300 MB, the same at 1M and 10M rows; 10M only without --quick).
// Each reference tool loads into a table created with the DDL the migration plans (same
// types, same primary key), so both write the same thing. Medians of the runs, interleaved.
import { createRequire } from 'node:module';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { compare, ensureTools, printTable, ROOT, saveResults, sh, WORK } from './lib.mjs';

const require = createRequire(import.meta.url);
const SLUICE = `node ${join(ROOT, 'bin', 'sluice.mjs')}`;
const PG = { host: '127.0.0.1', port: 5432, user: 'postgres', db: 'test' };
const MY = { host: '127.0.0.1', port: 3306, user: 'root' };
const PG_SCHEMA = 'bench_migrate';
const PG_LOADER_DB = 'bench_pgloader';
const MY_DB = 'bench_migrate';
const PG_URL = `postgres://${PG.user}@${PG.host}:${PG.port}/${PG.db}?schema=${PG_SCHEMA}`;
const MY_URL = `mysql://${MY.user}@${MY.host}:${MY.port}/${MY_DB}`;
/** A shell word: single quotes, so newlines and double quotes in SQL stay as they are. */
const q = (s) => `'${s.replace(/'/g, `'\\''`)}'`;
const psql = (sql, db = PG.db) => sh(`psql -q -v ON_ERROR_STOP=1 -h ${PG.host} -p ${PG.port} -U ${PG.user} -d ${db} -c ${q(sql)}`);
const mariadb = (sql, db = '') => sh(`mariadb -h ${MY.host} -P ${MY.port} -u ${MY.user} ${db} -e ${q(sql)}`);

const NAMES = ['Ada Lovelace', 'Grace Hopper', 'Alan Turing', 'Edsger Dijkstra', 'Barbara Liskov', 'Donald Knuth', 'Frances Allen', 'Ken Thompson'];
const CITIES = ['Paris', 'London', 'Zürich', 'New York', 'São Paulo', 'Tokyo', 'Lagos', 'Kraków'];

/** The source: one table `t`, declared as a typical SQLite application declares it. */
function generate(file, rows) {
  const Database = require('better-sqlite3');
  rmSync(file, { force: true });
  const db = new Database(file);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT, city TEXT, amount DECIMAL(12,2), qty INT,
    created DATE, updated_at DATETIME, active BOOLEAN, note TEXT)`);
  const add = db.prepare('INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const day = (i) => `20${String(10 + (i % 15)).padStart(2, '0')}-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}`;
  const step = 100_000;
  for (let s = 0; s < rows; s += step) {
    db.transaction(() => {
      for (let i = s; i < Math.min(rows, s + step); i++) {
        add.run(
          i + 1,
          NAMES[i % NAMES.length],
          `user${i}@example.com`,
          CITIES[(i * 7) % CITIES.length],
          `${Math.floor(i / 3) % 100_000}.${String(i % 100).padStart(2, '0')}`,
          i % 1000,
          day(i),
          `${day(i * 7)} ${String(i % 24).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:${String((i * 13) % 60).padStart(2, '0')}`,
          i % 2,
          i % 5 === 0 ? null : `note ${i % 977}`,
        );
      }
    })();
  }
  db.close();
}

/** The DDL the migration plans for `t` in a target dialect (the reference tools load into the same table). */
function plannedDdl(source, target) {
  const out = sh(`${SLUICE} migrate --from ${source} --to '${target}' --dry-run --json --no-store`).stdout;
  return JSON.parse(out).plan.tables[0].create;
}

function resetPostgres() {
  psql(`DROP SCHEMA IF EXISTS ${PG_SCHEMA} CASCADE; CREATE SCHEMA ${PG_SCHEMA}`);
}

function resetMariadb() {
  mariadb(`DROP DATABASE IF EXISTS ${MY_DB}; CREATE DATABASE ${MY_DB} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
}

function count(kind, where) {
  if (kind === 'pg') return Number(sh(`psql -tA -h ${PG.host} -U ${PG.user} -d ${where.db ?? PG.db} -c "SELECT count(*) FROM ${where.table}"`).stdout.trim());
  if (kind === 'my') return Number(sh(`mariadb -N -h ${MY.host} -u ${MY.user} ${MY_DB} -e "SELECT count(*) FROM t"`).stdout.trim());
  return Number(sh(`sqlite3 ${where} "SELECT count(*) FROM t"`).stdout.trim());
}

function expectRows(label, n, want) {
  if (n !== want) throw new Error(`${label}: ${n} rows in the target, expected ${want}`);
}

function ratios(results, sluiceName, lines) {
  const s = results.find((r) => r.name === sluiceName);
  for (const [other, goal] of lines) {
    const o = results.find((r) => r.name === other);
    const ratio = s.seconds / o.seconds;
    console.log(`  ${sluiceName} / ${other}: ${ratio.toFixed(2)}x ${goal(ratio)}`);
  }
}

export async function run({ runs = 5, big = true } = {}) {
  ensureTools({ pgloader: 'pgloader', psql: 'postgresql-client', sqlite3: 'sqlite3', mariadb: 'mariadb-client' });
  const rows = 1_000_000;
  const src = join(WORK, 'migrate-1m.db');
  const csv = join(WORK, 'migrate-1m.csv');
  const tsv = join(WORK, 'migrate-1m.tsv');
  if (!existsSync(src)) {
    console.error('generating the 1M-row source…');
    generate(src, rows);
  }
  // The same rows as CSV (NULL = empty field) for \copy and .import, as TSV (NULL = \N) for LOAD DATA.
  if (!existsSync(csv)) sh(`sqlite3 -csv ${src} "SELECT * FROM t" > ${csv}`);
  if (!existsSync(tsv)) sh(`sqlite3 -tabs -nullvalue '\\N' ${src} "SELECT * FROM t" > ${tsv}`);
  const store = join(WORK, 'migrate-store.db');
  const out = join(WORK, 'migrate-out.db');
  resetPostgres();
  resetMariadb();
  const pgDdl = plannedDdl(`sqlite:${src}`, PG_URL);
  const myDdl = plannedDdl(`sqlite:${src}`, MY_URL);
  console.log(`\nThe table as the migration plans it:\n${pgDdl}\n${myDdl}`);

  // --- SQLite -> PostgreSQL -----------------------------------------------------------
  const toPg = compare(
    [
      { name: 'sluice migrate', cmd: `${SLUICE} migrate --from sqlite:${src} --to '${PG_URL}' --store ${store} --quiet`, rows, reset: resetPostgres, check: () => expectRows('sluice -> pg', count('pg', { table: `${PG_SCHEMA}.t` }), rows) },
      {
        name: 'pgloader',
        cmd: `pgloader --quiet sqlite://${src} pgsql://${PG.user}@${PG.host}:${PG.port}/${PG_LOADER_DB}`,
        rows,
        reset: () => {
          psql(`DROP DATABASE IF EXISTS ${PG_LOADER_DB}`);
          psql(`CREATE DATABASE ${PG_LOADER_DB}`);
        },
        check: () => expectRows('pgloader', count('pg', { db: PG_LOADER_DB, table: 't' }), rows),
      },
      {
        name: 'psql \\copy (csv)',
        cmd: `psql -q -h ${PG.host} -U ${PG.user} -d ${PG.db} -c "\\copy ${PG_SCHEMA}.t FROM '${csv}' csv"`,
        rows,
        reset: () => {
          resetPostgres();
          psql(pgDdl.replace(/^CREATE TABLE "t"/, `CREATE TABLE ${PG_SCHEMA}."t"`));
        },
        check: () => expectRows('\\copy', count('pg', { table: `${PG_SCHEMA}.t` }), rows),
      },
    ].map(withReset),
    runs,
    (c) => c.reset(),
  );
  printTable('SQLite -> PostgreSQL, 1M rows, 10 columns', toPg, 'psql \\copy (csv)');
  ratios(toPg, 'sluice migrate', [
    ['pgloader', (r) => `(goal: at most 0.5x, i.e. 2x faster: ${r <= 0.5 ? 'met' : 'MISSED'})`],
    ['psql \\copy (csv)', (r) => `(goal: at most 1.3x: ${r <= 1.3 ? 'met' : 'MISSED'})`],
  ]);

  // --- PostgreSQL -> SQLite -----------------------------------------------------------
  // The source: the table the last run left in PostgreSQL (1M rows, the planned types).
  resetPostgres();
  sh(`${SLUICE} migrate --from sqlite:${src} --to '${PG_URL}' --store ${store} --quiet`);
  const liteDdl = plannedDdl(PG_URL, `sqlite:${join(WORK, 'migrate-plan-only.db')}`);
  const fromPg = compare(
    [
      { name: 'sluice migrate', cmd: `${SLUICE} migrate --from '${PG_URL}' --to sqlite:${out} --store ${store} --quiet`, rows, reset: () => rmSync(out, { force: true }), check: () => expectRows('pg -> sluice', count('lite', out), rows) },
      {
        name: 'sqlite3 .import (csv)',
        cmd: `sqlite3 ${out} ".import --csv ${csv} t"`,
        rows,
        reset: () => {
          rmSync(out, { force: true });
          sh(`sqlite3 ${out} ${q(liteDdl)}`);
        },
        check: () => expectRows('.import', count('lite', out), rows),
      },
    ].map(withReset),
    runs,
    (c) => c.reset(),
  );
  printTable('PostgreSQL -> SQLite, 1M rows, 10 columns', fromPg, 'sqlite3 .import (csv)');
  ratios(fromPg, 'sluice migrate', [['sqlite3 .import (csv)', (r) => `(goal: at most 1.5x: ${r <= 1.5 ? 'met' : 'MISSED'})`]]);

  // --- SQLite -> MariaDB --------------------------------------------------------------
  const toMy = compare(
    [
      { name: 'sluice migrate', cmd: `${SLUICE} migrate --from sqlite:${src} --to '${MY_URL}' --store ${store} --quiet`, rows, reset: resetMariadb, check: () => expectRows('sluice -> mariadb', count('my'), rows) },
      {
        name: 'LOAD DATA LOCAL INFILE (tsv)',
        cmd: `mariadb --local-infile=1 -h ${MY.host} -u ${MY.user} ${MY_DB} -e "LOAD DATA LOCAL INFILE '${tsv}' INTO TABLE t CHARACTER SET utf8mb4"`,
        rows,
        reset: () => {
          resetMariadb();
          mariadb(myDdl, MY_DB);
        },
        check: () => expectRows('LOAD DATA', count('my'), rows),
      },
    ].map(withReset),
    runs,
    (c) => c.reset(),
  );
  printTable('SQLite -> MariaDB, 1M rows, 10 columns', toMy, 'LOAD DATA LOCAL INFILE (tsv)');
  ratios(toMy, 'sluice migrate', [['LOAD DATA LOCAL INFILE (tsv)', (r) => `(goal: at most 1.5x: ${r <= 1.5 ? 'met' : 'MISSED'})`]]);

  // --- memory at 10M rows -------------------------------------------------------------
  let memory;
  if (big) {
    const src10 = join(WORK, 'migrate-10m.db');
    if (!existsSync(src10)) {
      console.error('generating the 10M-row source…');
      generate(src10, 10_000_000);
    }
    memory = compare(
      [
        { name: 'sluice SQLite -> PostgreSQL, 10M', cmd: `${SLUICE} migrate --from sqlite:${src10} --to '${PG_URL}' --store ${store} --quiet`, rows: 10_000_000, reset: resetPostgres },
        { name: 'sluice PostgreSQL -> SQLite, 10M', cmd: `${SLUICE} migrate --from '${PG_URL}' --to sqlite:${out} --store ${store} --quiet`, rows: 10_000_000, reset: () => rmSync(out, { force: true }) },
      ],
      1,
      (c) => c.reset(),
    );
    printTable('Peak memory as data grows: 10M rows (one run each)', [toPg[0], fromPg[0], ...memory], 'sluice migrate');
  }
  const peak = Math.max(toPg[0].peakMB, fromPg[0].peakMB, toMy[0].peakMB, ...(memory ?? []).map((m) => m.peakMB));
  console.log(`\npeak RSS of sluice migrate: ${peak} MB (goal: under 300 MB${memory ? ', the same at 1M and 10M' : ''}: ${peak < 300 ? 'met' : 'MISSED'})`);
  saveResults('migrate', { sqliteToPostgres: toPg, postgresToSqlite: fromPg, sqliteToMariadb: toMy, memory });
  resetPostgres();
  resetMariadb();
  psql(`DROP DATABASE IF EXISTS ${PG_LOADER_DB}`);
  rmSync(out, { force: true });
}

/** compare() calls prepare before each measured run: reset the target, then check the previous run's rows. */
function withReset(c) {
  let previous;
  return {
    ...c,
    reset: () => {
      previous?.();
      c.reset();
      previous = c.check;
    },
  };
}
