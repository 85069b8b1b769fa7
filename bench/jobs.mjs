// Issue 4's benchmarks (`npm run bench -- jobs`):
//  1. A CPU-bound pipeline (derives and a validate) over 1M CSV rows, as a batch job on 2
//     workers against 1 (and against the plain single-threaded run). Goal: 2 workers at
//     least 1.7x faster than 1.
//  2. A full-diff sync of a 1M-row table with 1% of its rows changed before each run, against
//     a full re-copy of the table with the same connectors. Goal: at least 3x faster.
// Medians of several runs, interleaved (lib.mjs). Needs PostgreSQL on 127.0.0.1:5432 (part 2).
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { generateOrdersCsv } from './gen-orders-csv.mjs';
import { compare, printTable, ROOT, saveResults, sh, WORK } from './lib.mjs';

function printCpu(results) {
  for (const r of results) console.log(`  ${r.name}: CPU ${r.cpuSeconds.toFixed(2)} s (median, user + sys); 1-min load average during its runs: ${r.load.join(', ')}`);
}

const SLUICE = `node ${join(ROOT, 'bin', 'sluice.mjs')}`;
const DIR = join(WORK, 'jobs');
const PG = 'postgres://postgres@127.0.0.1:5432/test';
const PSQL = 'psql -h 127.0.0.1 -U postgres -d test -q -v ON_ERROR_STOP=1';
const ROWS = 1_000_000;

function cpuPipeline() {
  writeFileSync(
    join(DIR, 'cpu.yaml'),
    `version: 1
name: bench-cpu
nodes:
  - { id: src, type: source, config: { connection: "csv:../orders-1m.csv" } }
  - id: d1
    type: derive
    config:
      columns:
        - { name: total, expr: "quantity * price" }
        - { name: domain, expr: "lower(substr(email, position('@' in email) + 1))" }
        - { name: code, expr: "upper(product) || '-' || country || '-' || status" }
  - id: d2
    type: derive
    config:
      columns:
        - { name: net, expr: "round(total / 1.19, 2)" }
        - { name: size, expr: "CASE WHEN total > 1000 THEN 'big' WHEN total > 100 THEN 'mid' ELSE 'small' END" }
        - { name: month, expr: "substr(cast(ordered_at AS text), 1, 7)" }
        - { name: tag, expr: "lower(code) || ':' || size || ':' || month" }
  - id: check
    type: validate
    config:
      rules:
        - { name: positive_quantity, expr: "quantity > 0", message: "quantity must be positive" }
        - { name: known_domain, expr: "domain = 'example.com'", message: "unexpected domain" }
        - { name: sane_total, expr: "net < 100000", message: "total out of range" }
  - { id: slim, type: select, config: { columns: [id, tag, net, size, month] } }
  - { id: dst, type: sink, config: { connection: "csv:./cpu-out.csv", mode: truncate-insert } }
edges:
  - { from: src, to: d1 }
  - { from: d1, to: d2 }
  - { from: d2, to: check }
  - { from: check, to: slim }
  - { from: slim, to: dst }
`,
  );
}

/** Part 1 alone (no PostgreSQL needed): `node -e "import('./bench/jobs.mjs').then((m) => m.batchBench(3))"`. */
export async function batchBench(runs) {
  sh(`mkdir -p ${DIR}`);
  const input = join(WORK, 'orders-1m.csv');
  if (sh(`test -f ${input}`, { allowFail: true }).status !== 0) await generateOrdersCsv(input, ROWS);
  cpuPipeline();
  const cd = `cd ${DIR} && `;
  // Exit code 3 = rows were rejected (the validate rejects some on purpose).
  const run = (flags) => `${cd}${SLUICE} run --no-store --quiet ${flags} cpu.yaml; test $? -le 3`;
  const results = compare(
    [
      { name: 'batch, 2 workers', cmd: run('--workers 2'), rows: ROWS },
      { name: 'batch, 1 worker', cmd: run('--workers 1'), rows: ROWS },
      { name: 'single-threaded run', cmd: run(''), rows: ROWS },
    ],
    runs,
  );
  printTable('CPU-bound pipeline (2 derives, 3 rules) over 1M CSV rows: batch job workers', results, 'batch, 1 worker');
  printCpu(results);
  const two = results[0].seconds;
  console.log(`\n2 workers vs 1: ${(results[1].seconds / two).toFixed(2)}x faster (goal 1.7x); vs the single-threaded run: ${(results[2].seconds / two).toFixed(2)}x`);
  rmSync(join(DIR, 'cpu-out.csv'), { force: true });
  return results;
}

// A 1M-row table: ten columns of mixed types, ~20% NULLs in one.
const TABLE_SQL = (name) => `CREATE TABLE ${name} AS SELECT g AS id, 'name ' || g AS name, 'user' || g || '@example.com' AS email,
  (g % 100) AS qty, round((g % 10000) / 100.0, 2)::numeric(10,2) AS price, (ARRAY['paid','pending','refunded'])[1 + g % 3] AS status,
  timestamp '2024-01-01' + g * interval '1 second' AS updated_at, (g % 2 = 0) AS active,
  CASE WHEN g % 5 = 0 THEN NULL ELSE 'note ' || (g % 1000) END AS note, g * 7 AS score
  FROM generate_series(1, ${ROWS}) g; ALTER TABLE ${name} ADD PRIMARY KEY (id);`;

let round = 0;
/** 1% of the rows change: 6,000 updated, 2,000 deleted, 2,000 inserted (spread over the table). */
function changeOnePercent() {
  round++;
  const r = round;
  sh(`${PSQL} -c "UPDATE jobs_bench.src SET qty = qty + 1, note = 'changed ${r}' WHERE id % 166 = ${r % 166} AND id <= 996000;
    DELETE FROM jobs_bench.src WHERE id IN (SELECT id FROM jobs_bench.src WHERE id % 499 = ${(r * 7) % 499} ORDER BY id LIMIT 2000);
    INSERT INTO jobs_bench.src SELECT g, 'new ' || g, 'new' || g || '@example.com', 1, 1.00, 'paid', now()::timestamp, true, NULL, 0
      FROM generate_series(${ROWS + r * 2000 + 1}, ${ROWS + r * 2000 + 2000}) g;"`);
}

function syncFiles() {
  writeFileSync(
    join(DIR, 'full-sync.yaml'),
    `version: 1
kind: sync
name: bench-full-diff
connections:
  pg: { url: "${PG}?schema=jobs_bench" }
source: { connection: pg, table: src }
target: { connection: pg, table: dst }
mode: full
`,
  );
  writeFileSync(
    join(DIR, 'recopy.yaml'),
    `version: 1
name: bench-recopy
connections:
  pg: { url: "${PG}?schema=jobs_bench" }
nodes:
  - { id: src, type: source, config: { connection: pg, table: src } }
  - { id: dst, type: sink, config: { connection: pg, table: dst_copy, mode: truncate-insert } }
edges:
  - { from: src, to: dst }
`,
  );
}

/** Part 2 alone: `node -e "import('./bench/jobs.mjs').then((m) => m.syncBench(3))"`. */
export async function syncBench(runs) {
  if (sh(`pg_isready -h 127.0.0.1 -p 5432`, { allowFail: true }).status !== 0) {
    console.log('\n(PostgreSQL does not answer on 127.0.0.1:5432: the sync benchmark is skipped)');
    return undefined;
  }
  sh(`${PSQL} -c "DROP SCHEMA IF EXISTS jobs_bench CASCADE; CREATE SCHEMA jobs_bench; ${TABLE_SQL('jobs_bench.src')} CREATE TABLE jobs_bench.dst AS SELECT * FROM jobs_bench.src; ALTER TABLE jobs_bench.dst ADD PRIMARY KEY (id); ANALYZE jobs_bench.src; ANALYZE jobs_bench.dst;"`);
  syncFiles();
  const home = join(DIR, 'home');
  rmSync(home, { recursive: true, force: true });
  const cd = `cd ${DIR} && `;
  const sync = `${cd}${SLUICE} sync full-sync.yaml --store ${join(home, 'workbench.db')} --quiet`;
  // The sync's first run (nothing to do), and the copy's table made once.
  sh(sync);
  sh(`${cd}${SLUICE} run --no-store --quiet recopy.yaml`);
  const results = compare(
    [
      { name: 'full-diff sync, 1% changed', cmd: sync, rows: ROWS },
      { name: 'full re-copy (truncate + insert)', cmd: `${cd}${SLUICE} run --no-store --quiet recopy.yaml`, rows: ROWS },
    ],
    runs,
    (c) => {
      if (c.name.startsWith('full-diff')) changeOnePercent();
    },
  );
  printTable('PostgreSQL -> PostgreSQL, 1M-row table (10 columns), 1% of rows changed before each sync', results, 'full re-copy (truncate + insert)');
  printCpu(results);
  console.log(`\nfull-diff sync vs re-copy: ${(results[1].seconds / results[0].seconds).toFixed(2)}x faster (goal 3x)`);
  // The target must equal the source after the last run.
  const check = sh(`${PSQL} -Atc "SELECT (SELECT count(*) FROM jobs_bench.src), (SELECT count(*) FROM (SELECT * FROM jobs_bench.src EXCEPT SELECT * FROM jobs_bench.dst) d), (SELECT count(*) FROM (SELECT * FROM jobs_bench.dst EXCEPT SELECT * FROM jobs_bench.src) d)"`).stdout.trim();
  console.log(`after the last sync: source rows, rows only in the source, rows only in the target = ${check.replaceAll('|', ', ')}`);
  sh(`${PSQL} -c "DROP SCHEMA IF EXISTS jobs_bench CASCADE"`);
  return results;
}

export async function run({ runs = 5 } = {}) {
  sh(`mkdir -p ${DIR}`);
  console.log(`\n(jobs suite: ${loadavg().map((x) => x.toFixed(1)).join(' / ')} load average at the start, on ${spawnSync('nproc', { encoding: 'utf8' }).stdout.trim()} cores)`);
  const batch = await batchBench(runs);
  const sync = await syncBench(Math.max(3, Math.min(runs, 5)));
  saveResults('jobs', { batch, sync });
}
