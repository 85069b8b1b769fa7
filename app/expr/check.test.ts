import { describe, expect, it } from 'vitest';
import { col } from '../model/schema';
import { T } from '../model/types';
import { checkExpression, type ExprScope } from './check';
import { compileExpression } from './compile-expression';
import { ExprError } from './errors';

const scope: ExprScope = {
  columns: [
    col('id', T.int, false),
    col('email', T.text),
    col('Status', T.text, false),
    col('quantity', T.int),
    col('price', T.decimal(10, 2)),
    col('weight', T.float),
    col('big', T.bigint),
    col('born', T.date),
    col('seen', T.timestamp),
    col('active', T.boolean),
    col('unit price', T.decimal(12, 4)),
    col('doc', T.json),
  ],
  params: { min_total: T.decimal(), since: T.date },
};

const type = (text: string) => {
  const r = checkExpression(text, scope);
  if (r.problems.some((p) => p.severity === 'error')) throw new Error(r.problems.map((p) => p.message).join('; '));
  return r.type;
};

const errors = (text: string) => checkExpression(text, scope).problems.filter((p) => p.severity === 'error');

describe('checker: types', () => {
  it.each([
    ['quantity + 1', { kind: 'bigint' }],
    ['quantity * price', { kind: 'decimal', precision: 20, scale: 2 }],
    ['price * price', { kind: 'decimal', precision: 20, scale: 4 }],
    ['price + 1.005', { kind: 'decimal', precision: 12, scale: 3 }],
    ['price / 3', { kind: 'decimal', precision: 16, scale: 8 }],
    ['quantity / 2', { kind: 'bigint' }],
    ['weight * quantity', { kind: 'float' }],
    ['price * weight', { kind: 'float' }],
    ["email || '!'", { kind: 'text' }],
    ["'n=' || quantity", { kind: 'text' }],
    ['born + 7', { kind: 'date' }],
    ['born - DATE \'2000-01-01\'', { kind: 'int' }],
    ['quantity > 3 AND active', { kind: 'boolean' }],
    ["CASE WHEN active THEN price ELSE 0 END", { kind: 'decimal', precision: 10, scale: 2 }],
    ['CASE WHEN active THEN price ELSE quantity END', { kind: 'decimal', precision: 12, scale: 2 }],
    ['coalesce(quantity, big)', { kind: 'bigint' }],
    ['NULL', { kind: 'text' }],
    ['CAST(email AS decimal(8,3))', { kind: 'decimal', precision: 8, scale: 3 }],
    ['-quantity', { kind: 'bigint' }],
    ['length(email)', { kind: 'int' }],
    ["date_trunc('month', seen)", { kind: 'timestamp' }],
    ['round(price, 1)', { kind: 'decimal', precision: 10, scale: 1 }],
    ['"unit price" * 2', { kind: 'decimal', precision: 13, scale: 4 }],
    ['quantity * price >= :min_total', { kind: 'boolean' }],
  ])('%s', (text, t) => {
    expect(type(text)).toEqual(t);
  });

  it('gives a quoted literal the type of what it meets (as PostgreSQL does)', () => {
    expect(type("born >= '2024-01-31'")).toEqual({ kind: 'boolean' });
    expect(type("quantity IN ('1', '2')")).toEqual({ kind: 'boolean' });
    expect(type("'5' + 1")).toEqual({ kind: 'bigint' });
    expect(type("seen BETWEEN '2024-01-01' AND '2024-12-31 23:59:59'")).toEqual({ kind: 'boolean' });
  });

  it('tracks nullability', () => {
    expect(checkExpression('id + 1', scope).nullable).toBe(false);
    expect(checkExpression('quantity + 1', scope).nullable).toBe(true);
    expect(checkExpression('id / 2', scope).nullable).toBe(false);
    expect(checkExpression('id / id', scope).nullable).toBe(true); // division by zero is NULL
    expect(checkExpression('coalesce(quantity, 0)', scope).nullable).toBe(false);
    expect(checkExpression('quantity IS NULL', scope).nullable).toBe(false);
    expect(checkExpression("CASE WHEN id > 1 THEN 'a' END", scope).nullable).toBe(true);
    expect(checkExpression("concat(email, 'x')", scope).nullable).toBe(false);
    expect(checkExpression('TRY_CAST(Status AS int)', scope).nullable).toBe(true);
  });

  it('lists the columns and parameters used, as the schema spells them', () => {
    const r = checkExpression('status = :p OR quantity * price > :min_total AND quantity > 0', { ...scope, params: { ...scope.params, p: T.text } });
    expect(r.columns).toEqual(['Status', 'quantity', 'price']);
    expect(r.params).toEqual(['p', 'min_total']);
  });

  it('matches unquoted names regardless of case, quoted names exactly', () => {
    expect(type('STATUS')).toEqual({ kind: 'text' });
    expect(errors('"status"')[0].message).toBe("unknown column 'status'");
    expect(errors('"status"')[0].hint).toBe("did you mean 'Status'?");
  });
});

describe('checker: problems', () => {
  it('suggests the column that was meant', () => {
    const [p] = errors("lower(emial) = 'x'");
    expect(p).toMatchObject({ message: "unknown column 'emial'", hint: "did you mean 'email'?", start: 6, end: 11 });
    expect(errors('quantiy > 1')[0].hint).toBe("did you mean 'quantity'?");
    expect(errors('zzz > 1')[0].hint).toContain('columns: id, email');
  });

  it('formats the thrown error with the position', () => {
    let err: unknown;
    try {
      compileExpression("status = 'paid' AND emial = 'x'", scope);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ExprError);
    expect((err as ExprError).message).toBe("at 1:21: unknown column 'emial' (did you mean 'email'?)");
  });

  it.each([
    ["'abc' + 1", "'abc' is not an int"],
    ['email + 1', 'operator + needs numbers, not text'],
    ['born = TRUE', 'cannot compare date with boolean'],
    ['born < active', 'cannot compare date with boolean'],
    ['quantity = email', 'cannot compare int with text'],
    ["born > 'yesterday'", "'yesterday' is not a valid date"],
    ['active + 1', 'operator + needs numbers, not boolean'],
    ['quantity AND active', 'AND must be boolean, not int'],
    ['NOT email', 'NOT must be boolean, not text'],
    ['seen + 1', 'operator + needs numbers, not timestamp'],
    ['quantity || 1', '|| joins text, not int and int'],
    ['weight % 2', '% needs integers or decimals'],
    ['doc = doc', 'json values cannot be compared'],
    ['CAST(born AS boolean)', 'cannot cast date to boolean'],
    ["email LIKE 'a\\'", "LIKE pattern ends with the escape character '\\'"],
    ['upper(quantity)', "upper's first argument must be text, not int"],
    ['substr(email)', 'substr takes 2 to 3 arguments, not 1'],
    ['lenght(email)', "unknown function 'lenght'"],
    ['round(price, quantity)', "round's digits must be a whole-number literal"],
    ["date_add(born, 1, 'hour')", 'a date has no hours'],
    ["date_trunc('fortnight', born)", "unknown unit 'fortnight'"],
    ["to_date(email, 'YYYY-QQ')", "invalid format 'YYYY-QQ'"],
    ['sum(quantity)', "unknown function 'sum'"],
    [':nope > 1', "unknown parameter ':nope'"],
    ['EXTRACT(century FROM born)', "unknown EXTRACT field 'century'"],
  ])('%s', (text, message) => {
    const ps = errors(text);
    expect(ps.length).toBeGreaterThan(0);
    expect(ps[0].message).toContain(message);
  });

  it('gives useful hints', () => {
    expect(errors('lenght(email)')[0].hint).toBe("did you mean 'length'?");
    expect(errors('sum(quantity)')[0].hint).toContain('aggregate node');
    expect(errors('max(quantity, 1)')[0].hint).toContain('greatest(a, b)');
    expect(errors('email + 1')[0].hint).toContain('CAST');
    expect(errors(':min_totl > 1')[0].hint).toBe("did you mean ':min_total'?");
  });

  it('reports every error, not just the first', () => {
    const ps = errors('emial = 1 OR quantiy = 2');
    expect(ps.map((p) => p.message)).toEqual(["unknown column 'emial'", "unknown column 'quantiy'"]);
  });

  it('reports a syntax error as a problem, not an exception', () => {
    const r = checkExpression('quantity +', scope);
    expect(r.ast).toBeUndefined();
    expect(r.problems[0]).toMatchObject({ severity: 'error', start: 10 });
  });

  it('warns about constants that fail on every row, and still compiles them', () => {
    const r = checkExpression("CAST('abc' AS int) + quantity", scope);
    expect(r.problems).toEqual([expect.objectContaining({ severity: 'warning', message: expect.stringContaining("this always fails: CAST to int: 'abc' is not an int"), start: 0, end: 18 })]);
    expect(r.type).toEqual({ kind: 'bigint' });
    expect(checkExpression('9223372036854775807 + 1 > quantity', scope).problems[0].message).toContain('integer out of range');
    expect(checkExpression('1 / 0', scope).problems).toEqual([]);
  });
});
