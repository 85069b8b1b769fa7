import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { Decimal } from '../model/decimal';
import type { Value } from '../model/values';
import { walk } from './ast';
import { checkExpression } from './check';
import { compileAst } from './compile';
import { functionReference } from './docs-functions';
import { ExprRuntimeError } from './errors';
import { FUNCTIONS, lookupFunction } from './functions/index';
import { parseExpression } from './parser';
import { renderSqlDetailed } from './render-sql';
import { registerSqliteFunctions } from './sqlite-functions';
import { normalize, sameResult } from './test-databases';

/** [expression, expected value]; an Error as the expectation means a row error whose message contains its text. */
const CASES: [string, Value | Error][] = [
  // string
  ["lower('ÉMILE Ø')", 'émile ø'],
  ["upper('straße')", 'STRAßE'],
  ["upper('héllo')", 'HÉLLO'],
  ["trim('  a b  ')", 'a b'],
  ["trim('\ta ')", '\ta'],
  ["trim('xxaxx', 'x')", 'a'],
  ["btrim('xyaxy', 'yx')", 'a'],
  ["ltrim('  a ')", 'a '],
  ["ltrim('xxa', 'x')", 'a'],
  ["rtrim('  a ')", '  a'],
  ["rtrim('a..', '.')", 'a'],
  ["length('héllo')", 5],
  ["length('😀')", 1],
  ["char_length('')", 0],
  ["octet_length('é')", 2],
  ["substr('hello', 2, 3)", 'ell'],
  ["substr('hello', 0, 2)", 'h'],
  ["substr('hello', -1, 3)", 'h'],
  ["substr('hello', 3)", 'llo'],
  ["substr('hello', 9)", ''],
  ["substr('😀ab', 2, 1)", 'a'],
  ["substring('hello' FROM 2 FOR 2)", 'el'],
  ["substr('hello', 1, -1)", new Error('substr: negative length -1')],
  ["replace('a-b-c', '-', '')", 'abc'],
  ["replace('abc', '', 'x')", 'abc'],
  ["replace('aaa', 'aa', 'b')", 'ba'],
  ["left('hello', 2)", 'he'],
  ["left('hello', -1)", ''],
  ["right('hello', 3)", 'llo'],
  ["right('hé', 5)", 'hé'],
  ["lpad('7', 3, '0')", '007'],
  ["lpad('hello', 3)", 'hel'],
  ["lpad('hi', 5, '')", 'hi'],
  ["lpad('ab', 5, 'xy')", 'xyxab'],
  ["lpad('a', -1, 'x')", ''],
  ["rpad('ab', 4, '.')", 'ab..'],
  ["rpad('é', 3, '😀')", 'é😀😀'],
  ["concat('a', NULL, 1)", 'a1'],
  ['concat(NULL, NULL)', ''],
  ["concat('on ', DATE '2024-01-31', ' ', TRUE)", 'on 2024-01-31 true'],
  ["strpos('hello', 'l')", 3],
  ["strpos('héllo', 'l')", 3],
  ["strpos('abc', '')", 1],
  ["instr('abc', 'z')", 0],
  ["POSITION('b' IN 'abc')", 2],
  ["contains('hello', 'ell')", true],
  ["contains('hello', 'L')", false],
  ["starts_with('hello', 'he')", true],
  ["starts_with('hello', 'He')", false],
  ["ends_with('report.csv', '.csv')", true],
  ["ends_with('a', 'ba')", false],
  ["reverse('abc')", 'cba'],
  ["reverse('a😀b')", 'b😀a'],
  ["split_part('a,b,c', ',', 2)", 'b'],
  ["split_part('a,b', ',', 5)", ''],
  ["split_part('abc', '', 1)", 'abc'],
  ["split_part('a,b', ',', 0)", new Error('field number must be 1 or more')],
  ["repeat('ab', 3)", 'ababab'],
  ["repeat('x', 0)", ''],
  ["repeat('x', -1)", ''],
  ["regexp_like('AB12', '^[A-Z]{2}[0-9]+$')", true],
  ["regexp_like('ab', 'B')", false],
  ["is_email('ana@example.org')", true],
  ["is_email('ana@example')", false],
  ["is_numeric(' -1.5e3 ')", true],
  ["is_numeric('1,5')", false],
  ["is_numeric('')", false],
  ["md5('abc')", '900150983cd24fb0d6963f7d28e17f72'],
  ["sha256('abc')", 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
  // number
  ['abs(-3)', 3],
  ['abs(-1.50)', Decimal.parse('1.50')!],
  ['abs(-2.5e0)', 2.5],
  ['round(2.5)', Decimal.parse('3')!],
  ['round(-2.5)', Decimal.parse('-3')!],
  ['round(2.5e0)', 3],
  ['round(-0.5e0)', -1],
  ['round(1234.567, -2)', Decimal.parse('1200')!],
  ['round(2.675e0, 2)', 2.68],
  ['round(1.005, 2)', Decimal.parse('1.01')!],
  ['round(15, -1)', 20],
  ['round(-15, -1)', -20],
  ['round(-9223372036854775807 - 1, -2)', -9223372036854775800n],
  ['trunc(-2.7)', Decimal.parse('-2')!],
  ['trunc(1234.567, -2)', Decimal.parse('1200')!],
  ['trunc(2.675e0, 2)', 2.67],
  ['truncate(-1.99e0)', -1],
  ['trunc(-19, -1)', -10],
  ['ceil(1.2)', Decimal.parse('2')!],
  ['ceil(-1.2)', Decimal.parse('-1')!],
  ['ceiling(1.5e0)', 2],
  ['floor(1.8)', Decimal.parse('1')!],
  ['floor(-1.2)', Decimal.parse('-2')!],
  ['floor(-1.5e0)', -2],
  ['floor(7)', 7],
  ['mod(-7, 3)', -1],
  ['mod(7.5, 2)', Decimal.parse('1.5')!],
  ['power(2, 10)', 1024],
  ['pow(2.5, 2)', 6.25],
  ['power(0, -1)', new Error('zero raised to a negative power')],
  ['power(-8, 0.5e0)', new Error('a negative base needs a whole exponent')],
  ['power(10, 400)', new Error('float out of range')],
  ['sqrt(16)', 4],
  ['sqrt(-1)', new Error('square root of a negative number')],
  ['ln(1)', 0],
  ['ln(0)', new Error('logarithm of a number <= 0')],
  ['log10(1000)', 3],
  ['exp(0)', 1],
  ['sign(-4.2)', -1],
  ['sign(0)', 0],
  ['sign(2.5e0)', 1],
  ['greatest(3, 7, 5)', 7],
  ['least(3, 7, 5)', 3],
  ['greatest(1, NULL)', null],
  ["greatest('a', 'B')", 'a'],
  ["least('é', 'z')", 'z'],
  ['greatest(1, 2.5)', Decimal.parse('2.5')!],
  ["least(DATE '2024-01-31', DATE '1969-12-31')", '1969-12-31'],
  ['greatest(TRUE, FALSE)', true],
  // date and time
  ["year(DATE '2024-03-15')", 2024],
  ["year(DATE '0099-01-05')", 99],
  ["quarter(DATE '2024-03-15')", 1],
  ["month(TIMESTAMP '2024-03-15 10:00:00')", 3],
  ["week(DATE '2021-01-01')", 53],
  ["week(DATE '2024-12-30')", 1],
  ["day(DATE '2024-02-29')", 29],
  ["dayofmonth(DATE '2024-03-15')", 15],
  ["day_of_week(DATE '2024-01-07')", 0],
  ["dow(DATE '1969-12-31')", 3],
  ["day_of_year(DATE '2024-12-31')", 366],
  ["doy(DATE '2023-12-31')", 365],
  ["hour(TIMESTAMP '2024-03-15 13:45:10')", 13],
  ["hour(DATE '2024-03-15')", 0],
  ["hour(TIME '07:08:09')", 7],
  ["minute(TIMESTAMP '2024-03-15 13:45:10')", 45],
  ["second(TIMESTAMP '2024-03-15 13:45:10.75')", 10],
  ["EXTRACT(MONTH FROM DATE '2024-03-15')", 3],
  ["EXTRACT(DOY FROM DATE '2024-02-01')", 32],
  ["date_trunc('month', DATE '2024-03-15')", '2024-03-01'],
  ["date_trunc('week', DATE '2024-03-15')", '2024-03-11'],
  ["date_trunc('year', DATE '0099-05-07')", '0099-01-01'],
  ["date_trunc('quarter', TIMESTAMP '2024-05-15 10:00:00')", '2024-04-01 00:00:00'],
  ["date_trunc('hour', TIMESTAMP '2024-05-15 10:59:59.999999')", '2024-05-15 10:00:00'],
  ["date_trunc('day', TIMESTAMPTZ '2024-05-15 23:30:00-02:00')", '2024-05-16 00:00:00+00:00'],
  ["date_add(DATE '2024-01-31', 1, 'month')", '2024-02-29'],
  ["date_add(DATE '2024-02-29', 1, 'year')", '2025-02-28'],
  ["date_add(DATE '2024-03-31', -1, 'quarter')", '2023-12-31'],
  ["date_add(DATE '1969-12-31', 1)", '1970-01-01'],
  ["date_add(DATE '1900-02-28', 1, 'week')", '1900-03-07'],
  ["date_add(TIMESTAMP '2024-01-01 00:00:00', -1, 'second')", '2023-12-31 23:59:59'],
  ["date_add(TIMESTAMP '2024-01-01 00:00:00.25', 100000, 'minute')", '2024-03-10 10:40:00.250000'],
  ["date_add(DATE '9999-12-31', 1)", new Error('outside 0001-01-01 .. 9999-12-31')],
  ["date_diff(DATE '2024-03-01', DATE '2024-02-01')", 29],
  ["datediff(TIMESTAMP '2024-01-01 00:00:01', TIMESTAMP '2023-12-31 23:59:59')", 1],
  ["date_diff(DATE '1969-12-31', DATE '1970-01-01')", -1],
  ["to_date('31/01/2024', 'DD/MM/YYYY')", '2024-01-31'],
  ["to_date('29.02.1900', 'DD.MM.YYYY')", new Error('day 29 does not exist')],
  ["to_date('2024-1-5', 'YYYY-MM-DD')", new Error('does not match format')],
  ["to_timestamp('31.01.2024 13:05', 'DD.MM.YYYY HH24:MI')", '2024-01-31 13:05:00'],
  ["to_timestamp('20240131T130559', 'YYYYMMDDTHH24MISS')", '2024-01-31 13:05:59'],
  ["to_char(DATE '2024-01-31', 'DD.MM.YYYY')", '31.01.2024'],
  ["format_date(TIMESTAMP '0099-01-05 07:08:09', 'YYYY-MM-DD HH24:MI:SS')", '0099-01-05 07:08:09'],
  // null handling and logic
  ['coalesce(NULL, 2, 3)', 2],
  ['coalesce(NULL, NULL)', null],
  ['ifnull(NULL, 0)', 0],
  ["nvl('a', 'b')", 'a'],
  ["nullif('n/a', 'n/a')", null],
  ['nullif(1, 2)', 1],
  ['nullif(1, NULL)', 1],
  ["if(1 > 0, 'yes', 'no')", 'yes'],
  ["iif(NULL, 'yes', 'no')", 'no'],
];

const sqlite = new Database(':memory:');
registerSqliteFunctions(sqlite);
afterAll(() => void sqlite.close());

function run(text: string): { value?: Value; error?: ExprRuntimeError; type: NonNullable<ReturnType<typeof checkExpression>['type']>; ast: NonNullable<ReturnType<typeof checkExpression>['ast']> } {
  const r = checkExpression(text, { columns: [] });
  const errors = r.problems.filter((p) => p.severity === 'error');
  if (errors.length || !r.ast || !r.type) throw new Error(`${text}: ${errors.map((p) => p.message).join('; ')}`);
  const c = compileAst(r.ast, { columns: [] }, { type: r.type, nullable: r.nullable, columns: [] });
  try {
    return { value: c.evaluate([], {}), type: r.type, ast: r.ast };
  } catch (e) {
    if (e instanceof ExprRuntimeError) return { error: e, type: r.type, ast: r.ast };
    throw e;
  }
}

describe('function library', () => {
  it.each(CASES)('%s', (text, expected) => {
    const r = run(text);
    if (expected instanceof Error) {
      expect(r.error?.message ?? `no error, got ${String(r.value)}`).toContain(expected.message);
      return;
    }
    expect(r.error).toBeUndefined();
    if (expected instanceof Decimal) expect((r.value as Decimal).normalize().toString()).toBe(expected.normalize().toString());
    else expect(r.value).toEqual(expected);
    // The same expression rendered for SQLite (with the function pack) must agree.
    const { sql, notes } = renderSqlDetailed(r.ast, 'sqlite');
    if (notes.length === 0) {
      const got = (sqlite.prepare(`SELECT ${sql} AS v`).safeIntegers(true).get() as { v: unknown }).v;
      const want = normalize(r.value ?? null, r.type, 'sqlite');
      expect(sameResult(want, normalize(got, r.type, 'sqlite')), `${text} in SQLite: ${sql} gave ${String(got)}, want ${want}`).toBe(true);
    }
  });

  it('has a test case for every function and a complete description of each', () => {
    const used = new Set<string>();
    for (const [text] of CASES) {
      walk(parseExpression(text), (n) => {
        if (n.kind === 'call') used.add(lookupFunction(n.name)?.name ?? n.name);
      });
    }
    const missing = FUNCTIONS.map((f) => f.name).filter((n) => !used.has(n) && n !== 'now' && n !== 'current_date');
    expect(missing).toEqual([]);
    expect(FUNCTIONS.length).toBeGreaterThanOrEqual(30);
    for (const f of FUNCTIONS) {
      expect(f.description.length, f.name).toBeGreaterThan(10);
      expect(f.example.length, f.name).toBeGreaterThan(3);
      expect(f.signature, f.name).toContain(f.name === 'extract' ? 'EXTRACT' : f.name);
    }
    expect(new Set(FUNCTIONS.map((f) => f.category))).toEqual(new Set(['string', 'number', 'date', 'null', 'logic', 'other']));
  });

  it('is documented: docs/expressions.md holds the reference generated from FUNCTIONS', () => {
    const docs = readFileSync(new URL('../../docs/expressions.md', import.meta.url), 'utf8');
    expect(docs.includes(functionReference()), 'regenerate with: npx tsx app/expr/docs-functions.ts').toBe(true);
  });

  it('reads the clock once per compiled expression for now() and current_date', () => {
    const today = new Date().toISOString().slice(0, 10);
    const d = run('current_date');
    expect(d.type).toEqual({ kind: 'date' });
    expect([today, new Date(Date.now() - 5000).toISOString().slice(0, 10)]).toContain(d.value);
    const ts = run('now()');
    expect(ts.type).toEqual({ kind: 'timestamptz' });
    expect(ts.value).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{6})?\+00:00$/);
    expect(run('current_timestamp').type).toEqual({ kind: 'timestamptz' });
  });
});
