/**
 * Micro-benchmark of compiled expressions (not a test): npx tsx app/expr/expr.bench.ts
 * Prints rows per second for a few typical filters and derivations over 1M in-memory rows.
 */
import { Decimal } from '../model/decimal';
import { col } from '../model/schema';
import { T } from '../model/types';
import type { Row } from '../model/values';
import { compileExpression } from './compile-expression';
import { isTrue } from './compile';

const N = 1_000_000;
const STATUSES = ['paid', 'open', 'void', 'paid', 'refunded'];

function rows(priceAs: 'float' | 'decimal'): Row[] {
  const out: Row[] = new Array(N);
  for (let i = 0; i < N; i++) {
    const cents = (i * 7919) % 20000;
    out[i] = [i % 50, priceAs === 'float' ? cents / 100 : Decimal.of(BigInt(cents), 2), STATUSES[i % 5], `  User${i}@Example.COM `, i % 7 === 0 ? null : i];
  }
  return out;
}

function measure(label: string, text: string, priceAs: 'float' | 'decimal', data: Row[], filter: boolean): void {
  const scope = { columns: [col('quantity', T.int), col('price', priceAs === 'float' ? T.float : T.decimal(10, 2)), col('status', T.text), col('email', T.text), col('n', T.bigint)] };
  const c = compileExpression(text, scope);
  const params = {};
  let best = Infinity;
  let kept = 0;
  for (let rep = 0; rep < 7; rep++) {
    kept = 0;
    const t0 = process.hrtime.bigint();
    if (filter) {
      for (let i = 0; i < data.length; i++) if (isTrue(c.evaluate(data[i], params))) kept++;
    } else {
      for (let i = 0; i < data.length; i++) if (c.evaluate(data[i], params) !== null) kept++;
    }
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    best = Math.min(best, ms);
  }
  const rate = (data.length / best) * 1000;
  console.log(`${label.padEnd(46)} ${(rate / 1e6).toFixed(1).padStart(6)} M rows/s  (${best.toFixed(1)} ms per 1M rows, ${kept} kept)`);
}

const floatRows = rows('float');
const decimalRows = rows('decimal');
console.log(`node ${process.version}, best of 7 runs over ${N.toLocaleString('en')} rows`);
measure("filter, price float", "quantity * price >= 100 AND status = 'paid'", 'float', floatRows, true);
measure("filter, price decimal(10,2)", "quantity * price >= 100 AND status = 'paid'", 'decimal', decimalRows, true);
measure('filter, int only', 'quantity > 10 AND quantity % 3 = 0', 'float', floatRows, true);
measure("filter, LIKE prefix + IN", "status IN ('paid', 'open') AND email LIKE '  User1%'", 'float', floatRows, true);
measure('derive lower(trim(email))', 'lower(trim(email))', 'float', floatRows, false);
measure('derive n * 3 + quantity (nullable bigint)', 'n * 3 + quantity', 'float', floatRows, false);
measure('derive CASE on price', "CASE WHEN price > 150 THEN 'high' WHEN price > 50 THEN 'mid' ELSE 'low' END", 'float', floatRows, false);
