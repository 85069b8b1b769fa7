import { Decimal } from '../../model/decimal';
import { normalizeInt, type Value } from '../../model/values';
import type { Expr, ExprType } from '../ast';
import { roundFloatToInteger } from '../cast';
import { absInt, cmpBool, cmpBytes, cmpDecimal, cmpFloat, cmpInt, cmpString, cmpText, fail, finite, mulInt } from '../runtime';
import { decimalType, isInteger } from '../typing';
import type { CheckApi, FunctionDef, SqlApi } from './types';
import { BIGINT, FLOAT, INT, argName, byDialect } from './util';

type Num = number | bigint;

/** Rounds an integer half away from zero to a power of ten (digits < 0). */
export function roundIntDigits(x: Num, digits: number, truncate: boolean): Num {
  if (digits >= 0) return x;
  const m = 10n ** BigInt(-digits);
  const b = BigInt(x);
  let q = b / m;
  const r = b % m;
  if (!truncate && (r < 0n ? -r : r) * 2n >= m) q += b < 0n ? -1n : 1n;
  return mulInt(normalizeInt(q), normalizeInt(m));
}

/** Rounds a float as its shortest decimal text reads ("the digits you see"), half away from zero. */
export function roundFloat(x: number, digits: number, truncate: boolean): number {
  if (!Number.isFinite(x)) return x;
  if (digits === 0) return (truncate ? Math.trunc(x) : roundFloatToInteger(x)) + 0;
  const d = Decimal.fromNumber(x);
  if (!d) return x;
  const r = truncate ? d.trunc(digits) : d.round(digits);
  return r.toNumber() + 0;
}

function pgFloat(s: SqlApi, i: number): string {
  return s.nodes[i].type?.kind === 'float' ? s.args[i] : `CAST(${s.args[i]} AS DOUBLE PRECISION)`;
}

/** x as exact decimal text in the database, to round floats by their shortest digits. */
function floatAsDecimal(s: SqlApi, x: string): string {
  return s.dialect === 'postgres' ? `CAST(CAST(${x} AS TEXT) AS NUMERIC)` : `CAST(CAST(${x} AS CHAR) AS DECIMAL(65,30))`;
}

function backToFloat(s: SqlApi, x: string): string {
  return s.dialect === 'postgres' ? `CAST(${x} AS DOUBLE PRECISION)` : `CAST(${x} AS DOUBLE)`;
}

function numericArg(fn: string, i: number, arg: Expr, api: CheckApi): Expr | undefined {
  const a = api.expect(arg, ['numeric'], argName(fn, i));
  if (!a) return undefined;
  return isInteger(a.type!.kind) ? api.coerce(a, BIGINT, argName(fn, i)) : a;
}

function digitsArg(fn: string, arg: Expr | undefined, api: CheckApi): number | undefined | null {
  if (!arg) return 0;
  const d = api.intLiteral(arg);
  if (d === undefined) {
    api.error(arg, `${fn}'s digits must be a whole-number literal such as 2 or -1`);
    return null;
  }
  if (Math.abs(d) > 1000) {
    api.error(arg, `${fn}'s digits must be between -1000 and 1000`);
    return null;
  }
  return d;
}

function roundLike(name: 'round' | 'trunc'): FunctionDef {
  const truncate = name === 'trunc';
  return {
    name,
    ...(truncate ? { aliases: ['truncate'] } : {}),
    category: 'number',
    signature: `${name}(number [, digits int literal])`,
    returns: 'same kind as the argument (int -> bigint; decimal with scale = max(digits, 0))',
    description: truncate
      ? 'Cuts to `digits` places after the decimal point (negative: before it), toward zero.'
      : 'Rounds half away from zero to `digits` places after the decimal point (negative: tens, hundreds...). Floats round by their shortest decimal text: round(2.675, 2) = 2.68 even though the float is slightly below 2.675.',
    example: truncate ? 'trunc(-2.7) = -2; trunc(1234.567, -2) = 1200' : 'round(2.5) = 3; round(-2.5) = -3; round(1234.567, -2) = 1200',
    minArgs: 1,
    maxArgs: 2,
    check: (args, api) => {
      const x = numericArg(name, 0, args[0], api);
      const d = digitsArg(name, args[1], api);
      if (!x || d === null || d === undefined) return undefined;
      const t = x.type!;
      let type: ExprType;
      if (t.kind === 'bigint') type = BIGINT;
      else if (t.kind === 'float') type = FLOAT;
      else if (t.precision === undefined) type = { kind: 'decimal', scale: Math.max(d, 0) };
      else type = decimalType(t.precision - (t.scale ?? 0) + 1 + Math.max(d, 0), Math.max(d, 0));
      return { type, args: args[1] ? [x, args[1]] : [x] };
    },
    impl: (types) => {
      const k = types[0].kind;
      if (k === 'bigint') return (x, d) => roundIntDigits(x as Num, (d ?? 0) as number, truncate);
      if (k === 'float') return (x, d) => roundFloat(x as number, (d ?? 0) as number, truncate);
      return (x, d) => (truncate ? (x as Decimal).trunc((d ?? 0) as number) : (x as Decimal).round((d ?? 0) as number));
    },
    sql: (s) => {
      const x = s.args[0];
      const k = s.nodes[0].type!.kind;
      const d = s.nodes[1] ? Number((s.nodes[1] as { value: number }).value) : 0;
      if (k === 'bigint') {
        if (d >= 0) return x;
        const m = 10n ** BigInt(-d);
        return byDialect(s.dialect, {
          postgres: () => `CAST(${truncate ? 'TRUNC' : 'ROUND'}(${x}, ${d}) AS BIGINT)`,
          mysql: () => `${truncate ? 'TRUNCATE' : 'ROUND'}(${x}, ${d})`,
          // Quotient first, then the rounding step: no intermediate beyond 64 bits.
          sqlite: () => (truncate ? `((${x} / ${m}) * ${m})` : `((${x} / ${m} + (CASE WHEN abs(${x} % ${m}) * 2 >= ${m} THEN sign(${x}) ELSE 0 END)) * ${m})`),
        });
      }
      if (k === 'float') {
        if (s.dialect === 'sqlite') return `sluice_${name}(${x}, ${d})`;
        if (truncate && d === 0) return s.dialect === 'postgres' ? `TRUNC(${x})` : `TRUNCATE(${x}, 0)`;
        const f = truncate ? (s.dialect === 'postgres' ? 'TRUNC' : 'TRUNCATE') : 'ROUND';
        const exact = backToFloat(s, `${f}(${floatAsDecimal(s, x)}, ${d})`);
        if (s.dialect === 'postgres') return exact;
        // DECIMAL(65,30) holds 35 integer digits; beyond 1e34 a float has no digits left to round
        // (unless rounding to more than 17 places before the point).
        if (d < -17) s.note('MySQL: rounding floats of 1e34 and above to more than 17 places before the point');
        return `(CASE WHEN ABS(${x}) < 1e34 THEN ${exact} ELSE ${x} END)`;
      }
      if (s.dialect === 'sqlite') {
        s.note('SQLite has no exact decimal type: decimal rounding happens on REAL values');
        return truncate ? (d === 0 ? `trunc(${x})` : `(trunc(${x} * 1e${d}) / 1e${d})`) : `round(${x}, ${d})`;
      }
      return `${truncate ? (s.dialect === 'postgres' ? 'TRUNC' : 'TRUNCATE') : 'ROUND'}(${x}, ${d})`;
    },
  };
}

function ceilFloor(name: 'ceil' | 'floor'): FunctionDef {
  return {
    name,
    ...(name === 'ceil' ? { aliases: ['ceiling'] } : {}),
    category: 'number',
    signature: `${name}(number)`,
    returns: 'same kind as the argument (decimal with scale 0)',
    description: name === 'ceil' ? 'The smallest whole number not below the argument.' : 'The largest whole number not above the argument.',
    example: name === 'ceil' ? 'ceil(1.2) = 2; ceil(-1.2) = -1' : 'floor(1.8) = 1; floor(-1.2) = -2',
    minArgs: 1,
    maxArgs: 1,
    check: (args, api) => {
      const x = numericArg(name, 0, args[0], api);
      if (!x) return undefined;
      const t = x.type!;
      const type = t.kind === 'decimal' ? (t.precision === undefined ? { kind: 'decimal' as const, scale: 0 } : decimalType(t.precision - (t.scale ?? 0) + 1, 0)) : t;
      return { type, args: [x] };
    },
    impl: (types) => {
      const k = types[0].kind;
      if (k === 'bigint') return (x) => x;
      if (k === 'float') return name === 'ceil' ? (x) => Math.ceil(x as number) + 0 : (x) => Math.floor(x as number) + 0;
      return name === 'ceil' ? (x) => (x as Decimal).ceil() : (x) => (x as Decimal).floor();
    },
    sql: (s) => {
      const k = s.nodes[0].type!.kind;
      if (k === 'bigint') return s.args[0];
      if (k === 'decimal' && s.dialect === 'sqlite') s.note('SQLite has no exact decimal type');
      const call = `${name === 'ceil' && s.dialect === 'mysql' ? 'CEILING' : name.toUpperCase()}(${s.args[0]})`;
      // MySQL's FLOOR/CEILING of a decimal turn into BIGINT (which then overflows in b + floor(x)).
      if (k === 'decimal' && s.dialect === 'mysql') return `CAST(${call} AS DECIMAL(${Math.min(s.call.type?.precision ?? 65, 65)},0))`;
      return call;
    },
  };
}

function floatFn(
  name: string,
  description: string,
  example: string,
  math: (x: number) => number,
  domain: ((x: number) => string | undefined) | undefined,
  sqlName: Record<'postgres' | 'mysql' | 'sqlite', string>,
): FunctionDef {
  return {
    name,
    category: 'number',
    signature: `${name}(number)`,
    returns: 'float',
    description,
    example,
    minArgs: 1,
    maxArgs: 1,
    check: (args, api) => {
      const x = api.expect(args[0], ['numeric'], argName(name, 0));
      return x && { type: FLOAT, args: [api.coerce(x, FLOAT, argName(name, 0))] };
    },
    impl: () => (x) => {
      const v = x as number;
      const bad = domain?.(v);
      if (bad) fail(`${name}(${v}): ${bad}`, 'domain');
      return finite(math(v), name, v);
    },
    sql: (s) => {
      const x = s.args[0];
      if (s.dialect === 'postgres') return `${sqlName.postgres}(${pgFloat(s, 0)})`;
      if (s.dialect === 'sqlite' && domain) {
        const cond = name === 'sqrt' ? `${x} < 0` : `${x} <= 0`;
        return `(CASE WHEN ${cond} THEN ${s.raise(`${name}: argument out of its domain: `, x, FLOAT)} ELSE ${sqlName.sqlite}(${x}) END)`;
      }
      return `${sqlName[s.dialect]}(${x})`;
    },
  };
}

/** A comparator for values of one static type (greatest, least, sorting helpers). */
export function comparatorFor(t: ExprType): (a: Value, b: Value) => number {
  switch (t.kind) {
    case 'int':
    case 'bigint':
      return (a, b) => cmpInt(a as Num, b as Num);
    case 'float':
      return (a, b) => cmpFloat(a as number, b as number);
    case 'decimal':
      return (a, b) => cmpDecimal(a as Decimal, b as Decimal);
    case 'boolean':
      return (a, b) => cmpBool(a as boolean, b as boolean);
    case 'text':
      return (a, b) => cmpText(a as string, b as string);
    case 'bytes':
      return (a, b) => cmpBytes(a as Uint8Array, b as Uint8Array);
    default:
      return (a, b) => cmpString(a as string, b as string);
  }
}

function extreme(name: 'greatest' | 'least'): FunctionDef {
  const sign = name === 'greatest' ? 1 : -1;
  return {
    name,
    category: 'number',
    signature: `${name}(value, value, ...)`,
    returns: 'the common type of the arguments',
    description: `The ${name === 'greatest' ? 'largest' : 'smallest'} argument; NULL when any argument is NULL (as in MySQL and SQLite; PostgreSQL's ${name.toUpperCase()} ignores NULLs, so Sluice renders a NULL check there). Works on numbers, text (code point order), dates and booleans.`,
    example: `${name}(3, 7, 5) = ${name === 'greatest' ? 7 : 3}`,
    minArgs: 2,
    maxArgs: Infinity,
    check: (args, api) => {
      const u = api.unify(args, 'compare');
      if (!u) return undefined;
      if (u.type.kind === 'json') {
        api.error(args[0], `${name} cannot compare json`);
        return undefined;
      }
      return { type: u.type, args: u.nodes };
    },
    impl: (_types, result) => {
      const cmp = comparatorFor(result);
      return (...vs) => {
        let best = vs[0];
        for (let i = 1; i < vs.length; i++) if (cmp(vs[i], best) * sign > 0) best = vs[i];
        return best;
      };
    },
    sql: (s) => {
      const text = s.nodes[0].type?.kind === 'text';
      const fn = name.toUpperCase();
      return byDialect(s.dialect, {
        postgres: () => {
          // Text in code point order via COLLATE "C" inside the conditions only: on GREATEST's
          // arguments the explicit collation would stick to the result (UPPER would turn
          // ASCII-only) and clash with comparisons around it.
          let call = `${fn}(${s.args.join(', ')})`;
          if (text) {
            call = s.args[0];
            for (const a of s.args.slice(1)) call = `(CASE WHEN ${a} COLLATE "C" ${sign > 0 ? '>' : '<'} ${call} THEN ${a} ELSE ${call} END)`;
          }
          return `(CASE WHEN ${s.args.map((a) => `${a} IS NULL`).join(' OR ')} THEN NULL ELSE ${call} END)`;
        },
        // Compared as bytes (code point order), converted back to text with a collation of its own.
        mysql: () => (text ? `(CONVERT(${fn}(${s.args.map((a) => `BINARY ${a}`).join(', ')}) USING utf8mb4) COLLATE utf8mb4_bin)` : `${fn}(${s.args.join(', ')})`),
        sqlite: () => `${name === 'greatest' ? 'max' : 'min'}(${s.args.map((a, i) => (text && i === 0 ? `${a} COLLATE BINARY` : a)).join(', ')})`,
      });
    },
  };
}

export const NUMBER_FUNCTIONS: FunctionDef[] = [
  {
    name: 'abs',
    category: 'number',
    signature: 'abs(number)',
    returns: 'same kind as the argument (int -> bigint)',
    description: 'Absolute value. abs of the smallest bigint is out of range (an error).',
    example: 'abs(-3) = 3',
    minArgs: 1,
    maxArgs: 1,
    check: (args, api) => {
      const x = numericArg('abs', 0, args[0], api);
      return x && { type: x.type!, args: [x] };
    },
    impl: (types) => {
      const k = types[0].kind;
      if (k === 'bigint') return (x) => absInt(x as Num);
      if (k === 'float') return (x) => Math.abs(x as number);
      return (x) => (x as Decimal).abs();
    },
    sql: (s) => `ABS(${s.args[0]})`,
  },
  roundLike('round'),
  roundLike('trunc'),
  ceilFloor('ceil'),
  ceilFloor('floor'),
  {
    name: 'mod',
    category: 'number',
    signature: 'mod(a, b)',
    returns: 'as a % b',
    description: 'The remainder of a / b with the sign of a, the same as a % b; NULL when b is 0.',
    example: 'mod(-7, 3) = -1',
    minArgs: 2,
    maxArgs: 2,
    rewrite: (call) => ({ kind: 'binary', op: '%', left: call.args[0], right: call.args[1], start: call.start, end: call.end }),
    check: () => undefined,
    sql: () => '',
  },
  {
    name: 'power',
    aliases: ['pow'],
    category: 'number',
    signature: 'power(base, exponent)',
    returns: 'float',
    description: 'base raised to exponent, in float. 0 to a negative power and a negative base to a fractional power are errors, as is a result too large for a float.',
    example: 'power(2, 10) = 1024',
    minArgs: 2,
    maxArgs: 2,
    check: (args, api) => {
      const a = api.expect(args[0], ['numeric'], argName('power', 0));
      const b = api.expect(args[1], ['numeric'], argName('power', 1));
      return a && b ? { type: FLOAT, args: [api.coerce(a, FLOAT, 'power'), api.coerce(b, FLOAT, 'power')] } : undefined;
    },
    impl: () => (a, b) => {
      const x = a as number;
      const y = b as number;
      if (x === 0 && y < 0) fail(`power(${x}, ${y}): zero raised to a negative power`, 'domain');
      if (x < 0 && Number.isFinite(y) && !Number.isInteger(y)) fail(`power(${x}, ${y}): a negative base needs a whole exponent`, 'domain');
      return finite(x ** y, 'power', x, y);
    },
    sql: (s) => {
      const [x, y] = s.args;
      return byDialect(s.dialect, {
        postgres: () => `POWER(${pgFloat(s, 0)}, ${pgFloat(s, 1)})`,
        mysql: () => `POWER(${x}, ${y})`,
        sqlite: () =>
          `(CASE WHEN ${x} = 0 AND ${y} < 0 THEN ${s.raise('power: zero raised to a negative power ', y, FLOAT)} ` +
          `WHEN ${x} < 0 AND ${y} <> trunc(${y}) THEN ${s.raise('power: a negative base needs a whole exponent ', y, FLOAT)} ELSE pow(${x}, ${y}) END)`,
      });
    },
  },
  floatFn('sqrt', 'Square root; negative arguments are an error.', 'sqrt(16) = 4', Math.sqrt, (x) => (x < 0 ? 'square root of a negative number' : undefined), {
    postgres: 'SQRT',
    mysql: 'SQRT',
    sqlite: 'sqrt',
  }),
  floatFn('ln', 'Natural logarithm; arguments <= 0 are an error.', 'ln(1) = 0', Math.log, (x) => (x <= 0 ? 'logarithm of a number <= 0' : undefined), {
    postgres: 'LN',
    mysql: 'LN',
    sqlite: 'ln',
  }),
  floatFn('log10', 'Base-10 logarithm; arguments <= 0 are an error.', 'log10(1000) = 3', Math.log10, (x) => (x <= 0 ? 'logarithm of a number <= 0' : undefined), {
    postgres: 'LOG',
    mysql: 'LOG10',
    sqlite: 'log10',
  }),
  floatFn('exp', 'e raised to the argument; a result too large for a float is an error.', 'exp(0) = 1', Math.exp, undefined, { postgres: 'EXP', mysql: 'EXP', sqlite: 'exp' }),
  {
    name: 'sign',
    category: 'number',
    signature: 'sign(number)',
    returns: 'int',
    description: '-1, 0 or 1 by the sign of the argument.',
    example: 'sign(-4.2) = -1',
    minArgs: 1,
    maxArgs: 1,
    check: (args, api) => {
      const x = numericArg('sign', 0, args[0], api);
      return x && { type: INT, args: [x] };
    },
    impl: (types) => {
      const k = types[0].kind;
      if (k === 'decimal') return (x) => (x as Decimal).sign();
      if (k === 'float')
        return (x) => {
          const v = x as number;
          if (v !== v) fail('sign(NaN) is undefined', 'domain');
          return v > 0 ? 1 : v < 0 ? -1 : 0;
        };
      return (x) => ((x as Num) > 0 ? 1 : (x as Num) < 0 ? -1 : 0);
    },
    sql: (s) => (s.dialect === 'postgres' ? `CAST(SIGN(${s.args[0]}) AS INTEGER)` : `SIGN(${s.args[0]})`),
  },
  extreme('greatest'),
  extreme('least'),
];
