import { describe, expect, it } from 'vitest';
import { Decimal } from '../model/decimal';
import { col } from '../model/schema';
import { T, type LogicalType } from '../model/types';
import type { Value } from '../model/values';
import { compileExpression } from './compile-expression';
import { isTrue } from './compile';
import { ExprRuntimeError } from './errors';

/** Columns the tests may use; each evaluation passes values for some of them (others NULL). */
const TYPES: Record<string, LogicalType> = {
  a: T.boolean,
  b: T.boolean,
  i: T.int,
  j: T.int,
  big: T.bigint,
  x: T.decimal(38, 10),
  y: T.decimal(38, 10),
  m: T.decimal(10, 2),
  f: T.float,
  g: T.float,
  s: T.text,
  t: T.text,
  d: T.date,
  e: T.date,
  ts: T.timestamp,
  tz: T.timestamptz,
};
const NAMES = Object.keys(TYPES);
const scope = { columns: NAMES.map((n) => col(n, TYPES[n])), params: { p: T.int, q: T.decimal(), day: T.date } };

function ev(text: string, values: Record<string, Value> = {}, params: Record<string, Value> = {}): Value {
  const c = compileExpression(text, scope);
  return c.evaluate(
    NAMES.map((n) => (n in values ? values[n] : null)),
    params,
  );
}

function fails(text: string, values: Record<string, Value> = {}): ExprRuntimeError {
  try {
    ev(text, values);
  } catch (e) {
    if (e instanceof ExprRuntimeError) return e;
    throw e;
  }
  throw new Error(`expected ${text} to fail`);
}

const dec = (s: string) => Decimal.parse(s)!;
const decStr = (v: Value) => (v instanceof Decimal ? v.toString() : `not a decimal: ${String(v)}`);

describe('three-valued logic', () => {
  const V = [true, false, null] as const;
  const and = (x: boolean | null, y: boolean | null) => (x === false || y === false ? false : x === null || y === null ? null : true);
  const or = (x: boolean | null, y: boolean | null) => (x === true || y === true ? true : x === null || y === null ? null : false);
  for (const x of V)
    for (const y of V) {
      it(`${x} AND ${y} = ${and(x, y)}; ${x} OR ${y} = ${or(x, y)}`, () => {
        expect(ev('a AND b', { a: x, b: y })).toBe(and(x, y));
        expect(ev('a OR b', { a: x, b: y })).toBe(or(x, y));
      });
    }

  it('NOT and IS', () => {
    expect(ev('NOT a', { a: true })).toBe(false);
    expect(ev('NOT a', { a: null })).toBe(null);
    expect(ev('a IS NULL', { a: null })).toBe(true);
    expect(ev('a IS TRUE', { a: null })).toBe(false);
    expect(ev('a IS NOT TRUE', { a: null })).toBe(true);
    expect(ev('a IS FALSE', { a: false })).toBe(true);
    expect(ev('a IS NOT FALSE', { a: null })).toBe(true);
    expect(ev('a IS UNKNOWN', { a: null })).toBe(true);
  });

  it('comparisons with NULL are NULL; IS DISTINCT FROM is not', () => {
    expect(ev('i = j', { i: 1 })).toBe(null);
    expect(ev('i <> j', { i: 1 })).toBe(null);
    expect(ev('NULL = NULL')).toBe(null);
    expect(ev('i IS DISTINCT FROM j', { i: 1 })).toBe(true);
    expect(ev('i IS NOT DISTINCT FROM j')).toBe(true);
    expect(ev('i IS DISTINCT FROM j', { i: 2, j: 2 })).toBe(false);
  });

  it('IN follows SQL: NULL when no match and a NULL is around', () => {
    expect(ev('i IN (1, 2)', { i: 2 })).toBe(true);
    expect(ev('i IN (1, 2)', { i: 3 })).toBe(false);
    expect(ev('i IN (1, NULL)', { i: 1 })).toBe(true);
    expect(ev('i IN (1, NULL)', { i: 3 })).toBe(null);
    expect(ev('i NOT IN (1, NULL)', { i: 3 })).toBe(null);
    expect(ev('i NOT IN (1, 2)', { i: 3 })).toBe(true);
    expect(ev('i IN (1, 2)')).toBe(null);
    expect(ev('i IN (j, 5)', { i: 5 })).toBe(true);
    expect(ev('i IN (j, 6)', { i: 5 })).toBe(null);
    expect(ev("s IN ('a', 'b')", { s: 'A' })).toBe(false);
  });

  it('BETWEEN is two comparisons with AND', () => {
    expect(ev('i BETWEEN 1 AND 3', { i: 3 })).toBe(true);
    expect(ev('i BETWEEN 3 AND 1', { i: 2 })).toBe(false);
    expect(ev('i BETWEEN j AND 3', { i: 5 })).toBe(false);
    expect(ev('i BETWEEN j AND 3', { i: 2 })).toBe(null);
    expect(ev('i NOT BETWEEN 1 AND 3', { i: 5 })).toBe(true);
    expect(ev("s BETWEEN 'a' AND 'c'", { s: 'b' })).toBe(true);
  });

  it('CASE takes the first TRUE branch; NULL conditions do not match', () => {
    expect(ev("CASE WHEN a THEN 'x' WHEN b THEN 'y' ELSE 'z' END", { a: null, b: true })).toBe('y');
    expect(ev("CASE WHEN a THEN 'x' END", { a: false })).toBe(null);
    expect(ev("CASE i WHEN 1 THEN 'one' WHEN NULL THEN 'null' ELSE 'other' END", { i: null })).toBe('other');
    expect(ev("CASE i WHEN 1 THEN 'one' ELSE 'other' END", { i: 1 })).toBe('one');
  });

  it('filters keep only TRUE', () => {
    expect(isTrue(true)).toBe(true);
    expect(isTrue(false)).toBe(false);
    expect(isTrue(null)).toBe(false);
  });

  it('NULL propagates through operators and functions', () => {
    for (const e of ['i + 1', 'i * 2', '-i', "s || 'x'", 'upper(s)', 'length(s)', 'abs(i)', 'd + 1', 'year(d)', 'CAST(s AS int)', "s LIKE 'a%'", "replace(s, 'a', 'b')", 'round(x, 2)', 'NOT a']) {
      expect(ev(e), e).toBe(null);
    }
    expect(ev("concat(s, 'x', NULL)")).toBe('x');
    expect(ev('coalesce(i, j, 7)')).toBe(7);
  });
});

describe('numbers', () => {
  it('integer division truncates toward zero; / and % by zero are NULL', () => {
    expect(ev('7 / 2')).toBe(3);
    expect(ev('-7 / 2')).toBe(-3);
    expect(ev('7 / -2')).toBe(-3);
    expect(ev('-7 % 3')).toBe(-1);
    expect(ev('7 % -3')).toBe(1);
    expect(ev('i / 0', { i: 5 })).toBe(null);
    expect(ev('i % 0', { i: 5 })).toBe(null);
    expect(ev('x / 0', { x: dec('1.5') })).toBe(null);
    expect(ev('f / 0', { f: 1.5 })).toBe(null);
    expect(ev('mod(-7, 3)')).toBe(-1);
  });

  it('integers are exact to 64 bits, bigint beyond 2^53', () => {
    expect(ev('big + 1', { big: 9007199254740992 })).toBe(9007199254740993n);
    expect(ev('big * 3', { big: 3074457345618258602n })).toBe(9223372036854775806n);
    expect(ev('big - big', { big: 9223372036854775807n })).toBe(0);
    expect(ev('big / 2', { big: 9223372036854775807n })).toBe(4611686018427387903n);
    expect(ev('big % 10', { big: -9223372036854775808n })).toBe(-8);
    expect(ev('big + 0 = 9007199254740993', { big: 9007199254740993n })).toBe(true);
    expect(ev('2147483647 + 1')).toBe(2147483648);
    expect(ev('i * i', { i: -2147483648 })).toBe(4611686018427387904n);
    expect(ev('-i', { i: -2147483648 })).toBe(2147483648);
  });

  it('integer overflow is a row error naming the operation', () => {
    expect(fails('big + 1', { big: 9223372036854775807n }).message).toBe('integer out of range: 9223372036854775807 + 1 does not fit 64 bits');
    expect(fails('big * big', { big: 4294967296 }).code).toBe('overflow');
    expect(fails('-big', { big: -9223372036854775808n }).message).toContain('does not fit 64 bits');
    expect(fails('big / -1', { big: -9223372036854775808n }).code).toBe('overflow');
    expect(fails('abs(big)', { big: -9223372036854775808n }).code).toBe('overflow');
  });

  it('decimal(38,10) arithmetic is exact', () => {
    const x = dec('1234567890123456789012345678.0123456789');
    const y = dec('0.0000000001');
    expect(decStr(ev('x + y', { x, y }))).toBe('1234567890123456789012345678.0123456790');
    expect(decStr(ev('x - x', { x }))).toBe('0.0000000000');
    expect(decStr(ev('x * y', { x, y }))).toBe('123456789012345678.90123456780123456789');
    expect(decStr(ev('x * 2', { x }))).toBe('2469135780246913578024691356.0246913578');
    expect(decStr(ev('m + 0.1', { m: dec('0.20') }))).toBe('0.30');
    expect(ev('m + 0.1 = 0.3', { m: dec('0.20') })).toBe(true);
    expect(decStr(ev('-x', { x: dec('1.50') }))).toBe('-1.50');
  });

  it('decimal division keeps six more digits, rounded half away from zero', () => {
    expect(decStr(ev('m / 3', { m: dec('10.00') }))).toBe('3.33333333');
    expect(decStr(ev('m / 3', { m: dec('-20.00') }))).toBe('-6.66666667');
    expect(decStr(ev('1.0 / 8'))).toBe('0.1250000');
    expect(decStr(ev('x / y', { x: dec('1'), y: dec('3') }))).toBe('0.3333333333333333');
    expect(decStr(ev('x % 0.3', { x: dec('1.0000000000') }))).toBe('0.1000000000');
  });

  it('floats: IEEE arithmetic, overflow is an error, NaN equals NaN', () => {
    expect(ev('f * 2', { f: 0.1 })).toBe(0.2);
    expect(ev('f + i', { f: 0.5, i: 2 })).toBe(2.5);
    expect(fails('f * f', { f: 1e200 }).code).toBe('overflow');
    expect(ev('f = g', { f: NaN, g: NaN })).toBe(true);
    expect(ev('f > g', { f: NaN, g: 1e300 })).toBe(true);
    expect(ev('f / 2', { f: Infinity })).toBe(Infinity);
  });

  it('mixes number kinds by promotion: int < bigint < decimal < float', () => {
    expect(decStr(ev('i + m', { i: 1, m: dec('2.50') }))).toBe('3.50');
    expect(ev('m * f', { m: dec('2.50'), f: 2 })).toBe(5);
    expect(ev('i = 1.0', { i: 1 })).toBe(true);
    expect(ev('big < 1.5', { big: 1 })).toBe(true);
    expect(ev("'5' + 1")).toBe(6);
  });
});

describe('text', () => {
  it('compares case-sensitively, by code point, without ignoring trailing spaces', () => {
    expect(ev("s = 'abc'", { s: 'ABC' })).toBe(false);
    expect(ev("s = 'a'", { s: 'a ' })).toBe(false);
    expect(ev("s < 'a'", { s: 'B' })).toBe(true);
    expect(ev("s > 'z'", { s: 'é' })).toBe(true);
    // U+FF5E sorts before U+1F600 by code point, although its UTF-16 unit is larger.
    expect(ev('s < t', { s: '～', t: '😀' })).toBe(true);
  });

  it('|| is NULL with a NULL operand and converts other types', () => {
    expect(ev("s || 'x'", { s: null })).toBe(null);
    expect(ev("'n=' || i", { i: 5 })).toBe('n=5');
    expect(ev("'on ' || d", { d: '1969-07-20' })).toBe('on 1969-07-20');
    expect(ev("'flag ' || a", { a: true })).toBe('flag true');
  });

  it('LIKE is case-sensitive with % and _, backslash escapes; ILIKE ignores case', () => {
    expect(ev("s LIKE 'a%'", { s: 'abc' })).toBe(true);
    expect(ev("s LIKE 'A%'", { s: 'abc' })).toBe(false);
    expect(ev("s LIKE '_b_'", { s: 'abc' })).toBe(true);
    expect(ev("s LIKE '_'", { s: '😀' })).toBe(true);
    expect(ev("s LIKE 'a\\%'", { s: 'a%' })).toBe(true);
    expect(ev("s LIKE 'a\\%'", { s: 'ab' })).toBe(false);
    expect(ev("s LIKE 'a!_' ESCAPE '!'", { s: 'a_' })).toBe(true);
    expect(ev("s LIKE '%.%'", { s: 'x.y' })).toBe(true);
    expect(ev("s LIKE 'a.c'", { s: 'abc' })).toBe(false);
    expect(ev("s LIKE '%'", { s: 'line\nbreak' })).toBe(true);
    expect(ev("s ILIKE 'ÉCOLE%'", { s: 'école normale' })).toBe(true);
    expect(ev("s NOT LIKE 'a%'", { s: 'abc' })).toBe(false);
    expect(ev('s LIKE t', { s: 'abc', t: 'a_c' })).toBe(true);
    expect(fails('s LIKE t', { s: 'abc', t: 'a\\' }).message).toContain('ends with the escape character');
  });
});

describe('CAST and TRY_CAST', () => {
  it('text to numbers: surrounding whitespace allowed, anything else fails', () => {
    expect(ev('CAST(s AS int)', { s: ' 42\t' })).toBe(42);
    expect(ev('CAST(s AS bigint)', { s: '-9223372036854775808' })).toBe(-9223372036854775808n);
    expect(decStr(ev('CAST(s AS decimal(10,2))', { s: '1.005' }))).toBe('1.01');
    expect(ev('CAST(s AS float)', { s: '1e3' })).toBe(1000);
    expect(fails('CAST(s AS int)', { s: 'abc' }).message).toBe("CAST to int: 'abc' is not an int");
    expect(fails('CAST(s AS int)', { s: '' }).message).toBe('CAST to int: empty text is not an int');
    expect(fails('CAST(s AS int)', { s: '12.5' }).code).toBe('cast');
    expect(fails('CAST(s AS int)', { s: '3000000000' }).message).toBe('CAST to int: 3000000000 is out of range for int');
    expect(fails('CAST(s AS decimal(4,2))', { s: '123' }).message).toContain('does not fit decimal(4,2)');
    expect(ev('TRY_CAST(s AS int)', { s: 'abc' })).toBe(null);
    expect(ev('TRY_CAST(s AS int)', { s: '' })).toBe(null);
    expect(ev('TRY_CAST(s AS int)', { s: '7' })).toBe(7);
  });

  it('numbers to integers round half away from zero', () => {
    expect(ev('CAST(1.5 AS int)')).toBe(2);
    expect(ev('CAST(-1.5 AS int)')).toBe(-2);
    expect(ev('CAST(2.5 AS int)')).toBe(3);
    expect(ev('CAST(f AS int)', { f: 2.5 })).toBe(3);
    expect(ev('CAST(f AS int)', { f: -0.5 })).toBe(-1);
    expect(ev('CAST(f AS int)', { f: 0.49999999999999994 })).toBe(0);
    expect(ev('CAST(f AS bigint)', { f: 2 ** 60 })).toBe(2n ** 60n);
    expect(fails('CAST(f AS bigint)', { f: 2 ** 63 }).code).toBe('overflow');
    expect(fails('CAST(f AS int)', { f: NaN }).code).toBe('overflow');
  });

  it('booleans, dates and text forms', () => {
    expect(ev('CAST(s AS boolean)', { s: ' YES ' })).toBe(true);
    expect(ev('CAST(s AS boolean)', { s: 'f' })).toBe(false);
    expect(fails('CAST(s AS boolean)', { s: 'maybe' }).code).toBe('cast');
    expect(ev('CAST(a AS text)', { a: false })).toBe('false');
    expect(ev('CAST(a AS int)', { a: true })).toBe(1);
    expect(ev('CAST(s AS date)', { s: '2024-02-29' })).toBe('2024-02-29');
    expect(fails('CAST(s AS date)', { s: '2023-02-29' }).message).toContain('day 29 does not exist in 2023-02');
    expect(ev('CAST(s AS timestamp)', { s: '2024-01-02T03:04:05.1234567' })).toBe('2024-01-02 03:04:05.123457');
    expect(ev('CAST(s AS timestamptz)', { s: '2024-01-01 01:30:00+02:00' })).toBe('2023-12-31 23:30:00+00:00');
    expect(ev('CAST(ts AS date)', { ts: '1969-12-31 23:59:59' })).toBe('1969-12-31');
    expect(ev('CAST(d AS timestamp)', { d: '1900-03-01' })).toBe('1900-03-01 00:00:00');
    expect(ev('CAST(m AS text)', { m: dec('1.50') })).toBe('1.50');
    expect(ev('CAST(f AS text)', { f: 0.1 })).toBe('0.1');
    expect(ev("CAST('A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11' AS uuid)")).toBe('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
    expect(decStr(ev('CAST(f AS decimal(10,2))', { f: 2.675 }))).toBe('2.68');
  });
});

describe('dates and times', () => {
  it('date arithmetic in days, across 1970, leap years and centuries', () => {
    expect(ev('d + 1', { d: '1969-12-31' })).toBe('1970-01-01');
    expect(ev('d + 1', { d: '2024-02-28' })).toBe('2024-02-29');
    expect(ev('d + 1', { d: '1900-02-28' })).toBe('1900-03-01');
    expect(ev('d + 1', { d: '2000-02-28' })).toBe('2000-02-29');
    expect(ev('d - 366', { d: '2024-12-31' })).toBe('2023-12-31');
    expect(ev('d - e', { d: '2024-03-01', e: '1900-03-01' })).toBe(124 * 365 + 31);
    expect(ev("d = '2024-02-29'", { d: '2024-02-29' })).toBe(true);
    expect(ev('d < ts', { d: '2024-01-01', ts: '2024-01-01 00:00:00.000001' })).toBe(true);
    expect(ev('d = ts', { d: '2024-01-01', ts: '2024-01-01 00:00:00' })).toBe(true);
    expect(ev('d + :p', { d: '0001-01-01' }, { p: 365 })).toBe('0002-01-01');
  });

  it('timestamps keep their microseconds', () => {
    expect(ev("date_add(ts, 1, 'second')", { ts: '1969-12-31 23:59:59.999999' })).toBe('1970-01-01 00:00:00.999999');
    expect(ev("date_add(ts, -1, 'day')", { ts: '2024-03-01 12:00:00.000001' })).toBe('2024-02-29 12:00:00.000001');
    expect(ev("date_add(tz, 90, 'minute')", { tz: '2024-12-31 23:00:00.500000+00:00' })).toBe('2025-01-01 00:30:00.500000+00:00');
    expect(ev('second(ts)', { ts: '2024-01-01 10:20:30.999999' })).toBe(30);
    expect(ev('ts > tz', { ts: '2024-01-01 00:00:00.000002', tz: '2024-01-01 00:00:00.000001+00:00' })).toBe(true);
  });

  it('rejects dates beyond year 9999', () => {
    expect(fails("date_add(d, 1, 'day')", { d: '9999-12-31' }).code).toBe('range');
  });
});

describe('parameters', () => {
  it('are typed by the pipeline and converted when given loosely', () => {
    expect(decStr(ev('m * :q', { m: dec('2.50') }, { q: 2 }))).toBe('5.00');
    expect(ev('d >= :day', { d: '2024-01-01' }, { day: '2023-12-31' })).toBe(true);
    expect(fails('i + :p', { i: 1 }).message).toBe('parameter :p has no value');
    expect(() => ev('i + :p', { i: 1 }, { p: 'many' })).toThrow(/parameter :p = "many" is not a int/);
  });
});

describe('evaluation order matches the databases', () => {
  it('evaluates both operands even when one is NULL, so errors are not hidden', () => {
    expect(fails('j + (big + 1)', { big: 9223372036854775807n }).code).toBe('overflow');
    expect(fails('nullif(j, big * 2)', { big: 9223372036854775807n }).code).toBe('overflow');
  });

  it('AND, OR, CASE and coalesce stop early', () => {
    expect(ev('a AND big + 1 > 0', { a: false, big: 9223372036854775807n })).toBe(false);
    expect(ev('CASE WHEN a THEN big + 1 ELSE 0 END', { a: false, big: 9223372036854775807n })).toBe(0);
    expect(ev('coalesce(i, big + 1)', { i: 1, big: 9223372036854775807n })).toBe(1);
    // BETWEEN is x >= lo AND x <= hi: hi is not evaluated once x >= lo is FALSE.
    expect(ev('i BETWEEN 5 AND big + 1', { i: 1, big: 9223372036854775807n })).toBe(false);
    expect(fails('i BETWEEN 0 AND big + 1', { i: 1, big: 9223372036854775807n }).code).toBe('overflow');
  });
});
