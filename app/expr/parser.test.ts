import { describe, expect, it } from 'vitest';
import { Decimal } from '../model/decimal';
import type { Expr } from './ast';
import { ExprError, lineCol } from './errors';
import { parseExpression } from './parser';

/** A compact S-expression of the tree, to assert on structure and precedence. */
function show(e: Expr): string {
  switch (e.kind) {
    case 'literal':
      return e.value === null ? 'NULL' : typeof e.value === 'string' ? `'${e.value}'` : e.value instanceof Decimal ? `${e.value.toString()}d` : `${String(e.value)}${typeof e.value === 'bigint' ? 'n' : ''}`;
    case 'column':
      return e.quoted ? `"${e.name}"` : e.name;
    case 'param':
      return `:${e.name}`;
    case 'unary':
      return `(${e.op} ${show(e.operand)})`;
    case 'binary':
      return `(${e.op} ${show(e.left)} ${show(e.right)})`;
    case 'is':
      return `(is${e.negated ? '-not' : ''}-${e.test} ${show(e.operand)})`;
    case 'distinct':
      return `(${e.negated ? 'not-distinct' : 'distinct'} ${show(e.left)} ${show(e.right)})`;
    case 'in':
      return `(${e.negated ? 'not-in' : 'in'} ${show(e.operand)} ${e.list.map(show).join(' ')})`;
    case 'between':
      return `(${e.negated ? 'not-between' : 'between'} ${show(e.operand)} ${show(e.low)} ${show(e.high)})`;
    case 'like':
      return `(${e.negated ? 'not-' : ''}${e.caseInsensitive ? 'ilike' : 'like'} ${show(e.operand)} ${show(e.pattern)}${e.escape ? ' ' + show(e.escape) : ''})`;
    case 'case':
      return `(case${e.operand ? ' ' + show(e.operand) : ''} ${e.whens.map((w) => `[${show(w.when)} ${show(w.then)}]`).join(' ')}${e.else ? ' else ' + show(e.else) : ''})`;
    case 'cast':
      return `(${e.mode} ${show(e.operand)} ${e.target.kind}${e.target.precision !== undefined ? `(${e.target.precision},${e.target.scale})` : ''})`;
    case 'call':
      return `(${e.name}${e.args.map((a) => ' ' + show(a)).join('')})`;
  }
}

const p = (text: string) => show(parseExpression(text));

function syntaxError(text: string): ExprError {
  try {
    parseExpression(text);
  } catch (e) {
    if (e instanceof ExprError) return e;
    throw e;
  }
  throw new Error(`expected a syntax error for ${text}`);
}

describe('parser: precedence', () => {
  it.each([
    ['a + b * c', '(+ a (* b c))'],
    ['(a + b) * c', '(* (+ a b) c)'],
    ['a - b - c', '(- (- a b) c)'],
    ['a / b % c', '(% (/ a b) c)'],
    ["a || b + c", '(|| a (+ b c))'],
    ['-a * b', '(* (- a) b)'],
    ['a = b AND c <> d OR e', '(or (and (= a b) (<> c d)) e)'],
    ['a OR b AND c', '(or a (and b c))'],
    ['NOT a = b', '(not (= a b))'],
    ['NOT a AND b', '(and (not a) b)'],
    ['a = b IS NULL', '(is-null (= a b))'],
    ['a IS NOT NULL AND b IS TRUE', '(and (is-not-null a) (is-true b))'],
    ['x BETWEEN 1 AND 2 AND y', '(and (between x 1 2) y)'],
    ['x NOT BETWEEN a + 1 AND b * 2', '(not-between x (+ a 1) (* b 2))'],
    ['x IN (1, 2, NULL)', '(in x 1 2 NULL)'],
    ['x NOT IN (a, b + 1)', '(not-in x a (+ b 1))'],
    ["s LIKE 'a%' = TRUE", "(= (like s 'a%') true)"],
    ["s NOT ILIKE '%x' ESCAPE '!'", "(not-ilike s '%x' '!')"],
    ['a IS DISTINCT FROM b', '(distinct a b)'],
    ['a IS NOT DISTINCT FROM b + 1', '(not-distinct a (+ b 1))'],
    ['x::int + 1', '(+ (cast x int) 1)'],
    ['CAST(x AS decimal(12, 2))', '(cast x decimal(12,2))'],
    ['TRY_CAST(x AS double precision)', '(try x float)'],
    ['CAST(x AS timestamp with time zone)', '(cast x timestamptz)'],
  ])('%s', (text, tree) => {
    expect(p(text)).toBe(tree);
  });
});

describe('parser: values and names', () => {
  it('reads numbers by their spelling: int, bigint, exact decimal, float', () => {
    expect(p('2147483647')).toBe('2147483647');
    expect(parseExpression('2147483648').type).toEqual({ kind: 'bigint' });
    expect(parseExpression('-2147483648').type).toEqual({ kind: 'int' });
    expect(parseExpression('-9223372036854775808')).toMatchObject({ value: -9223372036854775808n, type: { kind: 'bigint' } });
    expect(parseExpression('9223372036854775808').type).toMatchObject({ kind: 'decimal', scale: 0 });
    expect(parseExpression('1.50').type).toEqual({ kind: 'decimal', precision: 3, scale: 2 });
    expect(p('.5')).toBe('0.5d');
    expect(parseExpression('1e3')).toMatchObject({ value: 1000, type: { kind: 'float' } });
    expect(parseExpression('2.5E-3')).toMatchObject({ value: 0.0025, type: { kind: 'float' } });
  });

  it('reads strings with doubled quotes, and unicode as is', () => {
    expect(parseExpression("'it''s'")).toMatchObject({ value: "it's" });
    expect(parseExpression("'日本😀'")).toMatchObject({ value: '日本😀', start: 0, end: 6 });
    expect(parseExpression("'a\\b'")).toMatchObject({ value: 'a\\b' });
  });

  it('reads quoted identifiers with spaces, quotes and any case', () => {
    expect(p('"unit price" * 2')).toBe('(* "unit price" 2)');
    expect(p('"say ""hi"""')).toBe('"say "hi""');
    expect(p('"select"')).toBe('"select"');
    expect(p('`order id`')).toBe('"order id"');
    expect(p('straße + größe')).toBe('(+ straße größe)');
  });

  it('reads parameters, typed literals, keywords and comments', () => {
    expect(p('total >= :min_total')).toBe('(>= total :min_total)');
    expect(p(':"odd name"')).toBe(':odd name');
    expect(p("DATE '2024-02-29'")).toBe("'2024-02-29'");
    expect(parseExpression("DATE '2024-02-29'").type).toEqual({ kind: 'date' });
    expect(parseExpression("TIMESTAMP '1969-12-31 23:59:59.5'")).toMatchObject({ value: '1969-12-31 23:59:59.500000', type: { kind: 'timestamp' } });
    expect(p('a + 1 -- a comment\n + /* another */ 2')).toBe('(+ (+ a 1) 2)');
    expect(p('current_date')).toBe('(current_date)');
    expect(p('CURRENT_TIMESTAMP')).toBe('(now)');
  });

  it('reads CASE, EXTRACT, POSITION and SUBSTRING forms', () => {
    expect(p("CASE WHEN a > 0 THEN 'pos' WHEN a < 0 THEN 'neg' ELSE 'zero' END")).toBe("(case [(> a 0) 'pos'] [(< a 0) 'neg'] else 'zero')");
    expect(p("CASE status WHEN 'a' THEN 1 END")).toBe("(case status ['a' 1])");
    expect(p('EXTRACT(YEAR FROM d)')).toBe("(extract 'year' d)");
    expect(p("POSITION('x' IN s)")).toBe("(strpos s 'x')");
    expect(p('SUBSTRING(s FROM 2 FOR 3)')).toBe('(substr s 2 3)');
    expect(p('substring(s, 2)')).toBe('(substring s 2)');
    expect(p('coalesce(a, b, 0)')).toBe('(coalesce a b 0)');
  });

  it('records offsets on every node', () => {
    const e = parseExpression('price * "unit count"');
    expect(e).toMatchObject({ start: 0, end: 20, left: { start: 0, end: 5 }, right: { start: 8, end: 20 } });
  });
});

describe('parser: errors carry positions', () => {
  it.each([
    ["name = 'abc", 7, 'unterminated string literal'],
    ['a + ', 4, 'unexpected end of expression'],
    ['a + * b', 4, "unexpected '*'"],
    ['(a + b', 6, "expected ')' to close the parenthesis"],
    ['a < b < c', 6, 'comparisons cannot be chained'],
    ['a b', 2, 'after the end of the expression'],
    ['price ; drop table', 6, "unexpected character ';'"],
    ['1abc', 0, "invalid number '1abc'"],
    ['select', 0, 'unexpected keyword SELECT'],
    ['CAST(x AS money)', 10, "unknown type 'money'"],
    ["DATE '2024-02-30'", 5, 'day 30 does not exist'],
    ['x IN ()', 6, 'IN needs at least one value'],
    ['count(*)', 6, "'*' is not an expression"],
    ['', 0, 'empty expression'],
    ['"unclosed', 0, 'unterminated quoted identifier'],
    [': x', 0, "':' must be followed by a parameter name"],
  ])('%s', (text, offset, message) => {
    const e = syntaxError(text);
    expect(e.problems[0].start).toBe(offset);
    expect(e.problems[0].message).toContain(message);
    expect(e.message).toMatch(/^at \d+:\d+: /);
  });

  it('reports line and column on multi-line text', () => {
    const e = syntaxError("a +\n  b +\n  'x");
    expect(e.message).toMatch(/^at 3:3: unterminated string literal/);
    expect(lineCol("a\nbc", 3)).toEqual({ line: 2, col: 2 });
  });

  it('gives hints', () => {
    expect(syntaxError('a b').problems[0].hint).toContain('missing operator');
    expect(syntaxError('a < b < c').problems[0].hint).toContain('AND');
    expect(syntaxError('from + 1').problems[0].hint).toBe('if it is a column, quote it: "from"');
  });
});

describe('parser and checker: robustness', () => {
  it('never fails with anything but a positioned ExprError on token soup (seeded)', async () => {
    const { prng } = await import('./differential.gen');
    const { checkExpression } = await import('./check');
    const { col } = await import('../model/schema');
    const { T } = await import('../model/types');
    const scope = { columns: [col('a', T.int), col('s', T.text), col('d', T.date)], params: { p: T.int } };
    const pieces = ['a', 's', 'd', ':p', '1', '2.5', '1e3', "'x'", "'", '"', '(', ')', ',', '+', '-', '*', '/', '%', '||', '=', '<', '<>', '::int', 'AND', 'OR', 'NOT', 'IS', 'NULL', 'IN', 'BETWEEN', 'LIKE', 'CASE', 'WHEN', 'THEN', 'ELSE', 'END', 'CAST', 'AS', 'lower(', 'coalesce(', 'substr(', 'date_add(', "DATE '2024-01-01'", 'TRUE', '😀', '--', '/*', '*/', '\n'];
    const rnd = prng(7);
    for (let i = 0; i < 3000; i++) {
      let text = '';
      const n = 1 + Math.floor(rnd() * 8);
      for (let k = 0; k < n; k++) text += pieces[Math.floor(rnd() * pieces.length)] + (rnd() < 0.7 ? ' ' : '');
      try {
        parseExpression(text);
      } catch (e) {
        expect(e, text).toBeInstanceOf(ExprError);
        const p = (e as ExprError).problems[0];
        expect(p.start, text).toBeGreaterThanOrEqual(0);
        expect(p.end, text).toBeLessThanOrEqual(text.length + 1);
      }
      const r = checkExpression(text, scope);
      for (const p of r.problems) expect(p.start, text).toBeLessThanOrEqual(text.length);
    }
  });
});
