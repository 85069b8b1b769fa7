// Issue 2's benchmarks: 1M-row CSV -> filter + derive -> CSV against Miller, memory at 1M
// and 10M rows, and 1M rows CSV -> validate -> SQLite.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateOrdersCsv } from './gen-orders-csv.mjs';
import { compare, ensureTools, printTable, ROOT, saveResults, sh, WORK } from './lib.mjs';

const SLUICE = `node ${join(ROOT, 'bin', 'sluice.mjs')}`;

function pipelines() {
  writeFileSync(
    join(WORK, 'filter-derive.yaml'),
    `version: 1
name: bench-filter-derive
nodes:
  - { id: src, type: source, config: { connection: "csv:./\${INPUT}" } }
  - { id: paid, type: filter, config: { where: "status = 'paid' AND quantity > 0" } }
  - { id: calc, type: derive, config: { columns: [{ name: total, expr: "quantity * price" }] } }
  - { id: dst, type: sink, config: { connection: "csv:./out-sluice.csv", mode: truncate-insert } }
edges:
  - { from: src, to: paid }
  - { from: paid, to: calc }
  - { from: calc, to: dst }
`,
  );
  writeFileSync(
    join(WORK, 'validate-sqlite.yaml'),
    `version: 1
name: bench-validate-sqlite
nodes:
  - { id: src, type: source, config: { connection: "csv:./orders-1m.csv" } }
  - id: check
    type: validate
    config:
      schema: { type: object, required: [id, email], properties: { email: { type: string, format: email } } }
      rules:
        - { name: positive_quantity, expr: "quantity > 0", message: "quantity must be positive" }
  - { id: dst, type: sink, config: { connection: "sqlite:./bench.db", table: orders, mode: replace } }
edges:
  - { from: src, to: check }
  - { from: check, to: dst }
`,
  );
}

export async function run({ runs = 5, big = true } = {}) {
  ensureTools({ mlr: 'miller' });
  const m1 = join(WORK, 'orders-1m.csv');
  const m10 = join(WORK, 'orders-10m.csv');
  if (sh(`test -f ${m1}`, { allowFail: true }).status !== 0) await generateOrdersCsv(m1, 1_000_000);
  if (big && sh(`test -f ${m10}`, { allowFail: true }).status !== 0) await generateOrdersCsv(m10, 10_000_000);
  pipelines();
  const cd = `cd ${WORK} && `;
  // The input file name is a parameter of the shell, substituted into the YAML by sed.
  const prepared = (input) => `${cd}sed "s/\\\${INPUT}/${input}/" filter-derive.yaml > fd-${input}.yaml && ${SLUICE} run --no-store --quiet fd-${input}.yaml; test $? -le 3`;
  const results = compare(
    [
      { name: 'sluice', cmd: prepared('orders-1m.csv'), rows: 1_000_000 },
      {
        name: 'miller (mlr)',
        cmd: `${cd}mlr --icsv --ocsv filter '$status == "paid" && $quantity > 0' then put '$total = $quantity * $price' orders-1m.csv > out-mlr.csv`,
        rows: 1_000_000,
      },
    ],
    runs,
  );
  printTable('1M-row CSV -> filter + derive -> CSV', results, 'miller (mlr)');
  const outRows = sh(`${cd}wc -l < out-sluice.csv; wc -l < out-mlr.csv`).stdout.trim().split('\n');
  console.log(`\noutput rows (with header): sluice ${outRows[0]}, miller ${outRows[1]}`);

  let memory;
  if (big) {
    memory = compare([{ name: 'sluice 10M rows', cmd: prepared('orders-10m.csv'), rows: 10_000_000 }], Math.min(runs, 3));
    printTable('memory as data grows: 10M rows, same pipeline', [results[0], ...memory], 'sluice');
  }

  const validate = compare(
    [{ name: 'sluice validate -> sqlite', cmd: `${cd}rm -f bench.db* && ${SLUICE} run --no-store --quiet validate-sqlite.yaml; test $? -le 3`, rows: 1_000_000 }],
    runs,
  );
  printTable('1M rows CSV -> validate -> SQLite', validate, 'sluice validate -> sqlite');
  saveResults('csv', { filterDerive: results, memory, validate });
  rmSync(join(WORK, 'out-mlr.csv'), { force: true });
}
